"""The search index as built in Python: Chinese segmentation, 繁簡, pinyin, postings, files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import marshal
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
from array import array
from collections.abc import Callable
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import parallel as parallel_work
from generator.outputs.search import build_search_files, document_digests, index
from generator.outputs.search.documents import SearchDocument, search_documents, user_dictionary
from generator.outputs.search.index import (
    NAME_FLAG,
    PAYLOAD_BITS,
    PAYLOAD_MASK,
    decode_postings,
    decode_term,
    document_terms,
    encode_postings,
    encode_term,
    shard_of,
)
from generator.outputs.search.text import (
    PrefixShards,
    Segmenter,
    common_characters,
    normalize,
    pinyin_terms,
    t2s_query_map,
    whole_dictionary_shards,
)
from generator.outputs.search.writer import index_files, updated_index_files
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


# Characters residents' texts are made of: the commonest of jieba's dictionary and a few a
# dictionary barely knows (rare names, Traditional forms), so that words, prefixes and
# characters no shard holds all occur.
@functools.cache
def _text_characters() -> str:
    return "".join(common_characters(400)) + "琳叶園區黨繳犇猋䶮"


def _texts(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(_text_characters()), min_size=min_size, max_size=max_size)


def _dictionary_shards() -> PrefixShards:
    return whole_dictionary_shards()


@given(texts=st.lists(_texts(1, 60), min_size=1, max_size=4), names=st.lists(_texts(2, 10), max_size=6))
@settings(max_examples=60)
def test_a_segmenter_reading_the_dictionary_shard_by_shard_finds_what_the_whole_dictionary_finds(
    texts: list[str], names: list[str]
) -> None:
    # A rebuild reads only the shards of jieba's dictionary for the characters it meets; its
    # index must be the one a build with the whole dictionary makes.
    whole = Segmenter(names)
    replayed = Segmenter(names, whole.added, _dictionary_shards())  # a rebuild with the same names
    suggested = Segmenter(names, None, _dictionary_shards())  # the names changed: frequencies anew
    assert suggested.added == whole.added
    for text in texts + names:
        for run in re.findall(r"[\u3400-\u9fff]+", normalize(text)):
            for lazy in (replayed, suggested):
                assert lazy.words(run) == whole.words(run), run
                assert lazy.plain_words(run) == whole.plain_words(run), run
                assert lazy.run_terms(run) == whole.run_terms(run), run
                assert lazy.is_word(run[:2]) == whole.is_word(run[:2]), run
    for name in names:
        first = pinyin_terms(name, whole)
        assert pinyin_terms(name, Segmenter(names, whole.added, _dictionary_shards())) == first, name
        assert pinyin_terms(name, whole) == first, name  # the second time, as remembered


@pytest.fixture(scope="module")
def jiebas_own_dictionary(tmp_path_factory: pytest.TempPathFactory) -> jieba.Tokenizer:
    """jieba's default dictionary as jieba itself loads it (from a cache file of its own)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path_factory.mktemp("jieba-reference"))
    tokenizer.initialize()
    return tokenizer


