"""Search documents -> a BM25F-weighted inverted index in shards the browser loads one term at a time.

Terms (a one-letter kind, then the text):

- ``b`` a character bigram of normalised text: any query of two or more characters finds
  every record containing it, however jieba split the record;
- ``w`` a jieba dictionary word of three or more characters, or an ASCII word;
- ``x`` the whole normalised name (exact-name matches);
- ``c`` one character of a name (one-character queries search names only);
- ``p`` full pinyin and initials of names from a word start (flag: the spelling covers the
  whole name);
- ``s`` two characters of a name one apart (a query missing the middle one still pairs up);
- ``y`` two adjacent syllables of a name (``yu'lin``), in the separate *sound* shards that
  the browser loads only when a query finds little (同音字, pinyin inside characters).

Every posting carries the record's BM25F weight for the term (docs/search.md): the
field-weighted, length-normalised term frequency in ``LEVELS`` half-octave steps, and whether
the term is in the record's name. The browser saturates it (``tf / (k1 + tf)``) and
multiplies it by the term's IDF, which it computes from the number of postings, so scoring
needs nothing but the shards of the query's terms.

A term's shard is ``term_hash(shard_key(text)) % shards`` (CRC-32), the text without the kind:
a bigram, the words and skip-pairs starting with it share one file, so the browser finds a
query's words in the shards of its bigrams. Exact names and spellings are filed under their
whole text (``WHOLE_KEY_KINDS``): an ASCII query's word, pinyin and exact-name terms share one.

Postings are record numbers in increasing order, stored as ``(gap << 5) | level << 1 | name``
in a variable-length code of URL-safe characters: 32 "more follows" digits and 32 "last"
digits. A term found in many records (党员) is a bitmap instead, with one weight for all and
the records whose weight stands out (in the name, or much higher) listed. A bigram that is a
dictionary word is marked ``*`` before its postings.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import chain, compress, repeat
from operator import and_, methodcaller, rshift, sub

from ...parallel import fork_map, worker_count
from .documents import SearchDocument
from .text import (
    Segmenter,
    has_cjk,
    normalize,
    pinyin_terms,
    shard_key,
    skip_pairs,
    sound_pairs,
    term_hash,
    term_runs,
)

NAME_FLAG = 1  # the term occurs in the record's name (for ``p``: spells the whole name)
PAYLOAD_BITS = 5  # the name flag and four bits of weight
PAYLOAD_MASK = (1 << PAYLOAD_BITS) - 1
# The field-weighted frequency in half-octave steps: level L stands for 2 ** ((L - 5) / 2),
# from 0.18 (once in a long body) to 32 (a name and a body about it).
LEVELS = 16
LEVEL_OFFSET = 5
WORD_MARK = "*"  # before the postings of a bigram that is a dictionary word
SOUND_KIND = "y"

# BM25F (docs/search.md): per field its weight and length normalisation b; k1 saturation.
FIELD_WEIGHTS: dict[str, float] = {"name": 8.0, "facts": 3.0, "summary": 2.0, "body": 1.0}
FIELD_LENGTH_NORMALISATION: dict[str, float] = {"name": 0.5, "facts": 0.4, "summary": 0.5, "body": 0.75}
K1 = 2.0  # applied by the browser, which saturates the frequency a level stands for
# Body-only terms are weighted in groups of equal counts (set operations in C); counts of
# this many and more are weighted one by one (few terms occur that often in one record).
GROUPED_COUNTS = 6

Groups = defaultdict[int, set[str]]  # payload -> terms

MORE_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
LAST_DIGITS = "ghijklmnopqrstuvwxyz0123456789-_"
BITMAP_DIGITS = MORE_DIGITS + LAST_DIGITS  # six bits each
BITMAP_TABLE = bytes.maketrans(bytes(range(64)), BITMAP_DIGITS.encode("ascii"))
# A bitmap replaces postings only when it saves this share of their length: it gives most
# of the term's records one shared weight.
BITMAP_GAIN = 0.6

# Dictionary words and name skip-pairs found in more records than this are left out: a
# word's bigrams, adjacent and in order, say the same (the phrase bonus); a skip-pair that
# common (党_部 of every 党支部) tells no name apart; and their postings would fill the
# shards of every query touching them.
COMMON_SHARE = 0.02
COMMON_MIN_RECORDS = 50
PRUNED_KINDS = "ws"

# Term extraction runs in forked workers from this many documents on (below it, starting
# the workers costs more than it saves); two workers, as on the 2-core machines we target.
PARALLEL_MIN_DOCUMENTS = 2_000
PARALLEL_WORKERS = 2

# Shard files aim at this size: a query of five bigrams then loads ~20 KB of postings.
TARGET_SHARD_BYTES = 3_000
MIN_SHARDS, MAX_SHARDS = 8, 4096
# Sound shards are loaded one per syllable pair of a query: smaller files.
TARGET_SOUND_SHARD_BYTES = 2_000


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
    """``(record << PAYLOAD_BITS) | payload`` in increasing record order -> the compact string.

    A posting's value ``(record - previous record) << PAYLOAD_BITS | payload`` equals
    ``entry - (previous entry & ~PAYLOAD_MASK)``, so values are computed by ``map`` in C;
    millions of postings are encoded per build.
    """
    entries = list(entries)
    if len(entries) == 1 and entries[0] < len(SMALL_CODES):  # most terms: one record
        return SMALL_CODES[entries[0]]
    values = list(map(sub, entries, map(and_, [0, *entries[:-1]], repeat(~PAYLOAD_MASK))))
    if values and max(values) < len(SMALL_CODES):
        return "".join(map(SMALL_CODES.__getitem__, values))
    return "".join([SMALL_CODES[v] if v < len(SMALL_CODES) else encode_number(v) for v in values])


def encode_term(entries: array, record_count: int) -> str:
    """Postings, or for a term in many records a bitmap when that is much shorter:
    ``~`` + the shared payload + 6 records per character + ``~`` + the postings of the
    records whose payload stands out (the name flag, or a weight more than two levels
    above). A term in a third of the records or more (its IDF is small) may instead be two
    bitmaps, of all its records and of those having it in the name, with a shared payload
    each: ``^`` + the two payloads + the first bitmap + ``~`` + the second."""
    postings = encode_postings(entries)
    if len(postings) < record_count // 6:
        return postings
    records = list(map(rshift, entries, repeat(PAYLOAD_BITS)))
    shared = _commonest(entries)
    standing_out = [e for e in entries if (e & NAME_FLAG) or (e & PAYLOAD_MASK) >> 1 > (shared >> 1) + 2]
    candidates = [postings]
    bitmap = "~" + LAST_DIGITS[shared] + _bitmap_digits(records, record_count) + "~" + encode_postings(standing_out)
    if len(bitmap) < len(postings) * BITMAP_GAIN:
        candidates.append(bitmap)
    if len(entries) * 3 >= record_count:
        named = [e for e in entries if e & NAME_FLAG]
        plain = [e for e in entries if not e & NAME_FLAG]
        name_shared = _commonest(named) if named else NAME_FLAG
        plain_shared = _commonest(plain) if plain else 0
        candidates.append(
            "^" + LAST_DIGITS[plain_shared] + LAST_DIGITS[name_shared] + _bitmap_digits(records, record_count)
            + "~" + _bitmap_digits(map(rshift, named, repeat(PAYLOAD_BITS)), record_count)
        )
    return min(candidates, key=len)


def _commonest(entries: Iterable[int]) -> int:
    return Counter(map(and_, entries, repeat(PAYLOAD_MASK))).most_common(1)[0][0]


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
    """The inverse of ``encode_term`` (the browser has its own copy): [(record, payload)]."""
    encoded = encoded.removeprefix(WORD_MARK)
    if encoded.startswith("^"):
        everyone, named = encoded[3:].split("~", 1)
        plain_shared, name_shared = LAST_DIGITS.index(encoded[1]), LAST_DIGITS.index(encoded[2])
        found = dict.fromkeys(_bitmap_records(everyone), plain_shared)
        found.update(dict.fromkeys(_bitmap_records(named), name_shared))
        return sorted(found.items())
    if not encoded.startswith("~"):
        return decode_postings(encoded)
    bitmap, standing_out = encoded[2:].split("~", 1)
    shared = LAST_DIGITS.index(encoded[1])
    records = dict.fromkeys(_bitmap_records(bitmap), shared)
    records.update(dict(decode_postings(standing_out)))
    return sorted(records.items())


def _bitmap_records(bitmap: str) -> list[int]:
    return [i * 6 + bit for i, ch in enumerate(bitmap) for bit in range(6) if BITMAP_DIGITS.index(ch) & (1 << bit)]


def decode_postings(encoded: str) -> list[tuple[int, int]]:
    """The inverse of ``encode_postings``: [(record, payload)]."""
    result: list[tuple[int, int]] = []
    value, record = 0, 0
    for ch in encoded:
        if ch in LAST_DIGITS:
            value = value * 32 + LAST_DIGITS.index(ch)
            record += value >> PAYLOAD_BITS
            result.append((record, value & PAYLOAD_MASK))
            value = 0
        else:
            value = value * 32 + MORE_DIGITS.index(ch)
    return result


def payload(level: int, in_name: bool) -> int:
    return (level << 1) | (NAME_FLAG if in_name else 0)


# Kinds filed under their whole text: exact names (too many start alike: 中共…), spellings.
WHOLE_KEY_KINDS = "xpy"


def shard_of(term: str, shards: int) -> int:
    text = term[1:]
    return term_hash(text if term[0] in WHOLE_KEY_KINDS else shard_key(text)) % shards


def shard_count(estimated_bytes: int, target: int = TARGET_SHARD_BYTES) -> int:
    count = MIN_SHARDS
    while count < MAX_SHARDS and estimated_bytes / count > target:
        count *= 2
    return count


def exact_key(name: str) -> str:
    return "".join(term_runs(normalize(name)))


@dataclass
class SearchIndex:
    documents: list[SearchDocument]
    postings: dict[str, str]  # term -> encoded postings
    characters: set[str]  # every character of the original text (for the query t2s map)

    def shards(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """The main shards and the sound shards (``y`` terms), each term in one file."""
        main = {t: v for t, v in self.postings.items() if t[0] != SOUND_KIND}
        sound = {t: v for t, v in self.postings.items() if t[0] == SOUND_KIND}
        return _split(main, TARGET_SHARD_BYTES), _split(sound, TARGET_SOUND_SHARD_BYTES)

    @property
    def name_characters(self) -> set[str]:
        return {ch for d in self.documents for name in d.names for ch in normalize(name) if has_cjk(ch)}


def _split(postings: Mapping[str, str], target: int) -> list[dict[str, str]]:
    estimated = sum(len(term.encode()) + len(value) + 6 for term, value in postings.items())
    count = shard_count(estimated, target)
    shards: list[dict[str, str]] = [{} for _ in range(count)]
    for term in sorted(postings):
        shards[shard_of(term, count)][term] = postings[term]
    return shards


# --- per document ----------------------------------------------------------------------------


def document_fields(document: SearchDocument) -> dict[str, str]:
    """The document's text per BM25F field (docs/search.md)."""
    return {
        "name": " ".join(document.names),
        "facts": " ".join(t for t in document.texts if t),
        "summary": document.summary,
        "body": document.body,
    }


