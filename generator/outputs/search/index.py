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
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, chain, compress, repeat
from operator import and_, methodcaller, rshift, sub
from typing import Any

from ...parallel import fork_helper, fork_map, may_fork_helper, worker_count
from ..statefile import JoinedArrays, Part
from .documents import SearchDocument
from .text import (
    PrefixShards,
    Segmenter,
    has_cjk,
    known_readings,
    learn_readings,
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
# Floating-point error allowed for in ``may_move`` (in level steps; sums are exact to ~1e-15).
MARGIN_SLACK = 1e-9

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
# In the search process, which has one core until the build lends it its own (the build
# has nothing left but waiting for the index; ``parallel.core_lent``): then a helper takes
# the later records holding half of the text left, and half of the postings to encode, when at least
# this many are left (fewer are done before a helper would have started) and the machine
# has the memory for it (``parallel.may_fork_helper``).
LENT_MIN_DOCUMENTS = 500
LENT_MIN_TERMS = 20_000

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


# Codes of the small numbers that make up nearly every posting (one, two and three digits,
# in the order of their values), made once per process: joined from the digits, not by
# ``encode_number`` 32,768 times (45-90 ms in every build's search process).
SMALL_CODES = [
    *LAST_DIGITS,
    *(high + low for high in MORE_DIGITS[1:] for low in LAST_DIGITS),
    *(high + middle + low for high in MORE_DIGITS[1:] for middle in MORE_DIGITS for low in LAST_DIGITS),
]


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
    # Terms this long are in thousands of records, and a rebuild encodes hundreds of them
    # again: every pass below runs in C (map, compress, bytes.translate and count).
    records = list(map(rshift, entries, repeat(PAYLOAD_BITS)))
    payloads = bytes(map(and_, entries, repeat(PAYLOAD_MASK)))
    shared = _commonest(payloads)
    standing_out = list(compress(entries, payloads.translate(STANDING_OUT[shared])))
    candidates = [postings]
    everyone = _bitmap_digits(records, record_count)
    bitmap = "~" + LAST_DIGITS[shared] + everyone + "~" + encode_postings(standing_out)
    if len(bitmap) < len(postings) * BITMAP_GAIN:
        candidates.append(bitmap)
    if len(entries) * 3 >= record_count:
        in_name = payloads.translate(IN_NAME)
        named = list(compress(records, in_name))
        name_shared = _commonest(bytes(compress(payloads, in_name))) if named else NAME_FLAG
        plain = bytes(compress(payloads, in_name.translate(NOT_IN_NAME)))
        plain_shared = _commonest(plain) if plain else 0
        candidates.append(
            "^" + LAST_DIGITS[plain_shared] + LAST_DIGITS[name_shared] + everyone
            + "~" + _bitmap_digits(named, record_count)
        )
    return min(candidates, key=len)


def _commonest(payloads: bytes) -> int:
    """The payload most records have; on a tie, the one met first (as ``Counter.most_common``)."""
    counts = [payloads.count(payload) for payload in range(1 << PAYLOAD_BITS)]
    most = max(counts)
    return min((payloads.find(payload), payload) for payload, count in enumerate(counts) if count == most)[1]


# Per shared payload: which payloads stand out from it (the name flag, or a weight more than
# two levels above), as a table for ``bytes.translate`` (1: it stands out).
STANDING_OUT = [
    bytes(int(bool(payload & NAME_FLAG) or payload >> 1 > (shared >> 1) + 2) for payload in range(256))
    for shared in range(1 << PAYLOAD_BITS)
]
IN_NAME = bytes(payload & NAME_FLAG for payload in range(256))
NOT_IN_NAME = bytes(int(not flag) for flag in range(256))


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

    def estimated_bytes(self) -> tuple[int, int]:
        """What ``shards`` sizes the main and the sound shards by (see ``shard_count``)."""
        main = sound = 0
        for term, value in self.postings.items():
            if term[0] == SOUND_KIND:
                sound += estimated_size(term, value)
            else:
                main += estimated_size(term, value)
        return main, sound

    @property
    def name_characters(self) -> set[str]:
        characters: set[str] = set()
        for document in self.documents:
            characters.update(name_characters(document))
        return characters


def estimated_size(term: str, value: str) -> int:
    """About the bytes a term takes in its shard file."""
    return len(term.encode()) + len(value) + 6


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
        for name, text in document_fields(document).items():
            if text:
                totals[name] += len(text)
                having[name] += 1
    return {name: totals[name] / having[name] if having[name] else 1.0 for name in FIELD_WEIGHTS}


FIELDS = tuple(FIELD_WEIGHTS)  # name, facts, summary, body: the order frequencies are summed in
# Group keys of name terms (exact names, name characters, skip-pairs, sounds, spellings): they
# weigh what the name field weighs; a text term's key is its count in each field.
NAMED_KEY = (-1, 0, 0, 0)
PLAIN_NAME_KEY = (-2, 0, 0, 0)
GroupKey = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class TermProfile:
    """A document's terms grouped by what their weight is made of, before weighting.

    A pure function of the document's text and the build's dictionary: the weights also
    depend on the site's average field lengths, which every edit moves, so a rebuild keeps
    profiles and weighs them again (``group_payloads``) instead of extracting terms anew.
    """

    lengths: tuple[int, ...]  # characters of each field (0: the field is empty)
    keys: tuple[GroupKey, ...]  # per group: the count of its terms in each field, or a name key
    groups: tuple[set[str], ...]  # the terms of each group


def document_profile(document: SearchDocument, segmenter: Segmenter) -> TermProfile:
    """The document's terms by group. Terms of the body alone (most of a record's terms)
    are grouped by their count by set operations, not term by term."""
    fields = document_fields(document)
    counts = {name: _text_counts(normalize(text), segmenter) if text else Counter() for name, text in fields.items()}
    groups: dict[GroupKey, set[str]] = {}
    short_fields = [counts[f] for f in FIELDS[:-1]]
    in_short = set(chain.from_iterable(short_fields))
    body = counts["body"]
    if body:
        _group_body_only(body, body.keys() - in_short, groups)
    name, facts, summary = short_fields
    for term in in_short:
        key = (name[term], facts[term], summary[term], body[term])
        found = groups.get(key)
        if found is None:
            groups[key] = {term}
        else:
            found.add(term)
    if document.names:
        named, plain = _name_terms(document.names, segmenter)
        if named:
            groups[NAMED_KEY] = named
        if plain:
            groups[PLAIN_NAME_KEY] = plain
    return TermProfile(tuple(len(fields[f]) for f in FIELDS), tuple(groups), tuple(groups.values()))


def field_scales(lengths: tuple[int, ...], averages: Mapping[str, float]) -> tuple[float, ...]:
    """Per field its weight over its length normalisation (BM25F); 0 for an empty field."""
    scales = []
    for name, length in zip(FIELDS, lengths, strict=True):
        if length:
            b = FIELD_LENGTH_NORMALISATION[name]
            scales.append(FIELD_WEIGHTS[name] / (1 - b + b * length / averages[name]))
        else:
            scales.append(0.0)
    return tuple(scales)


@dataclass(frozen=True, slots=True)
class Weights:
    """A profile weighed with some average field lengths: each group's payload, the field
    scales used, and how far (in level steps) the closest group's unrounded level lies from
    rounding to another level (see ``may_move``)."""

    payloads: tuple[int, ...]
    scales: tuple[float, ...]
    margin: float


def group_payloads(profile: TermProfile, averages: Mapping[str, float]) -> tuple[int, ...]:
    """The payload (weight level and name flag) of each group of a profile."""
    return weigh(profile, averages).payloads


def weigh(profile: TermProfile, averages: Mapping[str, float]) -> Weights:
    scales = field_scales(profile.lengths, averages)
    found = []
    margin = math.inf
    for key in profile.keys:
        if key[0] < 0:
            frequency = scales[0]
            in_name = key == NAMED_KEY
        else:
            # Summed field by field in the fields' order, skipping fields without the term.
            frequency = sum(scale * count for scale, count in zip(scales[:-1], key[:-1], strict=True) if count)
            if key[-1]:
                frequency += scales[-1] * key[-1]
            in_name = key[0] > 0
        if frequency <= 0:  # a name term of an empty name: level 0 while the document is the same
            found.append(payload(0, in_name))
            continue
        position = _level_position(frequency)
        found.append(payload(_rounded_level(position), in_name))
        margin = min(margin, _rounding_margin(position))
    return Weights(tuple(found), scales, margin)


def may_move(weights: Weights, lengths: tuple[int, ...], averages: Mapping[str, float]) -> bool:
    """Whether weighing a profile with ``averages`` could give another payload than
    ``weights`` (made with other averages). Every frequency is a sum of field scales times
    counts, so it moves by no more than its most moved scale: no level changes while that
    shift, in level steps, stays below the margin."""
    shift = 0.0
    for old, new in zip(weights.scales, field_scales(lengths, averages), strict=True):
        if old != new:
            shift = max(shift, abs(2 * math.log2(new / old)))
    return shift > 0 and shift >= weights.margin - MARGIN_SLACK


def document_terms(
    document: SearchDocument, segmenter: Segmenter, averages: Mapping[str, float]
) -> dict[int, set[str]]:
    """Payload (weight level and name flag) -> the terms of one document having it.

    A pure function of the document's own text, the build's dictionary and the site's
    average field lengths."""
    profile = document_profile(document, segmenter)
    terms: dict[int, set[str]] = defaultdict(set)
    for found, group in zip(group_payloads(profile, averages), profile.groups, strict=True):
        terms[found].update(group)
    return dict(terms)


def _group_body_only(body: Counter[str], terms: set[str], groups: dict[GroupKey, set[str]]) -> None:
    keys, values = list(body), list(body.values())
    placed: set[str] = set()
    for count in range(1, GROUPED_COUNTS):
        chosen = terms.intersection(compress(keys, map(count.__eq__, values)))
        if chosen:
            groups[(0, 0, 0, count)] = chosen
            placed |= chosen
    for term in terms - placed:
        groups.setdefault((0, 0, 0, body[term]), set()).add(term)


def level(frequency: float) -> int:
    """A field-weighted, length-normalised frequency in half-octave steps (0 .. LEVELS - 1)."""
    if frequency <= 0:
        return 0
    return _rounded_level(_level_position(frequency))


def _level_position(frequency: float) -> float:
    """The level before rounding (frequencies of present terms are positive)."""
    return 2 * math.log2(frequency) + LEVEL_OFFSET


def _rounded_level(position: float) -> int:
    return max(0, min(LEVELS - 1, round(position)))


def _rounding_margin(position: float) -> float:
    """How far ``position`` is from the nearest point where its level changes (between two
    levels at every half step; beyond the first and the last level, only towards them)."""
    if position <= 0.5:
        return 0.5 - position
    if position >= LEVELS - 1.5:
        return position - (LEVELS - 1.5)
    return abs(position - math.floor(position) - 0.5)


def frequency_of(level: int) -> float:
    """What a level stands for (the browser's copy saturates it: f / (k1 + f))."""
    return float(2 ** ((level - LEVEL_OFFSET) / 2))


def _text_counts(normalized: str, segmenter: Segmenter) -> Counter[str]:
    """Bigram and word terms of a normalised text -> the number of clauses containing each
    (term frequency counted per clause: clauses are remembered, counting is done in C)."""
    return Counter(segmenter.text_terms(term_runs(normalized)))


def _name_terms(names: list[str], segmenter: Segmenter) -> tuple[set[str], set[str]]:
    """Exact names, name characters, skip-pairs and sounds are name terms; pinyin spellings
    of a whole name are flagged as such, other spellings (from a word inside it) are not:
    the flagged terms and the others."""
    named: set[str] = set()
    plain: set[str] = set()
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
    return named, plain


# --- the builder -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """A document's ``TermProfile`` with terms as numbers of the index's vocabulary (a build
    keeps millions of them), and the weights its groups had in the index."""

    lengths: tuple[int, ...]
    keys: tuple[GroupKey, ...]
    weights: Weights
    ends: tuple[int, ...]  # where each group's terms end in ``terms``
    terms: array  # vocabulary numbers, group after group

    @property
    def payloads(self) -> tuple[int, ...]:
        return self.weights.payloads

    def groups(self) -> Iterator[tuple[int, array]]:
        """(payload, vocabulary numbers) per group."""
        start = 0
        for found, end in zip(self.payloads, self.ends, strict=True):
            yield found, self.terms[start:end]
            start = end

    def weighed(self, averages: Mapping[str, float]) -> StoredProfile:
        """This profile weighed with ``averages`` (itself when no payload can change)."""
        if not may_move(self.weights, self.lengths, averages):
            return self
        weights = weigh(TermProfile(self.lengths, self.keys, ()), averages)
        return StoredProfile(self.lengths, self.keys, weights, self.ends, self.terms)


class SplitOnDemand:
    """Every term's postings as the build cache keeps them (one joined array and each term's
    count), a term's slice made an array of its own when first asked for: splitting all
    100,000 on loading took a quarter of a second, and a rebuild after an edit of one record
    asks for the few hundred terms of that record. Terms added after loading come last."""

    def __init__(self, joined: array, counts: array) -> None:
        self._joined = joined
        self._counts = counts
        self._ends = list(accumulate(counts))
        self._split: dict[int, array] = {}
        self._added: list[array] = []

    def __len__(self) -> int:
        return len(self._counts) + len(self._added)

    def __getitem__(self, number: int) -> array:
        if not 0 <= number < len(self):
            raise IndexError(number)
        if number >= len(self._counts):
            return self._added[number - len(self._counts)]
        found = self._split.get(number)
        if found is None:
            end = self._ends[number]
            found = self._split[number] = self._joined[end - self._counts[number] : end]
        return found

    def __iter__(self) -> Iterator[array]:
        # Read only (an index built from every term): the slices are not kept, so the
        # postings are not held twice, as the joined array and as arrays of their own.
        for number in range(len(self._counts)):
            found = self._split.get(number)
            if found is None:
                end = self._ends[number]
                found = self._joined[end - self._counts[number] : end]
            yield found
        yield from self._added

    def append(self, entries: array) -> None:
        self._added.append(entries)

    def __iadd__(self, more: Iterable[array]) -> SplitOnDemand:
        self._added += more
        return self

    def counts(self) -> array:
        counts = array("I", self._counts)
        for number, entries in self._split.items():
            counts[number] = len(entries)
        counts.extend(map(len, self._added))
        return counts

    def parts(self) -> list[array]:
        """Every term's postings in order, as few arrays: the runs of terms never asked for
        as slices of the joined array, the others as they are now."""
        parts: list[array] = []
        at = 0
        for number in sorted(self._split):
            parts += [self._joined[at : self._ends[number] - self._counts[number]], self._split[number]]
            at = self._ends[number]
        return [*parts, self._joined[at:], *self._added]


@dataclass
class Postings:
    """The vocabulary (term number -> term) and each term's postings, ``(record << PAYLOAD_BITS)
    | payload`` in increasing order."""

    terms: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)
    entries: list[array] | SplitOnDemand = field(default_factory=list)  # per term number

    def numbered(self, group: set[str]) -> array:
        """The vocabulary numbers of ``group``'s terms, new terms numbered first."""
        new = list(group.difference(self.numbers))  # looks the group's terms up, not the vocabulary
        if new:
            first = len(self.terms)
            self.terms += new
            self.numbers.update(zip(new, range(first, first + len(new)), strict=True))
            self.entries += [array("I") for _ in new]
        return array("I", map(self.numbers.__getitem__, group))

    def add(self, number: int, found: int, terms: array) -> None:
        # One append per posting, millions per build: looked up and called by map in C.
        entry = (number << PAYLOAD_BITS) | found
        deque(map(methodcaller("append", entry), map(self.entries.__getitem__, terms)), maxlen=0)

    def add_profile(self, number: int, profile: StoredProfile) -> None:
        for found, terms in profile.groups():
            self.add(number, found, terms)

    # Kept in the build cache as one array of every posting and the number per term:
    # unpickling 100,000 arrays one by one took longer than the rest of a rebuild's index.
    # Stored part by part (``JoinedArrays``): joined first, they were a copy of every posting.
    def __getstate__(self) -> tuple[list[str], array, JoinedArrays]:
        entries = self.entries
        if isinstance(entries, SplitOnDemand):
            return self.terms, entries.counts(), JoinedArrays("I", entries.parts())
        return self.terms, array("I", map(len, entries)), JoinedArrays("I", entries)

    def __setstate__(self, state: tuple[list[str], array, array]) -> None:
        terms, counts, joined = state
        self.terms = terms
        self.numbers = dict(zip(terms, range(len(terms)), strict=True))
        self.entries = SplitOnDemand(joined, counts)