# What the temporary folder may hold where jieba keeps its cache: its own cache, nothing, bytes
# that are not marshal's, marshal's bytes of something else, a cache cut short.
JIEBA_CACHE_STATES: dict[str, Callable[[bytes], bytes | None]] = {
    "kept": lambda own: own,
    "missing": lambda own: None,
    "not marshal": lambda own: b"not a dictionary",
    "another shape": lambda own: marshal.dumps(["a", 1, 2]),
    "cut short": lambda own: own[: len(own) // 2],
}


@pytest.mark.parametrize("state", list(JIEBA_CACHE_STATES))
def test_the_index_segments_with_jiebas_own_dictionary_whatever_its_cache_file_holds(
    state: str, jiebas_own_dictionary: jieba.Tokenizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.outputs.search.text import jieba_dictionary

    own = (Path(jiebas_own_dictionary.tmp_dir) / "jieba.cache").read_bytes()
    cached = JIEBA_CACHE_STATES[state](own)
    if cached is not None:
        (tmp_path / "jieba.cache").write_bytes(cached)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where jieba looks for its cache
    loaded = jieba_dictionary()
    assert loaded.total == jiebas_own_dictionary.total
    assert loaded.FREQ == jiebas_own_dictionary.FREQ
    text = "社区党员服务中心每周三开放"
    assert loaded.lcut(text, HMM=False) == jiebas_own_dictionary.lcut(text, HMM=False)


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


payloads = st.integers(0, PAYLOAD_MASK)


@given(st.lists(st.tuples(st.integers(0, 200_000), payloads), max_size=60))
def test_postings_round_trip(entries: list[tuple[int, int]]) -> None:
    unique = sorted({record: flags for record, flags in entries}.items())
    encoded = encode_postings((record << PAYLOAD_BITS) | flags for record, flags in unique)
    assert re.fullmatch(r"[A-Za-z0-9_-]*", encoded)
    assert decode_postings(encoded) == unique


def test_every_small_posting_decodes_to_itself() -> None:
    """The postings most terms have (one record among the first thousand, any payload) are
    encoded from a table made once: every entry of it reads back as its own posting."""
    for entry in range(1 << 15):
        assert decode_postings(encode_postings([entry])) == [(entry >> PAYLOAD_BITS, entry & PAYLOAD_MASK)], entry


@given(st.dictionaries(st.integers(0, 599), payloads, max_size=600))
def test_common_terms_keep_their_records_and_name_flags(entries: dict[int, int]) -> None:
    """A term's encoding may share one weight among records (bitmaps), never lose a record,
    a name flag, or a weight that stands out from the shared one."""
    packed = array("Q", sorted((r << PAYLOAD_BITS) | p for r, p in entries.items()))
    encoded = encode_term(packed, 600)
    assert len(encoded) <= len(encode_postings(packed))
    decoded = dict(decode_term(encoded))
    assert decoded.keys() == entries.keys()
    assert {r for r, p in decoded.items() if p & NAME_FLAG} == {r for r, p in entries.items() if p & NAME_FLAG}
    if not encoded.startswith("^"):
        levels = sorted(p >> 1 for p in decoded.values())
        for record, original in entries.items():
            if (original >> 1) > levels[len(levels) // 2] + 2:  # well above the commonest weight
                assert decoded[record] == original


def _commonest_met_first(values: list[int]) -> int:
    counts = {value: values.count(value) for value in values}
    return next(value for value in values if counts[value] == max(counts.values()))


@settings(max_examples=300)
@given(st.integers(0, 13), st.lists(st.sampled_from([0, 1, 2]), min_size=1, max_size=3, unique=True),
       st.lists(st.integers(0, 5), min_size=120, max_size=400), st.booleans())
def test_a_bitmap_shares_the_weight_most_of_its_records_have_and_on_a_tie_the_first(  # type: ignore[no-untyped-def]
    level, steps, picks, some_named
) -> None:
    """The shared weight of a bitmap is what the browser gives every record not listed after
    it: the commonest payload (of the named and of the other records, for ``^``); on a tie,
    the one of the lowest record, so that the same postings always give the same bytes."""
    choices = [((level + step) << 1) | (some_named and n % 2) for n, step in enumerate(steps)]
    values = [choices[pick % len(choices)] for pick in picks]
    entries = array("Q", [(record << PAYLOAD_BITS) | payload for record, payload in enumerate(values)])
    encoded = encode_term(entries, len(values))
    digits = "ghijklmnopqrstuvwxyz0123456789-_"
    if encoded.startswith("~"):
        assert digits.index(encoded[1]) == _commonest_met_first(values)
    elif encoded.startswith("^"):
        plain, named = [v for v in values if not v & NAME_FLAG], [v for v in values if v & NAME_FLAG]
        assert digits.index(encoded[1]) == (_commonest_met_first(plain) if plain else 0)
        assert digits.index(encoded[2]) == (_commonest_met_first(named) if named else NAME_FLAG)


def test_a_tie_between_two_weights_goes_to_the_one_of_the_lowest_record() -> None:
    for first, second in ((6 << 1, 7 << 1), (7 << 1, 6 << 1)):
        values = [first, second] * 300
        encoded = encode_term(array("Q", [(r << PAYLOAD_BITS) | v for r, v in enumerate(values)]), len(values))
        assert encoded[0] in "~^" and "ghijklmnopqrstuvwxyz0123456789-_".index(encoded[1]) == first


def test_a_term_in_every_record_costs_a_bitmap_not_a_list() -> None:
    entries = array("Q", [(r << PAYLOAD_BITS) | (6 << 1) for r in range(6000)])
    assert len(encode_term(entries, 6000)) < 2100


def test_whole_names_words_and_bigrams_point_at_the_record(sample_files) -> None:  # type: ignore[no-untyped-def]
    bank = record_number(sample_files, "projects/qianmen-aixin-chuxu-yinhang/")
    assert dict(postings_of(sample_files, "w爱心储蓄银行"))[bank] & NAME_FLAG  # a jieba word, in the name
    assert bank in dict(postings_of(sample_files, "b储蓄"))  # any 2-character substring
    assert bank in dict(postings_of(sample_files, "paxcxyh"))
    bank_records = dict(postings_of(sample_files, "x前门街道爱心储蓄银行"))
    assert list(bank_records) == [bank]


def test_traditional_record_is_found_by_simplified_terms(sample_files) -> None:  # type: ignore[no-untyped-def]
    case = record_number(sample_files, "cases/jingansi-tongxin-jiayuan/")
    assert case in dict(postings_of(sample_files, "w同心家园"))
    chunk = payload(sample_files.manifest)["chunk"]
    meta = payload(sample_files.files[f"m{case // chunk}.js"])[case % chunk]
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


def test_search_files_are_written_under_a_content_named_folder(sample_graph, sample_files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from generator.outputs.context import OutputContext, OutputTarget
    from generator.outputs.search import write_search_files
    from generator.render.rendering import SiteInfo

    site = SiteInfo("同心", sample_graph.build_date, "Asia/Shanghai")
    write_search_files(OutputTarget.of(OutputContext(sample_graph, tmp_path, UrlScheme(), site)), sample_files)
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


# --- weights (BM25F), sounds, tie-break order --------------------------------------------

FIELD_ORDER = ("name", "facts", "summary", "body")
# Simplified characters (Traditional ones are indexed as their Simplified forms).
COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
han = st.text(st.sampled_from(COMMON), min_size=2, max_size=6)


@functools.cache
def plain_segmenter() -> Segmenter:
    return Segmenter([])


def weight_of(term: str, average: float = 20.0, **fields: str) -> int | None:
    """The level of ``term`` in a document made of ``fields`` (None: not indexed), on a site
    whose fields are all ``average`` characters long."""
    document = SearchDocument(
        "服务项目", fields.get("name", "某某"), "projects/x/", names=[fields.get("name", "某某")],
        texts=[fields.get("facts", "")], summary=fields.get("summary", ""), body=fields.get("body", ""),
    )
    averages = dict.fromkeys(FIELD_ORDER, average)
    for payload_bits, terms in document_terms(document, plain_segmenter(), averages).items():
        if term in terms:
            return payload_bits >> 1
    return None


@given(han, st.sampled_from(range(len(FIELD_ORDER) - 1)))
def test_a_word_weighs_more_in_a_field_higher_in_the_order(word: str, higher: int) -> None:
    """name ≫ kind/category/tags/facts ≫ summary ≫ body, fields being as long as usual."""
    filler = "邻里守望相助" * 3
    term = "b" + normalize(word)[:2]
    placed = {f: filler for f in FIELD_ORDER}
    up = dict(placed, **{FIELD_ORDER[higher]: word + filler})
    down = dict(placed, **{FIELD_ORDER[higher + 1]: word + filler})
    up_level, down_level = weight_of(term, **up), weight_of(term, **down)
    assert up_level is not None and down_level is not None
    assert up_level > down_level


@given(han, st.integers(1, 4))
def test_a_word_said_more_often_weighs_more_and_a_longer_body_dilutes_it(word: str, times: int) -> None:
    term = "b" + normalize(word)[:2]
    clause = word + "，"
    once = weight_of(term, 400, body=clause + "社区党委每月召开一次联席会议。" * 5)
    often = weight_of(term, 400, body=clause * (times + 1) + "社区党委每月召开一次联席会议。" * 5)
    diluted = weight_of(term, 400, body=clause + "社区党委每月召开一次联席会议。" * 60)
    assert once is not None and often is not None and diluted is not None
    assert often > once > diluted


def test_names_are_indexed_by_sound_and_with_a_character_left_out(sample_files) -> None:  # type: ignore[no-untyped-def]
    org = record_number(sample_files, "organizations/jingansi-shequ-dangongwei/")
    sound = "yjing'an"  # 静安: what 静按 sounds like
    shards = payload(sample_files.manifest)["sounds"]
    assert org in dict(decode_term(payload(sample_files.files[f"y{shard_of(sound, shards)}.js"])[sound]))
    assert org in dict(postings_of(sample_files, "s静寺"))  # 静安寺 without 安


def test_the_reading_table_spells_name_characters_and_their_common_homophones(sample_files) -> None:  # type: ignore[no-untyped-def]
    table = payload(sample_files.files["readings.js"])
    readings: dict[str, list[str]] = {}
    for entry in table.split("|"):
        syllable = re.match("[a-z]+", entry).group(0)  # type: ignore[union-attr]
        for ch in entry[len(syllable) :]:
            readings.setdefault(ch, []).append(syllable)
    assert "an" in readings["安"] and "an" in readings["按"]  # 静安寺, and the 同音字 静按寺
    assert {"zhang", "chang"} <= set(readings["长"])  # a character of two readings has both
    assert readings["琳"] == readings["林"] == ["lin"]  # not in any name: a common character


def test_records_are_numbered_in_the_tie_break_order(sample_graph, sample_files) -> None:  # type: ignore[no-untyped-def]
    """Equal scores keep record order: open notices before ended ones, upcoming lectures
    (the next first) before past ones."""
    open_notice = record_number(sample_files, "notices/2026-11-donghuashi-nanli-fazhan-duixiang-gongshi/")
    ended_notice = record_number(sample_files, "notices/2025-caochang-huanjie-xuanju-gongshi/")
    next_lecture = record_number(sample_files, "lectures/2026-11-24-donghuashi-weixing-dangke/")
    later_lecture = record_number(sample_files, "lectures/2026-12-01-jingansi-dongfang-dajiangtan/")
    past_lecture = record_number(sample_files, "lectures/2026-10-qianmen-caidan-shi-jiaoyu/")
    assert open_notice < ended_notice
    assert next_lecture < later_lecture < past_lecture


def test_compatibility_forms_fold_to_what_residents_mean() -> None:
    assert normalize("ＳＯＨＯ①号楼") == "soho1号楼"
    assert normalize("⼀") == "一"  # a Kangxi radical typed for the character
    assert len(normalize("ＳＯＨＯ①　号楼")) == len("ＳＯＨＯ①　号楼")


# --- the index updated from the last build's state (the build cache) --------------------------

EDITS = ("body", "summary", "name", "added", "removed", "moved", "word")


def edited(documents: list[SearchDocument], dictionary: set[str], kind: str, at: int, text: str
           ) -> tuple[list[SearchDocument], set[str]]:
    """The documents (and dictionary) after one edit an editor makes, at document ``at``."""
    documents = list(documents)
    at %= len(documents)
    document = documents[at]
    if kind == "body":
        documents[at] = dataclasses.replace(document, body=text + "。" + document.body)
    elif kind == "summary":
        documents[at] = dataclasses.replace(document, summary=text)
    elif kind == "name":
        documents[at] = dataclasses.replace(document, title=text, names=[text, *document.names[1:]])
    elif kind == "added":
        documents.insert(at, dataclasses.replace(document, url=f"added/{len(documents)}/", title=text, names=[text]))
    elif kind == "removed" and len(documents) > 2:
        del documents[at]
    elif kind == "moved":
        documents.insert(len(documents) - 1 - at, documents.pop(at))
    elif kind == "word":
        dictionary = dictionary | {text}
    return documents, dictionary


@pytest.fixture(scope="module")
def few_documents(sample_graph):  # type: ignore[no-untyped-def]
    """A slice of the sample's documents (small: every example builds the index twice)."""
    documents = search_documents(sample_graph, UrlScheme(directory_urls=True), REPO / "content")
    return documents[::6], user_dictionary(sample_graph)


@settings(max_examples=8)
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 10_000), han), min_size=1, max_size=3))
def test_an_index_updated_after_edits_equals_one_built_from_scratch(few_documents, edits) -> None:  # type: ignore[no-untyped-def]
    documents, dictionary = few_documents
    _, kept = updated_index_files(documents, dictionary, document_digests(documents), None)
    for kind, at, text in edits:
        documents, dictionary = edited(documents, dictionary, kind, at, text)
        kept = pickle.loads(pickle.dumps(kept))  # as the build cache keeps it between builds
        files, kept = updated_index_files(documents, dictionary, document_digests(documents), kept)
        assert files == index_files(documents, dictionary), f"after {kind} at {at} ({text})"


