"""Open data: every record type as JSON, with a JSON Schema of its fields and a catalogue.

Files (documented in docs/opendata.md):

- ``data/index.json``: the catalogue (build date, time zone, one entry per type);
- ``data/<type>.json``: the records of one type, fields as in the YAML plus ``url`` and, for
  records with a state (notices, lectures), the state on the build date;
- ``data/schema/<type>.schema.json``: the fields with their Chinese titles and descriptions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..content.models import RECORD_TYPES, Record
from ..site.published import OPENDATA_INDEX, opendata_file, opendata_schema
from ..site.urls import UrlScheme

if TYPE_CHECKING:
    from . import OutputContext

FORMAT_VERSION = 1


def _write_json(context: OutputContext, relative: str, data: object) -> None:
    context.write(relative, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _page_url(context: OutputContext, record: Record) -> str:
    site_relative = context.scheme.page_url(UrlScheme.record_src(record.type_name, record.id))
    return context.site.absolute_url(site_relative) or site_relative


def record_data(context: OutputContext, record: Record) -> dict[str, Any]:
    data: dict[str, Any] = {"id": record.id, "url": _page_url(context, record)}
    data.update(record.model_dump(mode="json", exclude={"id"}, exclude_none=True))
    state = context.graph.state(record)
    if state is not None:
        data["state_on_build_date"] = state
    return data


def record_json(data: dict[str, Any]) -> str:
    """A record's entry as it appears in its type's file: indented two levels deep."""
    return json.dumps(data, ensure_ascii=False, indent=1).replace("\n", "\n  ")


def document_with_records(head: dict[str, Any], entries: list[str]) -> str:
    """``json.dumps({**head, "records": records}, ensure_ascii=False, indent=1)``, made from
    each record's ``record_json``: the same text, with each entry dumped once and kept by
    the build cache until its record changes."""
    text = json.dumps({**head, "records": []}, ensure_ascii=False, indent=1)
    if not entries:
        return text
    empty = "[]\n}"
    assert text.endswith(empty), "records must be the last member"
    return text[: -len(empty)] + "[\n  " + ",\n  ".join(entries) + "\n ]\n}"


def write_opendata(context: OutputContext) -> None:
    build_date = context.site.build_date.isoformat()
    catalogue: list[dict[str, Any]] = []
    # A record's entry depends on the record, its state on the build date (a change of state
    # counts as an edit) and its address.
    key = (context.site.site_url, context.scheme)
    for type_name, model in RECORD_TYPES.items():
        entries = [context.memo.for_record("opendata", r, key, lambda r=r: record_json(record_data(context, r)))
                   for r in context.graph.records[type_name].values()]
        context.write(opendata_file(type_name), document_with_records({
            "format_version": FORMAT_VERSION,
            "type": type_name,
            "label": model.type_label,
            "build_date": build_date,
            "timezone": context.site.timezone,
            "schema": Path(opendata_schema(type_name)).relative_to(Path(opendata_file(type_name)).parent).as_posix(),
            "count": len(entries),
        }, entries) + "\n")
        _write_json(context, opendata_schema(type_name), model.model_json_schema())
        catalogue.append({
            "type": type_name,
            "label": model.type_label,
            "count": len(entries),
            "file": Path(opendata_file(type_name)).name,
            "schema": Path(opendata_schema(type_name)).relative_to(Path(OPENDATA_INDEX).parent).as_posix(),
        })
    _write_json(context, OPENDATA_INDEX, {
        "format_version": FORMAT_VERSION,
        "name": context.site.name,
        "site_url": context.site.site_url,
        "build_date": build_date,
        "timezone": context.site.timezone,
        "datasets": catalogue,
    })
