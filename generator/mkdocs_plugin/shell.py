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
from mkdocs.structure import StructureItem
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


# --- the one escaping path for texts that reach Material's templates ----------------------
#
# Material's templates print titles, the site name and other configuration texts without
# escaping them (MkDocs' Jinja environment does not autoescape). Every such text is escaped
# here, once, into Markup: printed as is it shows as text, and Jinja's own ``| e`` leaves
# Markup alone, so nothing is escaped twice.

# Configuration texts that Material prints (site name, description, author, copyright).
CONFIG_TEXTS = ("site_name", "site_description", "site_author", "copyright")


def as_text(text: object) -> markupsafe.Markup:
    """``text`` escaped once for HTML (a Markup stays as it is)."""
    return markupsafe.escape(text if isinstance(text, markupsafe.Markup) else str(text))


def escape_config_texts(config: MkDocsConfig) -> None:
    for name in CONFIG_TEXTS:
        if isinstance(config.get(name), str):
            config[name] = as_text(config[name])
    config["extra"] = _escaped_values(config.get("extra") or {})


def _escaped_values(value: object) -> object:
    if isinstance(value, dict):
        return {key: _escaped_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped_values(item) for item in value]
    return as_text(value) if isinstance(value, str) else value


def escape_nav_titles(items: list[StructureItem]) -> None:
    """Section titles and titles set in the nav of site_config.yml."""
    for item in items:
        title = item.__dict__.get("title")
        if isinstance(title, str):
            item.title = as_text(title)  # type: ignore[misc]
        if getattr(item, "children", None):
            escape_nav_titles(item.children)  # type: ignore[arg-type]


def escape_page_title(page: Page) -> None:
    """A page's title wherever Material takes it from (the nav, front matter, its heading)."""
    title = page.title
    if title is not None:
        page.title = as_text(title)  # type: ignore[misc]
    if page.meta.get("title") is not None:
        page.meta["title"] = as_text(page.meta["title"])


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
        values = {"title": as_text(page.title), "body": page.html, "path": record_path}
        pieces = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            pieces.append(values[slot])
            pieces.append(part)
        return "".join(pieces)

    def external_resources(self) -> list[tuple[int, str, str]]:
        """External resources the layout itself loads, as ``offline.external_in_text`` reports them."""
        return external_in_text("".join(self.parts))
