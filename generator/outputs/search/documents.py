"""What the search knows about each record and free page: texts to index, facts to show, facets."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from ...content.linebreaks import join_wide_lines
from ...content.models import (
    RECORD_TYPES,
    Area,
    Category,
    Keyword,
    Organization,
    OrganizationKind,
    OtherName,
    PlaceKind,
    Record,
    field_path_value,
    marked_fields,
    reference_fields,
)
from ...render.formatting import record_facts
from ...site.graph import LECTURE_PAST, LECTURE_UPCOMING, NOTICE_CLOSED, NOTICE_OPEN, SiteGraph
from ...site.urls import UrlScheme

FREE_PAGE_LABEL = "页面"
# Fields that are bookkeeping, not text a resident would search for, or indexed on their own.
SKIPPED_FIELDS = {"id", "lang", "body", "summary"}
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKUP = re.compile(r"^\s{0,3}(?:#{1,6}|>|[-*+]|\d+\.)\s+|[*_`|~]+|^\s*[-=:| ]{3,}\s*$", re.MULTILINE)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
HEADING = re.compile(r"^#\s+(.+)$", re.MULTILINE)
SPACES = re.compile(r"\s+")

# Facets a resident can filter by, in the order the filter panel shows them. Their values come
# from the model's markers: ``Category`` and ``Area`` fields, ``RefTo`` references to organisations.
FACETS: dict[str, str] = {"type": "类型", "category": "类别", "area": "街道/社区", "organization": "党组织"}
ORGANIZATIONS = "organizations"  # the type the 党组织 facet names
# States that come first and last among equally good results.
CURRENT_STATES = {NOTICE_OPEN, LECTURE_UPCOMING}
OVER_STATES = {NOTICE_CLOSED, LECTURE_PAST}


@dataclass
class SearchDocument:
    type_label: str
    title: str
    url: str  # site-relative
    names: list[str]  # the title and other names: exact-name matches, pinyin
    texts: list[str]  # the type, the other fields and the names of linked records
    summary: str = ""
    body: str = ""  # plain text of the Markdown body
    facts: list[str] = field(default_factory=list)  # shown under the title
    excerpt: str = ""  # plain text the snippet is cut from
    facets: dict[str, list[str]] = field(default_factory=dict)
    # Order among equal scores: (0 current, 1 timeless or upcoming, 2 over; then a date key,
    # smaller first): 公示中 before ended notices, upcoming lectures before past ones, newer first.
    standing: tuple[int, int] = (1, 0)


def plain_text(markdown: str | None) -> str:
    """Markdown -> readable text for indexing and snippets (no HTML rendering: 10,000 bodies)."""
    if not markdown:
        return ""
    # Lines joined first, as on the page: a break between Chinese characters is no space.
    text = MARKDOWN_LINK.sub(r"\1", join_wide_lines(FRONT_MATTER.sub("", markdown)))
    return SPACES.sub(" ", MARKDOWN_MARKUP.sub(" ", text)).strip()


def search_documents(graph: SiteGraph, scheme: UrlScheme, content_dir: Path | None) -> list[SearchDocument]:
    """Every document of the index, in index order: the records, then the free pages."""
    # Record numbers follow the tie-break order, so the browser breaks ties by number alone.
    return sorted(record_documents(graph, scheme), key=lambda d: d.standing) + free_documents(content_dir, scheme)


def free_documents(content_dir: Path | None, scheme: UrlScheme) -> list[SearchDocument]:
    return list(free_page_documents(content_dir, scheme)) if content_dir is not None and content_dir.is_dir() else []


def record_documents(graph: SiteGraph, scheme: UrlScheme) -> Iterator[SearchDocument]:
    for record in graph.all_records():
        yield record_document(record, graph, scheme)


def record_document(record: Record, graph: SiteGraph, scheme: UrlScheme) -> SearchDocument:
    names = [record.display_title, *_marked_values(record, OtherName)]
    texts = list(_field_texts(record, graph))
    summary = getattr(record, "summary", None) or ""
    body = plain_text(record.body)
    organizations = _organizations(record, graph)
    return SearchDocument(
        type_label=record.type_label,
        title=record.display_title,
        url=scheme.page_url(scheme.record_src(record.type_name, record.id)),
        names=names,
        texts=[record.type_label, *texts],
        summary=summary,
        body=body,
        standing=_standing(record, graph),
        facts=_facts(record, organizations, graph),
        excerpt=" ".join(t for t in (summary, body, *texts) if t),
        facets={
            "type": [record.type_label],
            "category": _categories(record),
            "area": _areas(record, organizations),
            "organization": [o.short_title for o in organizations],
        },
    )


def free_page_documents(content_dir: Path, scheme: UrlScheme) -> Iterator[SearchDocument]:
    """Markdown pages written by editors (about, 使用说明 …), outside the record folders."""
    for path in sorted(content_dir.rglob("*.md")):
        relative = path.relative_to(content_dir).as_posix()
        if relative.split("/")[0] in RECORD_TYPES:
            continue
        source = path.read_text(encoding="utf-8")
        heading = HEADING.search(source)
        title = heading.group(1).strip() if heading else path.stem
        text = plain_text(source)
        yield SearchDocument(
            type_label=FREE_PAGE_LABEL,
            title=title,
            url=scheme.page_url(relative),
            names=[title],
            texts=[FREE_PAGE_LABEL],
            body=text,
            excerpt=text,
            facets={"type": [FREE_PAGE_LABEL], "category": [], "area": [], "organization": []},
        )


def user_dictionary(graph: SiteGraph) -> set[str]:
    """Names that must stay whole words: the names of records titled by a proper name
    (organisations, places, grids, projects), their other names, streets and communities,
    keywords (partners, tags), and names without their kind (叶青大厦联合党委 -> 叶青大厦)."""
    kinds = sorted(_literal_values(OrganizationKind) + _literal_values(PlaceKind), key=len, reverse=True)
    words: set[str] = set()
    for record in graph.all_records():
        if record.title_field == "name":
            words.add(record.display_title)
        for marker in (OtherName, Area, Keyword):
            words.update(_marked_values(record, marker))
    for word in list(words):
        stem = next((word[: -len(kind)] for kind in kinds if word.endswith(kind) and len(word) > len(kind) + 1), None)
        if stem:
            words.add(stem)
    return words


def _marked_values(record: Record, marker: type) -> list[str]:
    """The text values (or list items) of the record's fields that carry ``marker``."""
    values: list[str] = []
    for name in marked_fields(type(record), marker):
        value = getattr(record, name)
        values += [str(v) for v in (value if isinstance(value, list) else [value]) if v]
    return values


