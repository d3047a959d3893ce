"""Realistic editor mistakes as data: mistake -> mutation of a valid sample record -> what
`tongxin check` must say.

Each kind of mistake is a generator that applies one mutation to every sample record and
every field where it applies (one sample record per type in RECORD_TYPES, taken from the
repository's content/, so a new record type is covered without a new line here). A case
knows the line it changed, so the expected line comes from the mutation, never from the
code under test, and it names the words a message must contain to name the real cause.

A case's outcome is judged the way an editor would judge the message:

- clear: every expected problem is reported at its line with its words, nothing else is;
- partly clear: every expected line is reported, but a message misses the cause's words, or
  other lines of the same file are blamed too;
- misleading: an expected line is not reported, another file is blamed (a cascade), a word
  the editor never wrote is quoted, or the check passes a mistake (or refuses a value whose
  meaning is unambiguous).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.cli import main
from generator.content.models import RECORD_TYPES, PublicPhone, RefTo, annotation_parts, field_marks, nested_model
from generator.site.source import ContentSource

REPO = Path(__file__).resolve().parents[2]
KeyPath = tuple[str | int, ...]
# A required word, or a tuple of words of which one must appear.
Word = str | tuple[str, ...]

CLEAR, PARTLY, MISLEADING = "clear", "partly clear", "misleading"


# --- the cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """A problem the check must report: in ``path``, at ``line``, naming the cause."""

    path: str
    line: int
    words: tuple[Word, ...] = ()
    forbidden: tuple[str, ...] = ()
    # Field names whose mention makes a message a list of choices rather than the answer.
    noise: tuple[str, ...] = ()

    def names_cause(self, text: str) -> bool:
        named = all(_has(text, word) for word in self.words)
        return named and not any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", text) for n in self.noise)


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    # Relative path -> new bytes (None: delete the file).
    writes: dict[str, bytes | None]
    expect: tuple[Expect, ...] = ()
    # The mistake's meaning is unambiguous: the check must pass, and read this value.
    accepted: bool = False
    value: tuple[str, str, KeyPath, Any] | None = None  # (type, id, key path, expected value)
    # Words no message of the run may contain (what the editor never wrote).
    forbidden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reported:
    path: str
    line: int
    column: int
    text: str
    warning: bool


@dataclass(frozen=True)
class Verdict:
    grade: str
    reason: str
    reported: tuple[Reported, ...] = ()


# --- sample records -----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyLine:
    """A ``key: value`` line of a sample record, with what the model says about the key."""

    number: int  # 1-based
    path: KeyPath
    key: str
    value: str  # the text after ": " as written ('' when the value starts on the next lines)
    style: str | None  # the value's YAML scalar style (None: plain; '|', '"' …; 'seq', 'map')
    info: FieldInfo | None

    @property
    def kinds(self) -> set[str]:
        return field_kinds(self.info) if self.info is not None else set()


@dataclass(frozen=True)
class Sample:
    type_name: str
    record_id: str
    text: str

    @property
    def path(self) -> str:
        return f"content/{self.type_name}/{self.record_id}.yml"

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def label(self) -> str:
        return RECORD_TYPES[self.type_name].type_label

    def key_lines(self) -> list[KeyLine]:
        return _key_lines(self.type_name, self.text)

    def replace_line(self, number: int, new: str | list[str]) -> str:
        lines = self.lines
        lines[number - 1: number] = [new] if isinstance(new, str) else new
        return "\n".join(lines)


def field_kinds(info: FieldInfo) -> set[str]:
    """What a field holds, in the words the mistakes below use."""
    kinds: set[str] = set()
    marks = field_marks(info)
    if any(isinstance(mark, RefTo) for mark in marks):
        kinds.add("ref")
    if any(isinstance(mark, PublicPhone) for mark in marks):
        kinds.add("phone")
    for part in annotation_parts(info.annotation):
        origin = typing.get_origin(part)
        if origin is typing.Literal:
            kinds.add("choice")
        elif origin is list:
            kinds.add("list")
        elif part is dt.datetime:
            kinds.add("datetime")
        elif part is dt.date:
            kinds.add("date")
        elif part is dt.time:
            kinds.add("time")
        elif part is bool:
            kinds.add("bool")
        elif part is int:
            kinds.add("int")
        elif part is str:
            kinds.add("str")
        elif isinstance(part, type) and issubclass(part, BaseModel):
            kinds.add("part")
    if kinds & {"ref", "choice", "phone", "list", "part", "date", "datetime", "time", "bool", "int"}:
        return kinds
    return kinds | ({"text"} if "str" in kinds else set())


def field_info(type_name: str, path: KeyPath) -> FieldInfo | None:
    model: type[BaseModel] | None = RECORD_TYPES[type_name]
    info = None
    for part in path:
        if isinstance(part, int):
            continue
        if model is None:
            return None
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = nested_model(info)
    return info


def _key_lines(type_name: str, text: str) -> list[KeyLine]:
    """Every key of the record with its line, found by PyYAML's composer (not Tongxin's)."""
    found: list[KeyLine] = []
    lines = text.split("\n")

    def walk(node: yaml.Node, path: KeyPath) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                line = key_node.start_mark.line
                after = lines[line][key_node.end_mark.column + 1:].strip()
                style = (
                    "map" if isinstance(value_node, yaml.MappingNode)
                    else "seq" if isinstance(value_node, yaml.SequenceNode) and value_node.flow_style is False
                    else "flow" if isinstance(value_node, yaml.SequenceNode)
                    else value_node.style
                )
                found.append(KeyLine(line + 1, (*path, key), key, after, style, field_info(type_name, (*path, key))))
                walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    walk(yaml.compose(text, Loader=yaml.SafeLoader), ())
    return found


@cache
def samples() -> dict[str, Sample]:
    """One valid record per type: the one with the most keys (ties: the first by name)."""
    chosen = {}
    for type_name in RECORD_TYPES:
        files = sorted((REPO / "content" / type_name).glob("*.yml"))
        assert files, f"content/{type_name}/ needs a sample record"
        texts = [(path.stem, path.read_text(encoding="utf-8")) for path in files]
        record_id, text = max(texts, key=lambda item: (len(_key_lines(type_name, item[1])), [-ord(c) for c in item[0]]))
        chosen[type_name] = Sample(type_name, record_id, text)
    return chosen


@cache
def all_records() -> dict[tuple[str, str], str]:
    """(type, id) -> text of every sample record in the repository."""
    return {
        (type_name, path.stem): path.read_text(encoding="utf-8")
        for type_name in RECORD_TYPES
        for path in sorted((REPO / "content" / type_name).glob("*.yml"))
    }


def referrers_of(type_name: str, record_id: str) -> list[tuple[str, str]]:
    """Records whose text names ``record_id`` as a reference value (a plain text search)."""
    pattern = re.compile(rf"(?:^|[\s\[,:-]){re.escape(record_id)}(?:$|[\s\],])", re.MULTILINE)
    return [key for key, text in all_records().items() if key != (type_name, record_id) and pattern.search(text)]


def record_name(type_name: str, record_id: str) -> tuple[str, str | None]:
    data = yaml.safe_load(all_records()[(type_name, record_id)])
    title_field = RECORD_TYPES[type_name].title_field
    return str(data[title_field]), data.get("short_name")


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


# --- running a case -------------------------------------------------------------------------

PROBLEM = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<rest>.*)$")
WARNING_PREFIXES = ("警告: ", "warning: ")


class Workspace:
    """A copy of the sample project that each case changes, and that is put back after it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "site_config.yml", root / "site_config.yml")
        # Hard links: the sample files are never written through, a case's files replace them.
        shutil.copytree(REPO / "content", root / "content", copy_function=os.link)

    @contextlib.contextmanager
    def applied(self, case: Case) -> Iterator[Path]:
        created: list[Path] = []
        try:
            for relative, data in case.writes.items():
                target = self.root / relative
                target.unlink(missing_ok=True)
                if data is None:
                    continue
                missing = [parent for parent in target.parents if not parent.exists()]
                target.parent.mkdir(parents=True, exist_ok=True)
                created.extend(missing)
                target.write_bytes(data)
            yield self.root
        finally:
            for relative in case.writes:
                target = self.root / relative
                target.unlink(missing_ok=True)
                original = REPO / relative
                if original.is_file():
                    os.link(original, target)
            for folder in sorted(created, key=lambda path: len(path.parts), reverse=True):
                folder.rmdir()

    def judge(self, case: Case) -> Verdict:
        with self.applied(case) as root:
            return judge_in(case, root)