def numbered_profile(profile: TermProfile, averages: Mapping[str, float], postings: Postings) -> StoredProfile:
    """``profile`` weighed and numbered in ``postings``' vocabulary (new terms numbered)."""
    terms = array("I")
    ends = []
    for group in profile.groups:
        terms += postings.numbered(group)
        ends.append(len(terms))
    return StoredProfile(profile.lengths, profile.keys, weigh(profile, averages), tuple(ends), terms)


def stored_profile(
    profile: TermProfile, averages: Mapping[str, float], postings: Postings, number: int
) -> StoredProfile:
    """``numbered_profile``, its postings added as record ``number`` (the last so far)."""
    stored = numbered_profile(profile, averages, postings)
    postings.add_profile(number, stored)
    return stored


def averages_of(lengths: Iterable[tuple[int, ...]]) -> dict[str, float]:
    """Average length of every field over the documents that have it (``average_lengths``
    from the profiles' field lengths)."""
    totals = [0] * len(FIELDS)
    having = [0] * len(FIELDS)
    for document in lengths:
        for i, length in enumerate(document):
            if length:
                totals[i] += length
                having[i] += 1
    return {f: totals[i] / having[i] if having[i] else 1.0 for i, f in enumerate(FIELDS)}


@dataclass
class IndexState:
    """What a build with the build cache keeps of its index, so that the next build weighs
    the kept profiles again and extracts terms only from documents that changed."""

    dictionary: frozenset[str]
    digests: list[str]  # per record number: the digest of its document
    profiles: list[StoredProfile]
    postings: Postings
    words: set[str]  # bigram terms that are dictionary words (marked in the index)
    # The words the segmenter added to jieba's dictionary (``Segmenter.added``), if it was made.
    added: list[tuple[str, int]] | None = None
    # jieba's dictionary in shards (``text.whole_dictionary_shards``, made by the first
    # rebuild): later builds segment their few documents without loading all of it. The
    # same in every build: a part of the state of its own (9.5 MB), written once.
    prefixes: Part | None = None
    # The readings of the names' words (``text.known_readings``), in a part of its own.
    readings: Part | None = None

    @property
    def prefix_shards(self) -> PrefixShards | None:
        return self.prefixes.value if self.prefixes is not None else None

    # Kept in the build cache with the profiles as a few flat arrays (see ``Postings``).
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "profiles": _packed(self.profiles)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, profiles=_unpacked(state["profiles"]))


