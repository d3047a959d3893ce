"""Where the portal's non-HTML outputs live, shared by the pages that link them and the writers.

Paths are site-relative. Per-lecture calendars sit next to the lecture's page folder
(``lectures/<id>.ics``), so the same path works with directory URLs and with ``.html`` pages.
"""

from __future__ import annotations

NOTICES_FEED = "notices/feed.xml"
LECTURES_FEED = "lectures/feed.xml"
LECTURES_CALENDAR = "lectures/calendar.ics"
OPENDATA_DIR = "data"
OPENDATA_INDEX = f"{OPENDATA_DIR}/index.json"
SITEMAP = "sitemap.xml"


def lecture_calendar(lecture_id: str) -> str:
    return f"lectures/{lecture_id}.ics"


def opendata_file(type_name: str) -> str:
    return f"{OPENDATA_DIR}/{type_name}.json"


def opendata_schema(type_name: str) -> str:
    return f"{OPENDATA_DIR}/schema/{type_name}.schema.json"
