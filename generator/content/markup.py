"""Markdown bodies -> safe HTML, and a report of what sanitising removed.

One Markdown object is reused for every body (creating one per page is measurably slow),
and its output is sanitised with nh3 so that a record can never inject script, event
handlers or frames into the portal.

Validation tells the editor what was removed (``unsafe_markup``). Only bodies that could
contain something to remove are converted for that (raw HTML, entities, attribute lists,
link destinations, first-level headings); their safe HTML is cached so that the build,
which validates first, does not convert them a second time.
"""

from __future__ import annotations

import functools
import html as html_entities
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension, TocTreeprocessor, slugify_unicode, strip_tags, unique
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .linebreaks import WideLineJoinExtension, join_wide_lines

MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "toc", "attr_list", "def_list"]
MARKDOWN_CONFIG = {
    "toc": {"slugify": slugify_unicode},
    # align="left" survives sanitising; the default style="text-align: left" would not.
    "tables": {"use_align_attribute": True},
}
# Where one of python-markdown's inline patterns could start: code, escapes, links and
# images, autolinks and inline HTML, entities, emphasis, a hard line break, and the
# placeholders Markdown itself puts into text.
_INLINE_MARKUP = re.compile(r"[`\\\[<&*_\x02\x03]|  \n")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Free pages (content/pages/*.md) bring their own first-level heading: the page title.
PAGE_TAGS = frozenset({*ALLOWED_TAGS, "h1"})
URL_ATTRIBUTES = frozenset({"href", "src"})
# nh3 drops these elements together with their content; others lose only their tags.
CONTENT_DROPPED_TAGS = frozenset({"script", "style"})
# What can run script, load a document or submit data: a body with these is refused, not
# just cleaned, since nobody writes them into a notice by accident.
DANGEROUS_TAGS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "form", "input", "button", "textarea", "select", "base", "meta", "link", "template", "noscript",
})
DANGEROUS_ATTRIBUTES = frozenset({"formaction", "srcdoc", "xlink:href"})
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data"})
# CSS that old browsers run as script.
_SCRIPTED_STYLE = re.compile(r"expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)

# Without any of these, a body's HTML holds nothing that sanitising removes: no raw HTML
# or entities, no {: attribute lists }, no link destinations, no first-level heading.
_MAYBE_UNSAFE = re.compile(r"[<&]|\{[^}\n]*=|\]\s*[(:]|script\s*:|data\s*:|^ {0,3}(?:#(?!#)|=+\s*$)", re.MULTILINE)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Comments that browsers (and nh3's html5ever) close early but Python's HTMLParser does
# not: "<!-->" and "<!--->" are empty comments, "--!>" ends one. Normalised before looking,
# or a script after them would hide from the report.
_COMMENT_QUIRKS = re.compile(r"<!---?>|--!>")
# Browsers ignore these inside a URL ("java\tscript:") and around it.
_URL_IGNORED = re.compile(r"[\x00-\x20]")


@dataclass(frozen=True)
class Removal:
    """One thing sanitising removed from a body's HTML."""

    kind: str  # "element", "attribute" or "url"
    name: str  # tag name, attribute name or URL scheme
    needle: str  # text to look for in the Markdown source to say where it is
    scripted: bool = False  # a style attribute whose CSS runs script

    @property
    def dangerous(self) -> bool:
        """True for what could run script; False for mere formatting (h1, style, <font>)."""
        if self.scripted:
            return True
        if self.kind == "element":
            return self.name in DANGEROUS_TAGS or ":" in self.name
        if self.kind == "attribute":
            return self.name.startswith("on") or self.name in DANGEROUS_ATTRIBUTES
        return self.name in DANGEROUS_SCHEMES

    def describe(self) -> tuple[str, str]:
        """(zh, en): what is wrong and what to write instead.

        What could run script stops the build, so it is "不能发布"; formatting is removed
        and the rest published, so it is "发布时已删除".
        """
        outcome_zh, outcome_en = ("不能发布", "cannot be published")
        if not self.dangerous:
            outcome_zh, outcome_en = ("发布时已删除", "was removed")
        if self.kind == "element" and self.name == "h1":
            return (
                "一级标题（# 标题）会与页面标题重复，发布时只保留文字；正文里的标题请从 ## 二级标题开始",
                "a first-level heading (# title) repeats the page title and loses its heading; "
                "start body headings at ##",
            )
        if self.kind == "element":
            dropped = "（连同其中内容）" if self.name in CONTENT_DROPPED_TAGS else "（保留其中文字）"
            if self.dangerous:
                dropped = ""
            return (
                f"正文里的 HTML 元素 <{self.name}> 不安全或不允许（unsafe HTML），{outcome_zh}{dropped}；"
                "正文请用 Markdown 书写，如 **加粗**、[链接文字](https://…)",
                f"the HTML element <{self.name}> is not allowed and {outcome_en}; use Markdown",
            )
        if self.kind == "attribute" and (self.name.startswith("on") or self.scripted):
            return (
                f"正文里的事件属性 {self.name}（event handler）会执行脚本，{outcome_zh}；请删除它",
                f"the event handler attribute {self.name} runs script and {outcome_en}; delete it",
            )
        if self.kind == "attribute":
            return (
                f"正文里的 HTML 属性 {self.name} 不允许，{outcome_zh}；外观由门户统一设置，请删除它",
                f"the HTML attribute {self.name} is not allowed and {outcome_en}; delete it",
            )
        return (
            f"链接地址以 {self.name}: 开头，不安全（unsafe URL），{outcome_zh}；"
            "只能链接 http(s)://、mailto:、tel: 或站内文件（如 ../files/xx.pdf）",
            f"a {self.name}: URL is unsafe and {outcome_en}; link to http(s), mailto:, tel: "
            "or a relative path",
        )


@dataclass(frozen=True)
class CheckedHtml:
    safe_html: str
    removals: tuple[Removal, ...]


class _RemovalFinder(HTMLParser):
    """Lists what nh3, configured as below, removes from one HTML fragment."""

    def __init__(self, allowed_tags: frozenset[str] | set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.found: dict[Removal, None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag_allowed = tag in self.allowed_tags
        if not tag_allowed:
            self._add(Removal("element", tag, f"<{tag}"))
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name not in allowed or not tag_allowed:
                scripted = name == "style" and _SCRIPTED_STYLE.search(value or "") is not None
                removal = Removal("attribute", name, name, scripted)
                # A removed element's attributes go with it; only say so when they run script.
                if tag_allowed or removal.dangerous:
                    self._add(removal)
            elif name in URL_ATTRIBUTES and value:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in ALLOWED_URL_SCHEMES:
                    self._add(Removal("url", scheme, f"{scheme}:"))

    def _add(self, removal: Removal) -> None:
        self.found.setdefault(removal)


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (lower case), or None for a relative URL."""
    match = _SCHEME.match(_URL_IGNORED.sub("", url))
    return match.group(1).lower() if match else None


def find_removals(html: str, allowed_tags: frozenset[str] | set[str] = ALLOWED_TAGS) -> tuple[Removal, ...]:
    finder = _RemovalFinder(allowed_tags)
    finder.feed(_COMMENT_QUIRKS.sub(lambda m: "-->" if m.group(0) == "--!>" else "<!---->", html))
    finder.close()
    return tuple(finder.found)


def may_be_unsafe(text: str) -> bool:
    return _MAYBE_UNSAFE.search(text) is not None


class _PlainTextShortcut(Treeprocessor):
    """Marks text with no inline markup as atomic, so the inline processor skips it.

    Python-markdown tries each of its ~15 inline patterns on every piece of text; most of a
    Chinese body has none of the characters they start with, and this check is one regex.
    The HTML is the same either way (tested).
    """

    def run(self, root: Element) -> None:
        for element in root.iter():
            element.text = _atomic_if_plain(element.text)
            element.tail = _atomic_if_plain(element.tail)


def _atomic_if_plain(text: str | None) -> str | None:
    if not text or isinstance(text, AtomicString) or _INLINE_MARKUP.search(text):
        return text
    return AtomicString(text)


class _PlainTextShortcutExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Just before the inline processor (priority 20).
        md.treeprocessors.register(_PlainTextShortcut(md), "tongxin_plain_text", 21)


class _HeadingIdsTreeprocessor(TocTreeprocessor):
    """The toc extension's work that shows in a body: ids for its headings, and the table of
    contents only where a [TOC] marker asks for one.

    The stock extension also builds and serialises a table of contents for every body (for
    ``Markdown.toc``, which nothing here reads); in a body without the marker that was most
    of its cost. The HTML is the same either way (tested).
    """

    def run(self, doc: Element) -> None:
        marker = self.marker
        if marker and any(element.text and element.text.strip() == marker for element in doc.iter()):
            super().run(doc)
            return
        self.marker, self._unseen = "", True  # no marker to replace: nothing shows the table
        try:
            super().run(doc)
        finally:
            self.marker, self._unseen = marker, False

    def build_toc_div(self, toc_list: list) -> Element:
        return Element("div") if getattr(self, "_unseen", False) else super().build_toc_div(toc_list)


class _HeadingIdsExtension(TocExtension):
    TreeProcessorClass = _HeadingIdsTreeprocessor


def new_markdown(shortcut: bool = True, headings: bool = True) -> markdown.Markdown:
    """A Markdown converter configured for record bodies (reuse it: making one is slow);
    without ``headings``, one for bodies that have none (``may_have_headings``)."""
    extensions: list[str | Extension] = [name for name in MARKDOWN_EXTENSIONS if name != "toc"]
    if headings:
        extensions.insert(MARKDOWN_EXTENSIONS.index("toc"), _HeadingIdsExtension(**MARKDOWN_CONFIG["toc"]))
    extensions.append(WideLineJoinExtension())
    if shortcut:
        extensions.append(_PlainTextShortcutExtension())
    return markdown.Markdown(extensions=extensions, extension_configs=MARKDOWN_CONFIG)


@functools.cache
def _checking_markdown() -> markdown.Markdown:
    return new_markdown()


@functools.lru_cache(maxsize=4096)
def checked_markdown(text: str) -> CheckedHtml:
    """Safe HTML of a Markdown body and what sanitising removed from it (cached)."""
    html = _checking_markdown().reset().convert(text)
    return CheckedHtml(sanitize(html), find_removals(html))


def unsafe_markup(text: str | None) -> tuple[Removal, ...]:
    """What publishing a Markdown body would remove from it; () for a plain body."""
    if not text or not may_be_unsafe(text):
        return ()
    return checked_markdown(text).removals


# What a heading, or the table of contents' marker, needs in Markdown: "#" (ATX headings),
# a line of "=" or "-" under a paragraph (setext headings), or "[TOC]".
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.MULTILINE)


def may_have_headings(text: str) -> bool:
    """Whether the ``toc`` extension could change the HTML of ``text`` (it only gives headings
    their ids and replaces the [TOC] marker); a body without is converted without it."""
    return "#" in text or "[TOC]" in text or _SETEXT_UNDERLINE.search(text) is not None


# --- bodies of plain paragraphs, lists and headings, without python-markdown ------------
#
# Most bodies are paragraphs of plain text, "## headings" and "- item" lists. For those the
# HTML python-markdown gives (with the extensions above) is known: each paragraph's lines in
# a <p>, joined where Chinese lines meet (``join_wide_lines``); each heading in an <h2>-<h6>
# with the toc extension's id; a block of "- " lines a tight list. Converting such a body
# directly costs a tenth; anything else (ordered, loose or nested lists, quotes, tables,
# code, inline markup, first-level headings, indentation, unusual spacing) is left to
# python-markdown. Tested against it on generated bodies.

# Characters that make a body more than that somewhere: inline markup (as
# ``_INLINE_MARKUP``), raw HTML and entities, tables, attribute lists, control characters
# other than the line break, line separators, and runs of blank lines.
_NOT_PLAIN = re.compile(r"[`\\\[<&*_|{}\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029]|  \n|\n\n\n")
# What may not start the text of a paragraph line or a list item: quotes, list markers,
# rules, setext underlines, definition lists, headings (taken apart before), fences.
_BLOCK_START = frozenset("#>-+=:~")
_HEADING = re.compile(r"(#{2,6})([^#]+)")
_ITEM = re.compile(r"- +(.+)")


class _PlainBody:
    """One body converted block by block the way python-markdown's block parser goes."""

    def __init__(self, heading_ids: bool) -> None:
        self.heading_ids = heading_ids
        self.elements: list[str] = []
        self.last_was_list = False  # python-markdown merges a list into a list just before it
        self.used_ids: set[str] = set()
        self.counters: dict[str, int] = {}

    def block(self, lines: list[str]) -> bool:
        """Add one block (lines between blank lines); False if it is not plain."""
        for index, line in enumerate(lines):
            if line.startswith("#"):  # a heading splits its block, wherever it is
                return (not index or self.block(lines[:index])) and self.heading(line) and (
                    index + 1 == len(lines) or self.block(lines[index + 1:]))
        if lines[0].startswith("-"):
            return self.items(lines)
        if not all(map(_plain_line, lines)):
            return False
        self.add("<p>" + _escaped(join_wide_lines("\n".join(lines))) + "</p>", is_list=False)
        return True

    def heading(self, line: str) -> bool:
        heading = _HEADING.fullmatch(line)
        title = heading.group(2).strip() if heading else ""
        if not heading or not title:
            return False
        level, escaped = len(heading.group(1)), _escaped(title)
        if not self.heading_ids:
            self.add(f"<h{level}>{escaped}</h{level}>", is_list=False)
            return True
        # The toc extension's id: from the heading's HTML without its tags, unescaped.
        slug = unique(slugify_unicode(html_entities.unescape(strip_tags(escaped)), "-"), self.used_ids, self.counters)
        self.add(f'<h{level} id="{slug}">{escaped}</h{level}>', is_list=False)
        return True

    def items(self, lines: list[str]) -> bool:
        if self.last_was_list:
            return False
        texts = []
        for line in lines:
            item = _ITEM.fullmatch(line)
            if item is None or not _plain_line(item.group(1)):
                return False
            texts.append(f"<li>{_escaped(item.group(1))}</li>\n")
        self.add("<ul>\n" + "".join(texts) + "</ul>", is_list=True)
        return True

    def add(self, element: str, is_list: bool) -> None:
        self.elements.append(element)
        self.last_was_list = is_list


def plain_markdown(text: str, heading_ids: bool = True) -> str | None:
    """python-markdown's HTML (before sanitising) for a body of plain paragraphs, tight "- "
    lists and headings of level 2-6, or None when the body has anything else. Without
    ``heading_ids``, as a converter without the toc extension gives it (no ids)."""
    body = text.strip("\n")
    if not body or _NOT_PLAIN.search(body):
        return None
    converted = _PlainBody(heading_ids)
    if not all(converted.block(block.split("\n")) for block in body.split("\n\n")):
        return None
    return "\n".join(converted.elements)


def _plain_line(line: str) -> bool:
    """A line that python-markdown keeps as text of a paragraph or a list item."""
    if not line or line[0].isspace() or line[-1].isspace() or line[0] in _BLOCK_START:
        return False
    digits = len(line) - len(line.lstrip("0123456789"))
    return not digits or line[digits:digits + 1] not in (".", ")")  # "1." could start a list


def _escaped(text: str) -> str:
    """Text as python-markdown's serialiser writes it (it has no "&" or "<" here)."""
    return text.replace(">", "&gt;")


class MarkdownRenderer:
    def __init__(self) -> None:
        self._markdown = new_markdown()
        # Most bodies have no heading: the toc extension's walk over their tree is skipped.
        self._without_headings = new_markdown(headings=False)

    def render(self, text: str | None) -> str:
        if not text:
            return ""
        if may_be_unsafe(text):
            return checked_markdown(text).safe_html  # converted once, during validation
        headings = may_have_headings(text)
        html = plain_markdown(text, headings)
        if html is None:
            converter = self._markdown if headings else self._without_headings
            html = converter.reset().convert(text)
        return sanitize(html)


def unsafe_page_markup(text: str) -> tuple[Removal, ...]:
    """What publishing a free page (content/pages/*.md) would remove from it."""
    if not may_be_unsafe(text):
        return ()
    return find_removals(_checking_markdown().reset().convert(text), PAGE_TAGS)


@functools.cache
def _cleaner(tags: frozenset[str]) -> nh3.Cleaner:
    """One sanitiser per tag list: ``nh3.clean`` builds its sanitiser anew at every call,
    which cost about as much as cleaning a body."""
    return nh3.Cleaner(
        tags=set(tags),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitize(html: str, tags: frozenset[str] | set[str] = ALLOWED_TAGS) -> str:
    return _cleaner(frozenset(tags)).clean(html)
