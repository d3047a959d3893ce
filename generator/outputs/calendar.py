"""Lectures as iCalendar (RFC 5545): one .ics per lecture and one for the whole calendar.

Times carry TZID=<portal zone> with a VTIMEZONE, so phone and desktop calendars show the
lecture at the right local time wherever they are set. UIDs come from the record id and
DTSTAMP from the build date, so the same content and date give byte-identical files. Each
event reminds a day and an hour before (VALARM), so "加入手机日历" is also a reminder.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import icalendar

from ..content.models import Lecture, Place
from ..site.published import LECTURES_CALENDAR, lecture_calendar
from ..site.urls import UrlScheme

if TYPE_CHECKING:
    from . import OutputContext

PRODID = "-//Tongxin//社区党建服务平台//ZH"
UID_DOMAIN = "tongxin.lectures"
# Reminders a phone shows before each lecture: the day before, and an hour before.
REMINDERS = ((dt.timedelta(days=1), "明天"), (dt.timedelta(hours=1), "一小时后"))


def _lectures(context: OutputContext) -> list[Lecture]:
    items = [item for item in context.graph.records["lectures"].values() if isinstance(item, Lecture)]
    return sorted(items, key=lambda item: (item.start, item.id))


def _location(context: OutputContext, lecture: Lecture) -> str | None:
    place = context.graph.get("places", lecture.place)
    if isinstance(place, Place):
        return f"{place.name}（{place.address}）"
    return lecture.venue


def _description(context: OutputContext, lecture: Lecture) -> str:
    speaker = lecture.speaker.name + (f"（{lecture.speaker.title}）" if lecture.speaker.title else "")
    lines = [f"{lecture.series} · 主讲：{speaker}"]
    if lecture.summary:
        lines.append(lecture.summary)
    if lecture.audience:
        lines.append(f"对象：{lecture.audience}")
    if lecture.registration:
        lines.append(("需要报名：" if lecture.registration.required else "无需报名：") + lecture.registration.method)
    organization = context.graph.get("organizations", lecture.organization)
    if organization is not None:
        lines.append(f"主办：{organization.display_title}")
    return "\n".join(lines)


def lecture_event(context: OutputContext, lecture: Lecture) -> icalendar.Event:
    zone = ZoneInfo(context.site.timezone)
    event = icalendar.Event()
    event.add("uid", f"{lecture.id}@{UID_DOMAIN}")
    event.add("dtstamp", dt.datetime.combine(context.site.build_date, dt.time.min, tzinfo=dt.UTC))
    event.add("dtstart", lecture.start.replace(tzinfo=zone))
    event.add("dtend", lecture.end.replace(tzinfo=zone))
    event.add("summary", lecture.title)
    event.add("description", _description(context, lecture))
    event.add("categories", [lecture.series])
    location = _location(context, lecture)
    if location:
        event.add("location", location)
    url = context.site.absolute_url(context.scheme.page_url(UrlScheme.record_src("lectures", lecture.id)))
    if url:
        event.add("url", url)
    for before, when in REMINDERS:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -before)
        alarm.add("description", f"{when}：{lecture.title}")
        event.add_component(alarm)
    return event


def _calendar(context: OutputContext, name: str, components: list[bytes]) -> bytes:
    """A VCALENDAR around already serialised components.

    icalendar serialises each component the same way wherever it sits, so every event and
    the time zone are serialised once and shared by the per-lecture and whole calendars
    (serialising is most of the cost at thousands of lectures).
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", icalendar.vText(name))  # vText escapes line breaks in a title
    cal.add("x-wr-timezone", context.site.timezone)
    head, end = cal.to_ical().split(b"END:VCALENDAR")
    return head + b"".join(components) + b"END:VCALENDAR" + end


def _timezones(events: list[icalendar.Event]) -> list[icalendar.Timezone]:
    """VTIMEZONE components for the events, computed once: building them is the slow part."""
    probe = icalendar.Calendar()
    for event in events:
        probe.add_component(event)
    probe.add_missing_timezones()
    return list(probe.walk("VTIMEZONE"))


def write_calendars(context: OutputContext) -> None:
    lectures = _lectures(context)
    events = [lecture_event(context, lecture) for lecture in lectures]
    zones = b"".join(zone.to_ical() for zone in _timezones(events))
    serialised = [event.to_ical() for event in events]
    for lecture, event in zip(lectures, serialised, strict=True):
        path = context.site_dir / lecture_calendar(lecture.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_calendar(context, lecture.title, [zones, event]))
    whole = context.site_dir / LECTURES_CALENDAR
    whole.parent.mkdir(parents=True, exist_ok=True)
    whole.write_bytes(_calendar(context, f"{context.site.name} · 党课讲座", [zones, *serialised]))
