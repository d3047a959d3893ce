"""Reading site_config.yml safely, before MkDocs sees it.

MkDocs reads its configuration with a loader that constructs Python objects
(``!!python/object/apply:os.system`` runs a command). Tongxin's own commands read the file
first with a safe loader that knows only YAML's plain types and MkDocs' ``!ENV`` and
``!relative`` tags, and refuse every other tag at its line, so nothing in the file runs.
Every problem is a ``ConfigError`` located as ``site_config.yml:line:col``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..content.problems import Position

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

# YAML's own types, and the tags MkDocs gives meaning to in a configuration.
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)
MKDOCS_TAGS = frozenset({"!ENV", "!relative"})

KeyPath = tuple[str | int, ...]


class ConfigError(Exception):
    """A problem with site_config.yml, located in it."""

    def __init__(self, path: str, position: Position, zh: str, en: str) -> None:
        super().__init__(f"{path}:{position.line}:{position.column}: {zh}（{en}）")
        self.path, self.position, self.zh, self.en = path, position, zh, en

    def text(self, lang: str = "zh") -> str:
        return f"{self.path}:{self.position.line}:{self.position.column}: {self.en if lang == 'en' else self.zh}"


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    shown: str  # the path as the operator knows it
    data: dict[str, Any]
    positions: dict[KeyPath, Position]

    def position_of(self, key_path: KeyPath) -> Position:
        for end in range(len(key_path), 0, -1):
            if key_path[:end] in self.positions:
                return self.positions[key_path[:end]]
        return Position(1, 1)

    def strings(self) -> list[tuple[KeyPath, str]]:
        """Every text in the file (keys such as nav titles included), with where it is."""
        found: list[tuple[KeyPath, str]] = []

        def walk(value: Any, path: KeyPath) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    found.append(((*path, str(key)), str(key)))
                    walk(item, (*path, str(key)))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, (*path, index))
            elif isinstance(value, str | int) and not isinstance(value, bool):
                found.append((path, str(value)))

        walk(self.data, ())
        return found


class _ConfigLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    pass


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    import yaml_env_tag

    return yaml_env_tag.construct_env_tag(loader, node)


def _relative(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_constructor("!relative", _relative)


def _at(mark: yaml.Mark | None) -> Position:
    return Position(mark.line + 1, mark.column + 1) if mark is not None else Position(1, 1)


def read_config_file(path: Path, shown: str | None = None) -> ConfigFile:
    """The configuration as plain data with the position of every key; ConfigError on any problem."""
    shown = shown or path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(shown, Position(1, 1), f"找不到配置文件 {path}；请在项目文件夹里运行，或用 --config 指定",
                          f"configuration file {path} not found; run in the project folder or pass --config") from None
    except OSError as error:
        raise ConfigError(shown, Position(1, 1), f"无法读取配置文件（{error.strerror}）",
                          f"cannot read the configuration file ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(shown, Position(line, 1), "配置文件不是 UTF-8 编码；请另存为 UTF-8",
                          "the configuration file is not UTF-8; save it as UTF-8") from None
    loader = _ConfigLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(shown, Position(1, 1), "配置文件是空的；请从项目的 site_config.yml 样例开始",
                              "the configuration file is empty")
        if not isinstance(node, yaml.MappingNode):
            raise ConfigError(shown, _at(node.start_mark), "配置文件的顶层必须是“名称: 值”的映射（mapping）",
                              "the top level of the configuration must be a mapping")
        positions: dict[KeyPath, Position] = {}
        _check_tags(node, shown, (), positions)
        data = loader.construct_document(node)
    except ValueError as error:  # a date-shaped value that is no date (2026-13-45)
        raise ConfigError(shown, Position(1, 1), f"配置文件里有无效的日期或数值（{error}）",
                          f"an invalid date or number in the configuration ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        tab = "\t" in text and "tab" in str(problem).lower() + str(error).lower()
        hint = "；YAML 只能用空格缩进，请把 Tab 换成空格" if tab or "cannot start any token" in str(problem) else ""
        raise ConfigError(shown, _at(mark), f"YAML 语法错误（syntax error: {problem}）{hint}",
                          f"YAML syntax error: {problem}") from None
    finally:
        loader.dispose()
    return ConfigFile(path, shown, data, positions)


def _check_tags(node: yaml.Node, shown: str, path: KeyPath, positions: dict[KeyPath, Position]) -> None:
    positions.setdefault(path, _at(node.start_mark))
    if node.tag not in PLAIN_TAGS and node.tag not in MKDOCS_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise ConfigError(shown, _at(node.start_mark),
                          f"不支持的 YAML 标签 {tag}：配置文件里不能写构造程序对象或运行代码的标签"
                          "（只支持 !ENV 和 !relative）；请删除它",
                          f"unsupported YAML tag {tag}: tags that construct objects or run code are refused "
                          "(only !ENV and !relative are supported)")
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _check_tags(key, shown, path, positions)
            name = key.value if isinstance(key, yaml.ScalarNode) else str(len(positions))
            positions[(*path, name)] = _at(key.start_mark)
            _check_tags(value, shown, (*path, name), positions)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_tags(item, shown, (*path, index), positions)


def shown_config_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