def run_check(root: Path) -> tuple[int, list[Reported]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--config", str(root / "site_config.yml")])
    found = []
    for text in err.getvalue().splitlines():
        match = PROBLEM.match(text)
        if match:
            rest = match["rest"]
            warning = rest.startswith(WARNING_PREFIXES)
            found.append(Reported(match["path"], int(match["line"]), int(match["column"]), rest, warning))
    return code, found


def read_value(root: Path, type_name: str, record_id: str, path: KeyPath) -> Any:
    result = ContentSource(root, root / "content").validate()
    for record in result.records:
        if record.key == (type_name, record_id):
            value: Any = record.model
            for part in path:
                value = value[part] if isinstance(part, int) else getattr(value, part)
            return value
    raise LookupError(f"{type_name}/{record_id} is not among the valid records")


def _has(text: str, word: Word) -> bool:
    return any(option in text for option in word) if isinstance(word, tuple) else word in text


def judge(case: Case, root: Path) -> Verdict:
    """Grade ``case`` in a fresh copy of the sample project at ``root``."""
    return Workspace(root).judge(case)


def judge_in(case: Case, root: Path) -> Verdict:
    code, reported = run_check(root)
    errors = tuple(item for item in reported if not item.warning)
    for item in reported:
        for word in case.forbidden:
            if word in item.text:
                return Verdict(MISLEADING, f"quotes {word!r}, which the editor never wrote", tuple(reported))
    if case.accepted:
        if code != 0 or errors:
            return Verdict(MISLEADING, "refuses what is unambiguous", errors)
        if case.value is not None:
            type_name, record_id, path, expected = case.value
            got = read_value(root, type_name, record_id, path)
            if got != expected:
                return Verdict(MISLEADING, f"read {got!r} instead of {expected!r}", errors)
        return Verdict(CLEAR, "accepted", errors)
    if code == 0 or not errors:
        return Verdict(MISLEADING, "the check passes the mistake", tuple(reported))
    expected_paths = {expect.path for expect in case.expect}
    elsewhere = [item for item in errors if item.path not in expected_paths]
    if elsewhere:
        return Verdict(MISLEADING, f"blames another file: {elsewhere[0].path}:{elsewhere[0].line}", errors)
    grade, reasons = CLEAR, []
    for expect in case.expect:
        at_line = [item for item in errors if item.path == expect.path and item.line == expect.line]
        if not at_line:
            return Verdict(MISLEADING, f"nothing reported at {expect.path}:{expect.line}", errors)
        if any(word in item.text for item in at_line for word in expect.forbidden):
            return Verdict(MISLEADING, f"names a wrong cause at line {expect.line}", errors)
        if not any(expect.names_cause(item.text) for item in at_line):
            grade = PARTLY
            reasons.append(f"line {expect.line} does not name {expect.words}")
    expected_lines = {(expect.path, expect.line) for expect in case.expect}
    extra = [item for item in errors if (item.path, item.line) not in expected_lines]
    if extra:
        grade = PARTLY
        reasons.append(f"also blames line {extra[0].line}")
    return Verdict(grade, "; ".join(reasons) or "named at its line", errors)


# --- the kinds of mistakes -------------------------------------------------------------------

Generator = Callable[[], Iterator[Case]]
KINDS: dict[str, Generator] = {}


def kind(name: str) -> Callable[[Generator], Generator]:
    def register(generator: Generator) -> Generator:
        KINDS[name] = generator
        return generator

    return register


def cases() -> list[Case]:
    found = []
    for name, generator in KINDS.items():
        for case in generator():
            assert case.kind == name
            found.append(case)
    ids = [case.id for case in found]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return found


def _scalar_lines(sample: Sample) -> list[KeyLine]:
    """Keys whose value is written on their own line, outside the body."""
    return [line for line in sample.key_lines() if line.value and line.style not in ("|", ">", "flow")]


def _case(kind_name: str, sample: Sample, suffix: str, text: str, line: int, *words: Word, **extra: Any) -> Case:
    forbidden = extra.pop("line_forbidden", ())
    noise = extra.pop("noise", ())
    return Case(
        f"{kind_name}:{sample.type_name}:{suffix}", kind_name, {sample.path: utf8(text)},
        (Expect(sample.path, line, tuple(words), tuple(forbidden), tuple(noise)),), **extra,
    )


def _sibling_keys(sample: Sample, key: KeyLine) -> tuple[str, ...]:
    """The other field names of the part ``key`` belongs to."""
    parent = key.path[:-1]
    info = field_info(sample.type_name, parent) if parent else None
    model = nested_model(info) if info is not None else RECORD_TYPES[sample.type_name] if not parent else None
    return tuple(name for name in (model.model_fields if model else {}) if name not in (key.key, "id"))


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


@kind("full-width colon after a key")
def _full_width_colon() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(_scalar_lines(sample)):
            original = sample.lines[key.number - 1]
            separator = "：" if index % 2 == 0 else "： "
            broken = original.replace(f"{key.key}: ", f"{key.key}{separator}", 1)
            yield _case("full-width colon after a key", sample, ".".join(map(str, key.path)),
                        sample.replace_line(key.number, broken), key.number, "全角", "冒号")


@kind("no space after the colon")
def _no_space() -> Iterator[Case]:
    for sample in samples().values():
        for key in _scalar_lines(sample):
            original = sample.lines[key.number - 1]
            broken = original.replace(f"{key.key}: ", f"{key.key}:", 1)
            yield _case("no space after the colon", sample, ".".join(map(str, key.path)),
                        sample.replace_line(key.number, broken), key.number, "空格")


@kind("an unindented line inside body: |")
def _unindented_block() -> Iterator[Case]:
    for sample in samples().values():
        body = next((key for key in sample.key_lines() if key.style == "|"), None)
        if body is None:
            continue
        lines = sample.lines
        content = [n for n in range(body.number + 1, len(lines) + 1) if lines[n - 1].strip()]
        for position, number in (("first", content[0]), ("second", content[1])):
            broken = sample.replace_line(number, lines[number - 1].lstrip(" "))
            yield _case("an unindented line inside body: |", sample, position, broken, number, "缩进", "body")


@kind("a tab for indentation")
def _tab() -> Iterator[Case]:
    for sample in samples().values():
        nested = next((key for key in sample.key_lines() if len(key.path) > 1), None)
        if nested is None:
            continue
        original = sample.lines[nested.number - 1]
        broken = "\t" + original.lstrip(" ")
        yield _case("a tab for indentation", sample, ".".join(map(str, nested.path)),
                    sample.replace_line(nested.number, broken), nested.number, "Tab")


def _block_lists(sample: Sample) -> Iterator[tuple[KeyLine, list[int]]]:
    """Top-level block lists and the lines of their items."""
    lines = sample.lines
    for key in sample.key_lines():
        if key.style != "seq" or len(key.path) != 1:
            continue
        items = []
        for number in range(key.number + 1, len(lines) + 1):
            text = lines[number - 1]
            if text.strip() and not text.startswith(" "):
                break
            if text.lstrip().startswith("- ") and len(_indent(text)) == 2:
                items.append(number)
        if len(items) >= 2:
            yield key, items


@kind("a list item indented differently")
def _list_item_indent() -> Iterator[Case]:
    for sample in samples().values():
        for key, items in _block_lists(sample):
            number = items[1]
            line = sample.lines[number - 1]
            for suffix, broken in (("deeper", " " + line), ("shallower", line.lstrip(" "))):
                yield _case("a list item indented differently", sample, f"{key.key}.{suffix}",
                            sample.replace_line(number, broken), number, "缩进")


BOOLEAN_WORDS = ("no", "on", "yes", "off")


def _set_value(sample: Sample, key: KeyLine, value: str) -> str:
    original = sample.lines[key.number - 1]
    start = original.index(f"{key.key}:") + len(key.key) + 1
    return sample.replace_line(key.number, f"{original[:start]} {value}")


def _text_fields(sample: Sample) -> list[KeyLine]:
    """Free-text fields (not the names of attached files, which must exist)."""
    files = {path.name for path in (REPO / "content" / "files").iterdir()}
    return [key for key in _scalar_lines(sample)
            if "text" in key.kinds and key.style in (None, "'", '"') and key.value.strip('"') not in files]


@kind("a YAML boolean word in a text field")
def _boolean_in_text() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(_text_fields(sample)):
            word = BOOLEAN_WORDS[index % len(BOOLEAN_WORDS)]
            yield Case(
                f"a YAML boolean word in a text field:{sample.type_name}:{'.'.join(map(str, key.path))}",
                "a YAML boolean word in a text field", {sample.path: utf8(_set_value(sample, key, word))},
                accepted=True, value=(sample.type_name, sample.record_id, key.path, word),
            )


@kind("a YAML boolean word in an enumeration")
def _boolean_in_choice() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(k for k in _scalar_lines(sample) if "choice" in k.kinds):
            word = BOOLEAN_WORDS[index % len(BOOLEAN_WORDS)]
            yield _case("a YAML boolean word in an enumeration", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, word), key.number, (f"“{word}”", f'"{word}"', f"'{word}'"),
                        forbidden=("False", "True", "false", "true"))


