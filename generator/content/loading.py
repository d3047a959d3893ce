"""Reading record files: YAML text -> plain data that remembers where each value came from.

The loader never trusts its input. It composes the YAML node tree with libyaml (fast, and
every node keeps its line and column), then builds plain Python values itself so that it
can refuse what an editor never needs and an attacker might send: aliases (billion-laughs
bombs), deep nesting, duplicate keys, oversized files and non-UTF-8 text.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Position, ProblemLog
from .syntax import SyntaxMistake, find_mistakes

try:  # libyaml is ~8x faster; positions are the same either way
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

RECORD_SUFFIXES = (".yml", ".yaml")
DEFAULT_MAX_BYTES = 1_000_000
MAX_DEPTH = 20
UTF8_BOM = b"\xef\xbb\xbf"
# Longest value quoted back in a message: an editor needs to recognise it, not reread it.
SHOWN_VALUE_CHARS = 40
PLAIN_TAGS = frozenset({"str", "int", "float", "bool", "null", "timestamp"})
COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
# Rounds of reading a file again with its certain syntax slips corrected, to report the
# problems behind them in the same run.
MAX_REPAIR_ROUNDS = 20

KeyPath = tuple[str | int, ...]


@dataclass
class RawRecord:
    """One record file as plain data, with the source position of every key and item."""

    type_name: str
    record_id: str
    path: str
    data: dict[str, Any]
    # None after ``detached``: read again from ``file`` when first asked for.
    positions: dict[KeyPath, Position] | None = field(default_factory=dict)
    # First content line of every literal block scalar (``body: |``), so that a problem
    # found inside a long text can be reported on its own line.
    block_starts: dict[KeyPath, int] = field(default_factory=dict)
    # The file itself (``path`` is the one shown to editors), as text: a Path per record would
    # be parsed again for each of 10,000 records whenever a build cache is read.
    file: str | None = None
    # Keys written twice in one mapping: (key path, where, where first), reported by validation
    # (which knows when they are fields of a part written without its indentation).
    duplicates: list[tuple[KeyPath, Position, Position]] = field(default_factory=list)
    # SHA-256 of the file's bytes: tells a build cache whether the file changed since.
    digest: str = ""

    def position_of(self, key_path: KeyPath) -> Position:
        """The position of the deepest part of ``key_path`` that exists in the file."""
        positions = self.positions if self.positions is not None else self._read_positions()
        for end in range(len(key_path), 0, -1):
            found = positions.get(tuple(key_path[:end]))
            if found is not None:
                return found
        return positions.get((), Position(1, 1))

    def detached(self) -> RawRecord:
        """Who the record is and where it came from, without its data and positions.

        What a validation worker sends back for the checks across records: positions are
        ~15 objects per record, and few records ever need one reported, so the file is read
        again for those instead.
        """
        return RawRecord(self.type_name, self.record_id, self.path, {}, None, {}, self.file, digest=self.digest)

    def _read_positions(self) -> dict[KeyPath, Position]:
        parsed = None
        # A file gone since it was validated is reported at its top.
        with contextlib.suppress(OSError):
            if self.file is not None:
                parsed = parse_record_document(Path(self.file).read_bytes(), self.path, ProblemLog())
        self.positions = parsed.positions if parsed is not None else {}
        return self.positions

    def position_in(self, key_path: KeyPath, offset: int) -> Position:
        """The position of character ``offset`` of the text value at ``key_path``.

        Exact inside literal blocks (``|``), whose lines are the file's lines; otherwise
        the position of the field, which is where an editor starts looking anyway.
        """
        first_line = self.block_starts.get(key_path)
        value = self.value_at(key_path)
        if first_line is None or not isinstance(value, str):
            return self.position_of(key_path)
        return Position(first_line + value.count("\n", 0, offset), 1)

    def value_at(self, key_path: KeyPath) -> Any:
        value: Any = self.data
        for part in key_path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value


def shown_value(value: object) -> str:
    """``value`` as text short enough to quote in a message."""
    text = str(value)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS] + "…"


class _Refused(Exception):
    """A structural problem that stops reading one file."""

    def __init__(self, position: Position, zh: str, en: str) -> None:
        super().__init__(en)
        self.position = position
        self.zh = zh
        self.en = en


def _position(mark: yaml.Mark | None) -> Position:
    if mark is None:
        return Position(1, 1)
    return Position(mark.line + 1, mark.column + 1)


class _TreeBuilder:
    """Turns a composed node tree into plain values, recording positions on the way."""

    def __init__(self, loader: SafeLoader, lines: list[str]) -> None:
        self._loader = loader
        self._lines = lines
        self._seen: set[int] = set()
        self.positions: dict[KeyPath, Position] = {}
        self.block_starts: dict[KeyPath, int] = {}
        self.duplicates: list[tuple[KeyPath, Position, Position]] = []
        self.mistakes: list[SyntaxMistake] = []

    def build(self, node: yaml.Node, path: KeyPath = (), depth: int = 0) -> Any:
        if id(node) in self._seen:  # an alias the quick text check did not foresee
            raise _refuse_alias(node.start_mark)
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _Refused(
                _position(node.start_mark),
                f"嵌套层级过深（超过 {MAX_DEPTH} 层）；记录只需要几层缩进",
                f"nesting deeper than {MAX_DEPTH} levels; records need only a few",
            )
        if isinstance(node, yaml.CollectionNode) and node.tag not in COLLECTION_TAGS:
            raise _unsupported_tag(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions[(*path, index)] = _position(item.start_mark)
                items.append(self.build(item, (*path, index), depth + 1))
            return items
        if node.style == "|":
            # The indicator line is start_mark; the text starts on the next line.
            self.block_starts[path] = node.start_mark.line + 2
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(
                    _position(key_node.start_mark),
                    "字段名必须是简单文字（key），不能是列表或映射",
                    "a key must be plain text, not a list or mapping",
                )
            if not _is_plain(key_node):
                raise _unsupported_tag(key_node)
            # The key as written: YAML 1.1 would turn ``yes:`` into True and ``1:`` into 1.
            key = key_node.value
            where = _position(key_node.start_mark)
            if key in result:
                # Kept as written the first time; validation reports the second.
                self.duplicates.append(((*path, key), where, self.positions[(*path, key)]))
                continue
            self.positions[(*path, key)] = where
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _NULL_TAG:
            return None  # "key:" with nothing after it (a quoted value is never null)
        if tag != _STR_TAG and not _is_plain(node):
            raise _unsupported_tag(node)
        if not node.style and node.start_mark.line != node.end_mark.line:  # plain: '' in libyaml
            self._check_continued(node)
        # The text as written: the model decides what it is. YAML 1.1 would read no, on and
        # yes as booleans, 13800138000 and 1.10 as numbers, 9:30 as 570 and 2026-11-05 as a
        # date, none of which the editor meant in a text field; pydantic reads "12", "true"
        # and "2026-11-05" where the model wants a number, a yes/no or a date.
        return node.value

    def _check_continued(self, node: yaml.Node) -> None:
        """A value continued on a line that starts with "- ": a list item indented too deep."""
        first = self._lines[node.start_mark.line]
        dash = first.rfind("- ", 0, node.start_mark.column + 1)
        for line in range(node.start_mark.line + 1, node.end_mark.line + 1):
            text = self._lines[line] if line < len(self._lines) else ""
            if text.lstrip(" ").startswith("- "):
                indent = len(text) - len(text.lstrip(" "))
                aligned = (line + 1, " " * dash + text.lstrip(" ")) if dash >= 0 else None
                self.mistakes.append(SyntaxMistake(
                    line + 1, indent + 1,
                    "这个列表项“- ”比上一项缩进得多（indentation），YAML 把它当成了上一项文字的续行；"
                    "同一列表的各项要上下对齐",
                    "this list item is indented deeper than the item above, so YAML reads it as "
                    "the continuation of that item's text; align the items",
                    aligned,
                ))


_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"


def _is_plain(node: yaml.Node) -> bool:
    return node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in PLAIN_TAGS


def _unsupported_tag(node: yaml.Node) -> _Refused:
    tag = shown_value(node.tag)
    return _Refused(
        _position(node.start_mark),
        f"不支持的 YAML 标签 {tag}；只能写普通文字、数字、日期、列表和映射，请删除以 ! 开头的标签",
        f"unsupported YAML tag {tag}; use plain text, numbers, dates, lists and mappings",
    )


# Cheap signs that a text may nest deeper than MAX_DEPTH or use aliases. libyaml's C
# composer recurses once per level and overflows the C stack (a segfault, not an
# exception) near 100,000 levels, so such texts are read first as parser events, which
# libyaml produces without recursion.
_FLOW_OPENERS = ("[", "{")
_DEEP_BLOCK = re.compile(r"^(?: {40,}|[ ]*(?:[-?][ ]+){4,})", re.MULTILINE)


# An anchor (&a) or alias (*a) where YAML allows one: after a space, bracket, comma or colon.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,:])[&*][^\s\]},]", re.MULTILINE)


def _needs_event_check(text: str) -> bool:
    flow = sum(text.count(opener) for opener in _FLOW_OPENERS)
    return flow > MAX_DEPTH or _DEEP_BLOCK.search(text) is not None or _MAYBE_ANCHOR.search(text) is not None


def _refuse_alias(mark: yaml.Mark | None) -> _Refused:
    return _Refused(
        _position(mark),
        "不支持 YAML 锚点与别名（anchor/alias, & 与 *）；请把内容直接写出来",
        "YAML anchors and aliases (& and *) are not supported; write the value out",
    )


def _check_events(loader: SafeLoader) -> None:
    """Refuse anchors, aliases and nesting deeper than MAX_DEPTH where they are written.

    Reads parser events, which libyaml produces without recursion, and reports the place
    of the first anchor or alias (composed nodes only remember where the anchor was).
    """
    depth = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _refuse_alias(event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:
                raise _Refused(
                    _position(event.start_mark),
                    f"嵌套层级过深（超过 {MAX_DEPTH} 层）；记录只需要几层缩进",
                    f"nesting deeper than {MAX_DEPTH} levels; records need only a few",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _decode(raw: bytes, path: str, log: ProblemLog) -> str | None:
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM):]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
            zh = "文件不是 UTF-8 编码，看起来是 GBK/GB18030；请在编辑器中“另存为 UTF-8”"
            en = "file is not UTF-8; it looks like GBK/GB18030: save it as UTF-8"
        except UnicodeDecodeError:
            zh = "文件不是 UTF-8 编码的文本；请另存为 UTF-8"
            en = "file is not UTF-8 text; save it as UTF-8"
        log.add(path, Position(line, 1), "", zh, en)
        return None


_TAB_INDENT = re.compile(r"^ *\t", re.MULTILINE)


def _check_layout(text: str, path: str, log: ProblemLog) -> bool:
    if not text.strip():
        log.add(path, Position(1, 1), "", "文件是空的；请填写记录的字段", "file is empty; fill in the record")
        return False
    tab = _TAB_INDENT.search(text)
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        log.add(
            path,
            Position(line, tab.end() - tab.start()),
            "",
            "用制表符（Tab）缩进了；YAML 只能用空格缩进，请把 Tab 换成两个空格",
            "indented with a tab; YAML indentation must use spaces",
        )
        return False
    return True


# What libyaml's terse problems usually mean in a record, and what to write instead.
_SYNTAX_HINTS: dict[str, tuple[str, str]] = {
    "but found another document": (
        "一个文件只能写一条记录；请删除第二个 --- 及其后的内容，另建一个文件",
        "one record per file: remove the second --- and what follows, or make a new file",
    ),
    "mapping values are not allowed": (
        "值里不能再出现“冒号加空格”（: ）：值里有冒号时请给整个值加引号，如 note: \"时间: 9:00\"；"
        "或者检查这一行的缩进",
        "a ': ' is not allowed here: quote a value that contains a colon, or fix the indentation",
    ),
    "could not find expected ':'": (
        "这一行缺少“字段: 值”中的冒号和空格",
        "this line lacks the ': ' between key and value",
    ),
    "did not find expected key": (
        "这一行的缩进与上面的字段对不齐，或引号后面多了文字；请对齐缩进",
        "indentation does not line up with the fields above, or text follows a closing quote",
    ),
    "did not find expected '-' indicator": (
        "列表的每一项都要以“- ”开头，且缩进一致",
        "every list item must start with '- ' at the same indentation",
    ),
    "found undefined alias": (
        "不支持 YAML 别名（*）；请把内容直接写出来",
        "YAML aliases (*) are not supported; write the value out",
    ),
    "found character that cannot start any token": (
        "这里有 YAML 不允许的字符（如 Tab、@、`）；以这些字符开头的值请加引号，缩进只能用空格",
        "a character YAML does not allow here (tab, @, `): quote the value, indent with spaces",
    ),
    "found unexpected end of stream": (
        "这一行的引号没有配对（unclosed quote）：请在值的末尾补上结尾的引号",
        "a quote opened on this line is not closed: add the closing quote",
    ),
    "did not find expected ',' or": (
        "这一行的方括号或花括号没有配对（unclosed bracket）：请补上结尾的 ] 或 }，或改用每行“- ”的写法",
        "a bracket opened on this line is not closed: add ] or }, or write one '- ' item per line",
    ),
}


def _log_mistake(mistake: SyntaxMistake, path: str, log: ProblemLog) -> None:
    log.add(path, Position(mistake.line, mistake.column), "", mistake.zh, mistake.en)


def _explain_syntax(error: yaml.YAMLError, path: str, text: str, log: ProblemLog) -> str | None:
    """Log the real mistakes behind ``error``; the text with the certain ones corrected, if any."""
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.reader.ReaderError) or mark is None:
        _syntax_problem(error, path, text, log)
        return None
    mistakes = find_mistakes(text, mark.line + 1)
    if not mistakes:
        _syntax_problem(error, path, text, log)
        return None
    lines = text.split("\n")
    for mistake in mistakes:
        _log_mistake(mistake, path, log)
        for number, fixed in ([mistake.repaired] if mistake.repaired else []) + list(mistake.extra_repairs):
            lines[number - 1] = fixed
    if any(mistake.repaired is None for mistake in mistakes):
        return None
    return "\n".join(lines)


def _syntax_problem(error: yaml.YAMLError, path: str, text: str, log: ProblemLog) -> None:
    if isinstance(error, yaml.reader.ReaderError):
        position = _offset_position(text, error.position)
        log.add(
            path,
            position,
            "",
            f"文件中有不可见的控制字符（#x{error.character:04x}）；请删除它"
            "（常见于从网页或 Word 复制的文字）",
            f"the file contains an invisible control character (#x{error.character:04x}); delete it",
        )
        return
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    if "quoted scalar" in context or "flow" in context:
        # An unclosed quote or bracket: where it was opened is where the editor must look.
        mark = getattr(error, "context_mark", None) or mark
    hint = next((h for key, h in _SYNTAX_HINTS.items() if key in problem), None)
    zh_hint, en_hint = hint or ("请检查这一行的缩进、冒号和引号", "check indentation, colons and quotes on this line")
    log.add(
        path,
        _position(mark),
        "",
        f"YAML 语法错误（syntax error: {problem}）：{zh_hint}",
        f"YAML syntax error: {problem}; {en_hint}",
    )


def _offset_position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


@dataclass(frozen=True)
class ParsedText:
    data: dict[str, Any]
    positions: dict[KeyPath, Position]
    block_starts: dict[KeyPath, int]
    duplicates: list[tuple[KeyPath, Position, Position]] = field(default_factory=list)


def parse_record_text(
    raw: bytes, path: str, log: ProblemLog
) -> tuple[dict[str, Any], dict[KeyPath, Position]] | None:
    """Parse one record file's bytes; on any problem, log it and return None."""
    parsed = parse_record_document(raw, path, log)
    return None if parsed is None else (parsed.data, parsed.positions)


