"""What the visitor's browser does on the built sample portal: clock corrections, "open now",
directory filters and the 大字模式 / 高对比度 switches. Dates are faked with Playwright's clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import PageWatch
from tests.support.server import serve

NOTICE = "2026-11-donghuashi-nanli-fazhan-duixiang-gongshi"  # 公示期 2026-11-19 … 2026-11-25
UPCOMING_NOTICE = "2026-12-qianmen-minzhu-pingyi-anpai"  # 公示期 2026-12-01 … 2026-12-14
LECTURE = "2026-11-24-donghuashi-weixing-dangke"  # 2026-11-24 19:00–19:30
CENTRE = "donghuashi-dangyuan-fuwu-zhongxin"  # 周一至周五 08:30–20:00, 周六日 09:00–17:00; 2027-01-01 09:00–12:00
STUDIO = "qianmen-dangdaibiao-gongzuoshi"  # 周三 14:00–17:00; closed 2026-12-30 (a Wednesday)


@pytest.fixture(scope="module")
def base_url(sample_site: Path) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url


def open_at(browser: Browser, url: str, moment: str, timezone: str = "Asia/Shanghai") -> tuple[Page, PageWatch]:
    """A fresh page whose clock reads ``moment`` (ISO 8601 with offset), in a browser set to ``timezone``."""
    context = browser.new_context(timezone_id=timezone, locale="zh-CN")
    page = context.new_page()
    watch = PageWatch().attach(page)
    page.clock.set_fixed_time(moment)
    page.goto(url)
    return page, watch


def item_state(page: Page, record_id: str) -> tuple[str, str | None, bool]:
    """(badge text, list group, visible) of the list item linking to ``record_id``."""
    item = page.locator(f'li[data-tx-movable]:has(a[href*="{record_id}"])').first
    badge = item.locator(".tx-state")
    group = item.evaluate("li => li.parentElement.getAttribute('data-tx-group')")
    return badge.inner_text(), group, item.is_visible()


def test_notice_built_as_open_shows_ended_after_its_window_by_the_visitors_clock(
    browser: Browser, base_url: str
) -> None:
    page, watch = open_at(browser, base_url + "notices/", "2026-11-26T09:00:00+08:00")
    assert item_state(page, NOTICE) == ("已结束", "notice-closed-2026", True)
    # The upcoming one is still upcoming; nothing left the page.
    assert item_state(page, UPCOMING_NOTICE)[0] == "即将公示"
    record = page.context.new_page()
    record.clock.set_fixed_time("2026-11-26T09:00:00+08:00")
    record.goto(base_url + f"notices/{NOTICE}/")
    assert record.locator(".tx-state").first.inner_text() == "已结束"
    home = page.context.new_page()
    home.clock.set_fixed_time("2026-11-26T09:00:00+08:00")
    home.goto(base_url)
    assert not home.locator(f'li[data-tx-movable]:has(a[href*="{NOTICE}"])').is_visible()
    assert watch.clean, watch
    page.context.close()


def test_upcoming_notice_moves_to_open_when_its_window_starts(browser: Browser, base_url: str) -> None:
    page, _ = open_at(browser, base_url, "2026-12-01T08:00:00+08:00")
    assert item_state(page, UPCOMING_NOTICE) == ("公示中", "notice-open", True)
    page.context.close()


@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        ("2026-11-25T15:30:00Z", "今天截止"),  # 23:30 on the last day in Shanghai
        ("2026-11-25T16:30:00Z", "已结束"),  # 00:30 the next day in Shanghai, still the 25th in New York
    ],
)
def test_window_days_are_counted_in_the_portals_time_zone_not_the_browsers(
    browser: Browser, base_url: str, utc_moment: str, expected: str
) -> None:
    page, _ = open_at(browser, base_url + f"notices/{NOTICE}/", utc_moment, timezone="America/New_York")
    assert page.locator(".tx-state").first.inner_text() == expected
    page.context.close()


@pytest.mark.parametrize(
    ("moment", "expected", "group"),
    [
        ("2026-11-24T18:59:00+08:00", "即将举行", "lecture-upcoming"),
        ("2026-11-24T19:29:00+08:00", "进行中", "lecture-upcoming"),
        ("2026-11-24T19:31:00+08:00", "已结束", "lecture-past"),
    ],
)
def test_lecture_ends_by_the_visitors_clock(
    browser: Browser, base_url: str, moment: str, expected: str, group: str
) -> None:
    page, _ = open_at(browser, base_url + "lectures/", moment)
    assert item_state(page, LECTURE) == (expected, group, True)
    page.context.close()


@pytest.mark.parametrize(
    ("place", "moment", "state", "text"),
    [
        (CENTRE, "2026-11-24T10:00:00+08:00", "open", "现在开放，今日 20:00 关门"),  # a Tuesday
        (CENTRE, "2026-11-24T07:15:00+08:00", "later", "已关闭，今日 08:30 开放"),
        (CENTRE, "2026-11-24T20:00:00+08:00", "closed", "已关闭，明日 08:30 开放"),  # closing minute
        (CENTRE, "2026-11-28T08:00:00+08:00", "later", "已关闭，今日 09:00 开放"),  # Saturday hours
        (CENTRE, "2027-01-01T13:00:00+08:00", "closed", "已关闭，明日 09:00 开放"),  # New Year: mornings only
        (STUDIO, "2026-12-30T15:00:00+08:00", "closed", "已关闭，周三（1月6日） 14:00 开放"),  # closed exception
        (STUDIO, "2026-12-23T15:00:00+08:00", "open", "现在开放，今日 17:00 关门"),
    ],
)
def test_open_now_indicator_at_chosen_times(
    browser: Browser, base_url: str, place: str, moment: str, state: str, text: str
) -> None:
    page, watch = open_at(browser, base_url + f"places/{place}/", moment)
    indicator = page.locator(".tx-open-now")
    assert indicator.get_attribute("data-tx-open-state") == state
    assert indicator.inner_text() == text
    assert watch.clean, watch
    page.context.close()


def test_places_directory_shows_open_now_for_every_place_with_hours(browser: Browser, base_url: str) -> None:
    page, _ = open_at(browser, base_url + "places/", "2026-11-24T10:00:00+08:00")
    cards = page.locator(".tx-card")
    indicators = page.locator(".tx-open-now:visible")
    assert indicators.count() == cards.count() > 0
    centre = page.locator(f'.tx-card:has(a[href*="{CENTRE}"]) .tx-open-now')
    assert centre.inner_text() == "现在开放，今日 20:00 关门"
    page.context.close()


def test_organisation_directory_filters_by_kind_area_and_basis(browser: Browser, base_url: str) -> None:
    page, watch = open_at(browser, base_url + "organizations/", "2026-11-24T10:00:00+08:00")
    rows = page.locator("#org-table tbody tr")
    total = rows.count()
    page.get_by_label("组织类别").select_option("党工委")
    visible = page.locator("#org-table tbody tr:visible")
    kinds = visible.locator("td:nth-child(2)").all_inner_texts()
    assert kinds and set(kinds) == {"党工委"} and len(kinds) < total
    assert page.locator("[data-tx-filter-count]").inner_text() == f"筛选出 {len(kinds)} 个党组织（共 {total} 个）"
    page.get_by_label("组织类别").select_option("")
    page.get_by_label("街道 / 社区").select_option(label="东花市街道（全部）")
    areas = page.locator("#org-table tbody tr:visible td:nth-child(4)").all_inner_texts()
    assert areas and all(area.startswith("东花市街道") for area in areas)
    page.get_by_label("组建方式（建在…上）").select_option("商务楼宇")
    names = page.locator("#org-table tbody tr:visible td:first-child").all_inner_texts()
    assert names == [], "no office building in 东花市 in the sample"
    assert page.locator("[data-tx-filter-empty]").is_visible()
    page.get_by_role("button", name="清除筛选").click()
    # The form's reset event fires before the fields are cleared, so the page filters a tick later.
    expect(page.locator("#org-table tbody tr:visible")).to_have_count(total)
    assert watch.clean, watch
    page.context.close()


def test_large_text_and_high_contrast_switches_are_remembered_and_keyboard_operable(
    browser: Browser, base_url: str
) -> None:
    page, watch = open_at(browser, base_url, "2026-11-24T10:00:00+08:00")
    large = page.get_by_role("button", name="大字模式")
    contrast = page.get_by_role("button", name="高对比度")
    assert large.get_attribute("aria-pressed") == "false"
    body_size = "parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)"
    assert page.evaluate(body_size) < 20
    large.focus()
    page.keyboard.press("Enter")
    assert large.get_attribute("aria-pressed") == "true"
    assert page.evaluate(body_size) >= 20
    contrast.focus()
    page.keyboard.press("Space")
    assert contrast.get_attribute("aria-pressed") == "true"
    page.goto(base_url + "notices/")  # another page: both choices remembered, applied from the start
    assert {"tx-large", "tx-contrast"} <= set(page.evaluate("document.documentElement.className").split())
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "true"
    assert page.evaluate(body_size) >= 20
    colour = page.evaluate("getComputedStyle(document.querySelector('.md-typeset p')).color")
    assert colour == "rgb(0, 0, 0)"
    page.get_by_role("button", name="大字模式").click()
    page.reload()
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "false"
    assert watch.clean, watch
    page.context.close()


def test_switches_work_from_disk_where_storage_may_fail(browser: Browser, sample_site: Path) -> None:
    page = browser.new_page()
    watch = PageWatch().attach(page)
    page.goto((sample_site / "index.html").as_uri())
    page.get_by_role("button", name="大字模式").click()
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "true"
    assert not watch.errors, watch.errors
    page.close()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-24T18:59:00+08:00", "即将举行"),
        ("2026-11-24T19:06:00+08:00", "进行中"),  # begun: 19:00–19:30
        ("2026-11-24T19:30:00+08:00", "已结束"),
    ],
)
def test_a_lecture_that_has_begun_says_in_progress_by_the_visitors_clock(
    browser: Browser, base_url: str, moment: str, expected: str
) -> None:
    for path in (f"lectures/{LECTURE}/", "lectures/", "lectures/calendar/", ""):
        page, watch = open_at(browser, base_url + path, moment)
        badge = page.locator(f'.tx-state[data-tx-lecture="{LECTURE}"]').first
        assert badge.inner_text() == expected, path
        assert watch.clean, watch
        page.context.close()
    page, _ = open_at(browser, base_url + "lectures/", moment)
    group = "lecture-past" if expected == "已结束" else "lecture-upcoming"
    assert item_state(page, LECTURE) == (expected, group, True)
    page.context.close()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-24T23:59:00+08:00", "公示中"),
        ("2026-11-25T08:00:00+08:00", "今天截止"),  # the window's last day, by the visitor's clock
        ("2026-11-26T00:01:00+08:00", "已结束"),
    ],
)
def test_a_notice_on_its_last_day_says_closing_today_by_the_visitors_clock(
    browser: Browser, base_url: str, moment: str, expected: str
) -> None:
    page, _ = open_at(browser, base_url + f"notices/{NOTICE}/", moment)
    assert page.locator(".tx-state").first.inner_text() == expected
    page.context.close()
    page, _ = open_at(browser, base_url + "notices/", moment)
    group = "notice-closed-2026" if expected == "已结束" else "notice-open"
    assert item_state(page, NOTICE) == (expected, group, True)
    page.context.close()
