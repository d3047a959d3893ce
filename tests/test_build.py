"""End to end: the sample portal as built, every page, link, anchor and cross-reference; atomic builds."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.content.models import RECORD_TYPES
from generator.content.validation import reference_fields
from generator.site.source import BUILD_DATE_ENV, ContentSource
from tests.support.project import SAMPLE_DATE, Project

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)  # http:, tel:, mailto:, data: …
HEADING = re.compile(r"^h[1-6]$")
AUTOMATIC_ANCHOR = re.compile(r"^_\d+$")


@dataclass
class ParsedPage:
    links: list[str] = field(default_factory=list)  # every href and src, as written
    ids: set[str] = field(default_factory=set)
    nav_links: list[str] = field(default_factory=list)  # hrefs inside the primary navigation
    headings: list[tuple[str, str]] = field(default_factory=list)  # (id, text)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._nav_depth = 0  # > 0 while inside the primary <nav>
        self._heading: tuple[str, str, list[str]] | None = None  # (tag, id, text parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.page.ids.add(values[name])
        for name in ("href", "src"):
            if name in values:
                self.page.links.append(values[name])
        if tag == "nav" and (self._nav_depth or "md-nav--primary" in values.get("class", "").split()):
            self._nav_depth += 1
        if self._nav_depth and tag == "a" and "href" in values:
            self.page.nav_links.append(values["href"])
        if HEADING.match(tag):
            self._heading = (tag, values.get("id", ""), [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1
        if self._heading is not None and tag == self._heading[0]:
            self.page.headings.append((self._heading[1], "".join(self._heading[2]).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading[2].append(data)


@cache
def parse(path: Path) -> ParsedPage:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.page


def html_pages(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.html"))


def resolve(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    """The file an internal link of ``page`` opens, and its #fragment; None for external links."""
    if EXTERNAL.match(link):
        return None
    parts = urlsplit(link)
    if not parts.path:
        target = page
    elif parts.path.startswith("/"):  # MkDocs writes 404.html with root-absolute links
        target = (site / unquote(parts.path).lstrip("/")).resolve()
    else:
        target = (page.parent / unquote(parts.path)).resolve()
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment)


def record_page(site: Path, type_name: str, record_id: str) -> Path:
    return (site / type_name / record_id / "index.html").resolve()


def linked_pages(site: Path, page: Path) -> set[Path]:
    found = set()
    for link in parse(page).links:
        target = resolve(site, page, link)
        if target is not None:
            found.add(target[0])
    return found


def record_ids(content: Path, type_name: str) -> list[str]:
    folder = content / type_name
    return sorted(path.stem for path in folder.iterdir() if path.suffix in (".yml", ".yaml"))


# --- the sample site -------------------------------------------------------------------


def test_every_record_has_its_page(sample_site: Path) -> None:
    content = sample_site.parent / "content"
    for type_name in RECORD_TYPES:
        ids = record_ids(content, type_name)
        assert ids, f"the sample has no {type_name}"
        for record_id in ids:
            assert record_page(sample_site, type_name, record_id).is_file(), f"{type_name}/{record_id}"


def test_every_listing_links_to_all_its_records(sample_site: Path) -> None:
    content = sample_site.parent / "content"
    home = (sample_site / "index.html").resolve()
    for type_name in RECORD_TYPES:
        listing = (sample_site / type_name / "index.html").resolve()
        assert listing.is_file()
        assert listing in linked_pages(sample_site, home), f"home page does not lead to {type_name}"
        missing = {
            record_id for record_id in record_ids(content, type_name)
            if record_page(sample_site, type_name, record_id) not in linked_pages(sample_site, listing)
        }
        assert not missing, f"{type_name}/index.html does not list {sorted(missing)}"


def test_tree_lists_every_organisation(sample_site: Path) -> None:
    tree = (sample_site / "organizations" / "tree" / "index.html").resolve()
    linked = linked_pages(sample_site, tree)
    for record_id in record_ids(sample_site.parent / "content", "organizations"):
        assert record_page(sample_site, "organizations", record_id) in linked, record_id


def test_every_internal_link_and_anchor_resolves(sample_site: Path) -> None:
    broken = []
    for page in html_pages(sample_site):
        for link in parse(page).links:
            target = resolve(sample_site, page, link)
            if target is None:
                continue
            path, fragment = target
            if not path.is_file():
                broken.append(f"{page.relative_to(sample_site)}: {link} (no file)")
            elif fragment and path.suffix == ".html" and fragment not in parse(path).ids:
                broken.append(f"{page.relative_to(sample_site)}: {link} (no #{fragment})")
    assert not broken, "\n".join(broken[:30])


