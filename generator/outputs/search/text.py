"""Chinese text -> search terms: normalisation, segmentation, bigrams, pinyin, the shard hash.

The browser repeats a small part of this (normalising a query character by character,
forming bigrams, hashing a term), so every rule here that the browser also applies is
kept simple enough to be written identically in ``theme/assets/search/tongxin-search.js``.

Most of a build's text is record bodies, so the per-character work is done by C code
(``map`` over the string, set operations, ``str.find``); Python loops run once per
distinct bigram, word or name, not once per character.
"""

from __future__ import annotations

import logging
import marshal
import re
import sys
import tempfile
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, pairwise
from operator import add, attrgetter
from pathlib import Path

import opencc

from .jieba_import import jieba

# Runs of characters that can form a search term; everything else (punctuation, spaces,
# symbols) separates terms, in the index and in the browser alike.
TERM_CHARS = r"0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHARS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TERM_RUN = re.compile(f"[{TERM_CHARS}]+")
CJK = re.compile(f"[{CJK_CHARS}]")
# A bigram term: two term characters, at least one of them Chinese (ASCII words are words).
TERM_PAIR = re.compile(f"[{CJK_CHARS}][{TERM_CHARS}]|[0-9a-z][{CJK_CHARS}]")
ASCII_RUN = re.compile(r"[0-9a-z]{2,}")
PINYIN_SYLLABLE = re.compile(r"^[a-z]+$")
# Clauses a Segmenter remembers, a few hundred bytes each with their terms (see RunTerms).
MAX_REMEMBERED_RUNS = 200_000
# Longest spelling indexed from inside a name (a resident types a name's part, not a sentence).
MAX_SPELLED_SYLLABLES = 10
JIEBA_CACHE = "jieba.cache"  # the file jieba keeps its default dictionary in, in the temporary folder


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t_variants() -> tuple[opencc.OpenCC, ...]:
    return tuple(opencc.OpenCC(config) for config in ("s2t", "s2tw", "s2hk"))


# Compatibility forms (full-width ＡＢＣ１２３, ①, the ideographic space, compatibility
# ideographs, Kangxi radicals) -> their NFKC form, where that is one character: the browser
# folds the same blocks with String.prototype.normalize, and lengths stay aligned.
COMPATIBLE_RANGES = ((0x2460, 0x24FF), (0x2F00, 0x2FDF), (0x3000, 0x3000), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
                     (0xFF00, 0xFFEF))
COMPATIBLE_CHAR = re.compile("[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in COMPATIBLE_RANGES) + "]")


