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


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


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


def write_opendata(context: OutputContext) -> None:
    build_date = context.site.build_date.isoformat()
    catalogue: list[dict[str, Any]] = []
    for type_name, model in RECORD_TYPES.items():
        records = [record_data(context, r) for r in context.graph.records[type_name].values()]
        _write_json(context.site_dir / opendata_file(type_name), {
            "format_version": FORMAT_VERSION,
            "type": type_name,
            "label": model.type_label,
            "build_date": build_date,
            "timezone": context.site.timezone,
            "schema": Path(opendata_schema(type_name)).relative_to(Path(opendata_file(type_name)).parent).as_posix(),
            "count": len(records),
            "records": records,
        })
        _write_json(context.site_dir / opendata_schema(type_name), model.model_json_schema())
        catalogue.append({
            "type": type_name,
            "label": model.type_label,
            "count": len(records),
            "file": Path(opendata_file(type_name)).name,
            "schema": Path(opendata_schema(type_name)).relative_to(Path(OPENDATA_INDEX).parent).as_posix(),
        })
    _write_json(context.site_dir / OPENDATA_INDEX, {
        "format_version": FORMAT_VERSION,
        "name": context.site.name,
        "site_url": context.site.site_url,
        "build_date": build_date,
        "timezone": context.site.timezone,
        "datasets": catalogue,
    })