NUMBER_LIKE = ("1.10", "2026", "010-1234", "3.0")


@kind("a number YAML would read in a text field")
def _number_in_text() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(_text_fields(sample)):
            value = NUMBER_LIKE[index % len(NUMBER_LIKE)]
            yield Case(
                f"a number YAML would read in a text field:{sample.type_name}:{'.'.join(map(str, key.path))}",
                "a number YAML would read in a text field", {sample.path: utf8(_set_value(sample, key, value))},
                accepted=True, value=(sample.type_name, sample.record_id, key.path, value),
            )


@kind("a date YAML would read in a text field")
def _date_in_text() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(_text_fields(sample)):
            value = ("2026-1-5", "2026-11-05")[index % 2]
            yield Case(
                f"a date YAML would read in a text field:{sample.type_name}:{'.'.join(map(str, key.path))}",
                "a date YAML would read in a text field", {sample.path: utf8(_set_value(sample, key, value))},
                accepted=True, value=(sample.type_name, sample.record_id, key.path, value),
            )


@kind("a phone written as digits")
def _phone_digits() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(k for k in _scalar_lines(sample) if "phone" in k.kinds):
            value = ("13800138000", "01067126320")[index % 2]
            yield Case(
                f"a phone written as digits:{sample.type_name}:{'.'.join(map(str, key.path))}",
                "a phone written as digits", {sample.path: utf8(_set_value(sample, key, value))},
                accepted=True, value=(sample.type_name, sample.record_id, key.path, value),
                forbidden=("引号",),
            )