@lru_cache(maxsize=1)
def _compatible_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for first, last in COMPATIBLE_RANGES:
        for code in range(first, last + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and folded != chr(code):
                table[code] = folded
    return table


def fold_width(text: str) -> str:
    """Compatibility forms folded (ＡＢＣ１２３ -> abc123), lower case; length is kept."""
    # ``translate`` looks every character up in a dict; most texts have nothing to fold.
    folded = text.translate(_compatible_table()) if COMPATIBLE_CHAR.search(text) else text
    return folded.lower()


def normalize(text: str) -> str:
    """Traditional -> Simplified (OpenCC t2s), width folded, lower case."""
    converted = _t2s().convert(text)
    # OpenCC converts some phrases to a different length; the browser maps characters one
    # by one, so keep the text aligned with the original wherever the lengths differ.
    if len(converted) != len(text):
        converted = "".join(_t2s().convert(ch) if len(_t2s().convert(ch)) == 1 else ch for ch in text)
    return fold_width(converted)


def term_runs(normalized: str) -> list[str]:
    return TERM_RUN.findall(normalized)


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def bigram_set(normalized: str) -> set[str]:
    """Every bigram term of a normalised text, once: adjacent pairs inside its term runs
    with at least one Chinese character (pairs are formed and filtered in C)."""
    return set(filter(TERM_PAIR.fullmatch, set(map(add, normalized, normalized[1:]))))


def ascii_words(normalized: str) -> set[str]:
    """ASCII letter and digit runs of two or more characters (1号楼 -> none, abc12 -> abc12)."""
    return set(ASCII_RUN.findall(normalized))


def shard_key(text: str) -> str:
    """The part of a term's text that chooses its shard: the first two characters when they
    hold a Chinese character, so that a bigram's shard also holds every word and skip-bigram
    starting with it (the browser finds a query's words in the shards it loads anyway);
    otherwise (pinyin, ASCII words, sounds) the whole text."""
    head = text[:2]
    return head if CJK.search(head) else text


def term_hash(text: str) -> int:
    """CRC-32 of the text's UTF-16 code units (little end first), as the browser computes it
    with its table; the shard of a term. C code: a build hashes every term once."""
    return zlib.crc32(text.encode("utf-16-le"))


def t2s_query_map(indexed_chars: Iterable[str]) -> dict[str, str]:
    """Traditional -> Simplified for single characters, as OpenCC converts them.

    Covers every character of the indexed (original) text whose conversion differs, and the
    Traditional forms of every Simplified character in the index, so a query typed in either
    script reaches the same terms.
    """
    converter = _t2s()
    mapping: dict[str, str] = {}
    for ch in sorted(set(indexed_chars)):
        if not has_cjk(ch):
            continue
        simplified = converter.convert(ch)
        if len(simplified) == 1 and simplified != ch:
            mapping[ch] = simplified
        for variant in _s2t_variants():
            traditional = variant.convert(simplified if len(simplified) == 1 else ch)
            if len(traditional) == 1 and traditional != ch and converter.convert(traditional) == simplified:
                mapping[traditional] = simplified
    return mapping


@dataclass(frozen=True)
class PrefixShards:
    """jieba's prefix dictionary (every word and every prefix of one -> its frequency, 0 for
    a mere prefix) in shards by first character, each marshalled on its own. Loading the
    whole dictionary takes ~0.6 s; a rebuild segments a few texts and loads only the shards
    of their characters (every word, and every prefix jieba looks up, starts with one).
    Kept in the search index's state (``IndexState.prefixes``), whose digest is checked
    before it is read, so marshal's format is as safe here as pickle's."""

    data: bytes
    spans: dict[str, tuple[int, int]]  # first character -> where its shard is in ``data``
    total: int  # the sum of all frequencies (jieba's ``Tokenizer.total``)

    @classmethod
    def of(cls, freq: dict[str, int], total: int) -> PrefixShards:
        # Words grouped by reference; each shard's dict exists only while it is marshalled.
        words: dict[str, list[str]] = {}
        for word in freq:
            group = words.get(word[0])
            if group is None:
                group = words[word[0]] = []
            group.append(word)
        parts, spans, at = [], {}, 0
        for first, group in words.items():
            part = marshal.dumps({word: freq[word] for word in group})
            spans[first] = (at, at + len(part))
            parts.append(part)
            at += len(part)
        return cls(b"".join(parts), spans, total)

    def load_into(self, freq: dict[str, int], characters: Iterable[str]) -> None:
        """Add the shards of ``characters`` (those that have one) to ``freq``."""
        data, spans = self.data, self.spans
        for character in characters:
            span = spans.get(character)
            if span is not None:
                freq.update(marshal.loads(data[span[0] : span[1]]))


class _Lexicon:
    """A jieba tokenizer and its prefix dictionary: whole, or read from ``PrefixShards`` for
    the first characters of every text before the tokenizer sees it (``meet``). Every word
    jieba adds (``add_word``) also starts with a character met first, so a shard is never
    read over an added word."""

    def __init__(self, tokenizer: jieba.Tokenizer, shards: PrefixShards | None = None) -> None:
        self.tokenizer = tokenizer
        self.freq: dict[str, int] = tokenizer.FREQ
        self.shards = shards
        self._met: set[str] = set()

    @classmethod
    def of_shards(cls, shards: PrefixShards) -> _Lexicon:
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {}, shards.total, True
        return cls(tokenizer, shards)

    def copy(self) -> _Lexicon:
        """Another lexicon with the same dictionary so far (copying the word table takes a
        few milliseconds; loading it ~0.5 s)."""
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(self.freq), self.tokenizer.total, True
        copied = _Lexicon(tokenizer, self.shards)
        copied._met = set(self._met)
        return copied

    def meet(self, text: str) -> None:
        """Read the shards of the characters of ``text`` not met before."""
        if self.shards is not None:
            new = set(text).difference(self._met)
            if new:
                self.shards.load_into(self.freq, new)
                self._met.update(new)


def jieba_dictionary() -> jieba.Tokenizer:
    """A tokenizer with jieba's default dictionary, read from the cache jieba keeps of it
    (``jieba.cache`` in the temporary folder) in one piece: jieba's own ``initialize`` reads
    that file with ``marshal.load``, a few bytes at a time, 1.4 s against 0.3 s for the same
    dictionary. Without a cache of the expected shape, jieba loads (and caches) it itself."""
    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not a build message
    tokenizer = jieba.Tokenizer()
    try:
        cached = marshal.loads((Path(tokenizer.tmp_dir or tempfile.gettempdir()) / JIEBA_CACHE).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        cached = None
    match cached:
        case (dict() as freq, int() as total) if freq:
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
        case _:
            tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=1)
def _whole_dictionary() -> _Lexicon:
    return _Lexicon(jieba_dictionary())


@lru_cache(maxsize=1)
def whole_dictionary_shards() -> PrefixShards:
    """jieba's whole dictionary (loaded if it is not yet) in shards."""
    whole = _whole_dictionary()
    return PrefixShards.of(whole.freq, whole.tokenizer.total)


def load_dictionary() -> None:
    """Load jieba's dictionary now (once per process), before it is needed."""
    _whole_dictionary()


@dataclass(frozen=True)
class RunTerms:
    """Index keys of one run, kind letter included (see ``generator.outputs.search.index``)."""

    # A tuple of interned strings: a remembered clause then costs a few hundred bytes, since
    # the same bigram, in thousands of clauses, is one string.
    terms: tuple[str, ...]  # "b" bigrams; "w" dictionary words of three or more characters, ASCII words


_TERMS = attrgetter("terms")


class Segmenter:
    """jieba's dictionary with the content's own names as words, in an instance of its own.

    A fresh ``jieba.Tokenizer`` per build keeps one build's names out of the next build
    (``jieba.add_word`` would change the global dictionary of the whole process).

    Names are segmented with jieba (pinyin starts at word boundaries); long texts are not:
    ``run_terms`` finds every dictionary word they contain, several times faster than
    jieba's pure-Python segmentation, and a superset of its words.
    """

    def __init__(self, words: Iterable[str], added: list[tuple[str, int]] | None = None,
                 prefixes: PrefixShards | None = None) -> None:
        """``added``: the ``added`` words of a Segmenter made with the same ``words`` (jieba
        suggests each word's frequency by segmenting it, a second at 10,000 records; the
        frequencies it chose are replayed in order instead, giving the same dictionary).
        ``prefixes``: jieba's dictionary in shards (``whole_dictionary_shards``), read as
        texts need them, instead of the whole dictionary."""
        # jieba's own dictionary (for ``plain_words``), and one with the content's names.
        self._plain = _whole_dictionary() if prefixes is None else _Lexicon.of_shards(prefixes)
        self._lexicon = self._plain.copy()
        self._tokenizer = self._lexicon.tokenizer
        # jieba's prefix dictionary: every word (frequency > 0) and every prefix of one (0).
        self._freq: dict[str, int] = self._lexicon.freq
        self._memo: dict[str, list[str]] = {}
        self._plain_memo: dict[str, list[str]] = {}
        self._runs: dict[str, RunTerms] = {}
        self.pinyin_memo: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}  # see pinyin_terms
        self._syllable_memo: dict[str, tuple[list[str], dict[int, int]]] = {}
        self.added: list[tuple[str, int]] = []  # the words added to jieba's, with their frequency
        if added is not None:
            for run, frequency in added:
                self._lexicon.meet(run[0])
                self._tokenizer.add_word(run, frequency)
            self.added = added
            return
        for word in sorted({normalize(w) for w in words}):
            for run in term_runs(word):
                if len(run) >= 2:
                    self._lexicon.meet(run)  # jieba segments the word to suggest its frequency
                    self._tokenizer.add_word(run)
                    self.added.append((run, self._freq[run]))

    def plain_words(self, run: str) -> list[str]:
        """jieba's words with its own dictionary only (names not joined into one word)."""
        words = self._plain_memo.get(run)
        if words is None:
            self._plain.meet(run)
            words = [w for w in self._plain.tokenizer.cut(run, HMM=False) if w.strip()]
            self._plain_memo[run] = words
        return words

    def words(self, run: str) -> list[str]:
        """jieba's words of one normalised run. HMM is off: unknown words get bigrams anyway
        and it halves the time. Runs repeat a lot (names, kinds, addresses): remember them."""
        words = self._memo.get(run)
        if words is None:
            self._lexicon.meet(run)
            words = [w for w in self._tokenizer.cut(run, HMM=False) if w.strip()]
            self._memo[run] = words
        return words

    def syllables(self, run: str) -> tuple[list[str], dict[int, int]]:
        """Pinyin syllables of a name's run, read word by word, and character offset -> index
        of its first syllable (see ``_syllables``); names repeat their runs, so remembered."""
        found = self._syllable_memo.get(run)
        if found is None:
            found = self._syllable_memo[run] = _syllables(self.words(run))
        return found

    def run_terms(self, run: str) -> RunTerms:
        """The bigrams and words of one term run (a clause between punctuation). Clauses
        repeat across records (addresses, kinds, stock phrases), so they are remembered."""
        found = self._runs.get(run)
        if found is None:
            self._lexicon.meet(run)
            pairs = bigram_set(run)
            terms = [*map("b".__add__, pairs), *map("w".__add__, self._contained_words(run) | ascii_words(run))]
            found = RunTerms(tuple(map(sys.intern, terms)))
            # Bounded memory: once full, new clauses are not remembered. Clauses that repeat
            # (stock phrases, addresses) usually showed up early and stay.
            if len(self._runs) < MAX_REMEMBERED_RUNS:
                self._runs[run] = found
        return found

    def text_terms(self, runs: list[str]) -> Iterator[str]:
        """The terms of every run, one run after another (``run_terms``). Most clauses of a
        large site were seen before: they are looked up all at once, by ``map`` in C."""
        found = list(map(self._runs.get, runs))
        if not all(found):  # a RunTerms is always true: no Python-level comparison
            found = [terms or self.run_terms(run) for terms, run in zip(found, runs, strict=True)]
        return chain.from_iterable(map(_TERMS, found))

    def is_word(self, text: str) -> bool:
        """Whether ``text`` is a word of the dictionary (jieba's and the content's names)."""
        self._lexicon.meet(text[:1])
        return bool(self._freq.get(text))

    def _contained_words(self, run: str) -> set[str]:
        """Dictionary words of three or more characters in a run: whatever jieba's
        segmentation would give, and the words it would have split differently (the text
        does contain them whole)."""
        freq = self._freq
        longer: set[str] = set()
        end = len(run)
        # Only where a dictionary prefix of three characters occurs can a longer word start.
        for prefix in set(map(add, map(add, run, run[1:]), run[2:])) & freq.keys():
            at = run.find(prefix)
            while at >= 0:
                stop, fragment = at + 3, prefix
                while True:
                    if freq[fragment]:
                        longer.add(fragment)
                    if stop >= end:
                        break
                    fragment = run[at : stop + 1]
                    if fragment not in freq:
                        break
                    stop += 1
                at = run.find(prefix, at + 1)
        return longer


