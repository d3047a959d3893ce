"""Search documents -> an inverted index in shards the browser loads one term at a time.

Terms (a one-letter kind, then the text):

- ``b`` a character bigram of normalised text: any query of two or more characters finds
  every record containing it, however jieba split the record;
- ``w`` a jieba word of three or more characters, or an ASCII word (a two-character word is
  a flag on its bigram instead);
- ``x`` the whole normalised name (exact-name matches rank first);
- ``c`` one character of a name (one-character queries search names only);
- ``p`` full pinyin and initials of names (flag: the spelling covers the whole name).

A term's shard is ``term_hash(text) % shards`` (CRC-32) over the text without the kind, so a query's
whole-word, exact-name and pinyin terms all come from one file.

Postings are record numbers in increasing order, stored as ``(gap << 2) | flags`` in a
variable-length code of URL-safe characters: 32 "more follows" digits and 32 "last" digits.
A term found in most records (党员) is a bitmap instead, with its flagged records listed.
"""

from __future__ import annotations

import threading
from array import array
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from itertools import compress, repeat
from operator import and_, methodcaller, rshift, sub

from ...parallel import fork_map, worker_count
from .documents import SearchDocument
from .text import Segmenter, has_cjk, normalize, pinyin_terms, term_hash, term_runs

NAME_FLAG = 1  # the term occurs in the record's name (or, for ``p``, spells the whole name)
WORD_FLAG = 2  # the bigram occurs as a whole jieba word

MORE_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
LAST_DIGITS = "ghijklmnopqrstuvwxyz0123456789-_"
BITMAP_DIGITS = MORE_DIGITS + LAST_DIGITS  # six bits each
BITMAP_TABLE = bytes.maketrans(bytes(range(64)), BITMAP_DIGITS.encode("ascii"))

# Term extraction runs in forked workers from this many documents on (below it, starting
# the workers costs more than it saves); two workers, as on the 2-core machines we target.
PARALLEL_MIN_DOCUMENTS = 2_000
PARALLEL_WORKERS = 2

# Shard files aim at this size: a query of five terms then loads ~30 KB of postings.
TARGET_SHARD_BYTES = 6_000
MIN_SHARDS, MAX_SHARDS = 8, 4096


def encode_number(value: int) -> str:
    digits = [LAST_DIGITS[value & 31]]
    value >>= 5
    while value:
        digits.append(MORE_DIGITS[value & 31])
        value >>= 5
    return "".join(reversed(digits))


# Codes of the small numbers that make up nearly every posting, computed once.
SMALL_CODES = [encode_number(value) for value in range(1 << 15)]


def encode_postings(entries: Iterable[int]) -> str:
    """``(record << 2) | flags`` in increasing record order -> the compact string.

    A posting's value ``(record - previous record) << 2 | flags`` equals
    ``entry - (previous entry & ~3)``, so values are computed by ``map`` in C; millions of
    postings are encoded per build.
    """
    entries = list(entries)
    if len(entries) == 1 and entries[0] < len(SMALL_CODES):  # most terms: one record
        return SMALL_CODES[entries[0]]
    values = list(map(sub, entries, map(and_, [0, *entries[:-1]], repeat(~3))))
    if values and max(values) < len(SMALL_CODES):
        return "".join(map(SMALL_CODES.__getitem__, values))
    return "".join([SMALL_CODES[v] if v < len(SMALL_CODES) else encode_number(v) for v in values])


def encode_term(entries: array, record_count: int) -> str:
    """Postings, or for a term in many records a bitmap when that is shorter:
    ``~`` + 6 records per character + ``~`` + the postings of the records that have flags."""
    postings = encode_postings(entries)
    if len(postings) < record_count // 6:
        return postings
    flagged = encode_postings(compress(entries, map(and_, entries, repeat(3))))
    bitmap = "~" + _bitmap_digits(map(rshift, entries, repeat(2)), record_count) + "~" + flagged
    return bitmap if len(bitmap) < len(postings) else postings


def _bitmap_digits(records: Iterable[int], record_count: int) -> str:
    """Six records per digit, record ``6g + k`` as bit ``k`` of digit ``g``.

    One byte per record is set by ``map``; the six bytes of each group are then summed as
    big integers (byte ``g`` of ``bytes[k::6]`` shifted by ``k``: no byte overflows 63), so
    no Python loop runs per record.
    """
    groups = (record_count + 5) // 6
    marks = bytearray(groups * 6)
    deque(map(marks.__setitem__, records, repeat(1)), maxlen=0)
    total = sum(int.from_bytes(marks[k::6], "big") << k for k in range(6))
    return total.to_bytes(groups, "big").translate(BITMAP_TABLE).decode("ascii")


def decode_term(encoded: str) -> list[tuple[int, int]]:
    """The inverse of ``encode_term`` (the browser has its own copy): [(record, flags)]."""
    if not encoded.startswith("~"):
        return decode_postings(encoded)
    bitmap, flagged = encoded[1:].split("~", 1)
    records = {
        i * 6 + bit: 0 for i, ch in enumerate(bitmap) for bit in range(6) if BITMAP_DIGITS.index(ch) & (1 << bit)
    }
    records.update(dict(decode_postings(flagged)))
    return sorted(records.items())


def decode_postings(encoded: str) -> list[tuple[int, int]]:
    """The inverse of ``encode_postings``: [(record, flags)]."""
    result: list[tuple[int, int]] = []
    value, record = 0, 0
    for ch in encoded:
        if ch in LAST_DIGITS:
            value = value * 32 + LAST_DIGITS.index(ch)
            record += value >> 2
            result.append((record, value & 3))
            value = 0
        else:
            value = value * 32 + MORE_DIGITS.index(ch)
    return result