@kind("a Chinese key")
def _chinese_key() -> Iterator[Case]:
    for sample in samples().values():
        for key in sample.key_lines():
            if key.info is None or not key.info.title:
                continue
            original = sample.lines[key.number - 1]
            broken = original.replace(f"{key.key}:", f"{key.info.title}:", 1)
            yield _case("a Chinese key", sample, ".".join(map(str, key.path)),
                        sample.replace_line(key.number, broken), key.number, key.key,
                        noise=_sibling_keys(sample, key))


def _reference_lines(sample: Sample) -> Iterator[tuple[int, str, str]]:
    """(line, target type, target id) of every reference written in the sample."""
    lines = sample.lines
    for key in sample.key_lines():
        if "ref" not in key.kinds:
            continue
        marks = [m for m in field_marks(key.info) if isinstance(m, RefTo)]
        target_type = marks[0].type_name
        if key.style == "seq":
            number = key.number + 1
            while number <= len(lines) and lines[number - 1].lstrip().startswith("- "):
                yield number, target_type, lines[number - 1].split("- ", 1)[1].strip()
                number += 1
        elif key.style is None and key.value:
            yield key.number, target_type, key.value


@kind("a reference by name instead of id")
def _reference_by_name() -> Iterator[Case]:
    for sample in samples().values():
        for number, target_type, target_id in _reference_lines(sample):
            name, short_name = record_name(target_type, target_id)
            for suffix, written in (("name", name), ("short_name", short_name)):
                if written is None:
                    continue
                broken = sample.replace_line(number, sample.lines[number - 1].replace(target_id, written))
                yield _case("a reference by name instead of id", sample, f"{number}.{suffix}", broken, number,
                            target_id)


