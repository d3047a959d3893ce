"""A writer's state kept in the build cache (``memo.StoredState``) comes back as it was stored:
whatever mix of containers and arrays (of every type code, small and large, shared or not) it
holds, and the search index's postings with them. A state file whose bytes changed is never
read back. A part of a state (``statefile.Part``) stored again unchanged is not written again:
the new state refers to the file it was loaded from, and that file is checked as the state's
own."""

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
from generator.outputs.statefile import Part
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
    assert list(pickle.loads(pickle.dumps(postings)).entries) == postings.entries


def _postings_of(entries: list[list[int]]) -> Postings:
    postings = Postings()
    for number, values_of_term in enumerate(entries):
        postings.terms.append(f"t{number}")
        postings.numbers[f"t{number}"] = number
        postings.entries.append(array("I", values_of_term))
    return postings


@settings(max_examples=30, deadline=None)
@given(entries=st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=50), min_size=1, max_size=80),
       edits=st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["append", "delete", "set"]),
                                st.integers(0, 2**32 - 1)), max_size=30),
       new_terms=st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=5), max_size=4))
def test_postings_loaded_edited_and_stored_again_come_back_with_the_edits(
    tmp_path_factory: pytest.TempPathFactory, entries: list[list[int]],
    edits: list[tuple[int, str, int]], new_terms: list[list[int]],
) -> None:
    """What a rebuild does to the kept postings: a few terms' postings changed, a few terms
    added; the next rebuild reads every term back as it was left."""
    folder = tmp_path_factory.mktemp("state")
    loaded = _stored_and_loaded(folder, _postings_of(entries))
    expected = [list(values_of_term) for values_of_term in entries]
    for term, edit, value in edits:
        term %= len(entries)
        postings_of_term = loaded.entries[term]
        if edit == "append":
            postings_of_term.append(value)
            expected[term].append(value)
        elif expected[term]:
            if edit == "delete":
                del postings_of_term[0]
                del expected[term][0]
            else:
                postings_of_term[-1] = value
                expected[term][-1] = value
    for values_of_term in new_terms:
        loaded.terms.append(f"t{len(loaded.terms)}")
        loaded.numbers[loaded.terms[-1]] = len(loaded.terms) - 1
        loaded.entries.append(array("I", values_of_term))
        expected.append(values_of_term)
    assert [list(values_of_term) for values_of_term in loaded.entries] == expected
    again = _stored_and_loaded(folder, loaded)
    assert [list(values_of_term) for values_of_term in again.entries] == expected
    assert again.numbers == {f"t{n}": n for n in range(len(expected))}
    assert list(pickle.loads(pickle.dumps(again)).entries) == [array("I", values) for values in expected]


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


def _state_files(folder: Path) -> dict[str, int]:
    """Each state file in ``folder`` and its inode (a file written again gets a new one)."""
    return {path.name: path.stat().st_ino for path in folder.glob("state-*.pickle")}


@settings(max_examples=15, deadline=None)
@given(kept=values, changed=values, later=values)
def test_a_part_stored_again_unchanged_is_referred_to_not_written_again(
    tmp_path_factory: pytest.TempPathFactory, kept: Any, changed: Any, later: Any
) -> None:
    folder = tmp_path_factory.mktemp("state")
    # Tagged: parts of equal bytes would be one file.
    first = StoredState.store(folder, {"kept": Part(("kept", kept)), "changed": Part(("changed", changed)),
                                       "rest": [1, 2]})
    assert set(first.files()) == set(_state_files(folder))
    loaded = first.load(folder)
    assert loaded["kept"].value == ("kept", kept) and loaded["changed"].value == ("changed", changed)
    assert loaded["rest"] == [1, 2]
    before = _state_files(folder)
    loaded["changed"] = Part(("later", later))  # an edit replaces a part; the other is the one loaded
    second = StoredState.store(folder, loaded)
    again = second.load(folder)
    assert again["kept"].value == ("kept", kept) and again["changed"].value == ("later", later)
    kept_files = set(first.files()) & set(second.files())
    assert kept_files and all(_state_files(folder)[name] == before[name] for name in kept_files)


def _parted(folder: Path) -> tuple[StoredState, Path]:
    """A state with one large part, and that part's file."""
    stored = StoredState.store(folder, {"documents": Part([f"第{n}號通知" for n in range(2_000)]), "count": 2_000})
    [part] = [folder / name for name in stored.files() if name != stored.name]
    return stored, part


@pytest.mark.parametrize("damage", [_cut, _flip_last, _flip_middle, lambda data: data + b"\0" * 8])
def test_a_state_whose_part_file_changed_is_not_read_back(tmp_path: Path, damage: Any) -> None:
    stored, part = _parted(tmp_path)
    part.write_bytes(damage(part.read_bytes()))
    assert stored.load(tmp_path) is None


def test_a_state_whose_part_file_is_missing_is_not_read_back_and_is_stored_whole_again(tmp_path: Path) -> None:
    stored, part = _parted(tmp_path)
    loaded = stored.load(tmp_path)
    part.unlink()
    assert stored.load(tmp_path) is None
    # The part, unchanged since it was loaded, has lost its file: storing it writes it again.
    again = StoredState.store(tmp_path, loaded)
    assert again.load(tmp_path)["documents"].value == loaded["documents"].value


def test_a_search_state_with_one_record_changed_writes_that_records_group_alone_again(tmp_path: Path) -> None:
    """The documents are most of a search state: an edit of one record rewrites the group of
    records holding it, and the next build reads every record back, the edited one as edited."""
    documents = {("notices", str(n)): (SearchDocument(type_label="公示", title=f"第{n}號通知", url=f"n/{n}/",
                                                      names=["前門街道"], texts=[], summary="", body="黨員活動" * 50),
                                       f"digest{n}") for n in range(200)}
    stored = StoredState.store(tmp_path, SearchState(index=None, scheme=UrlScheme(True), records=documents))
    loaded = stored.load(tmp_path)
    before = _state_files(tmp_path)
    edited = dict(loaded.records)
    document, _ = edited[("notices", "7")]
    edited[("notices", "7")] = (SearchDocument(**{**document.__dict__, "body": "改过的正文"}), "digest7b")
    again = StoredState.store(tmp_path, SearchState(index=None, scheme=UrlScheme(True), records=edited,
                                                    record_parts=loaded.record_parts))
    rewritten = [name for name in again.files() if _state_files(tmp_path)[name] != before.get(name)]
    assert len(rewritten) == 2, rewritten  # the state itself and one group of its records
    assert len(again.files()) > 4
    assert again.load(tmp_path).records == edited
