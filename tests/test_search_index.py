"""The search index as built in Python: Chinese segmentation, 繁簡, pinyin, postings, files."""

from __future__ import annotations

import datetime as dt
import json
import re
from array import array
from pathlib import Path

import jieba
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import parallel as parallel_work
from generator.outputs.search import build_search_files, index
from generator.outputs.search.documents import user_dictionary
from generator.outputs.search.index import decode_postings, decode_term, encode_postings, encode_term, shard_of
from generator.outputs.search.text import Segmenter, normalize, pinyin_terms, t2s_query_map
from generator.site.source import ContentSource
from generator.site.urls import UrlScheme
from tests.support.project import REPO, SAMPLE_DATE

CALL = re.compile(r"^TongxinSearch\.(\w+)\((\d+),(.*)\);\n$", re.DOTALL)


@pytest.fixture(scope="module")
def sample_graph():  # type: ignore[no-untyped-def]
    graph, _ = ContentSource(REPO, REPO / "content").load_graph(dt.date.fromisoformat(SAMPLE_DATE))
    return graph


@pytest.fixture(scope="module")
def sample_files(sample_graph):  # type: ignore[no-untyped-def]
    return build_search_files(sample_graph, UrlScheme(directory_urls=True), REPO / "content")


def payload(text: str) -> object:
    match = CALL.match(text)
    assert match, text[:80]
    return json.loads(match.group(3))


def postings_of(files, term: str) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    manifest = payload(files.manifest)
    shard = payload(files.files[f"s{shard_of(term, manifest['shards'])}.js"])
    return decode_term(shard.get(term, ""))


def record_number(files, url: str) -> int:  # type: ignore[no-untyped-def]
    manifest = payload(files.manifest)
    for chunk in range(0, manifest["count"], manifest["chunk"]):
        rows = payload(files.files[f"m{chunk // manifest['chunk']}.js"])
        for offset, row in enumerate(rows):
            if row[1] == url:
                return chunk + offset
    raise AssertionError(f"{url} is not in the index")


def test_user_dictionary_keeps_local_names_whole() -> None:
    text = "前门街道爱心储蓄银行每月兑换一次"
    assert "爱心储蓄银行" not in jieba.lcut(text)  # jieba alone splits it
    assert "爱心储蓄银行" in Segmenter(["爱心储蓄银行"]).words(text)


def test_one_builds_names_do_not_leak_into_the_next_build() -> None:
    Segmenter(["叶青大厦联合党委"])
    assert "叶青大厦联合党委" not in jieba.lcut("叶青大厦联合党委召开会议")
    assert "叶青大厦联合党委" not in Segmenter([]).words("叶青大厦联合党委召开会议")


def test_user_dictionary_has_names_and_their_stems(sample_graph) -> None:  # type: ignore[no-untyped-def]
    words = user_dictionary(sample_graph)
    assert {"前门街道“爱心储蓄银行”", "叶青大厦党委", "叶青大厦", "力邦村", "同心家園"} <= words


def test_traditional_text_is_indexed_as_simplified() -> None:
    assert normalize("靜安寺社區「同心家園」") == "静安寺社区「同心家园」"
    assert normalize("ＡＢＣ１２３") == "abc123"


def test_query_map_turns_traditional_queries_into_the_indexed_simplified_text() -> None:
    mapping = t2s_query_map("同心家园党费收缴")  # Simplified text in the index …
    assert mapping["園"] == "园" and mapping["黨"] == "党" and mapping["繳"] == "缴"  # … Traditional queries
    assert "同" not in mapping  # characters the same in both scripts are not listed


def test_pinyin_of_a_name_full_and_initials() -> None:
    terms = pinyin_terms("同心家园共建理事会", Segmenter(["同心家园"]))
    assert terms["tongxinjiayuangongjianlishihui"] is True  # the whole name
    assert "tongxinjiayuan" in terms and "txjy" in terms  # a word-aligned start
    assert "lishihui" in terms and "lsh" in terms
    assert "xinjia" not in terms  # not from the middle of a word


@given(st.lists(st.tuples(st.integers(0, 200_000), st.integers(0, 3)), max_size=60))
def test_postings_round_trip(entries: list[tuple[int, int]]) -> None:
    unique = sorted({record: flags for record, flags in entries}.items())
    encoded = encode_postings((record << 2) | flags for record, flags in unique)
    assert re.fullmatch(r"[A-Za-z0-9_-]*", encoded)
    assert decode_postings(encoded) == unique