@kind("a record in another type's folder")
def _wrong_folder() -> Iterator[Case]:
    types = list(RECORD_TYPES)
    for index, sample in enumerate(samples().values()):
        folder = types[(index + 1) % len(types)]
        path = f"content/{folder}/{sample.record_id}-copy.yml"
        yield Case(f"a record in another type's folder:{sample.type_name}:{folder}",
                   "a record in another type's folder", {path: utf8(sample.text)},
                   (Expect(path, 1, (sample.label, f"{folder}/")),))


@kind("a typo in the folder name")
def _folder_typo() -> Iterator[Case]:
    for sample in samples().values():
        for folder in (sample.type_name.removesuffix("s"), sample.type_name.capitalize()):
            path = f"content/{folder}/{sample.record_id}-new.yml"
            yield Case(f"a typo in the folder name:{sample.type_name}:{folder}", "a typo in the folder name",
                       {path: utf8(sample.text)}, (Expect(path, 1, (f"{folder}/", f"{sample.type_name}/")),))


@kind("a record file the check would not read")
def _unread_file() -> Iterator[Case]:
    for sample in samples().values():
        for suffix, path, words in (
            ("YML", f"content/{sample.type_name}/{sample.record_id}-new.YML", (".YML",)),
            ("txt", f"content/{sample.type_name}/{sample.record_id}-new.yml.txt", (".txt",)),
            ("root", f"content/{sample.record_id}-new.yml", (f"content/{sample.type_name}/",)),
            ("subfolder", f"content/{sample.type_name}/2026/{sample.record_id}-new.yml",
             (f"content/{sample.type_name}/",)),
        ):
            yield Case(f"a record file the check would not read:{sample.type_name}:{suffix}",
                       "a record file the check would not read", {path: utf8(sample.text)},
                       (Expect(path, 1, words),))


@kind("a field error in a record others refer to")
def _cascade() -> Iterator[Case]:
    for sample in samples().values():
        if not referrers_of(sample.type_name, sample.record_id):
            continue
        choice = next((k for k in _scalar_lines(sample) if "choice" in k.kinds), None)
        if choice is not None:
            yield _case("a field error in a record others refer to", sample, "enumeration",
                        _set_value(sample, choice, "其他"), choice.number, "其他")
        first = _scalar_lines(sample)[0]
        broken = sample.lines[first.number - 1].replace(": ", "：", 1)
        yield _case("a field error in a record others refer to", sample, "syntax",
                    sample.replace_line(first.number, broken), first.number, "全角")
        required = next(k for k in _scalar_lines(sample) if k.info is not None and k.info.is_required()
                        and "ref" not in k.kinds)
        yield _case("a field error in a record others refer to", sample, "missing",
                    sample.replace_line(required.number, []), 1, required.key)


