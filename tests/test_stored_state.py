"""A writer's state kept in the build cache (``memo.StoredState``) comes back as it was stored:
whatever mix of containers and arrays (of every type code, small and large, shared or not) it
holds, and the search index's postings with them. A state file whose bytes changed is never
read back."""

from __future__ import annotations

import pickle
import sys
from array import array
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.outputs.memo import StoredState
from generator.outputs.search import SearchState
from generator.outputs.search.documents import SearchDocument
from generator.outputs.search.index import CharacterCounts, Postings
from generator.outputs.statefile import Chunked
from generator.site.urls import UrlScheme

TYPECODES = "bBuhHiIlLqQfd"
# Large enough that some arrays cross any size threshold a store may treat specially.
LENGTHS = st.one_of(st.integers(0, 40), st.integers(8_000, 70_000))


def _filled(typecode: str, length: int, seed: int) -> array:
    if typecode == "u":
        return array("u", "".join(chr(0x4E00 + (seed + i) % 2000) for i in range(length)))
    if typecode in "fd":
        return array(typecode, ((seed + i) * 0.5 for i in range(length)))
    span = 2 ** (8 * array(typecode).itemsize - (typecode.islower()))
    return array(typecode, ((seed * 7919 + i * 104729) % span - (span // 2 if typecode.islower() else 0)
                            for i in range(length)))


arrays = st.builds(_filled, st.sampled_from(TYPECODES), LENGTHS, st.integers(0, 1_000))
leaves = st.one_of(arrays, st.text(max_size=8), st.integers(), st.none())
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=8,
)


def _stored_and_loaded(folder: Path, value: Any) -> Any:
    stored = StoredState.store(folder, value)
    loaded = stored.load(folder)
    (folder / stored.name).unlink()
    return loaded


@settings(max_examples=40, deadline=None)
@given(value=values)
def test_a_state_of_containers_and_arrays_comes_back_equal(tmp_path_factory: pytest.TempPathFactory,
                                                           value: Any) -> None:
    loaded = _stored_and_loaded(tmp_path_factory.mktemp("state"), value)
    assert loaded == value
    assert type(loaded) is type(value)


@settings(max_examples=15, deadline=None)
@given(shared=arrays, other=arrays)
def test_an_array_held_twice_comes_back_as_one_array(tmp_path_factory: pytest.TempPathFactory,
                                                     shared: array, other: array) -> None:
    loaded = _stored_and_loaded(tmp_path_factory.mktemp("state"), {"a": [shared, other], "b": (shared,)})
    assert loaded["a"][0] is loaded["b"][0]
    assert loaded["a"][0] == shared and loaded["a"][1] == other


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=300), max_size=120), st.integers(0, 60_000))
def test_the_postings_come_back_term_by_term(tmp_path_factory: pytest.TempPathFactory,
                                             entries: list[list[int]], long_term: int) -> None:
    """Including a term with tens of thousands of postings (a character in every record)."""
    postings = Postings()
    for number, values_of_term in enumerate([*entries, list(range(long_term))]):
        term = f"t{number}"
        postings.terms.append(term)
        postings.numbers[term] = number
        postings.entries.append(array("I", values_of_term))
    loaded = _stored_and_loaded(tmp_path_factory.mktemp("state"), postings)
    assert loaded.terms == postings.terms
    assert loaded.numbers == postings.numbers
    assert [list(entry) for entry in loaded.entries] == [*entries, list(range(long_term))]
    # A plain pickle of the postings (not through the build cache) reads back the same.
    assert pickle.loads(pickle.dumps(postings)).entries == postings.entries


@settings(max_examples=25, deadline=None)
@given(items=st.lists(st.one_of(st.text(max_size=6), st.tuples(st.text(max_size=3), st.integers()), arrays),
                      max_size=2_500), around=values)
def test_a_long_list_stored_a_chunk_at_a_time_comes_back_as_the_list(tmp_path_factory: pytest.TempPathFactory,
                                                                     items: list[Any], around: Any) -> None:
    """Lists longer and shorter than a chunk, next to other values (arrays stored after the
    stream too), and a plain pickle of it reads back the same list."""
    loaded = _stored_and_loaded(tmp_path_factory.mktemp("state"), {"items": Chunked(items), "around": around})
    assert loaded == {"items": items, "around": around}
    assert type(loaded["items"]) is list
    assert pickle.loads(pickle.dumps(Chunked(items))) == items


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip_last(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _flip_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1 :]


@pytest.mark.parametrize("damage", [_cut, _flip_last, _flip_middle, lambda data: data + b"\0" * 8])
def test_a_state_file_whose_bytes_changed_is_not_read_back(tmp_path: Path, damage: Any) -> None:
    value = {"postings": [_filled("I", 30_000, 3), _filled("d", 9_000, 4)], "names": ["同心", "東花市"]}
    stored = StoredState.store(tmp_path, value)
    path = tmp_path / stored.name
    path.write_bytes(damage(path.read_bytes()))
    assert stored.load(tmp_path) is None


def test_a_state_stored_on_a_machine_of_the_other_byte_order_is_not_misread(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache restored from another machine (CI caches travel): numbers stored in the other
    byte order would be read as other numbers, so such a state is not read back at all."""
    with monkeypatch.context() as other_machine:
        other_machine.setattr(sys, "byteorder", "big" if sys.byteorder == "little" else "little")
        stored = StoredState.store(tmp_path, [_filled("I", 30_000, 5)])
    assert stored.load(tmp_path) is None


def test_a_search_state_keeps_its_documents_character_counts(tmp_path: Path) -> None:
    # The next rebuild starts from these counts instead of counting every document again.
    documents = [SearchDocument(type_label="公示", title=f"第{n}號通知", url=f"n/{n}/", names=["前門街道"],
                                texts=[], summary="", body="黨員活動") for n in range(3)]
    records = {("notices", str(n)): (document, f"digest{n}") for n, document in enumerate(documents)}
    state = SearchState(index=None, scheme=UrlScheme(True), records=records, characters=CharacterCounts.of(documents))
    loaded = _stored_and_loaded(tmp_path, state)
    assert loaded.records == records
    assert loaded.characters == CharacterCounts.of(documents)
    assert loaded.characters.text["黨"] == 3
