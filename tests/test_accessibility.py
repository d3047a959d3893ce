"""axe-core in headless Chromium on one page of every type: zero serious or critical violations,
also with 大字模式 and 高对比度 on, and no sideways scrolling on a 390 px wide phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import Browser, Page

from tests.support.server import serve

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")

PAGE_TYPES = {
    "home": "",
    "notice listing": "notices/",
    "notice category": "notices/category/fazhandangyuangongshi/",
    "notice": "notices/2026-11-donghuashi-nanli-fazhan-duixiang-gongshi/",
    "lecture listing": "lectures/",
    "lecture series": "lectures/series/weixingdangke/",
    "lecture calendar": "lectures/calendar/",
    "lecture": "lectures/2026-11-24-donghuashi-weixing-dangke/",
    "place listing": "places/",
    "place": "places/donghuashi-dangyuan-fuwu-zhongxin/",
    "organisation listing": "organizations/",
    "organisation tree": "organizations/tree/",
    "organisation": "organizations/donghuashi-jiedao-dangongwei/",
    "grid listing": "grids/",
    "grid": "grids/donghuashi-nanli-diyi-wangge/",
    "project listing": "projects/",
    "project": "projects/qianmen-aixin-chuxu-yinhang/",
    "case listing": "cases/",
    "case (traditional Chinese)": "cases/jingansi-tongxin-jiayuan/",
    "meeting listing": "meetings/",
    "meeting": "meetings/2025-12-nanli-diyi-wangge-dangyuan-dahui/",
    "guide listing": "guides/",
    "guide": "guides/liudong-dangyuan-dengji/",
    "contacts": "contacts/",
    "open data": "opendata/",
    "free page": "pages/about/",
}
# Also the pages a resident reaches without a link of the portal's: search results and 404.
ALL_PAGE_TYPES = {**PAGE_TYPES, "search results": "search/?q=党员", "404": "404.html"}


@pytest.fixture(scope="module")
def base_url(sample_site: Path) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def serious_violations(page: Page) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_type_has_no_serious_accessibility_violations(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["", "notices/", "places/donghuashi-dangyuan-fuwu-zhongxin/", "lectures/calendar/"])
def test_large_text_and_high_contrast_modes_stay_accessible(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url)
    page.evaluate("localStorage.setItem('tx-pref-large', '1'); localStorage.setItem('tx-pref-contrast', '1')")
    page.goto(base_url + path)
    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("path", ["", "notices/", "lectures/calendar/", "organizations/", "contacts/",
                                  "places/donghuashi-dangyuan-fuwu-zhongxin/", "grids/"])
def test_phone_width_needs_no_sideways_scrolling(browser: Browser, base_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.goto(base_url + path)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    # Wide tables scroll inside their own box; the calendar turns into a list of busy days.
    if path == "lectures/calendar/":
        # (Months before the visitor's own are folded away by the script: look at a shown one.)
        assert page.locator(".tx-month:not([hidden]) .tx-calendar thead").first.bounding_box()["width"] <= 1  # type: ignore[index]
    context.close()
