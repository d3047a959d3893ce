"""Files residents' phones and other systems read: .ics calendars, Atom feeds, sitemap, open data,
and the QR code on printed pages."""

from __future__ import annotations

import datetime as dt
import json
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import zxingcpp
from playwright.sync_api import Browser

from generator.content.models import RECORD_TYPES
from tests.support.project import REPO, copy_project
from tests.support.server import serve

SITE_URL = "http://intranet.example/dangjian/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
LECTURE = "2026-11-24-donghuashi-weixing-dangke"  # 2026-11-24 19:00–19:30 at 东花市街道党员服务中心
NOTICE = "2026-11-donghuashi-nanli-fazhan-duixiang-gongshi"
PLACE = "donghuashi-dangyuan-fuwu-zhongxin"


@pytest.fixture(scope="module")
def site_with_url(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portal built with site_url set, as an operator would publish it."""
    project = copy_project(tmp_path_factory.mktemp("with-url"))
    config = project.config.read_text(encoding="utf-8")
    project.config.write_text(f"site_url: {SITE_URL}\n{config}", encoding="utf-8")
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert "site_url 未设置" not in result.stderr
    return project.site


def content_ids(type_name: str) -> set[str]:
    return {path.stem for path in (REPO / "content" / type_name).glob("*.yml")}


# --- iCalendar ------------------------------------------------------------------------------


def test_lecture_ics_has_shanghai_times_a_timezone_and_crlf_lines(sample_site: Path) -> None:
    raw = (sample_site / f"lectures/{LECTURE}.ics").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    calendar = icalendar.Calendar.from_ical(raw)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    [event] = calendar.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == dt.datetime(2026, 11, 24, 19, 0, tzinfo=SHANGHAI)
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(minutes=30)
    assert event.decoded("DTSTAMP") == dt.datetime(2026, 11, 22, tzinfo=dt.UTC)  # the build date
    assert str(event["UID"]).startswith(LECTURE + "@")
    assert "东花市街道党员服务中心" in str(event["LOCATION"])


def test_whole_calendar_lists_every_lecture_once_with_the_same_uids(sample_site: Path) -> None:
    calendar = icalendar.Calendar.from_ical((sample_site / "lectures/calendar.ics").read_bytes())
    events = calendar.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert sorted(uid.split("@")[0] for uid in uids) == sorted(content_ids("lectures"))
    single = icalendar.Calendar.from_ical((sample_site / f"lectures/{LECTURE}.ics").read_bytes())
    assert str(single.walk("VEVENT")[0]["UID"]) in uids


def test_lecture_page_links_its_calendar_file(sample_site: Path) -> None:
    page = (sample_site / f"lectures/{LECTURE}/index.html").read_text(encoding="utf-8")
    assert f'href="../{LECTURE}.ics"' in page


# --- feeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("feed", "type_name"), [("notices/feed.xml", "notices"), ("lectures/feed.xml", "lectures")])
def test_atom_feeds_are_valid_with_absolute_links(site_with_url: Path, feed: str, type_name: str) -> None:
    parsed = feedparser.parse((site_with_url / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
    assert len(parsed.entries) == len(content_ids(type_name))
    ids = set()
    for entry in parsed.entries:
        assert entry.id and entry.title and entry.updated and entry.author
        ids.add(entry.id)
        assert entry.link.startswith(SITE_URL + type_name + "/")
        assert (site_with_url / entry.link[len(SITE_URL):] / "index.html").is_file()
    assert len(ids) == len(parsed.entries)


def test_feeds_without_site_url_use_links_relative_to_the_feed(sample_site: Path) -> None:
    parsed = feedparser.parse((sample_site / "notices/feed.xml").read_bytes())
    assert not parsed.bozo
    hrefs = [entry.link for entry in parsed.entries]
    assert hrefs and all((sample_site / "notices" / href / "index.html").is_file() for href in hrefs)


def test_every_page_announces_the_feeds(sample_site: Path) -> None:
    page = (sample_site / "places/index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml" title="党务公开（Atom 订阅）" href="../notices/feed.xml"' in page


# --- sitemap --------------------------------------------------------------------------------


def sitemap_locations(site: Path) -> list[str]:
    root = ET.parse(site / "sitemap.xml").getroot()
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert root.tag == f"{namespace}urlset"
    return [loc.text or "" for loc in root.iter(f"{namespace}loc")]


def test_sitemap_lists_every_built_page_including_records(site_with_url: Path) -> None:
    locations = sitemap_locations(site_with_url)
    assert len(locations) == len(set(locations))
    assert all(loc.startswith(SITE_URL) for loc in locations)
    pages = {loc[len(SITE_URL):] for loc in locations}
    for page in pages:
        assert (site_with_url / page / "index.html").is_file(), page
    built = {
        path.parent.relative_to(site_with_url).as_posix() + "/"
        for path in site_with_url.rglob("index.html")
    }
    built = {"" if page == "./" else page for page in built}
    assert pages == built
    assert f"notices/{NOTICE}/" in pages and f"lectures/{LECTURE}/" in pages


def test_sitemap_without_site_url_uses_addresses_relative_to_the_site_root(sample_site: Path) -> None:
    locations = sitemap_locations(sample_site)
    assert locations and not any(loc.startswith(("None", "http")) for loc in locations)
    assert all((sample_site / loc / "index.html").is_file() for loc in locations)


# --- open data ------------------------------------------------------------------------------


def test_open_data_exports_every_record_type_with_its_schema(sample_site: Path) -> None:
    catalogue = json.loads((sample_site / "data/index.json").read_text(encoding="utf-8"))
    assert catalogue["build_date"] == "2026-11-22" and catalogue["timezone"] == "Asia/Shanghai"
    types = {entry["type"] for entry in catalogue["datasets"]}
    assert types == set(RECORD_TYPES)
    for entry in catalogue["datasets"]:
        data = json.loads((sample_site / "data" / entry["file"]).read_text(encoding="utf-8"))
        schema = json.loads((sample_site / "data" / entry["schema"]).read_text(encoding="utf-8"))
        ids = {record["id"] for record in data["records"]}
        assert ids == content_ids(entry["type"]) and data["count"] == entry["count"] == len(ids)
        for record in data["records"]:
            assert (sample_site / record["url"] / "index.html").is_file()
            assert set(record) - {"id", "url", "state_on_build_date"} <= set(schema["properties"])
    notices = json.loads((sample_site / "data/notices.json").read_text(encoding="utf-8"))
    notice = next(r for r in notices["records"] if r["id"] == NOTICE)
    assert notice["window"] == {"start": "2026-11-19", "end": "2026-11-25"}
    assert notice["state_on_build_date"] == "公示中"


# --- QR codes on printed pages ---------------------------------------------------------------


def png_to_grey(png: bytes) -> tuple[bytes, int, int]:
    """Decode an 8-bit, non-interlaced RGB(A) PNG (what Chromium screenshots are) to grey pixels."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        data = png[position + 8:position + 8 + length]
        header = data if kind == b"IHDR" else header
        idat += data if kind == b"IDAT" else b""
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw, rows, previous = zlib.decompress(idat), [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line[x * channels] for x in range(width)))  # red channel: black or white
        previous = line
    return b"".join(rows), width, height


