"""The portal as a 68-year-old on a phone and a community worker on an old PC meet it, measured.

Every page type is opened at 390 and 1366 px, in normal mode, 大字模式 and 高对比度, on the
sample portal in headless Chromium. Each visit measures tap targets, the size of every piece
of text and what sticks out sideways, runs axe-core, and takes a full-page screenshot into
the folder the run prints at its end (look at them: that is what they are for). Tests below
assert on the figures; figures.json beside the screenshots keeps them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.measure import Figures, measure, tab_walk
from tests.support.server import serve
from tests.test_accessibility import ALL_PAGE_TYPES, AXE_SCRIPT

# The sample's reference day, mid-morning: the visitor's clock agrees with the build date.
VISIT = "2026-11-22T10:00:00+08:00"
UI_PAGE_TYPES = ALL_PAGE_TYPES
WIDTHS = {"phone": 390, "desktop": 1366}
MODES = {"normal": (), "large": ("large",), "contrast": ("contrast",)}
PHONE_TARGET, LARGE_PHONE_TARGET = 44, 48  # CSS px, both sides
LARGE_RATIO = 1.5  # 大字模式: every text at least this much larger
MIN_TEXT = 16  # CSS px: nothing smaller in normal mode


@pytest.fixture(scope="module")
def base_url(sample_site: Path) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pytest tmp folder's screenshots/, or TONGXIN_SCREENSHOTS to keep them elsewhere."""
    folder = Path(os.environ.get("TONGXIN_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_page(browser: Browser, width: int, prefs: tuple[str, ...] = ()) -> Page:
    """A page at ``width`` whose 大字模式 / 高对比度 choices are ``prefs``, at the VISIT moment."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", device_scale_factor=1)
    script = "".join(f"localStorage.setItem('tx-pref-{name}', '1');" for name in prefs)
    context.add_init_script(f"try {{ {script} }} catch (e) {{}}")
    page = context.new_page()
    page.clock.set_fixed_time(VISIT)
    return page


def axe_violations(page: Page) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])}" for v in result["violations"]]


@pytest.fixture(scope="module")
def survey(browser: Browser, base_url: str, screenshots: Path) -> dict[tuple[str, str, str], Figures]:
    """Every page type at every width in every mode: figures, axe results and a screenshot."""
    figures: dict[tuple[str, str, str], Figures] = {}
    report: dict[str, object] = {}
    for width_name, width in WIDTHS.items():
        for mode, prefs in MODES.items():
            page = new_page(browser, width, prefs)
            for name, path in UI_PAGE_TYPES.items():
                page.goto(base_url + path)
                page.wait_for_load_state("load")
                found = measure(page)
                found.overflow["axe"] = axe_violations(page)
                figures[(name, width_name, mode)] = found
                shot = screenshots / f"{name.replace(' ', '-')}-{width}-{mode}.png"
                page.screenshot(path=str(shot), full_page=True)
                report[f"{name} {width} {mode}"] = {
                    "smallest target": found.smallest_target,
                    "small targets": len(found.small_targets(LARGE_PHONE_TARGET if prefs == ("large",)
                                                             else PHONE_TARGET)),
                    "targets": len(found.targets),
                    "smallest text": found.smallest_text,
                    "overflow": found.overflow["excess"],
                    "axe": found.overflow["axe"],
                }
            page.context.close()
    (screenshots / "figures.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return figures


@pytest.fixture(scope="module")
def narrow(browser: Browser, base_url: str) -> dict[tuple[str, str], Figures]:
    """Every page type at 320 px (the smallest phones), normal and 大字模式."""
    figures = {}
    for mode, prefs in (("normal", ()), ("large", ("large",))):
        page = new_page(browser, 320, prefs)
        for name, path in UI_PAGE_TYPES.items():
            page.goto(base_url + path)
            figures[(name, mode)] = measure(page)
        page.context.close()
    return figures


PAGES = pytest.mark.parametrize("name", UI_PAGE_TYPES, ids=list(UI_PAGE_TYPES))


@PAGES
def test_every_tap_target_on_a_phone_is_at_least_44_px(survey: dict, name: str) -> None:
    assert survey[(name, "phone", "normal")].small_targets(PHONE_TARGET) == []
    assert survey[(name, "phone", "contrast")].small_targets(PHONE_TARGET) == []


@PAGES
def test_every_tap_target_in_large_text_mode_on_a_phone_is_at_least_48_px(survey: dict, name: str) -> None:
    assert survey[(name, "phone", "large")].small_targets(LARGE_PHONE_TARGET) == []


@PAGES
def test_large_text_mode_enlarges_all_text_by_half(survey: dict, name: str) -> None:
    for width in WIDTHS:
        normal = survey[(name, width, "normal")].texts
        large = survey[(name, width, "large")].texts
        shared = normal.keys() & large.keys()
        assert len(shared) > 0.8 * len(normal), f"{width}: the same texts are on the page in both modes"
        too_small = sorted(
            f"{normal[key]['what']}: {normal[key]['size']} → {large[key]['size']} px"
            for key in shared if large[key]["size"] < LARGE_RATIO * normal[key]["size"] - 0.05
        )
        assert too_small == [], width


@PAGES
def test_no_text_is_smaller_than_16_px_and_navigation_is_not_smaller_than_body_text(
    survey: dict, name: str
) -> None:
    for width in WIDTHS:
        texts = survey[(name, width, "normal")].texts.values()
        assert sorted({f"{t['what']} {t['size']}" for t in texts if t["size"] < MIN_TEXT}) == [], width


@PAGES
@pytest.mark.parametrize("width", [320, 390])
def test_phone_layout_stays_whole_in_both_modes(survey: dict, narrow: dict, name: str, width: int) -> None:
    for mode in ("normal", "large"):
        found = narrow[(name, mode)] if width == 320 else survey[(name, "phone", mode)]
        assert found.overflow["excess"] <= 0, (mode, found.overflow["sticking"])
        assert found.overflow["sticking"] == [], mode
        assert found.overflow["boxes"] == [], (mode, "nothing scrolls sideways in a box on a phone")
        assert found.overflow["clipped"] == [], (mode, "placeholders fit their box")


@PAGES
def test_no_accessibility_violations_at_any_width_or_mode(survey: dict, name: str) -> None:
    for width in WIDTHS:
        for mode in MODES:
            assert survey[(name, width, mode)].overflow["axe"] == [], (width, mode)


def test_navigation_text_is_as_large_as_body_text(browser: Browser, base_url: str) -> None:
    page = new_page(browser, 1366)
    page.goto(base_url + "notices/")
    body = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-content .md-typeset')).fontSize)")
    tab = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-tabs__link')).fontSize)")
    assert body >= 18 and tab >= body
    page.context.close()


@pytest.mark.parametrize("mode", ["normal", "large"])
def test_phone_menu_opens_by_keyboard_and_its_links_are_large(browser: Browser, base_url: str, mode: str) -> None:
    page = new_page(browser, 390, MODES[mode])
    page.goto(base_url + "places/")
    menu = page.get_by_role("button", name="菜单")
    menu.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)  # Material slides the drawer in
    links = page.locator(".md-sidebar--primary .md-nav__link")
    sizes = links.evaluate_all(
        "ls => ls.filter(l => l.getBoundingClientRect().width > 0)"
        ".map(l => [parseFloat(getComputedStyle(l).fontSize), l.getBoundingClientRect().height])"
    )
    assert sizes, "the drawer shows the sections"
    minimum_font, minimum_height = (18, PHONE_TARGET) if mode == "normal" else (27, LARGE_PHONE_TARGET)
    assert min(size for size, _ in sizes) >= minimum_font
    assert min(height for _, height in sizes) >= minimum_height - 0.5
    page.context.close()


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("path", ["", "places/", "notices/2026-11-donghuashi-nanli-fazhan-duixiang-gongshi/"])
def test_keyboard_reaches_the_main_content_with_visible_focus(
    browser: Browser, base_url: str, width: int, path: str
) -> None:
    page = new_page(browser, width)
    page.goto(base_url + path)
    stops = tab_walk(page, 30)
    first = stops[0]
    assert first is not None and first["skip"] and first["visible"], "the first Tab stop is a visible skip link"
    before_main = [stop for stop in stops[: next(i for i, s in enumerate(stops) if s and s["main"])]]
    hidden = [stop["what"] for stop in before_main if stop and not (stop["visible"] and stop["ring"])]
    assert hidden == [], "every Tab stop before the content is on screen with a focus ring"
    if width == 390:
        assert any(stop and "菜单" in stop["what"] for stop in stops), "the ≡ menu button takes focus"
    # The skip link takes focus straight into the content.
    page.goto(base_url + path)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.md-content')")
    page.context.close()


def test_page_titles_are_bold_and_dark(browser: Browser, base_url: str) -> None:
    page = new_page(browser, 1366)
    for path in ("", "notices/", "pages/about/"):
        page.goto(base_url + path)
        weight, colour = page.evaluate(
            "(() => { const s = getComputedStyle(document.querySelector('.md-content h1'));"
            " return [parseInt(s.fontWeight), s.color]; })()"
        )
        assert weight >= 600, path
        assert colour in ("rgb(0, 0, 0)", "rgb(33, 33, 33)", "rgba(0, 0, 0, 0.87)"), (path, colour)
    page.context.close()


def test_large_text_mode_uses_the_width_of_a_desktop(browser: Browser, base_url: str) -> None:
    page = new_page(browser, 1366, ("large",))
    page.goto(base_url + "notices/")
    width = page.evaluate("document.querySelector('.md-content').getBoundingClientRect().width")
    assert width >= 900
    page.context.close()


def test_directories_are_cards_on_a_phone(browser: Browser, base_url: str) -> None:
    page = new_page(browser, 390)
    for path in ("organizations/", "contacts/", "opendata/"):
        page.goto(base_url + path)
        content = page.evaluate("document.querySelector('.md-content__inner').getBoundingClientRect().width")
        cells = page.evaluate(
            "[...document.querySelectorAll('.md-content table.tx-table tbody tr')]"
            ".filter(tr => tr.getBoundingClientRect().width > 0).map(tr => tr.getBoundingClientRect().width)"
        )
        assert cells, path
        assert min(cells) >= 0.8 * content - 40, (path, "each row is a card as wide as the page")
    page.goto(base_url + "organizations/")
    assert page.evaluate("document.scrollingElement.scrollHeight") < 4800, "shorter than the squeezed table"
    lines = page.evaluate(
        "[...document.querySelectorAll('#org-table td:first-child a')].map(a => a.getClientRects().length)"
    )
    assert max(lines) <= 2, "a name takes a line or two, not one line per three characters"
    page.context.close()


def test_large_text_mode_enlarges_the_search_box_and_its_placeholder_fits(browser: Browser, base_url: str) -> None:
    for prefs in ((), ("large",)):
        page = new_page(browser, 390, prefs)
        page.goto(base_url)
        box = page.locator("#tx-search-input")
        assert box.bounding_box()["width"] >= 200, (prefs, "the search box keeps a usable width")  # type: ignore[index]
        page.context.close()