# Every word's readings worked out so far: the build cache keeps them with the index's state
# (``known_readings``, ``learn_readings``), so that a rebuild whose names bring no new word
# never loads pypinyin (its phrase dictionary takes a fifth of a second).
_READINGS: dict[str, tuple[str, ...]] = {}


def _word_readings(word: str) -> tuple[str, ...]:
    """pypinyin's readings of one word (slow per call; names share most of their words)."""
    found = _READINGS.get(word)
    if found is None:
        from pypinyin import lazy_pinyin

        found = _READINGS[word] = tuple(p.lower() for p in lazy_pinyin(word))
    return found


def known_readings() -> dict[str, tuple[str, ...]]:
    return _READINGS


def learn_readings(readings: Mapping[str, tuple[str, ...]]) -> None:
    """Readings worked out elsewhere (a worker, the last build): they depend on the word and
    pypinyin's version alone."""
    _READINGS.update(readings)


def pinyin_terms(name: str, segmenter: Segmenter) -> dict[str, bool]:
    """Pinyin spellings of a name -> whether the spelling covers the whole name.

    Full pinyin and initials, starting at every word of the name and ending at any syllable
    after it, up to ``MAX_SPELLED_SYLLABLES`` (and the whole name however long):
    同心家园共建理事会 gives tongxinjiayuan, txjy, gongjian, lishihui, …. Words are taken both
    with the content's names (whole names are words) and with jieba's own dictionary, so
    东花市南里社区党员之家 also starts a spelling at 党员 (dangyuanzhijia).
    """
    remembered = segmenter.pinyin_memo.get(name)
    if remembered is not None:
        wholes, others = remembered
        return dict.fromkeys(wholes, True) | dict.fromkeys(others, False)
    terms: dict[str, bool] = {}
    runs = term_runs(normalize(name))
    for run in runs:
        words = segmenter.words(run)
        syllables, offsets = segmenter.syllables(run)
        starts = {offsets[o] for o in _word_starts(words) + _word_starts(segmenter.plain_words(run)) if o in offsets}
        count = len(syllables)
        for start in sorted(starts):
            full, initials = "", ""
            for end in range(start, min(count, start + MAX_SPELLED_SYLLABLES)):
                full += syllables[end]
                initials += syllables[end][0]
                whole = start == 0 and end == count - 1 and len(runs) == 1
                terms[full] = terms.get(full, False) or whole
                if end > start:
                    terms[initials] = terms.get(initials, False) or whole
        if count > MAX_SPELLED_SYLLABLES:  # the whole run, spelled out in full and by initials
            whole = len(runs) == 1
            for spelling in ("".join(syllables), "".join(s[0] for s in syllables)):
                terms[spelling] = whole or terms.get(spelling, False)
    found = {term: whole for term, whole in terms.items() if len(term) >= 2}
    # Remembered compactly: names share most spellings (at 10,000 records, 64,000 distinct
    # among 840,000), and a dict per name held 70 MB.
    segmenter.pinyin_memo[name] = (tuple(sys.intern(term) for term, whole in found.items() if whole),
                                   tuple(sys.intern(term) for term, whole in found.items() if not whole))
    return found