@pytest.fixture(scope="module")
def served_with_url(site_with_url: Path) -> Iterator[str]:
    with serve(site_with_url, "/dangjian/") as url:
        yield url


@pytest.mark.parametrize("page_path", [f"notices/{NOTICE}/", f"places/{PLACE}/"])
def test_printed_page_has_a_qr_code_that_decodes_to_its_address(
    browser: Browser, served_with_url: str, page_path: str
) -> None:
    page = browser.new_page(viewport={"width": 800, "height": 1100})
    page.goto(served_with_url + page_path)
    assert not page.locator(".tx-print-qr").is_visible()  # screen: no code
    page.emulate_media(media="print")
    code = page.locator("svg.tx-qr")
    assert code.is_visible()
    for hidden in (".md-header", ".md-tabs", ".md-footer", ".tx-a11y", ".md-sidebar--primary"):
        assert not page.locator(hidden).first.is_visible(), hidden
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
    assert size >= 16  # 12 pt
    grey, width, height = png_to_grey(code.screenshot())
    [barcode] = zxingcpp.read_barcodes(memoryview(grey).cast("B", (height, width)))
    assert barcode.text == SITE_URL + page_path
    assert urlsplit(barcode.text).path == urlsplit(served_with_url + page_path).path
    page.close()


def test_without_site_url_the_print_view_has_no_code_and_no_message_for_the_administrator(
    browser: Browser, sample_site: Path
) -> None:
    """The paper is for the 公示栏: the build's warning tells the operator, not the printout."""
    page = browser.new_page()
    page.goto((sample_site / f"notices/{NOTICE}/index.html").as_uri())
    page.emulate_media(media="print")
    assert page.locator("svg.tx-qr").count() == 0
    assert "site_url" not in page.locator("body").inner_text()
    page.close()
