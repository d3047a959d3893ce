"""The privacy guard: residents' and members' personal data is never published.

The portal publishes organisations, places and public roles. 党务公开 rules and the
product brief forbid publishing personal data, so validation refuses, at the file and
line where it is written:

* a mainland resident ID-card number (GB 11643: 18 characters, a plausible birth date and
  a valid check character; a number with a wrong check character is not an ID);
* a personal mobile number (1[3-9] and nine more digits) in any field that is not declared
  a public phone with ``PublicPhone`` in models.py;
* a home address (…号…室, …单元…, …栋… and the like) in a field naming a person, declared
  with ``PersonField`` in models.py (a secretary, a grid leader, a speaker, an author).

A number that is meant to be public (a community hotline on a mobile number, say) goes on
the allow-list ``privacy_allow`` under the tongxin plugin in site_config.yml.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from .characters import KnownCharacters, character_class
from .loading import KeyPath, RawRecord, shown_value
from .models import PersonField, PublicAddress, PublicPhone, Record, field_marks, nested_model
from .problems import Position, ProblemLog

# GB 11643-1999: weights of the first 17 digits and the check character for sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"
# The first two digits of an ID number: the province-level region (GB/T 2260).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
})
# What people put between groups of digits, or paste in by accident: spaces of every width,
# hyphens and dashes, dots, and invisible characters. Matching reads a number across up to
# three of them, so "110 101－1990·0307 123X" and "１３８　１２３４　５６７８" are numbers.
_SEPARATOR = re.compile(r"[\s\-\u2010-\u2015\u2212.\u00b7\u30fb\u200b-\u200d\u2060\ufeff\u00ad_]{1,3}")
# A group of digits; an ID's check character X may also stand apart ("… 123 X").
_GROUP = re.compile(r"[0-9]+[Xx]?|(?<![A-Za-z])[Xx](?![A-Za-z])")
_NUMERAL = r"[0-9一二三四五六七八九十百零〇两]"
# A dwelling inside a building: a building number, perhaps a unit or floor, a room number
# ("3号楼2单元501室", "住3栋501", "3#楼501", "7幢602"), or the same in English.
_DWELLING = re.compile(
    # Each numeral run is matched from its start only: a long run of digits stays linear.
    rf"(?<!{_NUMERAL}){_NUMERAL}+\s*(?:号楼|号院|栋|幢|座|#楼|#|号)\s*(?:{_NUMERAL}+\s*(?:单元|门|层|楼)\s*)?"
    rf"(?:{_NUMERAL}{{3,4}}|{_NUMERAL}+\s*(?:室|号房|户|房))"
    rf"|(?<!{_NUMERAL}){_NUMERAL}+\s*(?:号楼|栋|幢)\s*{_NUMERAL}+\s*单元"
    rf"|(?<!{_NUMERAL}){_NUMERAL}+\s*单元\s*{_NUMERAL}+\s*(?:室|号|户)?"
    r"|(?<!\d)\d{1,3}-\d{1,2}-\d{3,4}(?!\d)(?:室|号)?"
    r"|\b(?:room|rm\.?|flat|apt\.?|apartment|unit)\s*#?\s*\d+[a-z]?\b.{0,24}?\b(?:building|bldg\.?|block|tower)\s*#?\s*\d+"
    r"|\b(?:building|bldg\.?|block|tower)\s*#?\s*\d+[a-z]?\b.{0,24}?\b(?:room|rm\.?|flat|apt\.?|apartment|unit)\s*#?\s*\d+",
    re.IGNORECASE,
)
# What every dwelling above has in it: a numeral before a building or unit word, a digit
# before a dash, or a letter (of the English forms; with IGNORECASE, İ ı ſ and the Kelvin sign
# match letters too). Most texts have none, and this search costs a fraction of the full one.
_DWELLING_HINT = re.compile(rf"{_NUMERAL}\s*[号栋幢座#单]|\d-|[A-Za-z\u0130\u0131\u017f\u212a]")
# Words that say "lives at" (in a field naming a person, these alone are refused).
_RESIDENCE_WORDS = re.compile(
    r"家住|住址|家庭地址|家庭住址|现住|住在|居住|\blives? at\b|\bhome address\b", re.IGNORECASE
)
# Every ID-card or mobile number has at least three digits (of any script) in it.
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class NumberMatch:
    """A personal number found in a text: where it starts in the text as written."""

    kind: str  # "id" or "mobile"
    start: int
    end: int
    text: str  # as written
    digits: str  # the number itself (an ID's X upper case, no country code)


@dataclass(frozen=True)
class AddressMatch:
    """A home address found in a text: where it is in the text as written."""

    start: int
    end: int
    text: str  # as written


def id_card_checksum_ok(number: str) -> bool:
    """True when the 18th character is the GB 11643 check character of the first 17."""
    digits = number.upper()
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11] == digits[17]


def _is_date(text: str) -> bool:
    try:
        dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return True


def _is_id(digits: str) -> bool:
    if digits[:2] not in PROVINCES:
        return False
    if len(digits) == 18:
        return digits[6:8] in ("18", "19", "20") and _is_date(digits[6:14]) and id_card_checksum_ok(digits)
    # First-generation cards (15 digits): area, YYMMDD of a 19xx birth date, sequence.
    return len(digits) == 15 and digits.isdigit() and _is_date("19" + digits[6:12])


def _is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789" and digits.isdigit()


def _fold(char: str) -> str:
    """One character as the privacy guard reads it: any script's digit (٣, ๓, ३) as an ASCII
    digit, a mark that combines with the character before it (an accent, an underline, an
    enclosing circle) as nothing, anything else as its NFKC (full-width digits, letters and
    separators become ASCII)."""
    value = unicodedata.decimal(char, None)
    if value is not None:
        return str(value)
    if unicodedata.category(char) in _COMBINING_MARKS:
        return ""
    return unicodedata.normalize("NFKC", char)


# Nonspacing and enclosing marks: "1̈3̈8̈…" still reads as the number it marks.
_COMBINING_MARKS = ("Mn", "Me")


_NOTHING = re.compile(r"[^\s\S]")


class _Folding:
    """What ``_fold`` made of every character seen so far, applied to whole texts.

    Each distinct character is folded once. A text is then folded by a search for the few
    characters that change (full-width punctuation, mostly), not character by character;
    only a text with a character that folds to more or fewer ("…" → "...", "㎡" → "m2")
    needs the offset of each character worked out. The searches' patterns are compiled
    again when the characters that change have grown by a quarter (each new one would make
    a content file with many of them cost the square of their number); until then a text is
    folded character by character.
    """

    def __init__(self) -> None:
        self._seen = KnownCharacters()
        self._folded: dict[str, str] = {}
        self._changing = _NOTHING
        self._resizing = _NOTHING
        self._compiled_size = 0

    def fold(self, text: str) -> tuple[str, Sequence[int]]:
        """``text`` folded, with the offset in ``text`` of every character of the result."""
        if text.isascii():
            return text, range(len(text))
        self._learn(text)
        if len(self._folded) == self._compiled_size:  # the patterns know every changing character
            if self._changing.search(text) is None:
                return text, range(len(text))
            if self._resizing.search(text) is None:  # every character stays one: offsets do not move
                return self._changing.sub(self._replacement, text), range(len(text))
        chars: list[str] = []
        offsets: list[int] = []
        for index, char in enumerate(text):
            folded = self._folded.get(char, char)
            chars.append(folded)
            offsets.extend([index] * len(folded))
        return "".join(chars), offsets

    def _learn(self, text: str) -> None:
        unseen = self._seen.unknown(text)
        if not unseen:
            return
        changed = {char: _fold(char) for char in unseen}
        changed = {char: folded for char, folded in changed.items() if folded != char}
        self._seen.add(unseen)
        if not changed:
            return
        self._folded.update(changed)
        if len(self._folded) - self._compiled_size >= max(1, self._compiled_size // 4):
            self._changing = character_class(self._folded)
            resized = [char for char, folded in self._folded.items() if len(folded) != 1]
            self._resizing = character_class(resized) if resized else _NOTHING
            self._compiled_size = len(self._folded)

    def _replacement(self, match: re.Match[str]) -> str:
        return self._folded[match.group(0)]


_FOLDING = _Folding()


def _normalised(text: str) -> tuple[str, Sequence[int]]:
    """``text`` as the privacy guard reads it (``_fold`` of each character), with the offset
    in ``text`` of every character of the result."""
    return _FOLDING.fold(text)


def personal_numbers(text: str) -> Iterator[NumberMatch]:
    """Every ID-card number (18 digits with a right check character, or 15 with a birth
    date) and mobile number in ``text``, however its digits are grouped and written."""
    return _numbers_in(text, *_normalised(text))


def _numbers_in(text: str, flat: str, offsets: Sequence[int]) -> Iterator[NumberMatch]:
    """The personal numbers of ``text``, read in ``flat``, its folded form."""
    if len(_DIGIT.findall(flat)) < 3:
        return
    groups: list[re.Match[str]] = list(_GROUP.finditer(flat))
    taken_until = -1
    for first, group in enumerate(groups):
        if group.start() < taken_until:
            continue
        digits = ""
        for last in range(first, len(groups)):
            if last > first:
                between = flat[groups[last - 1].end():groups[last].start()]
                if not _SEPARATOR.fullmatch(between) or digits.endswith(("X", "x")):
                    break
            digits += groups[last].group(0)
            if len(digits) > 22:
                break
            found = _classify(digits.upper())
            if found is None:
                continue
            kind, number = found
            end = groups[last].end()
            start = offsets[group.start()]
            stop = offsets[end - 1] + 1
            taken_until = end
            yield NumberMatch(kind, start, stop, text[start:stop], number)
            break


def _classify(digits: str) -> tuple[str, str] | None:
    if len(digits) in (15, 18) and _is_id(digits):
        return "id", digits
    for prefix in ("0086", "86", ""):
        if digits.startswith(prefix) and _is_mobile(digits[len(prefix):]):
            return "mobile", digits[len(prefix):]
    return None


def id_card_numbers(text: str) -> Iterator[NumberMatch]:
    """Every ID-card number in ``text``."""
    return (match for match in personal_numbers(text) if match.kind == "id")


def mobile_numbers(text: str) -> Iterator[NumberMatch]:
    return (match for match in personal_numbers(text) if match.kind == "mobile")


def home_addresses(text: str, person: bool = False) -> Iterator[AddressMatch]:
    """Dwellings in ``text`` (and, in a field naming a person, words that say where one lives),
    however their digits are written."""
    return _addresses_in(text, *_normalised(text), person=person)


def _addresses_in(text: str, flat: str, offsets: Sequence[int], person: bool) -> Iterator[AddressMatch]:
    """The home addresses of ``text``, found in ``flat``, its folded form, and in ``text`` as
    written: folded, "㎡Room 501" reads "m2Room 501" and "3011½" "30111⁄2"."""
    for match in _address_matches(flat, person):
        start, stop = offsets[match.start()], offsets[match.end() - 1] + 1
        yield AddressMatch(start, stop, text[start:stop])
    if flat != text:
        for match in _address_matches(text, person):
            yield AddressMatch(match.start(), match.end(), match.group(0))


def _address_matches(text: str, person: bool) -> Iterator[re.Match[str]]:
    if _DWELLING_HINT.search(text):
        yield from _DWELLING.finditer(text)
    if person:
        yield from _RESIDENCE_WORDS.finditer(text)


def digits_of(text: str) -> str:
    """The digits (and a final X) of a number as written, for comparing numbers."""
    digits = re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", text).upper())
    for prefix in ("0086", "86"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            return digits[len(prefix):]
    return digits


@dataclass(frozen=True)
class FieldKind:
    """What the privacy guard may accept in one field."""

    public_phone: bool = False
    person: bool = False
    public_address: bool = False


def _field_kind(model: type[BaseModel], key_path: KeyPath) -> FieldKind:
    return _field_kind_by_names(model, tuple(part for part in key_path if isinstance(part, str)))


@functools.cache
def _field_kind_by_names(model: type[BaseModel], names: tuple[str, ...]) -> FieldKind:
    current: type[BaseModel] | None = model
    kind = FieldKind()
    for part in names:
        info = current.model_fields.get(part) if current is not None else None
        if info is None:
            return FieldKind()
        marks = field_marks(info)
        kind = FieldKind(
            public_phone=any(isinstance(m, PublicPhone) for m in marks),
            person=any(isinstance(m, PersonField) for m in marks),
            public_address=any(isinstance(m, PublicAddress) for m in marks),
        )
        current = nested_model(info)
    return kind


def _texts(value: object, key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """(key path, text) of every scalar in a record's plain data; numbers count as text."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*key_path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*key_path, index))
    elif isinstance(value, str | int) and not isinstance(value, bool):
        yield key_path, str(value)