def _syllables(words: list[str]) -> tuple[list[str], dict[int, int]]:
    """Pinyin syllables of a run's words, and character offset -> index of its first syllable.
    Words are read whole (pypinyin picks a polyphone's reading from the word)."""
    syllables: list[str] = []
    offsets: dict[int, int] = {}
    offset = 0
    for word in words:
        readings = _word_readings(word)
        if len(readings) == len(word):  # one syllable per character
            for i, reading in enumerate(readings):
                if PINYIN_SYLLABLE.match(reading):
                    offsets.setdefault(offset + i, len(syllables))
                    syllables.append(reading)
        else:  # digits or letters inside: the word is one unit
            offsets[offset] = len(syllables)
            syllables += [r for r in readings if PINYIN_SYLLABLE.match(r)]
        offset += len(word)
    return syllables, offsets


def _word_starts(words: list[str]) -> list[int]:
    starts, offset = [], 0
    for word in words:
        starts.append(offset)
        offset += len(word)
    return starts


def _name_runs(name: str) -> list[str]:
    return term_runs(normalize(name))


def skip_pairs(name: str) -> set[str]:
    """Pairs of characters one apart inside a name's runs of four or more characters
    (叶青大厦 -> 叶大, 青厦): a query missing that middle character still pairs up with the name."""
    pairs: set[str] = set()
    for run in _name_runs(name):
        if len(run) >= 4:
            pairs.update(filter(TERM_PAIR.fullmatch, map(add, run, run[2:])))
    return pairs