def test_references_appear_both_ways(sample_site: Path) -> None:
    root = sample_site.parent
    result = ContentSource(root, root / "content").validate()
    assert not result.log.has_errors(), result.log.report()
    missing = []
    checked = 0
    for record in result.records:
        source = record_page(sample_site, record.raw.type_name, record.raw.record_id)
        for field_name, target_type in reference_fields(type(record.model)).items():
            value = getattr(record.model, field_name)
            for target_id in value if isinstance(value, list) else [value]:
                if target_id is None:
                    continue
                checked += 1
                target = record_page(sample_site, target_type, target_id)
                if target not in linked_pages(sample_site, source):
                    missing.append(f"{source.parent.name} does not link to {target_type}/{target_id} ({field_name})")
                if source not in linked_pages(sample_site, target):
                    missing.append(f"{target_type}/{target_id} does not link back to {source.parent.name}")
    assert checked > 50  # the sample is well connected
    assert not missing, "\n".join(missing)


def test_record_pages_stay_out_of_the_navigation(sample_site: Path) -> None:
    home = sample_site / "index.html"
    nav_links = parse(home).nav_links
    assert 5 <= len(nav_links) <= 30, nav_links
    record_dirs = {
        record_page(sample_site, type_name, path.stem).parent
        for type_name in RECORD_TYPES
        for path in (sample_site.parent / "content" / type_name).iterdir()
    }
    for link in nav_links:
        target = resolve(sample_site, home, link)
        assert target is None or target[0].parent not in record_dirs, link


def test_chinese_headings_of_free_pages_get_readable_anchors(sample_site: Path) -> None:
    content = sample_site.parent / "content"
    checked = 0
    for source in sorted((content / "pages").glob("*.md")):
        titles = re.findall(r"^#{2,6} +(.+?) *$", source.read_text(encoding="utf-8"), re.MULTILINE)
        page = parse(sample_site / "pages" / source.stem / "index.html")
        headings = {text: anchor for anchor, text in page.headings}
        for title in titles:
            if not re.search(r"[\u4e00-\u9fff]", title):
                continue
            plain = re.sub(r"[*_`]", "", title)
            anchor = headings.get(plain)
            assert anchor, f"{source.name}: heading {title!r} has no id"
            assert not AUTOMATIC_ANCHOR.match(anchor), f"{source.name}: {title!r} got {anchor!r}"
            assert re.search(r"[\u4e00-\u9fff]", anchor), f"{source.name}: {title!r} got {anchor!r}"
            checked += 1
    assert checked, "the sample's free pages have no Chinese sub-headings"


# --- atomic builds and MkDocs itself ---------------------------------------------------


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_broken_record_leaves_the_published_site_untouched(project: Project) -> None:
    assert project.build().returncode == 0
    before = tree_digest(project.site)
    assert before
    text = "name: 坏记录党支部\nkind: 党小队\n"
    project.write("content/organizations/broken-kind.yml", text)
    result = project.build()
    assert result.returncode == 1
    assert "content/organizations/broken-kind.yml:2:1: kind" in result.stderr
    assert "党小队" in result.stderr
    assert tree_digest(project.site) == before
    assert sorted(path.name for path in project.root.iterdir() if path.name.startswith(".site")) == []


def test_mkdocs_build_produces_the_same_pages(sample_site: Path) -> None:
    """`mkdocs build -f site_config.yml` on the same content and date as `tongxin build`."""
    root = sample_site.parent
    env = {**os.environ, BUILD_DATE_ENV: SAMPLE_DATE}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", "site_config.yml", "-d", "by-mkdocs"],
        cwd=root, capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    by_mkdocs = root / "by-mkdocs"
    pages = sorted(path.relative_to(sample_site) for path in sample_site.rglob("*.html"))
    assert len(pages) > 50
    assert sorted(path.relative_to(by_mkdocs) for path in by_mkdocs.rglob("*.html")) == pages
    # Same date, same content: the pages themselves are the same, date-dependent parts included.
    for relative in ("index.html", "notices/index.html", "lectures/index.html"):
        assert (by_mkdocs / relative).read_bytes() == (sample_site / relative).read_bytes(), relative


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_record_pages_show_labels_not_raw_keys(sample_site: Path, type_name: str) -> None:
    """Every record page is in Chinese: no English field key is shown as a label."""
    record_id = record_ids(sample_site.parent / "content", type_name)[0]
    html = record_page(sample_site, type_name, record_id).read_text(encoding="utf-8")
    labels = re.findall(r"<dt[^>]*>(.*?)</dt>", html, re.DOTALL)
    assert labels, f"{type_name} page has no labelled facts"
    for label in labels:
        assert not re.fullmatch(r"\s*[a-z_]+\s*", label), f"{type_name}: raw key {label!r} shown"
