"""Line breaks in Chinese Markdown: a break between two Chinese characters is no space.

Editors wrap long ``body: |`` lines in YAML wherever they like. Markdown keeps such a break
as a newline that browsers show as a space: “值班， 上班族”. The rule applied here is CSS
Text's segment-break transformation: a break (with the spaces around it) between two wide
characters (East Asian Width W or F: Han, kana, full-width punctuation; not Hangul, which
uses spaces), or between a wide character and Chinese quotation marks or dashes, disappears;
any other break stays, and shows as one space.

Used for record bodies and free pages (a python-markdown extension) and for the search's
plain text, so snippets read the same as pages.
"""

from __future__ import annotations

import re
import unicodedata
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# A line break and the spaces or tabs around it (YAML and Markdown indentation).
_BREAK = re.compile(r"([ \t]*)\n[ \t]*")


# Punctuation of East Asian Width "A" (ambiguous) that Chinese fonts set full width: next to a
# wide character it belongs to the Chinese text (“同心家园”, ……).
_CHINESE_AMBIGUOUS = frozenset("“”‘’…—·")


def joins(left: str, right: str) -> bool:
    """Whether a line break between ``left`` and ``right`` disappears."""
    if is_wide(left):
        return is_wide(right) or right in _CHINESE_AMBIGUOUS
    return left in _CHINESE_AMBIGUOUS and is_wide(right)


def is_wide(char: str) -> bool:
    """True for characters that Chinese text sets without spaces between them."""
    if "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f":
        return False  # Hangul is wide but separates words with spaces
    return unicodedata.east_asian_width(char) in ("W", "F")


def join_wide_lines(text: str, before: str = "", after: str = "") -> str:
    """``text`` without the line breaks that sit between two wide characters.

    ``before`` and ``after`` are the characters around ``text`` (in the neighbouring pieces
    of a paragraph), for a break at its very start or end. Two or more spaces before a break
    are Markdown's hard line break (<br>) and stay.
    """
    if "\n" not in text:
        return text
    if not before and not after:
        return _BREAK.sub(lambda match: _replace(match, text, 0), text)
    context = before[-1:] + text + after[:1]
    offset = len(before[-1:])

    return _BREAK.sub(lambda match: _replace(match, context, offset), text)


def _replace(match: re.Match[str], context: str, offset: int) -> str:
    """"" for a break to remove, else the break as it was; ``context`` holds the match at ``offset``."""
    start, end = match.start() + offset, match.end() + offset
    if len(match.group(1)) >= 2 or start == 0 or end == len(context):
        return match.group(0)
    return "" if joins(context[start - 1], context[end]) else match.group(0)


# Elements that hold a run of text (a paragraph's inline content); others are structure.
_TEXT_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "caption"})
# Inline elements whose text is shown as written: it gives context but is never changed.
_VERBATIM = frozenset({"code", "kbd", "pre"})
_STRUCTURE = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tr", "blockquote", "div", "br", "hr"})


def _pieces(block: Element) -> list[tuple[Element, str] | None]:
    """The text slots (element, "text"/"tail") of a block's inline content, in reading order.

    None marks a barrier (a line break element or a nested block): no join across it.
    """
    pieces: list[tuple[Element, str] | None] = [(block, "text")]

    def visit(element: Element) -> None:
        for child in element:
            if child.tag in _STRUCTURE or child.tag in _TEXT_BLOCKS:
                pieces.append(None)
            elif child.tag in _VERBATIM:
                pieces.append((child, "verbatim"))
            else:
                pieces.append((child, "text"))
                visit(child)
            pieces.append((child, "tail"))

    visit(block)
    return pieces


def _text_of(piece: tuple[Element, str] | None) -> str:
    if piece is None:
        return ""
    element, slot = piece
    return (element.tail if slot == "tail" else element.text) or ""


class _WideLineJoiner(Treeprocessor):
    """Joins wide-character lines in every paragraph, list item, heading and cell.

    Runs after inline parsing, so a break next to **bold** or a [link] is judged by the
    characters on either side of the markup, not by the markup itself.
    """

    def run(self, root: Element) -> None:
        for block in root.iter():
            if block.tag not in _TEXT_BLOCKS:
                continue
            if len(block) == 0:  # plain text, the common case: no neighbours to look at
                if block.text and "\n" in block.text:
                    block.text = join_wide_lines(block.text)
            else:
                self._join(_pieces(block))

    @staticmethod
    def _join(pieces: list[tuple[Element, str] | None]) -> None:
        for index, piece in enumerate(pieces):
            text = _text_of(piece)
            if piece is None or piece[1] == "verbatim" or "\n" not in text:
                continue
            joined = join_wide_lines(text, _neighbour(pieces[:index], last=True), _neighbour(pieces[index + 1:]))
            element, slot = piece
            setattr(element, "tail" if slot == "tail" else "text", joined)


def _neighbour(pieces: list[tuple[Element, str] | None], last: bool = False) -> str:
    """The first (or last) character of the nearest non-empty piece, up to a barrier."""
    for piece in reversed(pieces) if last else pieces:
        if piece is None:
            return ""
        text = _text_of(piece)
        if text:
            return text[-1] if last else text[0]
    return ""


class WideLineJoinExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After the inline processor (priority 20), before prettify (10).
        md.treeprocessors.register(_WideLineJoiner(md), "tongxin_wide_lines", 15)