def average_lengths(documents: Iterable[SearchDocument]) -> dict[str, float]:
    """Average length (characters) of every field over the documents that have it.

    Normalising keeps a text's length, so the raw texts are measured."""
    totals: Counter[str] = Counter()
    having: Counter[str] = Counter()
    for document in documents:
        for field, text in document_fields(document).items():
            if text:
                totals[field] += len(text)
                having[field] += 1
    return {field: totals[field] / having[field] if having[field] else 1.0 for field in FIELD_WEIGHTS}


def document_terms(
    document: SearchDocument, segmenter: Segmenter, averages: Mapping[str, float]
) -> dict[int, set[str]]:
    """Payload (weight level and name flag) -> the terms of one document having it.

    A pure function of the document's own text, the build's dictionary and the site's
    average field lengths. Terms of the body alone (most of a record's terms) are weighted
    in groups by set operations, not term by term.
    """
    fields = document_fields(document)
    counts: dict[str, Counter[str]] = {}
    scale: dict[str, float] = {}
    for field, text in fields.items():
        counts[field] = _text_counts(normalize(text), segmenter) if text else Counter()
        if text:
            b = FIELD_LENGTH_NORMALISATION[field]
            scale[field] = FIELD_WEIGHTS[field] / (1 - b + b * len(text) / averages[field])
    groups: Groups = defaultdict(set)
    short_fields = [f for f in fields if f != "body" and counts[f]]
    in_short = set(chain.from_iterable(counts[f] for f in short_fields))
    body = counts["body"]
    if body:
        _weigh_body_only(body, body.keys() - in_short, scale["body"], groups)
    names = counts["name"]
    for term in in_short:
        frequency = sum(scale[f] * counts[f][term] for f in short_fields if term in counts[f])
        if body and term in body:
            frequency += scale["body"] * body[term]
        groups[payload(level(frequency), term in names)].add(term)
    if document.names:
        _add_name_terms(document.names, segmenter, level(scale["name"]), groups)
    return dict(groups)