def parse_record_document(raw: bytes, path: str, log: ProblemLog) -> ParsedText | None:
    """Like ``parse_record_text``, also telling where each literal block's text starts.

    A syntax slip whose fix is certain (a full-width colon, a missing space) is logged, and
    the text is read again with it corrected, so the rest of the file is checked in the
    same run; the data returned then comes from the corrected text.
    """
    text = _decode(raw, path, log)
    if text is None or not _check_layout(text, path, log):
        return None
    for _round in range(MAX_REPAIR_ROUNDS):
        outcome = _parse(text, path, log)
        if not isinstance(outcome, str):
            return outcome
        text = outcome
    return None


def _parse(text: str, path: str, log: ProblemLog) -> ParsedText | str | None:
    """The parsed text; or the text corrected, to be read again; or None after logging why not."""
    try:
        if _needs_event_check(text):
            event_loader = SafeLoader(text)
            try:
                _check_events(event_loader)
            finally:
                event_loader.dispose()
        loader = SafeLoader(text)
    except yaml.YAMLError as error:
        return _explain_syntax(error, path, text, log)
    except _Refused as refused:
        log.add(path, refused.position, "", refused.zh, refused.en)
        return None
    try:
        node = loader.get_single_node()
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and not node.value):
            log.add(path, Position(1, 1), "", "文件是空的；请填写记录的字段", "file is empty; fill in the record")
            return None
        if not isinstance(node, yaml.MappingNode):
            log.add(
                path,
                _position(node.start_mark),
                "",
                "记录文件的顶层必须是“字段: 值”的映射（mapping）",
                "the top level of a record must be a mapping of fields",
            )
            return None
        builder = _TreeBuilder(loader, text.split("\n"))
        data = builder.build(node)
        builder.positions[()] = _position(node.start_mark)
        for mistake in builder.mistakes:
            _log_mistake(mistake, path, log)
        repairs = [mistake.repaired for mistake in builder.mistakes if mistake.repaired is not None]
        if repairs:
            lines = text.split("\n")
            for number, fixed in repairs:
                lines[number - 1] = fixed
            return "\n".join(lines)  # read again as the editor meant it
        return ParsedText(data, builder.positions, builder.block_starts, builder.duplicates)
    except yaml.YAMLError as error:
        return _explain_syntax(error, path, text, log)
    except _Refused as refused:
        log.add(path, refused.position, "", refused.zh, refused.en)
    except RecursionError:
        log.add(path, Position(1, 1), "", "嵌套层级过深；记录只需要几层缩进", "nesting too deep")
    finally:
        loader.dispose()
    return None