@dataclass(frozen=True)
class _PackedProfiles:
    keys: list[GroupKey]  # every distinct group key
    groups: array  # per document: its number of groups
    lengths: array  # per document: its field lengths
    scales: array  # per document: its field scales
    margins: array  # per document
    key_numbers: array  # per group, document after document: its key's number in ``keys``
    payloads: array  # per group
    ends: array  # per group
    term_counts: array  # per document
    terms: array  # vocabulary numbers, document after document


def _packed(profiles: list[StoredProfile]) -> _PackedProfiles:
    numbers: dict[GroupKey, int] = {}
    packed = _PackedProfiles([], array("I"), array("I"), array("d"), array("d"), array("I"), array("B"),
                             array("I"), array("I"), array("I"))
    for profile in profiles:
        packed.groups.append(len(profile.keys))
        packed.lengths.extend(profile.lengths)
        packed.scales.extend(profile.weights.scales)
        packed.margins.append(profile.weights.margin)
        packed.key_numbers.extend(numbers.setdefault(key, len(numbers)) for key in profile.keys)
        packed.payloads.extend(profile.payloads)
        packed.ends.extend(profile.ends)
        packed.term_counts.append(len(profile.terms))
        packed.terms.extend(profile.terms)
    packed.keys.extend(numbers)
    return packed


