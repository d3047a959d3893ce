"""What a resident's phone downloads for the home page, and the page behaviour that must survive
making it lighter (issue #17, point 3).

The weight counts every file Chromium actually fetched while opening the home page (the page,
its stylesheets, scripts, icon and whatever the scripts load at once), by its bytes on disk
and gzipped at level 6 (as nginx's gzip_comp_level 6 and the build's precompressed copies).
The behaviour tests cover what Material's script bundle used to do on the portal's pages:
the back-to-top button (navigation.top), closing the phone drawer when one of its links
jumps within the page, opening a drawer section from the keyboard, and the header showing
the page's title once its heading has scrolled away.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import PageWatch
from tests.support.server import serve

REPO = Path(__file__).resolve().parents[1]
HOME_LIMIT = 250 * 1024
HOME_GZIP_LIMIT = 70 * 1024


@pytest.fixture(scope="module")
def base_url(sample_site: Path) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url


def new_page(browser: Browser, width: int) -> tuple[Page, PageWatch]:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
    page = context.new_page()
    return page, PageWatch().attach(page)


def fetched_files(page: Page, base_url: str, site: Path) -> list[Path]:
    """The site files behind every request the page made (folders stand for their index.html)."""
    files: list[Path] = []
    for url in [*page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"), page.url]:
        if not url.startswith(base_url):
            continue
        relative = unquote(urlsplit(url).path)[len(urlsplit(base_url).path):]
        path = site / relative
        if relative == "" or path.is_dir():
            path = path / "index.html"
        files.append(path)
    return sorted(set(files))


def test_home_page_weighs_at_most_250_kb_and_70_kb_gzipped(
    browser: Browser, base_url: str, sample_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page, watch = new_page(browser, 390)
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    files = fetched_files(page, base_url, sample_site)
    page.context.close()
    assert watch.clean, (watch.failed, watch.errors)
    sizes = {path.relative_to(sample_site).as_posix(): (len(data := path.read_bytes()),
                                                       len(gzip.compress(data, compresslevel=6, mtime=0)))
             for path in files}
    plain = sum(size for size, _ in sizes.values())
    packed = sum(size for _, size in sizes.values())
    folder = Path(os.environ.get("TONGXIN_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "home-weight.json").write_text(
        json.dumps({"bytes": plain, "gzip_bytes": packed, "files": sizes}, indent=1), encoding="utf-8")
    assert any(name.endswith(".css") for name in sizes) and any(name.endswith(".js") for name in sizes)
    assert plain <= HOME_LIMIT, f"home page {plain / 1024:.1f} KB: {sizes}"
    assert packed <= HOME_GZIP_LIMIT, f"home page {packed / 1024:.1f} KB gzipped: {sizes}"


def test_back_to_top_button_appears_when_scrolling_up_and_goes_to_the_top(browser: Browser, base_url: str) -> None:
    page, watch = new_page(browser, 390)
    page.goto(base_url + "notices/")
    # Material hides the button with the hidden attribute and opacity 0 (it fades in and out).
    shown = ("(() => { const top = document.querySelector('.md-top');"
             " return !top.hidden && getComputedStyle(top).opacity === '1' })()")
    page.wait_for_timeout(300)
    assert not page.evaluate(shown), "at the top of the page there is nothing to go back to"
    page.mouse.wheel(0, 2400)
    page.wait_for_function("window.scrollY > 600")
    page.wait_for_timeout(200)
    assert not page.evaluate(shown), "scrolling down is reading on"
    page.mouse.wheel(0, -300)
    page.wait_for_function(shown)  # scrolling back up offers 回到页首
    page.locator(".md-top").click()
    page.wait_for_function("window.scrollY === 0")
    page.wait_for_function(f"!{shown}")
    assert watch.clean, (watch.failed, watch.errors)
    page.context.close()


def test_drawer_closes_when_its_link_jumps_within_the_page(browser: Browser, base_url: str) -> None:
    page, watch = new_page(browser, 390)
    page.goto(base_url + "pages/help/")
    page.get_by_role("button", name="菜单").click()
    page.wait_for_timeout(400)
    assert page.evaluate("document.getElementById('__drawer').checked")
    heading = page.locator(".md-sidebar--primary .md-nav--secondary a.md-nav__link[href^='#']").first
    if not heading.is_visible():  # the page's headings sit one panel deeper, behind 目录
        page.locator(".md-sidebar--primary label[for='__toc']").first.click()
        page.wait_for_timeout(400)
    heading.click()
    page.wait_for_function("!document.getElementById('__drawer').checked")  # the drawer gets out of the way
    assert page.evaluate("window.scrollY") > 0, "and the page has moved to the heading"
    assert watch.clean, (watch.failed, watch.errors)
    page.context.close()


def test_drawer_section_opens_with_enter(browser: Browser, base_url: str) -> None:
    page, watch = new_page(browser, 390)
    page.goto(base_url)
    page.get_by_role("button", name="菜单").click()
    page.wait_for_timeout(400)
    label = page.locator(".md-sidebar--primary label.md-nav__link[for^='__nav_'][tabindex='0']").first
    toggle = label.get_attribute("for")
    label.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.getElementById('{toggle}').checked")  # Enter opens the section
    assert watch.clean, (watch.failed, watch.errors)
    page.context.close()


def test_header_shows_the_page_title_once_the_heading_scrolled_away(browser: Browser, base_url: str) -> None:
    page, watch = new_page(browser, 1366)
    page.goto(base_url + "notices/")
    title = page.locator("[data-md-component='header-title']")
    assert "md-header__title--active" not in (title.get_attribute("class") or "")
    page.mouse.wheel(0, 1200)
    expect(title).to_have_class(re.compile(r"\bmd-header__title--active\b"))
    assert watch.clean, (watch.failed, watch.errors)
    page.context.close()


def test_material_stylesheet_is_cut_from_the_installed_material_for_these_pages(sample_site: Path) -> None:
    """theme/assets/material.css is what scripts/prune-material-css makes now: from the pinned
    Material's main.css, for the classes today's templates and scripts use."""
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "prune-material-css"), "--check", str(sample_site)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
