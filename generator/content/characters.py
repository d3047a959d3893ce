"""Invisible and direction-changing characters in published text.

A name with U+202E (right-to-left override) shows its letters reversed; a zero-width space
hides inside a name or a number. Nobody types these on purpose: each is an error naming the
character, at its place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

# Line breaks and tabs belong in long texts; a zero-width joiner builds emoji sequences.
_ALLOWED = frozenset("\n\r\t\u200d")


def invisible_characters(text: str) -> Iterator[tuple[int, str]]:
    """(offset, description) of every control or format character in ``text``."""
    for offset, char in enumerate(text):
        if char in _ALLOWED or unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"):
            continue
        name = unicodedata.name(char, "CONTROL CHARACTER")
        yield offset, f"U+{ord(char):04X} {name}"
