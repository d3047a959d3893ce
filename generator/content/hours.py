"""Opening hours as plain data for the browser, which decides "open now" by the visitor's clock.

The build cannot know the time a resident looks at a page, so the page carries the weekly
periods and the dated exceptions and a small script (theme/assets/tongxin.js) computes
现在开放 / 已关闭 / 今日 HH:MM 开放 in the portal's time zone.
"""

from __future__ import annotations

from typing import TypedDict

from .models import WEEKDAYS, HoursException, OpeningHours

Span = list[str]  # ["08:30", "20:00"]


class HoursData(TypedDict):
    # Seven lists of [open, close] spans, Monday first (index 0 = 周一).
    weekly: list[list[Span]]
    # ISO date -> spans that replace the weekly ones that day ([] = closed all day).
    exceptions: dict[str, list[Span]]


def _span(open_at: object, close_at: object) -> Span:
    return [f"{open_at:%H:%M}", f"{close_at:%H:%M}"]


def _exception_spans(exception: HoursException) -> list[Span] | None:
    """Spans for an exceptional day, or None when the exception only adds a note."""
    if exception.closed:
        return []
    if exception.open is not None and exception.close is not None:
        return [_span(exception.open, exception.close)]
    return None


def hours_data(hours: OpeningHours) -> HoursData:
    weekly: list[list[Span]] = []
    for day in WEEKDAYS:
        spans = [_span(p.open, p.close) for p in hours.periods if day in p.days]
        weekly.append(sorted(spans))
    exceptions: dict[str, list[Span]] = {}
    for exception in sorted(hours.exceptions, key=lambda e: e.date):
        spans = _exception_spans(exception)
        if spans is not None:
            exceptions[exception.date.isoformat()] = spans
    return {"weekly": weekly, "exceptions": exceptions}