@kind("a duplicated key")
def _duplicate_key() -> Iterator[Case]:
    for sample in samples().values():
        keys = [k for k in _scalar_lines(sample) if len(k.path) == 1]
        if len(keys) < 3:
            continue
        first, later = keys[1], keys[-1]
        lines = sample.lines
        text = "\n".join([*lines[: later.number], lines[first.number - 1], *lines[later.number:]])
        yield _case("a duplicated key", sample, first.key, text, later.number + 1, "重复", first.key)


@kind("a list where one value is expected")
def _list_for_scalar() -> Iterator[Case]:
    for sample in samples().values():
        for key in _text_fields(sample)[:2]:
            original = sample.lines[key.number - 1]
            indent = _indent(original)
            head = original[: original.index(f"{key.key}:") + len(key.key) + 1]
            items = [f"{indent}  - {key.value.strip(chr(34))}", f"{indent}  - 第二项"]
            yield _case("a list where one value is expected", sample, ".".join(map(str, key.path)),
                        sample.replace_line(key.number, [head, *items]), key.number, "列表",
                        line_forbidden=("引号",))


@kind("an unquoted colon inside a value")
def _colon_in_value() -> Iterator[Case]:
    for sample in samples().values():
        for key in _text_fields(sample)[:2]:
            yield _case("an unquoted colon inside a value", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, "时间: 每周六上午"), key.number, "引号")


@kind("a byte order mark or Windows line ends")
def _bom_crlf() -> Iterator[Case]:
    for sample in samples().values():
        for suffix, data in (
            ("bom", b"\xef\xbb\xbf" + utf8(sample.text)),
            ("crlf", utf8(sample.text.replace("\n", "\r\n"))),
            ("bom-crlf", b"\xef\xbb\xbf" + utf8(sample.text.replace("\n", "\r\n"))),
        ):
            yield Case(f"a byte order mark or Windows line ends:{sample.type_name}:{suffix}",
                       "a byte order mark or Windows line ends", {sample.path: data}, accepted=True)
        key = _scalar_lines(sample)[-1]
        broken = sample.replace_line(key.number, sample.lines[key.number - 1].replace(key.key, key.key + "x", 1))
        path = sample.path
        yield Case(f"a byte order mark or Windows line ends:{sample.type_name}:crlf-error",
                   "a byte order mark or Windows line ends",
                   {path: b"\xef\xbb\xbf" + utf8(broken.replace("\n", "\r\n"))},
                   (Expect(path, key.number, (key.key + "x",)),))


def _date_lines(sample: Sample, kind_name: str) -> list[KeyLine]:
    return [k for k in _scalar_lines(sample) if kind_name in k.kinds and "list" not in k.kinds]


def _written_date(key: KeyLine) -> dt.date:
    return dt.date.fromisoformat(key.value.strip('"')[:10])


@kind("a date written the Chinese way")
def _chinese_date() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(_date_lines(sample, "date")):
            day = _written_date(key)
            written = (f"{day.year}年{day.month}月{day.day}日", f"{day.year}/{day.month:02d}/{day.day:02d}",
                       f"{day.year}.{day.month}.{day.day}")[index % 3]
            yield _case("a date written the Chinese way", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, written), key.number, day.isoformat())


@kind("a date without leading zeros")
def _unpadded_date() -> Iterator[Case]:
    for sample in samples().values():
        for key in _date_lines(sample, "date"):
            day = _written_date(key)
            yield Case(f"a date without leading zeros:{sample.type_name}:{'.'.join(map(str, key.path))}",
                       "a date without leading zeros",
                       {sample.path: utf8(_set_value(sample, key, f"{day.year}-{day.month}-{day.day}"))},
                       accepted=True, value=(sample.type_name, sample.record_id, key.path, day))


@kind("a date and time written the Chinese way")
def _chinese_datetime() -> Iterator[Case]:
    for sample in samples().values():
        for key in _date_lines(sample, "datetime"):
            moment = dt.datetime.fromisoformat(key.value.strip('"'))
            written = f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
            yield _case("a date and time written the Chinese way", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, written), key.number, f"{moment:%Y-%m-%d %H:%M}")


def _time_lines(sample: Sample) -> list[KeyLine]:
    return [k for k in sample.key_lines() if "time" in k.kinds and k.value]


