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


# Characters already known not to be invisible: most texts need no character-by-character look.
_VISIBLE: set[str] = set()


def _invisible(char: str) -> bool:
    return char not in _ALLOWED and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def invisible_characters(text: str) -> Iterator[tuple[int, str]]:
    """(offset, description) of every control or format character in ``text``."""
    unseen = set(text) - _VISIBLE
    if not unseen:
        return
    invisible = {char for char in unseen if _invisible(char)}
    _VISIBLE.update(unseen - invisible)
    if not invisible:
        return
    for offset, char in enumerate(text):
        if char in invisible:
            yield offset, f"U+{ord(char):04X} {unicodedata.name(char, 'CONTROL CHARACTER')}"