# Run in a fresh interpreter: the kept state, a body edit, the update; whether pypinyin loaded.
# The build's own sort keys are not given: the search process sorts values the build never
# sorts (the facets'), and its kept state must hold what it needs.
_BODY_EDIT_UPDATE = """
import dataclasses, pickle, sys
from generator.outputs.search import document_digests
from generator.outputs.search.writer import index_files, updated_index_files
documents, dictionary, kept = pickle.loads(open(sys.argv[1], "rb").read())
documents[3] = dataclasses.replace(documents[3], body="居民议事会又增加了一次。" + documents[3].body)
files, _ = updated_index_files(documents, dictionary, document_digests(documents), kept)
loaded = [name for name in ("pypinyin", "pkg_resources") if name in sys.modules]
print(loaded or "none", files == index_files(documents, dictionary))
"""


def test_a_rebuild_after_a_body_edit_finds_every_reading_kept_and_does_not_load_pypinyin(
    few_documents, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """pypinyin's phrase dictionary takes a fifth of a second to load in every rebuild: a body
    edit brings no new word into a name, and the readings of every name's words are kept.
    Nor is pkg_resources loaded (jieba would, to find its dictionary: 0.1-0.2 s spent
    scanning every installed package)."""
    documents, dictionary = few_documents
    _, kept = updated_index_files(documents, dictionary, document_digests(documents), None)
    state = tmp_path / "state.pickle"
    state.write_bytes(pickle.dumps((documents, dictionary, kept)))
    result = subprocess.run([sys.executable, "-c", _BODY_EDIT_UPDATE, str(state)], capture_output=True, text=True,
                            cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["none", "True"], result.stdout


FIELD_COUNT = len(index.FIELDS)
lengths_st = st.lists(st.integers(0, 5_000), min_size=FIELD_COUNT, max_size=FIELD_COUNT).map(tuple)
text_key = st.lists(st.integers(0, 40), min_size=FIELD_COUNT, max_size=FIELD_COUNT).map(tuple)
group_key = st.one_of(st.sampled_from([index.NAMED_KEY, index.PLAIN_NAME_KEY]), text_key)
averages_st = st.lists(st.floats(1.0, 3_000.0), min_size=FIELD_COUNT, max_size=FIELD_COUNT)


@settings(max_examples=400)
@given(lengths_st, st.lists(group_key, min_size=1, max_size=12), averages_st, st.lists(
    st.floats(-0.2, 0.2), min_size=FIELD_COUNT, max_size=FIELD_COUNT))
def test_a_profile_left_unweighed_after_an_edit_has_the_weights_weighing_would_give(  # type: ignore[no-untyped-def]
    lengths, keys, averages, shifts
) -> None:
    """A rebuild weighs again only documents whose levels the edit's new average lengths can
    move: every other document's payloads must be exactly what weighing would give."""
    # A term counted in a field the document does not have cannot occur: keep keys possible.
    keys = [key if key[0] < 0 else tuple(c if n else 0 for c, n in zip(key, lengths, strict=True)) for key in keys]
    profile = index.TermProfile(lengths, tuple(keys), ())
    before = dict(zip(index.FIELDS, averages, strict=True))
    after = {name: value * (1 + shift) for (name, value), shift in zip(before.items(), shifts, strict=True)}
    weights = index.weigh(profile, before)
    if not index.may_move(weights, lengths, after):
        assert index.weigh(profile, after).payloads == weights.payloads
    assert index.weigh(profile, after).payloads == index.group_payloads(profile, after)


def _small_documents() -> st.SearchStrategy[list[SearchDocument]]:
    texts = st.text(st.sampled_from("党员之家園區叶青大厦abc 1"), max_size=8)
    document = st.builds(SearchDocument, type_label=st.just("公示"), title=texts, url=st.just("x/"),
                         names=st.lists(texts, max_size=2), texts=st.lists(texts, max_size=2), summary=texts,
                         body=texts)
    return st.lists(document, max_size=6)


@settings(max_examples=150)
@given(first=_small_documents(), edits=st.lists(st.tuples(_small_documents(), st.data()), min_size=1, max_size=3))
def test_character_counts_kept_across_edits_are_those_of_the_documents_after_each(
    first: list[SearchDocument], edits: list[tuple[list[SearchDocument], st.DataObject]]
) -> None:
    # Each rebuild takes the characters of the query map and the reading table from counts
    # the last rebuild kept, and keeps the counts after its edit: over a chain of rebuilds they
    # must stay those of the documents, and a character whose last document went must go too.
    documents, counts = first, index.CharacterCounts.of(first)
    for added, data in edits:
        removed = data.draw(st.lists(st.sampled_from(documents), unique_by=id) if documents else st.just([]))
        documents = [document for document in documents if all(document is not gone for gone in removed)] + added
        counts = counts.after(removed, added)
        assert counts == index.CharacterCounts.of(documents)
        text, names = counts.present()
        assert text == index.index_characters(documents)
        assert names == index.SearchIndex(documents, {}, set()).name_characters


def _lent_core_builds(sample_graph, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Index the sample as if the build had lent its core from the first record on; the
    processes started (one "fork" per helper)."""
    monkeypatch.setattr(index, "LENT_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(index, "LENT_MIN_TERMS", 2)
    monkeypatch.setattr(parallel_work, "core_lent", lambda: True)
    monkeypatch.setattr(parallel_work.threading, "active_count", lambda: 1)  # see the test above
    started: list[str] = []
    get_context = parallel_work.multiprocessing.get_context
    monkeypatch.setattr(
        parallel_work.multiprocessing, "get_context", lambda method: started.append(method) or get_context(method)
    )
    return started


def test_a_lent_core_taking_the_later_records_builds_the_same_index(sample_graph, sample_files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The search process hands the later half of what is left to a helper on the build's
    # idle core, and encodes half of the terms there: the files must not change.
    started = _lent_core_builds(sample_graph, monkeypatch)
    assert build_search_files(sample_graph, UrlScheme(directory_urls=True), REPO / "content") == sample_files
    assert started == ["fork", "fork"]  # one helper for the records, one for the encoding


def test_a_helper_killed_on_the_lent_core_leaves_the_same_index(sample_graph, sample_files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    started = _lent_core_builds(sample_graph, monkeypatch)
    here = os.getpid()

    def killed_over_there(function):  # type: ignore[no-untyped-def]
        def run(*args):  # type: ignore[no-untyped-def]
            if os.getpid() != here:
                os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
            return function(*args)
        return run

    monkeypatch.setattr(index, "_range_profiles", killed_over_there(index._range_profiles))
    monkeypatch.setattr(index, "_encoded_terms", killed_over_there(index._encoded_terms))
    assert build_search_files(sample_graph, UrlScheme(directory_urls=True), REPO / "content") == sample_files
    assert started == ["fork", "fork"]