@kind("a clock time without a leading zero")
def _unpadded_time() -> Iterator[Case]:
    """A morning time written 9:00 for 09:00, quoted or not."""
    for sample in samples().values():
        for index, key in enumerate(k for k in _time_lines(sample) if k.value.strip('"').startswith("0")):
            time = dt.time.fromisoformat(key.value.strip('"'))
            written = f"{time.hour}:{time.minute:02d}"
            written = f'"{written}"' if index % 2 else written
            yield Case(f"a clock time without a leading zero:{sample.type_name}:{'.'.join(map(str, key.path))}",
                       "a clock time without a leading zero", {sample.path: utf8(_set_value(sample, key, written))},
                       accepted=True, value=(sample.type_name, sample.record_id, key.path, time))


@kind("24:00 as a clock time")
def _midnight() -> Iterator[Case]:
    for sample in samples().values():
        for key in [k for k in _time_lines(sample) if k.key == "close"][:2]:
            yield _case("24:00 as a clock time", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, '"24:00"'), key.number, "24:00", "23:59")


@kind("a full-width comma in a [ ] list")
def _full_width_comma() -> Iterator[Case]:
    for sample in samples().values():
        for key in [k for k in sample.key_lines() if k.style == "flow" and ", " in k.value]:
            yield _case("a full-width comma in a [ ] list", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, key.value.replace(", ", "，")), key.number, "全角", "逗号")


@kind("full-width brackets")
def _full_width_brackets() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(k for k in sample.key_lines() if k.style == "flow"):
            opening, closing = ("【", "】") if index % 2 == 0 else ("［", "］")
            written = opening + key.value[1:-1] + closing
            yield _case("full-width brackets", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, written), key.number, "全角", (opening, "方括号"))


@kind("Chinese quotation marks around a value")
def _chinese_quotes() -> Iterator[Case]:
    for sample in samples().values():
        for key in [k for k in sample.key_lines() if k.style == '"' and k.kinds & {"time", "datetime"}]:
            yield _case("Chinese quotation marks around a value", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, "“" + key.value.strip('"') + "”"), key.number, "引号")


@kind("a full-width space")
def _full_width_space() -> Iterator[Case]:
    for sample in samples().values():
        nested = next((k for k in sample.key_lines() if len(k.path) == 2 and k.value), None)
        if nested is not None:
            original = sample.lines[nested.number - 1]
            yield _case("a full-width space", sample, "indent",
                        sample.replace_line(nested.number, "　" + original.lstrip(" ")), nested.number, "全角空格")
        key = _scalar_lines(sample)[0]
        original = sample.lines[key.number - 1]
        yield _case("a full-width space", sample, "after-colon",
                    sample.replace_line(key.number, original.replace(": ", ":　", 1)), key.number, "全角空格")


@kind("a missing colon")
def _missing_colon() -> Iterator[Case]:
    for sample in samples().values():
        for key in _scalar_lines(sample)[1:3]:
            original = sample.lines[key.number - 1]
            yield _case("a missing colon", sample, ".".join(map(str, key.path)),
                        sample.replace_line(key.number, original.replace(f"{key.key}: ", f"{key.key} ", 1)),
                        key.number, "冒号")


@kind("an unclosed quote or bracket")
def _unclosed() -> Iterator[Case]:
    for sample in samples().values():
        for text_key in _text_fields(sample)[:1]:
            yield _case("an unclosed quote or bracket", sample, "quote",
                        _set_value(sample, text_key, '"' + text_key.value.strip('"')), text_key.number, "引号")
        for key in [k for k in sample.key_lines() if k.style == "flow"][:1]:
            yield _case("an unclosed quote or bracket", sample, "bracket",
                        _set_value(sample, key, key.value[:-1]), key.number, "]")


@kind("a top-level key indented")
def _indented_key() -> Iterator[Case]:
    for sample in samples().values():
        keys = [k for k in _scalar_lines(sample) if len(k.path) == 1]
        if len(keys) < 2:
            continue
        key = keys[min(2, len(keys) - 1)]
        yield _case("a top-level key indented", sample, key.key,
                    sample.replace_line(key.number, " " + sample.lines[key.number - 1]), key.number, "缩进")


@kind("the fields of a part not indented")
def _part_unindented() -> Iterator[Case]:
    for sample in samples().values():
        part = next((k for k in sample.key_lines() if k.style == "map" and len(k.path) == 1), None)
        if part is None:
            continue
        lines = sample.lines
        inner = [k for k in sample.key_lines() if k.path[:1] == part.path and len(k.path) == 2]
        text = sample.text
        new_lines = list(lines)
        for k in inner:
            new_lines[k.number - 1] = lines[k.number - 1][2:]
        text = "\n".join(new_lines)
        yield _case("the fields of a part not indented", sample, part.key, text, inner[0].number, "缩进", part.key)


