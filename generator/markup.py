"""Markdown bodies -> safe HTML.

One Markdown object is reused for every body (creating one per page is measurably slow),
and its output is sanitised with nh3 so that a record can never inject script, event
handlers or frames into the portal.
"""

from __future__ import annotations

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "toc", "attr_list", "def_list"]
MARKDOWN_CONFIG = {"toc": {"slugify": slugify_unicode}}

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


class MarkdownRenderer:
    def __init__(self) -> None:
        self._markdown = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG
        )

    def render(self, text: str | None) -> str:
        if not text:
            return ""
        html = self._markdown.reset().convert(text)
        return sanitize(html)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
