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

from ..content.models import Lecture, Place
from ..site.published import LECTURES_CALENDAR, lecture_calendar
from ..site.source import zone_rules
from ..site.urls import UrlScheme

if TYPE_CHECKING:
    import icalendar

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
    import icalendar  # its import alone is a tenth of a second; warm builds seldom need it

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
    import icalendar  # its import alone is a tenth of a second; warm builds seldom need it

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", icalendar.vText(name))  # vText escapes line breaks in a title
    cal.add("x-wr-timezone", context.site.timezone)
    head, end = cal.to_ical().split(b"END:VCALENDAR")
    return head + b"".join(components) + b"END:VCALENDAR" + end


def _timezone(context: OutputContext) -> bytes:
    """The VTIMEZONE of the portal's zone, computed once: building it is the slow part.

    It is the same for every event: icalendar describes a zone over a fixed span of years,
    whatever the events' dates."""
    import icalendar  # its import alone is a tenth of a second; warm builds seldom need it

    probe = icalendar.Calendar()
    event = icalendar.Event()
    event.add("dtstart", dt.datetime(2000, 1, 1, tzinfo=ZoneInfo(context.site.timezone)))
    probe.add_component(event)
    probe.add_missing_timezones()
    return b"".join(zone.to_ical() for zone in probe.walk("VTIMEZONE"))


def write_calendars(context: OutputContext) -> None:
    lectures = _lectures(context)
    timezone = (context.site.timezone, zone_rules(context.site.timezone))
    zones = context.memo.for_file("calendar-zones", timezone, lambda: _timezone(context)) if lectures else b""
    # A lecture's event and file are kept while nothing it shows changed (see OutputMemo).
    key = (context.site, context.scheme, zones)
    serialised = []
    for lecture in lectures:
        event = context.memo.for_record("calendar-event", lecture, key,
                                        lambda lecture=lecture: lecture_event(context, lecture).to_ical())
        serialised.append(event)
        calendar = context.memo.for_record("calendar-file", lecture, key,
                                           lambda lecture=lecture, event=event: _calendar(
                                               context, lecture.title, [zones, event]))
        context.write(lecture_calendar(lecture.id), calendar)
    name = f"{context.site.name} · 党课讲座"
    frame = context.memo.for_file("calendar-frame", (name, context.site.timezone),
                                  lambda: _calendar(context, name, [b"\0"]).split(b"\0"))
    context.write(LECTURES_CALENDAR, frame[0] + zones + b"".join(serialised) + frame[1])