def record_files(content_dir: Path, type_names: list[str]) -> Iterator[tuple[str, Path]]:
    """Every record file of the known types, in a stable order (absolute paths)."""
    for type_name, path in record_paths(content_dir, type_names):
        yield type_name, Path(path)


def record_paths(content_dir: Path, type_names: list[str]) -> Iterator[tuple[str, str]]:
    """``record_files`` as path strings: cheaper when most files are only looked at, not read."""
    content_dir = content_dir.resolve()
    for type_name in type_names:
        folder = content_dir / type_name
        if not folder.is_dir():
            continue
        # scandir gives file types without a stat call per file (10,000 files add up).
        entries = sorted(
            entry.name
            for entry in os.scandir(folder)
            if entry.name.endswith(RECORD_SUFFIXES) and entry.is_file()
        )
        prefix = os.path.join(folder, "")
        for name in entries:
            yield type_name, prefix + name


@functools.cache
def _resolved(root: Path) -> Path:
    return root.resolve()


def display_path(path: Path, root: Path) -> str:
    """A path as the editor knows it: relative to the project when possible."""
    absolute = path if path.is_absolute() else path.resolve()
    try:
        return absolute.relative_to(_resolved(root)).as_posix()
    except ValueError:
        return path.as_posix()


# A named pipe, socket or device blocks, or never ends, when it is read: refused unopened.
NOT_A_FILE = ("这不是普通文件（命名管道、套接字或设备，special file）；门户只发布普通文件，请删除它",
              "not a regular file (a named pipe, socket or device); delete it")


def load_record(
    type_name: str,
    path: Path,
    root: Path,
    log: ProblemLog,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawRecord | None:
    shown = display_path(path, root)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            log.add(shown, Position(1, 1), "", *NOT_A_FILE)
            return None
        size = status.st_size
        raw = path.read_bytes() if size <= max_bytes else b""
    except OSError as error:
        log.add(
            shown, Position(1, 1), "",
            f"无法读取文件（{error.strerror}）；请检查文件权限，或它是否是失效的链接",
            f"cannot read the file ({error.strerror}); check its permissions or broken links",
        )
        return None
    if size > max_bytes:
        log.add(
            shown,
            Position(1, 1),
            "",
            f"文件太大（{size} 字节，上限 {max_bytes} 字节）；长文请拆分，附件放到 content/files/",
            f"file too large ({size} bytes, limit {max_bytes}); split it or move files out",
        )
        return None
    parsed = parse_record_document(raw, shown, log)
    if parsed is None:
        return None
    return RawRecord(
        type_name, path.stem, shown, parsed.data, parsed.positions, parsed.block_starts, os.fspath(path),
        parsed.duplicates, hashlib.sha256(raw).hexdigest(),
    )
