"""Keeping the portal offline: nothing it publishes may load a resource from another host.

The portal runs on intranets without internet. A page that loads a script, stylesheet,
font, image or frame from elsewhere blocks or breaks while the browser waits for a host
it cannot reach. Two checks keep that from being published:

* ``check_record_body`` runs during validation: a record's Markdown body (Markdown image
  syntax or raw HTML) that would load an external resource is an error at its file and line;
* ``find_external_resources`` scans the built HTML and CSS before the new site replaces the
  old one, which catches templates, free pages and anything else, and
  ``describe_external_resources`` names the built file and, when it can find the URL
  there, the template or content file it came from.

Links for people to click (``<a href>``) load nothing and are fine. Scripts (``.js``) are
not scanned: what they request is only known when they run, which the browser test checks.
The scan runs on every page of every build, so it is a cheap first pass that clears almost
every page (no attribute value starting like an external URL in a tag that loads anything),
then regular expressions over tags for the rest: measured on the sample site, about 0.2 ms
per 20 KB page against 1.6 ms for ``html.parser`` alone.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loading import RawRecord
from .problems import Position, ProblemLog

# Attributes through which each tag makes the browser fetch something.
LOADING_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "link": ("href", "imagesrcset"),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "object": ("data",),
    "embed": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
# <link rel=…> values that fetch (or connect to) their href; others (canonical, alternate) don't.
LOADING_LINK_RELS = frozenset({
    "stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
    "manifest", "preload", "modulepreload", "prefetch", "prerender", "preconnect", "dns-prefetch",
})
SCANNED_SUFFIXES = (".html", ".htm", ".css")
SOURCE_SUFFIXES = (".html", ".htm", ".css", ".js", ".md", ".yml", ".yaml")

_TAG = re.compile(
    r"<(" + "|".join(LOADING_ATTRIBUTES) + r")\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.IGNORECASE
)
_ATTRIBUTE = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*(\"[^\"]*\"|'[^']*'|[^)]*)\s*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_EXTERNAL = re.compile(r"(?:https?:|//)", re.IGNORECASE)
# Cheap test before converting a Markdown body: text without these cannot name another host.
_MAYBE_EXTERNAL = re.compile(r"https?:|//|\\\\|&#", re.IGNORECASE)
# Cheap test before the full scan of a page: an attribute value that starts like an external
# (or encoded) URL, a srcset (whose later candidates may be external), or CSS that may load
# something. It runs on every page, so it keeps to what the regex engine scans fast: no
# re.IGNORECASE, and srcset, url( and @import in lower case, as HTML and CSS are written in
# practice (and as nh3 writes sanitised bodies); "new URL(" is in every Material page.
_SUSPECT = re.compile(r"=\s*[\"']?\s*(?:[hH][tT][tT][pP][sS]?:|//|\\|&#)|srcset\s*=|url\s*\(|@import")
_TAG_NAME = re.compile(r"<([A-Za-z][\w:-]*)")


@dataclass(frozen=True)
class ExternalResource:
    """One place where published text makes the browser load something from another host."""

    file: str  # built file, relative to the site folder
    line: int
    what: str  # how it loads, e.g. "<script src>" or "CSS url()"
    url: str


def is_external(url: str) -> bool:
    """True for absolute http(s) URLs and protocol-relative ``//host/…`` URLs."""
    # Browsers drop surrounding whitespace and tabs/newlines inside URLs and read "\" as "/".
    cleaned = re.sub(r"[\t\n\r]", "", url).strip().replace("\\", "/")
    return _EXTERNAL.match(cleaned) is not None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def _srcset_urls(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def css_urls(css: str) -> Iterator[tuple[int, str, str]]:
    """(offset, what, url) of every url() and @import in a stylesheet."""
    for match in _CSS_URL.finditer(css):
        yield match.start(), "CSS url()", _unquote(match.group(1))
    for match in _CSS_IMPORT.finditer(css):
        yield match.start(), "CSS @import", _unquote(match.group(1))


def _tag_urls(tag: str, attributes: str) -> Iterator[tuple[str, str]]:
    values: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(attributes):
        values.setdefault(match.group(1).lower(), html.unescape(_unquote(match.group(2) or "")))
    if tag == "link" and not LOADING_LINK_RELS & set(values.get("rel", "").lower().split()):
        return
    for name in LOADING_ATTRIBUTES[tag]:
        if name not in values:
            continue
        urls = _srcset_urls(values[name]) if name.endswith("srcset") else [values[name]]
        for url in urls:
            yield f"<{tag} {name}>", url


def html_resource_urls(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, what, url) of every resource an HTML document makes the browser load."""
    if "<!--" in text:  # commented-out markup loads nothing; keep offsets by blanking it
        text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for match in _TAG.finditer(text):
        for what, url in _tag_urls(match.group(1).lower(), match.group(2)):
            yield match.start(), what, url
    for match in _STYLE_ATTRIBUTE.finditer(text):
        for _offset, what, url in css_urls(html.unescape(_unquote(match.group(1)))):
            yield match.start(), f"style=\"…\" {what}", url
    for match in _STYLE_BLOCK.finditer(text):
        for offset, what, url in css_urls(match.group(1)):
            yield match.start(1) + offset, f"<style> {what}", url


def _clearly_offline(text: str) -> bool:
    """True when no suspect spot of a page is in a tag that loads anything.

    Every Material page has some (the footer's <a> to Material's website, <svg xmlns=…>),
    so this keeps the full scan for the few pages that may need it.
    """
    for match in _SUSPECT.finditer(text):
        if not match.group(0).startswith("="):
            return False
        tag = _TAG_NAME.match(text, text.rfind("<", 0, match.start()))
        if tag is None or tag.group(1).lower() in LOADING_ATTRIBUTES:
            return False
    return True


def external_in_text(text: str, is_css: bool = False) -> list[tuple[int, str, str]]:
    """(line, what, url) of every external resource loaded by one HTML or CSS text."""
    if not is_css and _clearly_offline(text):
        return []
    found = css_urls(text) if is_css else html_resource_urls(text)
    return sorted(
        (_line_of(text, offset), what, url) for offset, what, url in found if is_external(url)
    )


def find_external_resources(site_dir: Path, skip: frozenset[str] = frozenset()) -> list[ExternalResource]:
    """Every external resource loaded by the built HTML and CSS under ``site_dir``.

    ``skip`` names files (relative to ``site_dir``) that the caller scans from memory instead.
    """
    found: list[ExternalResource] = []
    for relative, path in scanned_files(site_dir, skip):
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        for line, what, url in external_in_text(text, is_css=_suffix(relative) == ".css"):
            found.append(ExternalResource(relative, line, what, url))
    return found


def scanned_files(site_dir: Path, skip: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(relative path, path) of every HTML and CSS file under ``site_dir`` but those in
    ``skip``, in path order; what ``sorted(site_dir.rglob("*"))`` gives, filtered, without
    a Path object and a ``stat`` for each of the site's tens of thousands of files: links
    to files count, linked folders are not entered, unreadable folders are passed over."""
    found: list[tuple[list[str], str, str]] = []
    pending = [("", str(site_dir))]
    while pending:
        prefix, folder = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except PermissionError:
            continue
        for entry in entries:
            relative = prefix + entry.name
            symlink = entry.is_symlink()
            if not symlink and entry.is_dir(follow_symlinks=False):
                pending.append((relative + "/", entry.path))
            elif _suffix(entry.name) in SCANNED_SUFFIXES and relative not in skip and (
                    Path(entry.path).is_file() if symlink else entry.is_file(follow_symlinks=False)):
                found.append((relative.split("/"), relative, entry.path))
    return [(relative, path) for _parts, relative, path in sorted(found)]


def _suffix(name: str) -> str:
    """The suffix of a file name as ``Path.suffix`` has it, lower case."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


# --- naming the source of a finding ------------------------------------------------------


def _source_files(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())


def find_in_sources(url: str, roots: Iterable[Path], project_root: Path) -> list[str]:
    """``path:line`` of every source file (template, page, record) that contains ``url``."""
    places = []
    for path in _source_files(roots):
        text = path.read_text(encoding="utf-8", errors="replace")
        index = text.find(url)
        if index >= 0:
            try:
                shown = path.relative_to(project_root).as_posix()
            except ValueError:
                shown = path.as_posix()
            places.append(f"{shown}:{_line_of(text, index)}")
    return places


def describe_external_resources(
    found: list[ExternalResource], source_roots: list[Path], project_root: Path, lang: str = "zh"
) -> str:
    """The build error: each external resource once, where it was built, which source says so.

    A resource in a template shows up on every page; it is listed once with its first
    built file and the number of files, not once per page.
    """
    by_resource: dict[tuple[str, str], list[ExternalResource]] = {}
    for item in found:
        by_resource.setdefault((item.what, item.url), []).append(item)
    zh = lang != "en"
    lines = []
    for (what, url), items in by_resource.items():
        where = f"{items[0].file}:{items[0].line}"
        if len(items) > 1:
            where += f" 等 {len(items)} 个文件" if zh else f" and {len(items) - 1} more file(s)"
        sources = "、".join(find_in_sources(url, source_roots, project_root))
        origin = (f"（来自 {sources}）" if zh else f" (from {sources})") if sources else ""
        lines.append(f"  {what} {url}: {where}{origin}")
    if zh:
        heading = (
            f"生成的站点会从外部网站加载 {len(by_resource)} 项资源（external resource）。门户在没有互联网的"
            "内网运行，这些请求会失败并拖慢每个页面；未发布任何内容（site/ 保持不变）："
        )
        advice = (
            "请把文件放进 theme/assets/ 或 content/files/ 并用相对路径引用；"
            "供人点击的链接（<a href>）不受影响。"
        )
    else:
        heading = (
            f"the built site would load {len(by_resource)} external resource(s): the portal runs "
            "on intranets without internet, where these requests fail and slow every page down; "
            "nothing was published (site/ is unchanged):"
        )
        advice = (
            "Put the file into theme/assets/ or content/files/ and refer to it with a relative "
            "path; links for people to click (<a href>) are fine."
        )
    return "\n".join([heading, *lines, advice])


# --- record bodies (validation) ----------------------------------------------------------


@functools.cache
def _markdown() -> Any:
    """Markdown configured like record bodies, but unsanitised: raw HTML must be seen too."""
    from .markup import new_markdown

    return new_markdown()


def _position_in_file(source: str, url: str, start_line: int) -> Position | None:
    lines = source.splitlines()
    for number in range(max(start_line, 1), len(lines) + 1):
        column = lines[number - 1].find(url)
        if column >= 0:
            return Position(number, column + 1)
    return None


def check_record_body(raw: RawRecord, field_label: str, project_root: Path, log: ProblemLog) -> None:
    """Report every external resource that a record's Markdown body would load."""
    body = raw.data.get("body")
    if not isinstance(body, str) or not _MAYBE_EXTERNAL.search(body):
        return
    found = external_in_text(_markdown().reset().convert(body))
    if not found:
        return
    key_position = raw.position_of(("body",))
    source = (project_root / raw.path).read_text(encoding="utf-8", errors="replace")
    for _line, what, url in found:
        where = _position_in_file(source, url, key_position.line) or key_position
        log.add(
            raw.path,
            where,
            field_label,
            f"正文会从外部网站加载资源 {what} {url}（external resource）：门户在没有互联网的内网运行，"
            "浏览器加载不到它，还会拖慢页面；请把文件放进 content/files/ 作为附件，"
            "或改成供人点击的链接 [说明](网址)",
            f"the body loads an external resource {what} {url}: the portal runs on intranets "
            "without internet; put the file into content/files/ or make it a link [text](url)",
        )
