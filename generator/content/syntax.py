"""The editor's real mistake behind a YAML syntax error, found line by line.

libyaml reads forward and reports where it gave up, which is often a line or many lines
after the slip that caused it: ``category：党费收缴`` (a full-width colon) is reported on the
next line as a missing colon, an unindented line of ``body: |`` at the end of the file. The
slips editors make are few and recognisable on their own line, so this module looks for
them in the lines up to where libyaml gave up, names each in Chinese with the English term,
and says what to write. Where the fix is certain (a full-width colon, a missing space), it
also gives the corrected line, so that the loader can read the rest of the file and report
every other problem of the file in the same run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .models import RECORD_TYPES, nested_model

FULL_WIDTH_SPACE = "\u3000"
_ASCII_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_LINE = re.compile(r"^(?P<indent>[ \u3000]*)(?P<dash>-[ \u3000]+|-$)?(?P<rest>.*)$")
_BLOCK_INDICATOR = re.compile(r"^[|>][+-]?[0-9]?[+-]?\s*(?:#.*)?$")
# Where a line holds "key:" / "key: value" (and so is no text of a block).
_KEY_LINE = re.compile(rf"^(?:{_ASCII_KEY}|\"[^\"]*\"|'[^']*')[ \t]*:(?:[ \t]|$)")


@dataclass(frozen=True)
class SyntaxMistake:
    """One slip on one line: where, what in Chinese and English, and the line corrected."""

    line: int  # 1-based
    column: int
    zh: str
    en: str
    repaired: tuple[int, str] | None = None  # (line, corrected text) when the fix is certain
    extra_repairs: tuple[tuple[int, str], ...] = ()
    in_block: bool = False  # the line is text of the block above it


@functools.cache
def _chinese_keys() -> frozenset[str]:
    """The Chinese titles of every field: what an editor may type for a key (标题, 名称)."""
    titles: set[str] = set()
    pending = list(RECORD_TYPES.values())
    seen: set[type] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            if info.title:
                titles.add(info.title)
            inner = nested_model(info)
            if inner is not None:
                pending.append(inner)  # type: ignore[arg-type]
    return frozenset(titles)


def _key_like(word: str) -> bool:
    return re.fullmatch(_ASCII_KEY, word) is not None or word in _chinese_keys()


def _is_key_line(rest: str) -> bool:
    return _KEY_LINE.match(rest) is not None


@dataclass
class _Block:
    """A literal or folded block (``body: |``) being read."""

    key: str
    key_indent: int
    content_indent: int | None = None


def _shown_indent(indent: str) -> int:
    return len(indent.replace(FULL_WIDTH_SPACE, "  "))


def find_mistakes(text: str, last_line: int | None = None) -> list[SyntaxMistake]:
    """The recognisable slips on the lines outside literal blocks, up to ``last_line``."""
    return list(_scan(text.split("\n"), last_line or len(text.split("\n"))))


def _scan(lines: list[str], last_line: int) -> Iterator[SyntaxMistake]:
    block: _Block | None = None
    after_block: _Block | None = None  # the block that ended on the line before
    structure = _Structure()
    repaired_block_lines: set[int] = set()
    for number, line in enumerate(lines[:last_line], 1):
        if number in repaired_block_lines:
            continue  # text of a block, reported with the block's first unindented line
        stripped = line.strip(" \t\r")
        match = _LINE.match(line.rstrip("\r"))
        assert match is not None  # the pattern matches every line
        indent, dash, rest = match["indent"], match["dash"] or "", match["rest"]
        if block is not None:
            width = _shown_indent(indent)
            if not stripped:
                continue
            if block.content_indent is None and width > block.key_indent:
                block.content_indent = width
                continue
            if block.content_indent is not None and width >= block.content_indent:
                continue
            after_block, block = block, None
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        found = _line_mistake(number, indent, dash, rest, after_block, lines, last_line)
        if found is not None:
            yield found
            if found.repaired is None:
                return  # what follows depends on how the editor fixes this line
            # Read on as if the line were fixed: later slips are independent of this one.
            fixed = _LINE.match(found.repaired[1])
            assert fixed is not None
            indent, dash, rest = fixed["indent"], fixed["dash"] or "", fixed["rest"]
            if found.in_block:
                block, after_block = after_block, None  # the block goes on
                repaired_block_lines.update(n for n, _text in found.extra_repairs)
                continue
        after_block = None
        misplaced = structure.place(number, _shown_indent(indent), bool(dash), rest)
        if misplaced is not None:
            yield misplaced
            return
        value = _value_of(rest)
        if value is not None and _BLOCK_INDICATOR.match(value):
            key = rest.split(":", 1)[0].strip()
            block = _Block(key, _shown_indent(indent) + len(dash))


def _value_of(rest: str) -> str | None:
    """The value text of a ``key: value`` line, or None when the line is no key line."""
    if not _is_key_line(rest):
        return None
    return rest.split(":", 1)[1].strip()


def _line_mistake(
    number: int, indent: str, dash: str, rest: str, after_block: _Block | None, lines: list[str], last_line: int
) -> SyntaxMistake | None:
    if after_block is not None and not dash and not _is_key_line(rest) and not _looks_like_key(rest):
        return _unindented_block_line(number, indent, after_block, lines, last_line)
    if FULL_WIDTH_SPACE in indent or dash.strip(" ") != dash.strip(" \u3000"):
        column = (indent + dash).index(FULL_WIDTH_SPACE) + 1
        fixed_indent = indent.replace(FULL_WIDTH_SPACE, "  ")
        fixed_dash = dash.replace(FULL_WIDTH_SPACE, " ")
        return SyntaxMistake(
            number, column,
            "行首用了全角空格（full-width space）缩进；YAML 只认半角空格，请把行首的全角空格换成两个半角空格",
            "indented with a full-width space (U+3000); indent with ASCII spaces",
            (number, fixed_indent + fixed_dash + rest),
        )
    head = indent + dash
    value = _value_of(rest)
    if value and value[0] in "\"'" and not _closed(value):
        return SyntaxMistake(
            number, len(head) + rest.index(value[0]) + 1,
            f"这一行的引号 {value[0]} 没有配对（unclosed quote）：值以引号开头，就要以同样的引号结尾；"
            f"请在行末补上 {value[0]}，或去掉开头的引号",
            f"the quote {value[0]} that opens this value is not closed: add one at the end of the line",
            (number, f"{head}{rest}{value[0]}"),
        )
    colon = re.match(rf"^(?P<key>{_ASCII_KEY}|[\u4e00-\u9fff]{{1,12}})[ \u3000]*：[ \u3000]*(?P<value>.*)$", rest)
    if colon and _key_like(colon["key"]):
        key = colon["key"]
        return SyntaxMistake(
            number, len(head) + rest.index("：") + 1,
            f"字段名 {key} 后面用了全角冒号“：”（full-width colon）；YAML 要用半角冒号加一个空格，"
            f"请改成“{key}: ”（可先切换到英文输入法再输入冒号）",
            f"full-width colon '：' after the key {key!r}; write '{key}: ' with an ASCII colon and a space",
            (number, f"{head}{key}: {colon['value']}".rstrip()),
        )
    tight = re.match(rf"^(?P<key>{_ASCII_KEY}|[\u4e00-\u9fff]{{1,12}}):(?P<after>[^ \t].*)$", rest)
    if tight and _key_like(tight["key"]):
        key, after = tight["key"], tight["after"]
        column = len(head) + len(key) + 2
        if after.startswith(FULL_WIDTH_SPACE):
            return SyntaxMistake(
                number, column,
                f"{key}: 后面是全角空格（full-width space）；冒号后面要用一个半角空格，请把它换成半角空格",
                f"a full-width space after '{key}:'; use an ASCII space",
                (number, f"{head}{key}: {after.lstrip(FULL_WIDTH_SPACE + ' ')}"),
            )
        return SyntaxMistake(
            number, column,
            f"冒号后面缺少空格（missing space after colon）；请写成“{key}: {shown(after)}”，冒号后面要有一个空格",
            f"no space after the colon; write '{key}: {shown(after)}'",
            (number, f"{head}{key}: {after}"),
        )
    semicolon = re.match(rf"^(?P<key>{_ASCII_KEY})[ \t]*[;；][ \t]*(?P<value>.*)$", rest)
    if semicolon:
        key = semicolon["key"]
        return SyntaxMistake(
            number, len(head) + len(key) + 1,
            f"字段名 {key} 后面用了分号；字段名和值之间要用半角冒号加空格，请写成“{key}: …”",
            f"a semicolon after the key {key!r}; write '{key}: …'",
            (number, f"{head}{key}: {semicolon['value']}".rstrip()),
        )
    bare = re.match(rf"^(?P<key>{_ASCII_KEY})[ \t\u3000]+(?P<value>[^:：]+)$", rest)
    if bare and ":" not in rest:
        key = bare["key"]
        return SyntaxMistake(
            number, len(head) + len(key) + 1,
            f"字段名 {key} 后面缺少冒号（missing colon）；请写成“{key}: {shown(bare['value'].strip())}”",
            f"no colon after the key {key!r}; write '{key}: …'",
            (number, f"{head}{key}: {bare['value'].strip()}"),
        )
    return None


def _closed(value: str) -> bool:
    """Whether a quoted value closes on its own line (a comment may follow)."""
    quote, body = value[0], value[1:]
    escaped = ("\\\\", '\\"') if quote == '"' else ("''",)
    for pair in escaped:
        body = body.replace(pair, "")
    return quote in body


def _looks_like_key(rest: str) -> bool:
    """A line an editor meant as ``key: value`` even if written wrongly (标题：…, title:…)."""
    found = re.match(rf"^({_ASCII_KEY}|[\u4e00-\u9fff]{{1,12}})[ \u3000]*[:：;；]", rest)
    return found is not None and _key_like(found[1])


def _unindented_block_line(
    number: int, indent: str, block: _Block, lines: list[str], last_line: int
) -> SyntaxMistake:
    content_indent = block.content_indent if block.content_indent is not None else block.key_indent + 2
    pad = " " * content_indent
    # Every line from here that is not a key line belongs to the block too.
    repairs = []
    for later in range(number, len(lines) + 1):
        text = lines[later - 1]
        if text.strip() and (_is_key_line(text.strip()) or _looks_like_key(text.strip())) and \
                _shown_indent(text[: len(text) - len(text.lstrip(" " + FULL_WIDTH_SPACE))]) <= block.key_indent:
            break
        if text.strip() and _shown_indent(text[: len(text) - len(text.lstrip(" "))]) < content_indent:
            repairs.append((later, pad + text.lstrip(" ")))
    first, rest = repairs[0], tuple(repairs[1:])
    return SyntaxMistake(
        number, 1,
        f"这一行缩进不够（indentation）：{block.key}: | 下面的正文每一行都要比 {block.key} 多缩进 "
        f"{content_indent - block.key_indent} 个空格；YAML 认为正文在上一行就结束了。请在行首补上空格",
        f"this line is not indented: every line of the {block.key}: | block must be indented "
        f"by {content_indent - block.key_indent} more spaces than {block.key}",
        first, rest, in_block=True,
    )


def shown(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class _Level:
    indent: int
    kind: str  # "map" or "seq"


class _Structure:
    """Indentation of key lines and list items, checked against the lines above."""

    def __init__(self) -> None:
        self.levels: list[_Level] = []
        self.opens = True  # the last line ended with "key:" (a nested part or list follows)
        self.last_indent = -1
        self.item_column: int | None = None  # where the keys of the last "- key: v" item start

    def place(self, number: int, indent: int, is_item: bool, rest: str) -> SyntaxMistake | None:
        is_key = _is_key_line(rest)
        if not is_item and not is_key:
            return None  # a continued value: legal YAML, judged by the fields it fills
        mistake = self._check(number, indent, is_item, is_key)
        if mistake is not None:
            return mistake
        self._advance(indent, is_item, rest)
        return None

    def _check(self, number: int, indent: int, is_item: bool, is_key: bool) -> SyntaxMistake | None:
        if indent > self.last_indent:
            if self.opens or (self.item_column is not None and indent == self.item_column and not is_item):
                return None
            expected = self.item_column if self.item_column is not None and not is_item else self.last_indent
            return _misindented(number, indent, expected)
        enclosing = [level for level in self.levels if level.indent <= indent]
        if not enclosing or enclosing[-1].indent != indent:
            target = enclosing[-1].indent if enclosing else 0
            return _misindented(number, indent, target)
        level = enclosing[-1]
        if level.kind == "seq" and not is_item and len(enclosing) > 1 and enclosing[-2].indent == indent:
            return None  # back from a compact list ("key:" with items at its own indentation)
        if level.kind == "map" and is_item and not self.opens:
            return SyntaxMistake(
                number, indent + 1,
                "列表项“- ”的缩进与同一列表的其他项不一致（indentation）；同一列表的各项要上下对齐",
                "this list item is not indented like the other items of its list",
            )
        if level.kind == "seq" and not is_item and self.item_column is not None:
            return _misindented(number, indent, self.item_column)
        return None

    def _advance(self, indent: int, is_item: bool, rest: str) -> None:
        while self.levels and self.levels[-1].indent > indent:
            self.levels.pop()
        if not is_item and self.levels and self.levels[-1].kind == "seq" and self.levels[-1].indent == indent:
            self.levels.pop()
        kind = "seq" if is_item else "map"
        if not self.levels or self.levels[-1].indent < indent:
            self.levels.append(_Level(indent, kind))
        elif self.levels[-1].kind != kind:
            # "key:" followed by items at the key's own indentation (a compact list).
            self.levels.append(_Level(indent, kind))
        value = _value_of(rest)
        self.opens = (is_item and not rest.strip()) or (value is not None and value == "")
        self.last_indent = indent
        if is_item:
            self.item_column = indent + 2 if rest.strip() else None
            if value is not None:
                self.levels.append(_Level(indent + 2, "map"))
        elif self.item_column is not None and indent < self.item_column:
            self.item_column = None


def _misindented(number: int, indent: int, expected: int) -> SyntaxMistake:
    more_or_less = "多" if indent > expected else "少"
    return SyntaxMistake(
        number, indent + 1,
        f"这一行的缩进{more_or_less}了（indentation）：现在缩进 {indent} 个空格，按上下文应缩进 {expected} 个空格，"
        "与同一层的字段对齐",
        f"wrong indentation: {indent} spaces where the lines around need {expected}",
    )
