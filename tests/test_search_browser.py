"""Search as residents use it: the header box in headless Chromium, over HTTP and from disk."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from generator.outputs.search.text import normalize, shard_key, term_hash
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


# The suite's share of the search pack's dev queries (every fourth); the rest, the held-out
# queries and the 10,000-record run are for benchmarks/search_quality.py.
PACK_QUERY_STEP = 4


@pytest.fixture(scope="module")
def pack_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with the search pack's records (benchmarks/search_pack/) beside it,
    and records made to tie or to differ only in how much they are about a word: two
    notices of one title (open, ended), two lectures of one title (upcoming, past), a
    project about 加装电梯 and an organisation mentioning it once."""
    project = copy_project(tmp_path_factory.mktemp("search-pack"))
    search_quality.add_pack(project.content)  # type: ignore[attr-defined]
    for name, text in RANKING_RECORDS.items():
        project.write(f"content/{name}.yml", text)
    return project.root


@pytest.fixture(scope="module")
def pack_site(pack_project: Path) -> Path:
    return search_quality.build_site(pack_project, for_file=False)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def file_site(pack_project: Path) -> Path:
    """The sample portal and the pack built for opening from disk (pages as .html files)."""
    return search_quality.build_site(pack_project, for_file=True)  # type: ignore[attr-defined]


NOTICE_OF = """title: 前门街道党工委关于调整楼门院长公益岗的公示
category: 党务工作
form: 公示
organization: qianmen-jiedao-dangongwei
published: {start}
window:
  start: {start}
  end: {end}
contact:
  department: 前门街道党工委组织办
body: 楼门院长公益岗调整名单见附件。
"""
LECTURE_OF = """title: 楼门院长履职讲堂
series: 专题讲座
speaker:
  name: 高立新
start: "{day} 19:00"
end: "{day} 20:00"
venue: 前门街道会议室
organization: qianmen-jiedao-dangongwei
body: 讲楼门院长怎样履职。
"""
RANKING_RECORDS = {
    "notices/2025-qianmen-loumen-yuanzhang-ended": NOTICE_OF.format(start="2025-11-20", end="2025-11-26"),
    "notices/2026-qianmen-loumen-yuanzhang-open": NOTICE_OF.format(start="2026-11-20", end="2026-11-26"),
    "lectures/2026-09-qianmen-loumen-yuanzhang-past": LECTURE_OF.format(day="2026-09-10"),
    "lectures/2026-12-qianmen-loumen-yuanzhang-upcoming": LECTURE_OF.format(day="2026-12-10"),
    "organizations/qianmen-mentions-dianti-dangxiaozu": """name: 前门东区西打磨厂党小组
kind: 党小组
parent: qianmen-caochang-shequ-dangwei
street: 前门街道
body: 党小组每月学习一次，今年还讨论过加装电梯的事。
""",
    "projects/qianmen-about-dianti": """name: 前门老楼“上下楼”帮办
organizers: [qianmen-caochang-shequ-dangwei]
category: 共建共治
status: 进行中
how_to_join: 为老楼居民加装电梯牵线，到社区登记。
body: |
  加装电梯难在协商。帮办员从征求意见开始陪居民走完加装电梯的流程。

  已有三栋楼完成加装电梯。
""",
}


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
    browser, pack_site: Path, file_site: Path
) -> None:
    sets = search_quality.load_sets(["sample", "dev"])  # type: ignore[attr-defined]
    sets["dev"] = sets["dev"][::PACK_QUERY_STEP]
    scores = search_quality.measure(browser, {"http": pack_site, "file": file_site}, sets)  # type: ignore[attr-defined]
    recall = {(score.query_set, score.mode): score.recall for score in scores}
    # The targets of benchmarks/README.md. Since meetings arrived, 流动党员党支部 finds one of its two
    # records in the first five: three meetings of that branch outrank the notice that set it up.
    assert recall["sample", "http"] >= 0.98 and recall["sample", "file"] >= 0.98
    assert recall["sample", "http"] == recall["sample", "file"], "file:// must find what HTTP finds"
    assert recall["dev", "http"] >= 0.98 and recall["dev", "file"] >= 0.98


def first_titles(page, start_url: str, query: str, count: int = 3) -> list[str]:  # type: ignore[no-untyped-def]
    search_from_header(page, start_url, query)
    return page.locator(".tx-result__title").all_inner_texts()[:count]


def test_a_wrong_character_of_the_same_sound_still_finds_the_record(page, sample_site: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(sample_site) as base:
        assert "静安寺街道" in first_titles(page, base, "静按寺社区党工委", 1)[0]
        assert "叶青大厦联合" in first_titles(page, base, "叶青大夏联合党委", 1)[0]
        assert "力邦村" in first_titles(page, base, "力帮村党总支", 1)[0]
        assert page.get_by_role("status").inner_text().startswith("没有完全相符的内容")


def test_pinyin_joined_to_characters_is_looked_up_as_pinyin(page, sample_site: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(sample_site) as base:
        assert all("静安寺" in normalize(t) for t in first_titles(page, base, "jingan寺"))  # 靜安寺 too
        assert all("前门街道" in t for t in first_titles(page, base, "qianmen街道"))
        assert all("前门街道" in t for t in first_titles(page, base, "ｑｉａｎｍｅｎ街道"))


def test_a_record_about_a_word_comes_before_one_that_mentions_it(page, pack_site: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(pack_site) as base:
        titles = page.locator(".tx-result__title")
        search_from_header(page, base, "加装电梯")
        found = titles.all_inner_texts()
        assert found.index("前门老楼“上下楼”帮办") < found.index("前门东区西打磨厂党小组")


def test_equal_matches_put_open_notices_and_upcoming_lectures_first(page, pack_site: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(pack_site) as base:
        search_from_header(page, base, "楼门院长公益岗调整")
        links = page.locator(".tx-result__title a").evaluate_all("(as) => as.map(a => a.href)")
        assert [link.rstrip("/").rsplit("/", 1)[-1] for link in links[:2]] == [
            "2026-qianmen-loumen-yuanzhang-open", "2025-qianmen-loumen-yuanzhang-ended"]
        search_from_header(page, base, "楼门院长履职讲堂")
        links = page.locator(".tx-result__title a").evaluate_all("(as) => as.map(a => a.href)")
        assert [link.rstrip("/").rsplit("/", 1)[-1] for link in links[:2]] == [
            "2026-12-qianmen-loumen-yuanzhang-upcoming", "2026-09-qianmen-loumen-yuanzhang-past"]


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
    samples = ["网格", "同心家园", "txjy", "爱心储蓄银行", "𠀀𠀁", "1号楼", "a", "12号院党小组", "soho联合"]
    text = "靜安寺社區「同心家園」ＡＢＣ１２①　⼀丨﹏ｶ"
    with serve(sample_site) as base:
        search_from_header(page, base, "靜安寺")  # loads the manifest and its 繁->简 map
        hashes = page.evaluate("(xs) => xs.map(x => TongxinSearch.hash(x))", samples)
        keys = page.evaluate("(xs) => xs.map(x => TongxinSearch.shardKey(x))", samples)
        normalized = page.evaluate("(x) => TongxinSearch.normalize(x)", text)
    assert hashes == [term_hash(s) for s in samples]
    assert keys == [shard_key(s) for s in samples]
    assert normalized == normalize(text)