def _standing(record: Record, graph: SiteGraph) -> tuple[int, int]:
    """Where a record goes among equally good results: notices open on the build date and
    upcoming lectures (the next one first) before the rest, ended notices and past lectures
    last; within each, newer first by the date the model lists the type by (``newest_first``)."""
    state = graph.state(record)
    rank = 0 if state in CURRENT_STATES else 2 if state in OVER_STATES else 1
    value = field_path_value(record, record.newest_first) if record.newest_first else None
    day = value.toordinal() if isinstance(value, dt.date) else 0
    return rank, day if state == LECTURE_UPCOMING else -day


def _literal_values(literal: object) -> list[str]:
    return list(getattr(literal, "__args__", ()))


def _field_texts(record: Record, graph: SiteGraph) -> Iterator[str]:
    """Every text value of the record; references are replaced by the referenced names."""
    references = reference_fields(type(record))
    for name in _field_names(type(record)):
        if name in SKIPPED_FIELDS:
            continue
        value = getattr(record, name)
        if name in references:
            for target in value if isinstance(value, list) else [value]:
                linked = graph.get(references[name], target)
                if linked is not None:
                    yield linked.display_title
            continue
        yield from _texts(value)


@cache
def _field_names(model: type[BaseModel]) -> tuple[str, ...]:
    """Pydantic builds ``model_fields`` anew on every access (~30 µs): read it once per type."""
    return tuple(model.model_fields)


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, BaseModel):
        for name in _field_names(type(value)):
            yield from _texts(getattr(value, name))


def _organizations(record: Record, graph: SiteGraph) -> list[Organization]:
    """The organisation itself, or the organisations the record refers to (any ``RefTo`` field)."""
    if record.type_name == ORGANIZATIONS:
        return [record] if isinstance(record, Organization) else []
    ids: list[str] = []
    for name, target_type in reference_fields(type(record)).items():
        if target_type == ORGANIZATIONS:
            value = getattr(record, name)
            ids += value if isinstance(value, list) else [value] if value else []
    return [o for o in graph.resolve(ORGANIZATIONS, list(dict.fromkeys(ids))) if isinstance(o, Organization)]


def _categories(record: Record) -> list[str]:
    return _marked_values(record, Category)


def _areas(record: Record, organizations: list[Organization]) -> list[str]:
    """Street and community (or region) of the record, or else of its organisations."""
    own = _marked_values(record, Area)
    if own:
        return own
    found: list[str] = []
    for organization in organizations:
        for value in _marked_values(organization, Area):
            if value not in found:
                found.append(value)
    return found


def _facts(record: Record, organizations: list[Organization], graph: SiteGraph) -> list[str]:
    """The organisations (two at most) a record belongs to, then its model's fact line."""
    facts: list[str] = []
    if record.type_name != ORGANIZATIONS and organizations:
        facts.append("、".join(o.short_title for o in organizations[:2]))
    return facts + record_facts(record, graph)