def _weigh_body_only(body: Counter[str], terms: set[str], body_scale: float, groups: Groups) -> None:
    keys, values = list(body), list(body.values())
    placed: set[str] = set()
    for count in range(1, GROUPED_COUNTS):
        chosen = terms.intersection(compress(keys, map(count.__eq__, values)))
        if chosen:
            groups[payload(level(body_scale * count), False)].update(chosen)
            placed |= chosen
    for term in terms - placed:
        groups[payload(level(body_scale * body[term]), False)].add(term)


def level(frequency: float) -> int:
    """A field-weighted, length-normalised frequency in half-octave steps (0 .. LEVELS - 1)."""
    if frequency <= 0:
        return 0
    return max(0, min(LEVELS - 1, round(2 * math.log2(frequency) + LEVEL_OFFSET)))


def frequency_of(level: int) -> float:
    """What a level stands for (the browser's copy saturates it: f / (k1 + f))."""
    return float(2 ** ((level - LEVEL_OFFSET) / 2))


def _text_counts(normalized: str, segmenter: Segmenter) -> Counter[str]:
    """Bigram and word terms of a normalised text -> the number of clauses containing each
    (term frequency counted per clause: clauses are remembered, counting is done in C)."""
    return Counter(chain.from_iterable(segmenter.run_terms(run).terms for run in term_runs(normalized)))


