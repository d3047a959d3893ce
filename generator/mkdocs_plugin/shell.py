"""Record pages in Material's layout without rendering Material's template for each one.

Every record page sits at the same depth and outside the nav, so Material's layout around
its body is the same for all of them except the title, the record's own address and the
body. Rendering ``main.html`` once with placeholder values and filling the placeholders per
record gives byte-for-byte the page MkDocs would render, at a fraction of the cost (the
template is the largest single cost of a 10,000-record build).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jinja2
import markupsafe
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from ..content.offline import external_in_text
from ..render.rendering import RenderedPage

# Indentation and blank lines of Material's templates: a quarter of every record page's bytes
# (50 MB of a 10,000-record site) that a browser collapses anyway. Newlines stay, so inline
# spacing and inline scripts are unchanged; the layout has no <pre> or <textarea>.
_INDENTATION = re.compile(r"\n[ \t]+")
_BLANK_LINES = re.compile(r"\n{2,}")


def compact_layout(html: str) -> str:
    return _BLANK_LINES.sub("\n", _INDENTATION.sub("\n", html))


# Placeholders chosen so that no template filter (escape, striptags, url) changes them.
TITLE = "TONGXINSHELLTITLE"
BODY = "TONGXINSHELLBODY"
PATH = "tongxinshelltype/tongxinshellid"


@dataclass(frozen=True)
class PageShell:
    """Material's rendered layout for a record page, split around its placeholders."""

    parts: tuple[str, ...]
    # What goes between consecutive parts: "title", "body" or "path".
    slots: tuple[str, ...]

    @classmethod
    def render(cls, env: jinja2.Environment, nav: Navigation, files: Files, config: MkDocsConfig) -> PageShell:
        file = File.generated(config, f"{PATH}.md", content="")
        page = Page(TITLE, file, config)
        # Material adds its own <h1> unless the content has one; record bodies always do.
        page.content = f"{BODY}<h1"
        page.toc = get_toc([])
        page.meta = {}
        page.active = True
        html = compact_layout(env.get_template("main.html").render(get_context(nav, files, config, page)))
        return cls.split(html.replace(f"{BODY}&lt;h1", BODY).replace(f"{BODY}<h1", BODY))

    @classmethod
    def split(cls, html: str) -> PageShell:
        tokens = {TITLE: "title", BODY: "body", PATH: "path"}
        parts: list[str] = []
        slots: list[str] = []
        rest = html
        while True:
            found = [(rest.find(token), token) for token in tokens if token in rest]
            if not found:
                parts.append(rest)
                return cls(tuple(parts), tuple(slots))
            index, token = min(found)
            parts.append(rest[:index])
            slots.append(tokens[token])
            rest = rest[index + len(token):]

    def fill(self, page: RenderedPage, record_path: str) -> str:
        values = {"title": str(markupsafe.escape(page.title)), "body": page.html, "path": record_path}
        pieces = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            pieces.append(values[slot])
            pieces.append(part)
        return "".join(pieces)

    def external_resources(self) -> list[tuple[int, str, str]]:
        """External resources the layout itself loads, as ``offline.external_in_text`` reports them."""
        return external_in_text("".join(self.parts))
