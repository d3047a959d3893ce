"""Invisible and direction-changing characters in published text.

A name with U+202E (right-to-left override) shows its letters reversed; a zero-width space
hides inside a name or a number. Nobody types these on purpose: each is an error naming the
character, at its place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

# Line breaks and tabs belong in long texts; a zero-width joiner builds emoji sequences.
_ALLOWED = frozenset("\n\r\t\u200d")


class KnownCharacters:
    """A growing set of characters, and a quick answer for a text that has no others.

    A record's texts use a few hundred distinct characters, met again in every record, so a
    scan that looks at each distinct character once needs only the new ones of each text.
    ``set(text)`` would hash every character of every text; a search for a character outside
    the set runs in the regular-expression engine and is about ten times quicker. The search's
    pattern is compiled again only when the set has grown by a quarter (a stale one finds
    characters added since, and the set then tells them apart).
    """

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._outside: re.Pattern[str] | None = None
        self._compiled_size = 0

    def unknown(self, text: str) -> set[str]:
        """The distinct characters of ``text`` not in the set."""
        if self._outside is not None and self._outside.search(text) is None:
            return set()
        return set(text) - self._known

    def add(self, characters: Iterable[str]) -> None:
        self._known.update(characters)
        if len(self._known) - self._compiled_size >= max(32, self._compiled_size // 4):
            self._outside = character_class(self._known, outside=True)
            self._compiled_size = len(self._known)


def character_class(characters: Iterable[str], outside: bool = False) -> re.Pattern[str]:
    """A pattern matching any one of ``characters`` (with ``outside``: any other character)."""
    return re.compile("[" + "^" * outside + "".join(map(re.escape, sorted(characters))) + "]")


# Characters already known not to be invisible: most texts need no character-by-character look.
_VISIBLE = KnownCharacters()


def _invisible(char: str) -> bool:
    return char not in _ALLOWED and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def invisible_characters(text: str) -> Iterator[tuple[int, str]]:
    """(offset, description) of every control or format character in ``text``."""
    unseen = _VISIBLE.unknown(text)
    if not unseen:
        return
    invisible = {char for char in unseen if _invisible(char)}
    _VISIBLE.add(unseen - invisible)
    if not invisible:
        return
    for offset, char in enumerate(text):
        if char in invisible:
            yield offset, f"U+{ord(char):04X} {unicodedata.name(char, 'CONTROL CHARACTER')}"