def _add_name_terms(names: list[str], segmenter: Segmenter, name_level: int, groups: Groups) -> None:
    """Exact names, name characters, skip-pairs and sounds are name terms; pinyin spellings
    of a whole name are flagged as such, other spellings (from a word inside it) are not."""
    named = groups[payload(name_level, True)]
    plain = groups[payload(name_level, False)]
    for name in names:
        exact = exact_key(name)
        if exact:
            named.add("x" + exact)
        named.update("c" + ch for ch in exact if has_cjk(ch))
        named.update("s" + pair for pair in skip_pairs(name))
        named.update(SOUND_KIND + pair for pair in sound_pairs(name, segmenter))
        for spelling, whole in pinyin_terms(name, segmenter).items():
            (named if whole else plain).add("p" + spelling)
    plain -= named


# --- the builder -----------------------------------------------------------------------------


class IndexBuilder:
    def __init__(self, segmenter: Segmenter) -> None:
        self._segmenter = segmenter
        self._postings: defaultdict[str, array] = _new_postings()
        self._documents: list[SearchDocument] = []
        self._characters: set[str] = set()

    def add_all(self, documents: list[SearchDocument]) -> None:
        """Index documents in order; a large site's terms are extracted by forked workers,
        each taking consecutive ranges of records (so every term's postings stay sorted)."""
        first = len(self._documents)
        for document in documents:
            self._documents.append(document)
            for text in document_fields(document).values():
                self._characters.update(text)
        averages = average_lengths(self._documents)
        end = len(self._documents)
        # Forking while other threads run (``tongxin serve``'s server) could copy a held lock.
        if len(documents) < PARALLEL_MIN_DOCUMENTS or threading.active_count() > 1:
            for number in range(first, end):
                terms = document_terms(self._documents[number], self._segmenter, averages)
                _append_postings(self._postings, number, terms)
            return
        step = -(-len(documents) // (PARALLEL_WORKERS * 2))  # a few ranges each, for an even load
        ranges = [(start, min(start + step, end)) for start in range(first, end, step)]
        # The documents and the segmenter (its dictionary alone is ~500,000 entries) are
        # inherited by the workers, not sent.
        extract = partial(_range_postings, self._documents, self._segmenter, averages)
        for part in fork_map(extract, ranges, min(PARALLEL_WORKERS, worker_count()), threshold=2, chunksize=1):
            for term, data in part.items():
                self._postings[term].frombytes(data)

    def build(self) -> SearchIndex:
        count = len(self._documents)
        common = max(COMMON_MIN_RECORDS, count * COMMON_SHARE)
        postings = {
            term: encode_term(entries, count)
            for term, entries in self._postings.items()
            if not (term[0] in PRUNED_KINDS and len(entries) > common and has_cjk(term))
        }
        for term in postings:
            if term[0] == "b" and self._segmenter.is_word(term[1:]):
                postings[term] = WORD_MARK + postings[term]
        return SearchIndex(self._documents, postings, self._characters)


def _new_postings() -> defaultdict[str, array]:
    return defaultdict(partial(array, "I"))


def _append_postings(postings: defaultdict[str, array], number: int, terms: dict[int, set[str]]) -> None:
    for flags, keys in terms.items():
        # One append per posting, millions per build: looked up and called by map in C.
        entry = (number << PAYLOAD_BITS) | flags
        deque(map(methodcaller("append", entry), map(postings.__getitem__, keys)), maxlen=0)


def _range_postings(
    documents: list[SearchDocument], segmenter: Segmenter, averages: Mapping[str, float], bounds: tuple[int, int]
) -> dict[str, bytes]:
    """The postings of records ``start <= number < stop``, as raw arrays (in a worker)."""
    postings = _new_postings()
    for number in range(*bounds):
        _append_postings(postings, number, document_terms(documents[number], segmenter, averages))
    return {term: entries.tobytes() for term, entries in postings.items()}