def _unpacked(packed: _PackedProfiles) -> list[StoredProfile]:
    fields = len(FIELDS)
    keys = packed.keys
    profiles = []
    group = term = 0
    for number, (count, terms) in enumerate(zip(packed.groups, packed.term_counts, strict=True)):
        at = number * fields
        weights = Weights(tuple(packed.payloads[group : group + count]), tuple(packed.scales[at : at + fields]),
                          packed.margins[number])
        group_keys = tuple(map(keys.__getitem__, packed.key_numbers[group : group + count]))
        profiles.append(StoredProfile(tuple(packed.lengths[at : at + fields]), group_keys, weights,
                                      tuple(packed.ends[group : group + count]), packed.terms[term : term + terms]))
        group += count
        term += terms
    return profiles


class IndexBuilder:
    def __init__(self, segmenter: Segmenter | Callable[[], Segmenter]) -> None:
        # A callable: made when first needed (a rebuild whose documents are all kept needs none).
        self._segmenter: Segmenter | None = segmenter if isinstance(segmenter, Segmenter) else None
        self._make_segmenter = segmenter if not isinstance(segmenter, Segmenter) else None
        self._postings = Postings()
        self._profiles: list[StoredProfile] = []
        self._documents: list[SearchDocument] = []
        self._words: set[str] | None = None
        # One tuple per distinct group key: a worker's profiles come back each with keys of
        # its own, a few hundred distinct among ~12 a document (8.5 MB at 10,000 records).
        self._group_keys: dict[GroupKey, GroupKey] = {}

    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            assert self._make_segmenter is not None
            self._segmenter = self._make_segmenter()
        return self._segmenter

    def add_all(self, documents: list[SearchDocument]) -> None:
        """Index documents in order; a large site's terms are extracted by forked workers,
        each taking consecutive ranges of records (so every term's postings stay sorted)."""
        first = len(self._documents)
        self._documents += documents
        averages = average_lengths(self._documents)
        end = len(self._documents)
        # The documents and the segmenter (its dictionary alone is ~500,000 entries) are
        # inherited by the workers, not sent.
        extract = partial(_range_profiles, self._documents, self.segmenter, averages)
        workers = min(PARALLEL_WORKERS, worker_count())
        # Forking while other threads run (``tongxin serve``'s server) could copy a held lock.
        if len(documents) < PARALLEL_MIN_DOCUMENTS or workers < 2 or threading.active_count() > 1:
            self._add_here(first, end, averages, extract)
            return
        step = -(-len(documents) // (PARALLEL_WORKERS * 2))  # a few ranges each, for an even load
        ranges = [(start, min(start + step, end)) for start in range(first, end, step)]
        for part in fork_map(extract, ranges, workers, threshold=2, chunksize=1):
            self._merge(*part)

    def _add_here(self, first: int, end: int, averages: Mapping[str, float],
                  extract: Callable[[tuple[int, int]], _RangePart]) -> None:
        """Records ``first <= number < end`` in this process, in order; once the build lends
        its core, a helper there takes the later records, half of the text left."""
        number, stop, helped = first, end, None
        while number < stop:
            if helped is None and stop - number >= LENT_MIN_DOCUMENTS and may_fork_helper():
                documents = self._documents[number:stop]
                middle = number + _halfway(sum(map(len, document_fields(d).values())) for d in documents)
                helped, stop = fork_helper(partial(extract, (middle, stop))), middle
            profile = document_profile(self._documents[number], self.segmenter)
            self._profiles.append(stored_profile(profile, averages, self._postings, number))
            number += 1
        if helped is not None:
            self._merge(*helped())

    def add_updated(self, kept: IndexState, documents: list[SearchDocument], digests: list[str]) -> None:
        """Index documents as ``add_all`` does, taking the profiles of documents the last build
        indexed (same digest, same dictionary) from ``kept``: only new and changed documents'
        terms are extracted; every document is weighed again (the average lengths moved)."""
        assert not self._documents
        known = dict(zip(kept.digests, kept.profiles, strict=True))
        found: list[StoredProfile | TermProfile] = [
            known.get(digest) or document_profile(document, self.segmenter)
            for document, digest in zip(documents, digests, strict=True)
        ]
        # Kept profiles are numbered in the kept vocabulary; terms no longer found keep their
        # number (with no postings) until the next build from scratch.
        vocabulary = kept.postings
        self._postings = Postings(vocabulary.terms, vocabulary.numbers, [array("I") for _ in vocabulary.terms])
        self._documents = documents
        averages = averages_of(profile.lengths for profile in found)
        for number, profile in enumerate(found):
            if isinstance(profile, StoredProfile):
                profile = profile.weighed(averages)
                self._postings.add_profile(number, profile)
                self._profiles.append(profile)
            else:
                self._profiles.append(stored_profile(profile, averages, self._postings, number))
        if self._segmenter is None:  # no document needed the dictionary: the same words
            self._words = kept.words

    def update_in_place(self, kept: IndexState, documents: list[SearchDocument], digests: list[str]) -> set[int] | None:
        """Update the kept postings where documents were edited in place (the same number of
        documents, each either unchanged or new at the number of one that is gone): the
        edited documents' postings are replaced, and the postings of kept documents whose
        weights moved with the average lengths get their new payload. The numbers of the
        terms whose postings changed; None (nothing done) when documents were added,
        removed or reordered (every record number after them moves: ``add_updated``)."""
        assert not self._documents
        if len(documents) != len(kept.digests):
            return None
        edited = [n for n, (old, new) in enumerate(zip(kept.digests, digests, strict=True)) if old != new]
        old_digests, new_digests = set(kept.digests), set(digests)
        if any(digests[n] in old_digests or kept.digests[n] in new_digests for n in edited):
            return None
        postings = kept.postings
        profiles = list(kept.profiles)
        extracted = {n: document_profile(documents[n], self.segmenter) for n in edited}
        averages = averages_of(extracted[n].lengths if n in extracted else p.lengths for n, p in enumerate(profiles))
        changed: set[int] = set()
        for number, profile in enumerate(profiles):
            if number in extracted:
                before = _payloads_by_term(profile)
                for found, terms in profile.groups():
                    _remove_postings(postings, number, found, terms)
                new = numbered_profile(extracted[number], averages, postings)
                for found, terms in new.groups():
                    _insert_postings(postings, number, found, terms)
                # Only terms whose posting of this record came, went or got another payload:
                # a line added to a body leaves most of its hundreds of terms as they were,
                # among them the commonest, whose encoding is the longest to make.
                after = _payloads_by_term(new)
                changed.update(term for term in before.keys() | after.keys() if before.get(term) != after.get(term))
                profiles[number] = new
                continue
            weighed = profile.weighed(averages)
            if weighed.payloads != profile.payloads:
                for (old, terms), found in zip(profile.groups(), weighed.payloads, strict=True):
                    if old != found:
                        _reweigh_postings(postings, number, found, terms)
                        changed.update(terms)
            profiles[number] = weighed
        self._postings, self._profiles, self._documents = postings, profiles, documents
        is_word = self.segmenter.is_word
        self._words = kept.words | {postings.terms[t] for t in changed
                                    if postings.terms[t][0] == "b" and is_word(postings.terms[t][1:])}
        return changed

    def encoded(self, numbers: Iterable[int]) -> dict[str, str | None]:
        """The index values of the terms ``numbers`` (as ``build`` makes them); None for a term
        the index leaves out (no postings, or pruned)."""
        assert self._words is not None
        count = len(self._documents)
        common = max(COMMON_MIN_RECORDS, count * COMMON_SHARE)
        found: dict[str, str | None] = {}
        for number in numbers:
            term, entries = self._postings.terms[number], self._postings.entries[number]
            if not entries or (term[0] in PRUNED_KINDS and len(entries) > common and has_cjk(term)):
                found[term] = None
                continue
            encoded = encode_term(entries, count)
            found[term] = WORD_MARK + encoded if term in self._words else encoded
        return found

    def state(self, dictionary: set[str], digests: list[str], kept: IndexState | None = None) -> IndexState:
        """What the next build needs to update this index (after ``build``); ``kept``: the
        state it was updated from, with the same dictionary or not."""
        assert self._words is not None
        segmenter = self._segmenter
        added = segmenter.added if segmenter is not None else None
        if added is None and kept is not None and kept.dictionary == dictionary:
            added = kept.added  # no document needed the segmenter: the same words
        prefixes = kept.prefixes if kept is not None else None  # jieba's own: the same in every build
        return IndexState(frozenset(dictionary), digests, self._profiles, self._postings, self._words, added,
                          prefixes, _readings_part(kept.readings if kept is not None else None))

    def _merge(self, terms: list[str], entries: list[bytes], profiles: list[StoredProfile],
               readings: dict[str, tuple[str, ...]]) -> None:
        """A worker's part: its vocabulary numbers mapped onto this builder's."""
        learn_readings(readings)
        postings = self._postings
        table = []
        for term, data in zip(terms, entries, strict=True):
            number = postings.numbers.get(term)
            if number is None:
                number = postings.numbers[term] = len(postings.terms)
                postings.terms.append(term)
                postings.entries.append(array("I"))
            table.append(number)
            postings.entries[number].frombytes(data)
        for profile in profiles:
            numbers = array("I", map(table.__getitem__, profile.terms))
            keys = tuple(map(self._group_keys.setdefault, profile.keys, profile.keys))
            self._profiles.append(StoredProfile(profile.lengths, keys, profile.weights, profile.ends, numbers))

    def build(self) -> SearchIndex:
        documents = self._documents
        count = len(documents)
        common = max(COMMON_MIN_RECORDS, count * COMMON_SHARE)
        postings: dict[str, str] = {}
        live = [(term, entries) for term, entries in zip(self._postings.terms, self._postings.entries, strict=True)
                if entries]
        if self._words is None:
            is_word = self.segmenter.is_word
            self._words = {term for term, _ in live if term[0] == "b" and is_word(term[1:])}
        words = self._words
        kept = [(term, entries) for term, entries in live
                if not (term[0] in PRUNED_KINDS and len(entries) > common and has_cjk(term))]
        encoded = _encoded_lending([entries for _, entries in kept], count)
        for (term, _), value in zip(kept, encoded, strict=True):
            postings[term] = WORD_MARK + value if term in words else value
        return SearchIndex(documents, postings, index_characters(documents))


def _readings_part(kept: Part | None) -> Part:
    """The readings known now: the kept part while no word was read since it was learnt."""
    if kept is not None and len(kept.value) == len(known_readings()):
        return kept
    return Part(dict(known_readings()))


def _halfway(weights: Iterable[int]) -> int:
    """Where a run of items splits into two of about the same weight, each at least one item
    long (two items at least). The work is split by weight, not by count: records of one
    type, short or long, come together, and the first terms met are the commonest."""
    totals = list(accumulate(weights))
    return min(max(bisect_left(totals, totals[-1] // 2), 1), len(totals) - 1)


def _encoded_terms(entries: Sequence[array], record_count: int) -> list[str]:
    return [encode_term(term_entries, record_count) for term_entries in entries]


def _encoded_lending(entries: list[array], record_count: int) -> list[str]:
    """Every term's postings encoded; the later half of the postings by a helper on the
    build's core, when the build has lent it and there are enough terms for a helper to pay."""
    if len(entries) < LENT_MIN_TERMS or not may_fork_helper():
        return _encoded_terms(entries, record_count)
    middle = _halfway(map(len, entries))  # half of the postings
    rest = fork_helper(partial(_encoded_terms, entries[middle:], record_count))
    return _encoded_terms(entries[:middle], record_count) + rest()


def _remove_postings(postings: Postings, number: int, found: int, terms: array) -> None:
    entry = (number << PAYLOAD_BITS) | found
    for term in terms:
        entries = postings.entries[term]
        at = bisect_left(entries, entry)
        del entries[at]


def _payloads_by_term(profile: StoredProfile) -> dict[int, int]:
    """A record's payload for each of its terms (one posting per record and term)."""
    return {term: found for found, terms in profile.groups() for term in terms}


def _insert_postings(postings: Postings, number: int, found: int, terms: array) -> None:
    entry = (number << PAYLOAD_BITS) | found
    for term in terms:
        entries = postings.entries[term]
        entries.insert(bisect_left(entries, entry), entry)


def _reweigh_postings(postings: Postings, number: int, found: int, terms: array) -> None:
    """A record's postings of ``terms`` with a new payload (one posting per record and term)."""
    first = number << PAYLOAD_BITS
    for term in terms:
        entries = postings.entries[term]
        entries[bisect_left(entries, first)] = first | found


def index_characters(documents: Iterable[SearchDocument]) -> set[str]:
    """Every character of the documents' original text (for the query's 繁→简 map)."""
    characters: set[str] = set()
    for document in documents:  # one set: a set per document, all at once, took 250 MB at 10,000
        characters.update(*document_fields(document).values())
    return characters


def document_characters(document: SearchDocument) -> set[str]:
    return set().union(*document_fields(document).values())


def name_characters(document: SearchDocument) -> set[str]:
    """The Chinese characters of the document's names, normalised (for the reading table)."""
    return {ch for name in document.names for ch in normalize(name) if has_cjk(ch)}


@dataclass
class CharacterCounts:
    """In how many documents each character occurs, in their text (``index_characters``)
    and in their names (``name_characters``). The first rebuild after a cold build counts
    the kept documents while it waits for the graph; each rebuild then takes its edit's few
    documents away and adds a few, and keeps the counts for the next one."""

    text: Counter[str]
    names: Counter[str]

    @classmethod
    def of(cls, documents: Iterable[SearchDocument]) -> CharacterCounts:
        counts = cls(Counter(), Counter())
        for document in documents:
            counts.text.update(document_characters(document))
            counts.names.update(name_characters(document))
        return counts

    def after(self, removed: Iterable[SearchDocument], added: Iterable[SearchDocument]) -> CharacterCounts:
        """The counts once ``removed`` are gone and ``added`` are in (these stay as they are)."""
        counts = CharacterCounts(self.text.copy(), self.names.copy())
        for document in removed:
            counts.text.subtract(document_characters(document))
            counts.names.subtract(name_characters(document))
        for document in added:
            counts.text.update(document_characters(document))
            counts.names.update(name_characters(document))
        # A character whose last document went is not kept at a count of 0.
        counts.text, counts.names = +counts.text, +counts.names
        return counts

    def present(self) -> tuple[set[str], set[str]]:
        """The characters of the text and of the names."""
        return set(self.text), set(self.names)


# A range of records' part of the index: its vocabulary, each term's postings as raw
# arrays, the profiles numbered in that vocabulary (see ``IndexBuilder._merge``), and the
# readings of the words read for it.
_RangePart = tuple[list[str], list[bytes], list[StoredProfile], dict[str, tuple[str, ...]]]


def _range_profiles(
    documents: list[SearchDocument], segmenter: Segmenter, averages: Mapping[str, float], bounds: tuple[int, int]
) -> _RangePart:
    """The profiles and postings of records ``start <= number < stop`` (in a worker): its
    vocabulary, each term's postings as raw arrays, the profiles numbered in that vocabulary."""
    postings = Postings()
    profiles = [stored_profile(document_profile(documents[number], segmenter), averages, postings, number)
                for number in range(*bounds)]
    return postings.terms, [entries.tobytes() for entries in postings.entries], profiles, known_readings()
