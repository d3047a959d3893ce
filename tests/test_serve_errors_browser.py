"""Errors where editors look: `tongxin serve` shows content errors in every page, in Chromium.

An editor edits a record and looks at the browser, not at the terminal. While the content
has errors, every page the preview serves carries a panel with the file, line, message and
fix; it goes away by itself on the next good save. Started on broken content, `serve`
serves the panel (over the records without errors) instead of exiting. Builds never carry it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.live_serve import live_serve
from tests.support.project import SAMPLE_DATE, Project

PANEL = "#tongxin-serve-errors"
NOTICE = "content/notices/2026-meiliyuan-dangfei-shoujiao-gongkai.yml"
LECTURE = "content/lectures/2026-11-24-donghuashi-weixing-dangke.yml"


def _break(project: Project, relative: str, old: str, new: str) -> str:
    path = project.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text


def test_the_preview_shows_errors_in_every_page_until_fixed(
    project: Project, browser: object, tmp_path: Path
) -> None:
    original = _break(project, NOTICE, "category: 党费收缴", "category：党费收缴")
    with live_serve(project.root, SAMPLE_DATE) as server:
        # Started on broken content: it serves, and says why the notice is missing.
        server.wait_for(lambda: server.shows("", "tongxin-serve-errors"), "the panel on the home page", 120)
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(server.base)
        panel = page.locator(PANEL)
        panel.wait_for()
        text = panel.inner_text()
        assert f"{NOTICE}:2:" in text and "全角冒号" in text and "category: " in text
        assert "1 处错误" in text
        page.screenshot(path=str(tmp_path / "broken-start.png"), full_page=False)

        # Fixed and saved: the page reloads by itself, without the panel.
        (project.root / NOTICE).write_text(original, encoding="utf-8")
        panel.wait_for(state="detached", timeout=120_000)
        page.locator("h1").first.wait_for(timeout=60_000)  # the reloaded page (not mid-reload)

        # Broken again while browsing a record page: the open page shows the new error.
        page.goto(server.base + "lectures/2026-11-24-donghuashi-weixing-dangke/")
        _break(project, LECTURE, "series: 微型党课", "系列: 微型党课")
        page.locator(PANEL).wait_for(timeout=120_000)
        text = page.locator(PANEL).inner_text()
        assert f"{LECTURE}:2:" in text and "series" in text
        assert "上一次没有错误时的版本" in text  # the last good site is still shown beneath
        assert page.locator("h1").first.inner_text()  # the record page itself is still there

        # Every served page carries it, including an address with no page.
        for path in ("", "notices/", "no-such-page/", "lectures/2026-11-24-donghuashi-weixing-dangke/"):
            page.goto(server.base + path)
            assert page.locator(PANEL).count() == 1, path
        page.screenshot(path=str(tmp_path / "broken-edit.png"), full_page=False)
        page.close()


@pytest.mark.parametrize("marker", ["tongxin-serve-errors", "errors-page"])
def test_builds_never_carry_the_panel(sample_site: Path, marker: str) -> None:
    for path in sample_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".json", ".xml", ".txt"):
            assert marker not in path.read_text(encoding="utf-8", errors="replace"), path
    assert not list(sample_site.rglob("serve/errors*.html"))