@given(st.sets(st.integers(0, 599), max_size=600), st.sets(st.integers(0, 599), max_size=20))
def test_common_terms_as_bitmaps_round_trip(records: set[int], flagged: set[int]) -> None:
    entries = array("Q", sorted((r << 2) | (1 if r in flagged else 0) for r in records))
    encoded = encode_term(entries, 600)
    assert len(encoded) <= len(encode_postings(entries))
    assert decode_term(encoded) == [(e >> 2, e & 3) for e in entries]


def test_a_term_in_every_record_costs_a_bitmap_not_a_list() -> None:
    entries = array("Q", [r << 2 for r in range(6000)])
    assert len(encode_term(entries, 6000)) < 1100


def test_whole_names_words_and_bigrams_point_at_the_record(sample_files) -> None:  # type: ignore[no-untyped-def]
    bank = record_number(sample_files, "projects/qianmen-aixin-chuxu-yinhang/")
    assert (bank, 1) in postings_of(sample_files, "w爱心储蓄银行")  # a jieba word, in the name
    assert bank in dict(postings_of(sample_files, "b储蓄"))  # any 2-character substring
    assert bank in dict(postings_of(sample_files, "paxcxyh"))
    bank_records = dict(postings_of(sample_files, "x前门街道爱心储蓄银行"))
    assert list(bank_records) == [bank]


def test_traditional_record_is_found_by_simplified_terms(sample_files) -> None:  # type: ignore[no-untyped-def]
    case = record_number(sample_files, "cases/jingansi-tongxin-jiayuan/")
    assert case in dict(postings_of(sample_files, "w同心家园"))
    meta = payload(sample_files.files[f"m{case // 4}.js"])[case % 4]
    assert meta[0].startswith("靜安寺社區")  # shown as written


def test_free_pages_are_searchable(sample_files) -> None:  # type: ignore[no-untyped-def]
    help_page = record_number(sample_files, "pages/help/")
    assert help_page in dict(postings_of(sample_files, "x使用说明"))


def test_build_is_reproducible(sample_graph, sample_files) -> None:  # type: ignore[no-untyped-def]
    again = build_search_files(sample_graph, UrlScheme(directory_urls=True), REPO / "content")
    assert again == sample_files


def test_file_urls_for_pages_opened_from_disk(sample_graph) -> None:  # type: ignore[no-untyped-def]
    files = build_search_files(sample_graph, UrlScheme(directory_urls=False), None)
    rows = payload(files.files["m0.js"])
    assert all(row[1].endswith(".html") for row in rows)


def test_facets_list_the_values_residents_filter_by(sample_files) -> None:  # type: ignore[no-untyped-def]
    fields = {f["key"]: f for f in payload(sample_files.files["facets.js"])}
    assert "党务公开" in fields["type"]["values"]
    assert "微型党课" in fields["category"]["values"]
    assert "崇宁路社区" in fields["area"]["values"]
    assert "前门街道党工委" in fields["organization"]["values"]


def test_search_files_are_written_under_a_content_named_folder(sample_files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from generator.outputs.search import write_search_files

    write_search_files(tmp_path, sample_files)
    manifest = payload((tmp_path / "search/data/manifest.js").read_text(encoding="utf-8"))
    folder = tmp_path / "search/data" / manifest["data"]
    assert (folder / "s0.js").is_file() and (folder / "facets.js").is_file()


def test_forked_workers_build_the_same_index_as_one_process(sample_graph, sample_files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(index, "PARALLEL_MIN_DOCUMENTS", 2)
    # Other tests of the session leave threads running (the shared browser); the indexer
    # refuses to fork then, which is right for serve but would hide the pool from this test.
    monkeypatch.setattr(index.threading, "active_count", lambda: 1)
    started: list[str] = []
    get_context = parallel_work.multiprocessing.get_context
    monkeypatch.setattr(
        parallel_work.multiprocessing, "get_context", lambda method: started.append(method) or get_context(method)
    )
    parallel = build_search_files(sample_graph, UrlScheme(directory_urls=True), REPO / "content")
    assert started == ["fork"]
    assert parallel == sample_files
