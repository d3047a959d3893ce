"""What residents expect of a community portal, checked in the browser on the sample portal:
plain Chinese around every page (footer, 404, buttons), print, the calendar and the search
filters, and the features 朗读, 扫码在手机上看, reminders, 只看现在开放, 最近更新 and map links."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import icalendar
import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import PageWatch
from tests.support.server import serve
from tests.test_residents_outputs import SITE_URL, site_with_url  # noqa: F401  (a fixture)
from tests.test_residents_ui import UI_PAGE_TYPES, new_page

SITE_NAME = "同心 · 社区党建服务平台"
LECTURE = "2026-11-24-donghuashi-weixing-dangke"  # 2026-11-24 19:00–19:30
NOTICE = "2026-11-donghuashi-nanli-fazhan-duixiang-gongshi"
CENTRE = "donghuashi-dangyuan-fuwu-zhongxin"  # 周一至周五 08:30–20:00, 周六日 09:00–17:00
# Pretends the device has a Chinese voice and records what it is asked to say.
FAKE_SPEECH = """
window.__spoken = [];
const voice = {lang: 'zh-CN', name: '普通话', default: true, localService: true, voiceURI: 'zh'};
Object.defineProperty(window, 'speechSynthesis', {value: {
  getVoices: () => [voice], speaking: false, pending: false, paused: false,
  speak: (u) => window.__spoken.push({text: u.text, lang: u.lang}), cancel: () => {}, pause: () => {},
  resume: () => {}, addEventListener: () => {}, onvoiceschanged: null}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; };
"""


@pytest.fixture(scope="module")
def base_url(sample_site: Path) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url


@pytest.fixture(scope="module")
def served_with_url(site_with_url: Path) -> Iterator[str]:  # noqa: F811
    with serve(site_with_url, "/dangjian/") as url:
        yield url


def visit(browser: Browser, url: str, moment: str = "2026-11-22T10:00:00+08:00", width: int = 1366) -> Page:
    page = new_page(browser, width)
    page.clock.set_fixed_time(moment)
    page.goto(url)
    return page


# --- plain Chinese around every page ---------------------------------------------------------


@pytest.mark.parametrize("path", ["", "notices/", f"lectures/{LECTURE}/", "pages/about/"])
def test_footer_names_the_portal_its_organiser_and_the_update_date(
    browser: Browser, base_url: str, path: str
) -> None:
    page = visit(browser, base_url + path)
    footer = page.locator("footer").inner_text()
    assert "Material" not in footer and "MkDocs" not in footer
    assert SITE_NAME in footer
    assert "主办" in footer
    assert "更新日期：2026年11月22日" in footer
    page.context.close()


def test_chrome_speaks_chinese_not_formats(browser: Browser, base_url: str) -> None:
    """Buttons and links outside editors' text say what they do, not a file format or jargon."""
    jargon = re.compile(r"\.ics|Atom|RSS|iCal|Made with", re.IGNORECASE)
    page = new_page(browser, 1366)
    found = []
    for name, path in UI_PAGE_TYPES.items():
        if name == "open data":
            continue  # the page that explains the formats to those who want them
        page.goto(base_url + path)
        texts = page.locator("a:visible, button:visible, summary:visible").all_inner_texts()
        found += [f"{name}: {text}" for text in texts if jargon.search(text)]
    assert found == []
    page.goto(base_url + f"lectures/{LECTURE}/")
    assert page.get_by_role("link", name="加入手机日历").is_visible()
    page.goto(base_url + "notices/")
    assert page.get_by_role("link", name="订阅更新").first.is_visible()
    page.context.close()


def test_404_page_is_chinese_with_search_and_a_way_home_under_a_sub_path(
    browser: Browser, served_with_url: str, site_with_url: Path  # noqa: F811
) -> None:
    page = new_page(browser, 390)
    watch = PageWatch().attach(page)
    missing = served_with_url + "no/such/page/"
    # What nginx's error_page does: 404.html served at the missing address, at any depth.
    body = (site_with_url / "404.html").read_bytes()
    page.route(missing, lambda route: route.fulfill(status=200, body=body, content_type="text/html"))
    page.goto(missing)
    assert "Not found" not in page.content()
    assert "找不到" in page.locator("h1").inner_text()
    assert page.get_by_role("searchbox").count() >= 1
    header = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent"), "the portal's styles load at this depth"
    home = page.get_by_role("link", name=re.compile("返回首页"))
    home.first.click()
    page.wait_for_load_state()
    assert page.url == served_with_url
    assert watch.clean, watch
    page.context.close()


# --- print -------------------------------------------------------------------------------------


def test_printed_notice_has_no_admin_message_and_shows_portal_and_print_date(
    browser: Browser, base_url: str
) -> None:
    page = visit(browser, base_url + f"notices/{NOTICE}/", "2026-11-24T09:00:00+08:00", width=800)
    page.emulate_media(media="print")
    text = page.locator("body").inner_text()
    assert "site_url" not in text and "管理员" not in text
    assert SITE_NAME in text
    assert "打印日期：2026年11月24日" in text
    page.context.close()


# --- search filters and the calendar ---------------------------------------------------------


def test_search_filter_box_is_a_plain_panel_with_readable_text(browser: Browser, base_url: str) -> None:
    page = visit(browser, base_url + "search/?q=党员")
    summary = page.locator("#tx-search-filters summary")
    summary.wait_for()
    style = summary.evaluate(
        "s => { const c = getComputedStyle(s), b = getComputedStyle(s, '::before');"
        " return {size: parseFloat(c.fontSize), icon: b.maskImage || b.webkitMaskImage || 'none',"
        " background: getComputedStyle(s.parentElement).borderLeftColor}; }"
    )
    assert style["size"] >= 18
    assert style["icon"] in ("none", ""), "no pencil icon"
    assert style["background"] != "rgb(68, 138, 255)", "not Material's blue note"
    page.context.close()


def test_calendar_opens_on_the_visitors_current_month(browser: Browser, base_url: str) -> None:
    page = visit(browser, base_url + "lectures/calendar/", "2026-12-03T10:00:00+08:00", width=390)
    first = page.locator(".tx-month:visible h2").first.inner_text()
    assert first == "2026年12月"
    earlier = page.get_by_role("button", name=re.compile("之前的月份"))
    earlier.click()
    assert page.locator(".tx-month:visible h2").first.inner_text() != "2026年12月"
    page.context.close()


# --- 朗读 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"notices/{NOTICE}/", "pages/about/"])
def test_read_aloud_speaks_the_page_in_chinese(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    page.goto(base_url + path)
    button = page.get_by_role("button", name="朗读")
    button.click()
    spoken = page.evaluate("window.__spoken")
    title = page.locator(".md-content h1").inner_text()
    assert spoken and spoken[0]["lang"] == "zh-CN"
    said = "".join(item["text"] for item in spoken)
    assert said.startswith(title) and len(said) > len(title) + 20
    context.close()


def test_read_aloud_is_hidden_without_a_chinese_voice(browser: Browser, base_url: str) -> None:
    page = visit(browser, base_url + f"notices/{NOTICE}/")
    assert page.get_by_role("button", name="朗读").count() == 0 or not page.get_by_role(
        "button", name="朗读").is_visible()
    page.context.close()


# --- 扫码在手机上看 ------------------------------------------------------------------------------


def test_on_screen_qr_code_carries_the_page_to_a_phone(browser: Browser, served_with_url: str) -> None:
    page = new_page(browser, 1366)
    for path in (f"lectures/{LECTURE}/", "pages/about/"):
        page.goto(served_with_url + path)
        toggle = page.get_by_text("扫码在手机上看")
        toggle.click()
        code = page.locator(".tx-screen-qr svg")
        assert code.is_visible()
        assert code.get_attribute("aria-label").endswith(SITE_URL + path)  # type: ignore[union-attr]
    page.context.close()


def test_no_on_screen_qr_code_without_site_url(browser: Browser, base_url: str) -> None:
    page = visit(browser, base_url + f"lectures/{LECTURE}/")
    assert page.get_by_text("扫码在手机上看").count() == 0
    page.context.close()


# --- reminders ---------------------------------------------------------------------------------


def test_lecture_calendar_file_reminds_a_day_and_an_hour_before(sample_site: Path) -> None:
    for path in (sample_site / f"lectures/{LECTURE}.ics", sample_site / "lectures/calendar.ics"):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        for event in calendar.walk("VEVENT"):
            triggers = sorted(alarm.decoded("TRIGGER") for alarm in event.walk("VALARM"))
            assert triggers == [-dt.timedelta(days=1), -dt.timedelta(hours=1)], event["UID"]
            for alarm in event.walk("VALARM"):
                assert alarm["ACTION"] == "DISPLAY" and str(alarm["DESCRIPTION"]).strip()


def test_lecture_page_shows_registration_and_a_contact(browser: Browser, base_url: str) -> None:
    page = visit(browser, base_url + f"lectures/{LECTURE}/")
    facts = page.locator(".tx-facts").first.inner_text()
    assert "报名" in facts
    contact = page.locator(".tx-facts a[href^='tel:']")
    assert contact.count() >= 1
    page.context.close()


# --- 只看现在开放 -------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["2026-11-24T10:00:00+08:00", "2026-11-24T21:00:00+08:00"])
def test_places_directory_can_show_only_what_is_open_now(browser: Browser, base_url: str, moment: str) -> None:
    page = visit(browser, base_url + "places/", moment, width=390)
    cards = page.locator(".tx-card")
    total = cards.count()
    page.get_by_label("只看现在开放").check()
    shown = page.locator(".tx-card:visible")
    states = shown.locator(".tx-open-now").evaluate_all("els => els.map(e => e.dataset.txOpenState)")
    assert set(states) <= {"open"}
    assert len(states) < total
    open_cards = page.evaluate(
        "[...document.querySelectorAll('.tx-card')].filter(c => c.querySelector("
        "'[data-tx-open-state=open]')).length"
    )
    assert shown.count() == open_cards
    page.get_by_label("只看现在开放").uncheck()
    assert page.locator(".tx-card:visible").count() == total
    page.context.close()


# --- 最近更新 ------------------------------------------------------------------------------------


def test_home_page_lists_recent_updates_with_dates(browser: Browser, base_url: str) -> None:
    page = visit(browser, base_url)
    section = page.locator("section", has=page.get_by_role("heading", name="最近更新"))
    items = section.locator("li")
    assert items.count() >= 5
    texts = items.all_inner_texts()
    dates = [re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text) for text in texts]
    assert all(dates), texts
    ordered = [dt.date(int(m[1]), int(m[2]), int(m[3])) for m in dates if m]
    assert ordered == sorted(ordered, reverse=True), "newest first"
    assert all(day <= dt.date(2026, 11, 22) for day in ordered), "nothing from the future"
    kinds = {text.split()[0] for text in texts}
    assert len(kinds) >= 3, f"notices, lectures and changed records: {kinds}"
    page.context.close()


# --- map links -----------------------------------------------------------------------------------


def test_place_with_coordinates_links_to_the_phones_map_app(browser: Browser, base_url: str) -> None:
    page = visit(browser, base_url + f"places/{CENTRE}/", width=390)
    link = page.get_by_role("link", name=re.compile("地图"))
    href = link.first.get_attribute("href") or ""
    match = re.fullmatch(r"geo:(-?\d+\.\d+),(-?\d+\.\d+)\?q=(.+)", href)
    assert match, href
    lat, lon = float(match[1]), float(match[2])
    assert 39 < lat < 41 and 115 < lon < 118, "东花市 is in Beijing"
    assert "东花市" in unquote(match[3])
    page.context.close()


def test_place_without_coordinates_links_to_its_address(browser: Browser, base_url: str, sample_site: Path) -> None:
    from tests.support.project import REPO

    without = [p.stem for p in sorted((REPO / "content/places").glob("*.yml"))
               if "location:" not in p.read_text(encoding="utf-8")]
    assert without, "the sample keeps a place without coordinates"
    page = visit(browser, base_url + f"places/{without[0]}/", width=390)
    href = page.get_by_role("link", name=re.compile("地图")).first.get_attribute("href") or ""
    assert href.startswith("geo:0,0?q="), href
    assert unquote(href.removeprefix("geo:0,0?q=")).strip()
    page.context.close()