def _masked(digits: str) -> str:
    """A number shown in a message without repeating all of it in logs."""
    return digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:] if len(digits) > 7 else digits


def privacy_problems(
    text: str, allowed: frozenset[str], kind: FieldKind = FieldKind()
) -> Iterator[tuple[int, str, str]]:
    """(offset in ``text``, zh, en) of every personal number or home address in ``text``."""
    flat, offsets = _normalised(text)
    for match in _numbers_in(text, flat, offsets):
        if match.digits in allowed or (match.kind == "mobile" and kind.public_phone):
            continue
        shown = _masked(match.digits)
        if match.kind == "id":
            yield (match.start,
                   f"这里有一个身份证号码（{shown}，ID-card number）；门户不得公开居民或党员的个人信息，请删除它",
                   f"an ID-card number ({shown}) must never be published; delete it")
        else:
            yield (match.start,
                   f"这里有一个手机号码（{shown}，mobile number）；个人手机号不得公开。"
                   "请改写办公电话或热线；若这个号码本来就是公开的服务电话，请写在 phone 字段，"
                   "或加入 site_config.yml 中 tongxin 插件的 privacy_allow 列表",
                   f"a personal mobile number ({shown}) must not be published; "
                   "give an office phone, or put a number meant to be public into privacy_allow")
    if kind.public_address:
        return
    # One message per text: "家住3号楼2单元501室" is one address, not two.
    for address in itertools.islice(_addresses_in(text, flat, offsets, kind.person), 1):
        yield (address.start,
               f"这里有像家庭住址的内容（“{shown_value(address.text)}”，home address）；门户不得公开居民的住址。"
               "人员字段只写姓名和公开职务，如“王建国（社区党委书记）”；办公地点请写在 address 字段",
               f"what looks like a home address ({shown_value(address.text)!r}); publish no resident's "
               "address: give only names and public roles, and office places in an address field")


def allowed_numbers(allowed: Iterable[str]) -> frozenset[str]:
    return frozenset(digits_of(number) for number in allowed)


def check_privacy(
    raw: RawRecord,
    model: type[Record],
    field_label: Callable[[type[Record], KeyPath], str],
    allowed: Iterable[str],
    log: ProblemLog,
) -> None:
    """Log an error for every ID-card number, personal mobile number or home address.

    ``field_label`` turns a key path into the label used in messages (validation's own).
    """
    allowed_set = allowed_numbers(allowed)
    for key_path, text in _texts(raw.data):
        kind = _field_kind(model, key_path)
        for offset, zh, en in privacy_problems(text, allowed_set, kind):
            log.add(raw.path, raw.position_in(key_path, offset), field_label(model, key_path), zh, en)


def check_text_privacy(
    text: str, path: str, allowed: Iterable[str], log: ProblemLog, field: str = "", first_line: int = 1
) -> None:
    """Log an error for every personal number or home address in a published text that is no
    record (a free page, a file name, a string of site_config.yml), at its line."""
    for offset, zh, en in privacy_problems(text, allowed_numbers(allowed)):
        line = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        log.add(path, Position(first_line + line, column), field, zh, en)
