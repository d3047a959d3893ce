"""Search as residents use it: the header box in headless Chromium, over HTTP and from disk."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from generator.outputs.search.text import normalize, term_hash
from tests.support.browser import PageWatch
from tests.support.project import REPO, copy_project
from tests.support.server import serve


def _load_benchmark() -> object:
    spec = importlib.util.spec_from_file_location("search_quality", REPO / "benchmarks" / "search_quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["search_quality"] = module
    spec.loader.exec_module(module)
    return module


search_quality = _load_benchmark()


@pytest.fixture(scope="module")
def file_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portal built for opening from disk (pages as .html files)."""
    project = copy_project(tmp_path_factory.mktemp("search-file"))
    result = project.build("--for-file")
    assert result.returncode == 0, result.stderr
    return project.root / "site-file"


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    yield context.new_page()
    context.close()


def search_from_header(page, start_url: str, query: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(start_url)
    box = page.get_by_role("search").get_by_label("搜索本站")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    page.wait_for_selector("#tx-search-results[data-tx-state=done]", state="attached")


def test_resident_queries_meet_recall_targets_over_http_and_from_disk(  # type: ignore[no-untyped-def]
    browser, sample_site: Path, file_site: Path
) -> None:
    sets = search_quality.load_sets(["sample"])  # type: ignore[attr-defined]
    scores = search_quality.measure(browser, {"http": sample_site, "file": file_site}, sets)  # type: ignore[attr-defined]
    recall = {score.mode: score.recall for score in scores}
    assert recall["http"] >= 0.98
    assert recall["file"] >= 0.9


def test_result_shows_type_title_highlight_and_facts_and_opens_under_a_sub_path(  # type: ignore[no-untyped-def]
    page, sample_site: Path
) -> None:
    watch = PageWatch().attach(page)
    with serve(sample_site, "/dangjian/") as base:
        search_from_header(page, base, "党费收缴")
        first = page.locator(".tx-result").first
        assert first.locator(".tx-result__type").inner_text() == "党务公开"
        assert "党费收缴" in first.locator(".tx-result__title").inner_text()
        assert first.locator("mark").first.inner_text() == "党费收缴"
        facts = first.locator(".tx-result__facts").inner_text()
        assert "美丽园居民区党总支" in facts and "2026年" in facts
        assert page.get_by_role("status").inner_text().startswith("找到")
        first.locator("a").click()
        page.wait_for_load_state()
        assert page.url.startswith(base + "notices/")
        assert "党费收缴" in page.locator("h1").first.inner_text()
    assert watch.clean, (watch.external, watch.failed, watch.errors)


def test_search_works_from_disk_and_links_open_html_pages(page, file_site: Path) -> None:  # type: ignore[no-untyped-def]
    watch = PageWatch().attach(page)
    search_from_header(page, (file_site / "organizations" / "index.html").as_uri(), "同心家園")
    titles = page.locator(".tx-result__title").all_inner_texts()
    assert any("同心家园" in t for t in titles) and any("同心家園" in t for t in titles)
    page.locator(".tx-result__title a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith("file://") and page.url.endswith(".html")
    assert "同心家" in page.locator("h1").first.inner_text()
    assert watch.clean, (watch.external, watch.failed, watch.errors)


def test_nothing_found_says_so_and_suggests_what_to_try(page, sample_site: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(sample_site) as base:
        search_from_header(page, base, "火星殖民地")
        assert "没有找到" in page.get_by_role("status").inner_text()
        assert page.locator(".tx-result").count() == 0


def test_facet_filter_narrows_results_by_type(page, sample_site: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(sample_site) as base:
        search_from_header(page, base, "网格")
        unfiltered = page.locator(".tx-result__type").all_inner_texts()
        assert len(set(unfiltered)) > 1
        page.locator("#tx-search-filters summary").click()
        types = page.get_by_label("类型", exact=True)
        types.locator("option", has_text="网格").wait_for(state="attached")
        types.select_option(label=next(o for o in types.locator("option").all_inner_texts() if o.startswith("网格")))
        page.wait_for_selector("#tx-search-results[data-tx-state=done]", state="attached")
        assert set(page.locator(".tx-result__type").all_inner_texts()) == {"网格"}


def test_search_box_and_results_have_no_serious_accessibility_violations(  # type: ignore[no-untyped-def]
    page, sample_site: Path
) -> None:
    with serve(sample_site) as base:
        search_from_header(page, base, "党员服务中心")
        page.locator("#tx-search-filters summary").click()
        page.wait_for_selector(".tx-search-filters__field select")
        results = Axe().run(page, context={"include": [[".tx-search"], [".tx-search-page"]]})
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_browser_hash_and_normalisation_agree_with_the_index(page, sample_site: Path) -> None:  # type: ignore[no-untyped-def]
    samples = ["网格", "同心家园", "txjy", "爱心储蓄银行", "𠀀𠀁", "1号楼", "a"]
    with serve(sample_site) as base:
        search_from_header(page, base, "靜安寺")  # loads the manifest and its 繁->简 map
        hashes = page.evaluate("(xs) => xs.map(x => TongxinSearch.hash(x))", samples)
        normalized = page.evaluate("(x) => TongxinSearch.normalize(x)", "靜安寺社區「同心家園」ＡＢＣ１２")
    assert hashes == [term_hash(s) for s in samples]
    assert normalized == normalize("靜安寺社區「同心家園」ＡＢＣ１２")