def shard_of(term: str, shards: int) -> int:
    return term_hash(term[1:]) % shards


def shard_count(estimated_bytes: int) -> int:
    count = MIN_SHARDS
    while count < MAX_SHARDS and estimated_bytes / count > TARGET_SHARD_BYTES:
        count *= 2
    return count


def exact_key(name: str) -> str:
    return "".join(term_runs(normalize(name)))


@dataclass
class SearchIndex:
    documents: list[SearchDocument]
    postings: dict[str, str]  # term -> encoded postings
    characters: set[str]  # every character of the original text (for the query t2s map)

    def shards(self) -> list[dict[str, str]]:
        estimated = sum(len(term.encode()) + len(value) + 6 for term, value in self.postings.items())
        count = shard_count(estimated)
        shards: list[dict[str, str]] = [{} for _ in range(count)]
        for term in sorted(self.postings):
            shards[shard_of(term, count)][term] = self.postings[term]
        return shards


class IndexBuilder:
    def __init__(self, segmenter: Segmenter) -> None:
        self._segmenter = segmenter
        self._postings: defaultdict[str, array] = _new_postings()
        self._documents: list[SearchDocument] = []
        self._characters: set[str] = set()

    def add(self, document: SearchDocument) -> None:
        number = len(self._documents)
        self._documents.append(document)
        for text in (*document.names, *document.texts):
            self._characters.update(text)
        _append_postings(self._postings, number, document_terms(document, self._segmenter))

    def add_all(self, documents: list[SearchDocument]) -> None:
        """Index documents in order; a large site's terms are extracted by forked workers,
        each taking consecutive ranges of records (so every term's postings stay sorted)."""
        # Forking while other threads run (``tongxin serve``'s server) could copy a held lock.
        if len(documents) < PARALLEL_MIN_DOCUMENTS or threading.active_count() > 1:
            for document in documents:
                self.add(document)
            return
        first = len(self._documents)
        for document in documents:
            self._documents.append(document)
            for text in (*document.names, *document.texts):
                self._characters.update(text)
        end = len(self._documents)
        step = -(-len(documents) // (PARALLEL_WORKERS * 2))  # a few ranges each, for an even load
        ranges = [(start, min(start + step, end)) for start in range(first, end, step)]
        # The documents and the segmenter (its dictionary alone is ~500,000 entries) are
        # inherited by the workers, not sent.
        extract = partial(_range_postings, self._documents, self._segmenter)
        for part in fork_map(extract, ranges, min(PARALLEL_WORKERS, worker_count()), threshold=2, chunksize=1):
            for term, data in part.items():
                self._postings[term].frombytes(data)

    def build(self) -> SearchIndex:
        count = len(self._documents)
        postings = {term: encode_term(entries, count) for term, entries in self._postings.items()}
        return SearchIndex(self._documents, postings, self._characters)


def _new_postings() -> defaultdict[str, array]:
    return defaultdict(partial(array, "I"))


def _append_postings(postings: defaultdict[str, array], number: int, terms: dict[int, set[str]]) -> None:
    for flags, keys in terms.items():
        # One append per posting, millions per build: looked up and called by map in C.
        deque(map(methodcaller("append", (number << 2) | flags), map(postings.__getitem__, keys)), maxlen=0)


def _range_postings(documents: list[SearchDocument], segmenter: Segmenter, bounds: tuple[int, int]) -> dict[str, bytes]:
    """The postings of records ``start <= number < stop``, as raw arrays (in a worker)."""
    postings = _new_postings()
    for number in range(*bounds):
        _append_postings(postings, number, document_terms(documents[number], segmenter))
    return {term: entries.tobytes() for term, entries in postings.items()}


def document_terms(document: SearchDocument, segmenter: Segmenter) -> dict[int, set[str]]:
    """Flags -> the terms of one document having exactly those flags.

    A pure function of the document's own text (and the build's dictionary), so one edited
    record can be re-indexed without the others. Terms are grouped by set operations, not
    term by term: a record has hundreds of them.
    """
    plain, text_word_pairs = _text_terms(normalize(" ".join(t for t in document.texts if t)), segmenter)
    named, name_word_pairs = _text_terms(normalize(" ".join(document.names)), segmenter)
    for name in document.names:
        _add_name_terms(name, segmenter, named, plain)
    word = text_word_pairs | name_word_pairs
    plain -= named
    return {0: plain - word, NAME_FLAG: named - word, WORD_FLAG: plain & word, NAME_FLAG | WORD_FLAG: named & word}


def _text_terms(normalized: str, segmenter: Segmenter) -> tuple[set[str], set[str]]:
    """Bigram terms and word terms (dictionary words of three or more characters, ASCII
    words) of a normalised text, and the bigram terms that are two-character words."""
    terms: set[str] = set()
    word_pairs: set[str] = set()
    for found in map(segmenter.run_terms, term_runs(normalized)):
        terms.update(found.terms)
        word_pairs.update(found.word_pairs)
    return terms, word_pairs


def _add_name_terms(name: str, segmenter: Segmenter, named: set[str], plain: set[str]) -> None:
    """The exact name, its characters and the pinyin spelling the whole name are ``named``
    terms; other pinyin spellings (starting at a word inside it) are ``plain``."""
    exact = exact_key(name)
    if exact:
        named.add("x" + exact)
    named.update("c" + ch for ch in exact if has_cjk(ch))
    for spelling, whole in pinyin_terms(name, segmenter).items():
        (named if whole else plain).add("p" + spelling)
