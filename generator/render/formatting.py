"""How values read on the portal's pages: Chinese dates and times, the weekly opening table,
and a record's fact line (its model's ``facts``). Jinja filters and Python outputs share them."""

from __future__ import annotations

import datetime as dt
import functools
import string

from ..content.models import WEEKDAYS, OpeningHours, OpeningPeriod, Record, field_path_value, reference_fields
from ..site.graph import SiteGraph


def zh_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def zh_weekday(value: dt.date) -> str:
    return WEEKDAYS[value.weekday()]


def zh_datetime(value: dt.datetime) -> str:
    return f"{zh_date(value)}（{zh_weekday(value)}）{value:%H:%M}"


def clock(value: dt.time | None) -> str:
    return "" if value is None else f"{value:%H:%M}"


@functools.cache
def _fact_parts(segment: str) -> tuple[tuple[str, str | None], ...]:
    """A fact segment as (literal text, field path or None) pairs."""
    return tuple((text, path) for text, path, _spec, _conversion in string.Formatter().parse(segment))


def _fact_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return zh_datetime(value)
    if isinstance(value, dt.date):
        return zh_date(value)
    if isinstance(value, list):
        return "、".join(text for text in map(_fact_text, value) if text)
    return str(value)


def record_facts(record: Record, graph: SiteGraph) -> list[str]:
    """The parts of a record's fact line, as its model's ``facts`` declare them.

    A part is left out when a field it names is empty; references show the referenced
    record's short name (草厂社区党委), dates read 2026年11月22日.
    """
    references = reference_fields(type(record))
    shown = []
    for segment in record.facts:
        text = []
        for literal, path in _fact_parts(segment):
            text.append(literal)
            if path is None:
                continue
            value = field_path_value(record, path)
            if path in references and value is not None:
                ids = value if isinstance(value, list) else [value]
                value = [linked.short_title for linked in graph.resolve(references[path], ids)]
            written = _fact_text(value)
            if not written:
                break
            text.append(written)
        else:
            shown.append("".join(text))
    return shown


def weekly(hours: OpeningHours) -> list[tuple[str, list[OpeningPeriod]]]:
    """Opening periods per weekday, Monday first, for the weekly table."""
    return [(day, [p for p in hours.periods if day in p.days]) for day in WEEKDAYS]