@kind("a misspelt required key")
def _misspelt_required() -> Iterator[Case]:
    for sample in samples().values():
        for key in [k for k in _scalar_lines(sample) if len(k.path) == 1 and k.info is not None
                    and k.info.is_required() and len(k.key) > 3][:2]:
            typo = key.key[0] + key.key[2] + key.key[1] + key.key[3:]
            original = sample.lines[key.number - 1]
            yield _case("a misspelt required key", sample, key.key,
                        sample.replace_line(key.number, original.replace(key.key, typo, 1)), key.number, typo, key.key)


@kind("a Chinese yes or no in a true/false field")
def _chinese_boolean() -> Iterator[Case]:
    for sample in samples().values():
        for index, key in enumerate(k for k in sample.key_lines() if "bool" in k.kinds and k.value):
            yield _case("a Chinese yes or no in a true/false field", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, ("是", "否")[index % 2]), key.number, "true", "false")


@kind("a number with its unit")
def _number_with_unit() -> Iterator[Case]:
    units = {"members_count": "人", "households": "户", "year": "年", "capacity": "人"}
    for sample in samples().values():
        for key in [k for k in _scalar_lines(sample) if "int" in k.kinds]:
            unit = units.get(key.key, "个")
            yield _case("a number with its unit", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, key.value + unit), key.number, key.value, "整数")


@kind("a value outside the enumeration")
def _enum_typo() -> Iterator[Case]:
    for sample in samples().values():
        for key in [k for k in _scalar_lines(sample) if "choice" in k.kinds][:1]:
            yield _case("a value outside the enumeration", sample, ".".join(map(str, key.path)),
                        _set_value(sample, key, key.value[:-1] + "的"), key.number, key.value)


@kind("a reference with a typo")
def _reference_typo() -> Iterator[Case]:
    for sample in samples().values():
        for number, _target_type, target_id in list(_reference_lines(sample))[:1]:
            typo = target_id.replace("-", "", 1)
            broken = sample.replace_line(number, sample.lines[number - 1].replace(target_id, typo))
            yield _case("a reference with a typo", sample, str(number), broken, number, target_id)


@kind("a second document in the file")
def _second_document() -> Iterator[Case]:
    for sample in samples().values():
        lines = _scalar_lines(sample)
        if len(lines) < 2:
            continue
        key = lines[min(2, len(lines) - 1)]
        yield _case("a second document in the file", sample, "middle",
                    sample.replace_line(key.number, ["---", sample.lines[key.number - 1]]), key.number, "---")


@kind("a file not saved as UTF-8")
def _gbk() -> Iterator[Case]:
    for sample in samples().values():
        yield Case(f"a file not saved as UTF-8:{sample.type_name}:gbk", "a file not saved as UTF-8",
                   {sample.path: sample.text.encode("gb18030")},
                   (Expect(sample.path, next(n for n, line in enumerate(sample.lines, 1) if not line.isascii()),
                           ("UTF-8",)),))


@kind("a file name that is no id")
def _bad_file_name() -> Iterator[Case]:
    for sample in samples().values():
        path = f"content/{sample.type_name}/新 {sample.record_id}.yml"
        yield Case(f"a file name that is no id:{sample.type_name}", "a file name that is no id",
                   {path: utf8(sample.text)}, (Expect(path, 1, ("文件名",)),))


@kind("several mistakes in one file")
def _several() -> Iterator[Case]:
    """A wrong enumeration, a broken record rule and a missing reference, all in one run."""
    for sample in samples().values():
        keys = sample.key_lines()
        choice = next((k for k in _scalar_lines(sample) if "choice" in k.kinds), None)
        reference = next((k for k in _scalar_lines(sample) if "ref" in k.kinds and k.style is None), None)
        if choice is None or reference is None:
            continue
        lines = sample.lines
        lines[choice.number - 1] = lines[choice.number - 1].replace(choice.value, "其他类别")
        lines[reference.number - 1] = lines[reference.number - 1].replace(reference.value, "bu-cunzai-de-bianhao")
        expect = [Expect(sample.path, choice.number, ("其他类别",)),
                  Expect(sample.path, reference.number, ("bu-cunzai-de-bianhao",))]
        end = next((k for k in keys if k.path in (("window", "end"), ("end",))), None)
        start = next((k for k in keys if k.path in (("window", "start"), ("start",))), None)
        if end is not None and start is not None:
            # The end a year before the start, written in the same format as the start.
            year = start.value.strip('"')[:4]
            earlier = start.value.replace(year, str(int(year) - 1), 1)
            lines[end.number - 1] = lines[end.number - 1][: lines[end.number - 1].index(":") + 2] + earlier
            expect.append(Expect(sample.path, end.number, (("早于", "晚于"),)))
        yield Case(f"several mistakes in one file:{sample.type_name}", "several mistakes in one file",
                   {sample.path: utf8("\n".join(lines))}, tuple(expect))