def sound_pairs(name: str, segmenter: Segmenter) -> set[str]:
    """Adjacent syllables of a name's runs, as ``yu'lin``: what a wrong character of the same
    sound (玉琳 for 玉林) or pinyin typed inside characters (倪家qiao) still matches."""
    pairs: set[str] = set()
    for run in _name_runs(name):
        syllables, _ = segmenter.syllables(run)
        pairs.update(map("'".join, pairwise(syllables)))
    return pairs


# The browser's reading table covers the characters of names and this many common characters
# (by jieba's single-character frequencies): a wrong character of the right sound is usually
# a common one.
COMMON_CHARACTERS = 3500
MAX_READINGS = 3


def common_characters(count: int = COMMON_CHARACTERS) -> list[str]:
    """The ``count`` most frequent Chinese characters of jieba's dictionary, as words of their own."""
    freq = _whole_dictionary().freq
    chars = [chr(code) for code in range(0x4E00, 0xA000) if freq.get(chr(code))]
    return sorted(chars, key=lambda ch: -freq[ch])[:count]


@lru_cache(maxsize=1 << 16)
def readings(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character, the commonest first (长 -> zhang, chang)."""
    from pypinyin import Style, pinyin  # only when the names' characters change (see _word_readings)

    found = pinyin(ch, heteronym=True, style=Style.NORMAL, errors="ignore")
    values = [r.lower() for r in (found[0] if found else []) if PINYIN_SYLLABLE.match(r)]
    return tuple(dict.fromkeys(values))[:MAX_READINGS]


def reading_table(characters: Iterable[str]) -> dict[str, str]:
    """Syllable -> the characters read that way (a character under each of its readings), for
    the browser to spell a query: ``{"lin": "林琳临…", …}``, syllables and characters sorted."""
    table: dict[str, list[str]] = {}
    for ch in sorted(set(characters)):
        if has_cjk(ch):
            for reading in readings(ch):
                table.setdefault(reading, []).append(ch)
    return {syllable: "".join(chars) for syllable, chars in sorted(table.items())}
