"""The navigation's record sections come from the content model.

``nav`` in site_config.yml names the free pages and may name record sections, to place them or
to give them sub-pages (党课日历 under 党课讲座). Every record type it does not name gets a
section of its own, titled with the type's label and leading to its listing, after the last
record section the nav names (or after its first entry, the home page). So a new record type
is in the navigation without an edit to site_config.yml.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..content.models import Record

NavEntry = Any  # a page path, or {title: path or [entries]}, as MkDocs reads the nav


def with_record_sections(nav: list[NavEntry] | None, types: Mapping[str, type[Record]]) -> list[NavEntry] | None:
    """``nav`` with a section added for every record type it does not name; None stays None
    (MkDocs then lists the pages itself)."""
    if nav is None:
        return None
    named = [index for index, entry in enumerate(nav) if any(_record_type(path, types) for path in _paths(entry))]
    mentioned = {_record_type(path, types) for entry in nav for path in _paths(entry)}
    missing = [{model.type_label: f"{type_name}/index.md"} for type_name, model in types.items()
               if type_name not in mentioned]
    at = named[-1] + 1 if named else min(1, len(nav))
    return [*nav[:at], *missing, *nav[at:]]


def _paths(entry: NavEntry) -> Iterator[str]:
    if isinstance(entry, str):
        yield entry
    elif isinstance(entry, dict):
        for value in entry.values():
            yield from _paths(value)
    elif isinstance(entry, list):
        for item in entry:
            yield from _paths(item)


def _record_type(path: str, types: Mapping[str, type[Record]]) -> str | None:
    folder = path.split("/", 1)[0] if "/" in path else None
    return folder if folder in types else None
