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

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from .loading import KeyPath, RawRecord, shown_value
from .models import PersonField, PublicPhone, Record, field_marks, nested_model
from .problems import ProblemLog

# GB 11643-1999: weights of the first 17 digits and the check character for sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"

# Six-digit area code, birth date 18xx–20xx, sequence, check character; editors may group
# the digits with spaces or hyphens (110101 19900307 123X).
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})[ -]?((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"[ -]?(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
# Every ID-card or mobile number has a run of at least three digits.
_DIGIT_RUN = re.compile(r"\d{3}")
# China's mobile numbers: 1[3-9] and nine digits, optionally +86 and grouped 3-4-4.
_MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
_NUMERAL = r"[0-9０-９一二三四五六七八九十百零〇两]"
# A dwelling inside a building: building/unit/room numbers, or "lives at".
_HOME_ADDRESS = re.compile(
    rf"{_NUMERAL}+\s*(?:号楼|号院|栋|幢|座|弄|号)\s*(?:{_NUMERAL}+\s*(?:单元|门|层|楼)\s*)?{_NUMERAL}+\s*(?:室|号房|户)"
    rf"|{_NUMERAL}+\s*(?:号楼|栋|幢)\s*{_NUMERAL}+\s*单元"
    rf"|{_NUMERAL}+\s*单元\s*{_NUMERAL}+"
    r"|(?<!\d)\d{1,3}-\d{1,2}-\d{3,4}(?!\d)(?:室|号)?"
    r"|家住|住址|家庭地址|现住|住在"
)


def id_card_checksum_ok(number: str) -> bool:
    """True when the 18th character is the GB 11643 check character of the first 17."""
    digits = number.upper()
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11] == digits[17]


def id_card_numbers(text: str) -> Iterator[re.Match[str]]:
    """Every ID-card number in ``text`` whose check character is right."""
    for match in _ID_CARD.finditer(text):
        if id_card_checksum_ok("".join(match.groups())):
            yield match


def mobile_numbers(text: str) -> Iterator[re.Match[str]]:
    yield from _MOBILE.finditer(text)


def home_addresses(text: str) -> Iterator[re.Match[str]]:
    yield from _HOME_ADDRESS.finditer(text)


def digits_of(text: str) -> str:
    """Only the digits (and a final X) of a number as written, for comparing numbers."""
    return re.sub(r"[^0-9Xx]", "", text).upper().removeprefix("0086").removeprefix("86")


@dataclass(frozen=True)
class FieldKind:
    """What the privacy guard may accept in one field."""

    public_phone: bool = False
    person: bool = False


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


def _masked(number: str) -> str:
    """A number shown in a message without repeating all of it in logs."""
    digits = re.sub(r"\s", "", number)
    return digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:] if len(digits) > 7 else digits


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
    allowed_numbers = {digits_of(number) for number in allowed}
    for key_path, text in _texts(raw.data):
        kind = _field_kind(model, key_path)
        may_hold_number = _DIGIT_RUN.search(text) is not None
        if not may_hold_number and not kind.person:
            continue  # the common case: no run of digits, nobody's name
        for match in id_card_numbers(text) if may_hold_number else ():
            if digits_of(match.group(0)) in allowed_numbers:
                continue
            log.add(
                raw.path, raw.position_in(key_path, match.start()), field_label(model, key_path),
                f"这里有一个身份证号码（{_masked(match.group(0))}，ID-card number）；门户不得公开居民"
                "或党员的个人信息，请删除它",
                f"an ID-card number ({_masked(match.group(0))}) must never be published; delete it",
            )
        if may_hold_number and not kind.public_phone:
            for match in mobile_numbers(text):
                if digits_of(match.group(0)) in allowed_numbers:
                    continue
                log.add(
                    raw.path, raw.position_in(key_path, match.start()), field_label(model, key_path),
                    f"这里有一个手机号码（{_masked(match.group(0))}，mobile number）；个人手机号不得公开。"
                    "请改写办公电话或热线；若这个号码本来就是公开的服务电话，请写在 phone 字段，"
                    "或加入 site_config.yml 中 tongxin 插件的 privacy_allow 列表",
                    f"a personal mobile number ({_masked(match.group(0))}) must not be published; "
                    "give an office phone, or put a number meant to be public into privacy_allow",
                )
        if kind.person:
            # One message per field: "家住3号楼2单元501室" is one address, not two.
            for match in list(home_addresses(text))[:1]:
                log.add(
                    raw.path, raw.position_in(key_path, match.start()), field_label(model, key_path),
                    f"人员字段里出现了像家庭住址的内容（“{shown_value(match.group(0))}”，home address）；"
                    "只写姓名和公开职务，如“王建国（社区党委书记）”",
                    f"what looks like a home address ({shown_value(match.group(0))!r}) in a field "
                    "naming a person; give only the name and public role",
                )
