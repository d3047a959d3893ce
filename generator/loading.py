"""Reading record files: YAML text -> plain data that remembers where each value came from.

The loader never trusts its input. It composes the YAML node tree with libyaml (fast, and
every node keeps its line and column), then builds plain Python values itself so that it
can refuse what an editor never needs and an attacker might send: aliases (billion-laughs
bombs), deep nesting, duplicate keys, oversized files and non-UTF-8 text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Position, ProblemLog

try:  # libyaml is ~8x faster; positions are the same either way
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

RECORD_SUFFIXES = (".yml", ".yaml")
DEFAULT_MAX_BYTES = 1_000_000
MAX_DEPTH = 20
UTF8_BOM = b"\xef\xbb\xbf"

_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")

KeyPath = tuple[str | int, ...]


@dataclass
class RawRecord:
    """One record file as plain data, with the source position of every key and item."""

    type_name: str
    record_id: str
    path: str
    data: dict[str, Any]
    positions: dict[KeyPath, Position] = field(default_factory=dict)

    def position_of(self, key_path: KeyPath) -> Position:
        """The position of the deepest part of ``key_path`` that exists in the file."""
        for end in range(len(key_path), 0, -1):
            found = self.positions.get(tuple(key_path[:end]))
            if found is not None:
                return found
        return self.positions.get((), Position(1, 1))


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

    def __init__(self, loader: SafeLoader) -> None:
        self._loader = loader
        self._seen: set[int] = set()
        self.positions: dict[KeyPath, Position] = {}

    def build(self, node: yaml.Node, path: KeyPath = (), depth: int = 0) -> Any:
        if id(node) in self._seen:
            raise _Refused(
                _position(node.start_mark),
                "不支持 YAML 锚点与别名（anchor/alias, & 与 *）；请把内容直接写出来",
                "YAML anchors and aliases (& and *) are not supported; write the value out",
            )
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _Refused(
                _position(node.start_mark),
                f"嵌套层级过深（超过 {MAX_DEPTH} 层）；记录只需要几层缩进",
                f"nesting deeper than {MAX_DEPTH} levels; records need only a few",
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions[(*path, index)] = _position(item.start_mark)
                items.append(self.build(item, (*path, index), depth + 1))
            return items
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
            key = str(self._scalar(key_node))
            where = _position(key_node.start_mark)
            if key in result:
                first = self.positions[(*path, key)]
                raise _Refused(
                    where,
                    f"字段 {key} 重复出现（duplicate key），第一次在第 {first.line} 行；"
                    "请删除其中一个",
                    f"duplicate key {key!r} (first at line {first.line}); keep only one",
                )
            self.positions[(*path, key)] = where
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode) and _SEXAGESIMAL.fullmatch(node.value):
            # YAML 1.1 reads 9:30 as the number 570; editors always mean a clock time.
            return node.value
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in {
            "str", "int", "float", "bool", "null", "timestamp",
        }:
            return self._loader.construct_object(node)
        raise _Refused(
            _position(node.start_mark),
            f"不支持的 YAML 标签 {node.tag}；只能写普通文字、数字、日期、列表和映射",
            f"unsupported YAML tag {node.tag}; use plain text, numbers, dates, lists, mappings",
        )


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


def _syntax_problem(error: yaml.YAMLError, path: str, log: ProblemLog) -> None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    log.add(
        path,
        _position(mark),
        "",
        f"YAML 语法错误（syntax error）：{problem}；请检查这一行的缩进、冒号和引号",
        f"YAML syntax error: {problem}; check indentation, colons and quotes on this line",
    )


def parse_record_text(
    raw: bytes, path: str, log: ProblemLog
) -> tuple[dict[str, Any], dict[KeyPath, Position]] | None:
    """Parse one record file's bytes; on any problem, log it and return None."""
    text = _decode(raw, path, log)
    if text is None or not _check_layout(text, path, log):
        return None
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            log.add(path, Position(1, 1), "", "文件是空的；请填写记录的字段", "file is empty")
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
        builder = _TreeBuilder(loader)
        data = builder.build(node)
        builder.positions[()] = _position(node.start_mark)
        return data, builder.positions
    except yaml.YAMLError as error:
        _syntax_problem(error, path, log)
    except _Refused as refused:
        log.add(path, refused.position, "", refused.zh, refused.en)
    except RecursionError:
        log.add(path, Position(1, 1), "", "嵌套层级过深；记录只需要几层缩进", "nesting too deep")
    finally:
        loader.dispose()
    return None


def record_files(content_dir: Path, type_names: list[str]) -> Iterator[tuple[str, Path]]:
    """Every record file of the known types, in a stable order."""
    for type_name in type_names:
        folder = content_dir / type_name
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in RECORD_SUFFIXES and path.is_file():
                yield type_name, path


def display_path(path: Path, root: Path) -> str:
    """A path as the editor knows it: relative to the project when possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load_record(
    type_name: str,
    path: Path,
    root: Path,
    log: ProblemLog,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawRecord | None:
    shown = display_path(path, root)
    size = path.stat().st_size
    if size > max_bytes:
        log.add(
            shown,
            Position(1, 1),
            "",
            f"文件太大（{size} 字节，上限 {max_bytes} 字节）；长文请拆分，附件放到 content/files/",
            f"file too large ({size} bytes, limit {max_bytes}); split it or move files out",
        )
        return None
    parsed = parse_record_text(path.read_bytes(), shown, log)
    if parsed is None:
        return None
    data, positions = parsed
    return RawRecord(type_name, path.stem, shown, data, positions)
