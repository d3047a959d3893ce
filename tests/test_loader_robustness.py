"""A loader no input can crash: every file gives a typed record or a located, plain error.

Each hostile or broken file below is the kind an attacker or a Windows editor produces.
The property tests feed generated YAML, mutated YAML and random bytes through the whole
validation and require a record or clear errors, never an exception or a hang.
"""

from __future__ import annotations

import json
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.loading import MAX_DEPTH
from generator.content.markup import _checking_markdown, find_removals, may_be_unsafe
from generator.content.models import RECORD_TYPES
from generator.content.problems import Severity
from generator.content.validation import validate_content
from tests.support.project import Project

ORG = "name: 测试党支部\nkind: 党支部\n"
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
              f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
              for i in range(8))
    + "name: 测试党支部\nkind: 党支部\n"
)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: deadlines only judge examples that finish."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_one(root: Path, raw: bytes, type_name: str = "organizations", max_bytes: int = 1_000_000):
    content = root / "content"
    for old in content.glob("*/*.yml"):
        old.unlink()
    folder = content / type_name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sample.yml").write_bytes(raw)
    with time_limit(20):
        return validate_content(content, root, max_bytes)


def errors_of(result) -> list[tuple[int, int, str]]:
    return [(p.position.line, p.position.column, p.message.zh) for p in result.log.errors]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path


# --- every kind of refused file, with its line -------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw", "line", "words"),
    [
        ("billion laughs (aliases)", BILLION_LAUGHS.encode(), 1, "别名"),
        ("an alias of a scalar", b"name: &n x\nshort_name: *n\nkind: \xe5\x85\x9a\xe5\xa7\x94\n", 1, "别名"),
        ("a merge key", b"base: &b {kind: x}\nother:\n  <<: *b\n", 1, "别名"),
        ("a Python tag on a list", b"name: x\nkind: !!python/object/apply:os.system [ls]\n", 2, "标签"),
        ("a Python tag on a value", b"name: !!python/name:os.system ''\n", 1, "标签"),
        ("a custom local tag", b"name: !secret x\n", 1, "标签"),
        ("a set", b"covers: !!set {a, b}\n", 1, "标签"),
        ("a binary value", b"name: !!binary aGVsbG8=\n", 1, "标签"),
        ("duplicate keys", ORG.encode() + b"name: again\n", 3, "重复"),
        ("a key that is a list", b"[a, b]: 1\n", 1, "字段名"),
        ("a key that is a mapping", b"? {a: 1}\n: 1\n", 1, "字段名"),
        ("a tab for indentation", b"name: x\nhotlines:\n\t- name: y\n", 3, "Tab"),
        ("an empty file", b"", 1, "空"),
        ("only blank lines", b"\n\n   \n", 1, "空"),
        ("only a document marker", b"---\n", 1, "空"),
        ("only a BOM", b"\xef\xbb\xbf", 1, "空"),
        ("a top-level list", b"- name: x\n", 1, "映射"),
        ("a top-level scalar", b"just some words\n", 1, "映射"),
        ("two documents", ORG.encode() + b"---\nname: two\n", 3, "一条记录"),
        ("a NUL byte", b"name: a\x00b\nkind: x\n", 1, "控制字符"),
        ("a bell character on line 2", b"name: a\nkind: \x07\n", 2, "控制字符"),
        ("GBK text", "name: 测试党支部\nkind: 党支部\n".encode("gbk"), 1, "UTF-8"),
        ("UTF-16 text", "name: x\n".encode("utf-16"), 1, "UTF-8"),
        ("binary junk", bytes(range(256)) * 8, 2, "UTF-8"),  # byte 0x80 follows one newline
        ("an unclosed quote", b"name: 'x\nkind: y\n", 1, "引号"),  # where it opens
        ("an unclosed bracket", b"covers: [a, b\nkind: y\n", 1, "括号"),  # where it opens
        ("a colon inside a value", b"name: a: b\n", 1, "冒号"),
        ("deep flow nesting", b"covers: " + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"\n", 1, "嵌套"),
        ("deep block nesting", "".join(" " * i + "k:\n" for i in range(MAX_DEPTH + 5)).encode(), MAX_DEPTH + 2, "嵌套"),
        ("a chain of dashes", b"covers: \n" + b"  " + b"- " * 200 + b"x\n", 2, "嵌套"),
    ],
)
def test_refused_files_give_one_located_plain_error(root: Path, name: str, raw: bytes, line: int, words: str) -> None:
    result = check_one(root, raw)
    assert result.records == []
    errors = errors_of(result)
    assert errors, name
    assert errors[0][0] == line, (name, errors)
    assert words in errors[0][2], (name, errors)
    assert all("Traceback" not in message for _, _, message in errors)


def test_a_bom_is_accepted_silently(root: Path) -> None:
    result = check_one(root, b"\xef\xbb\xbf" + ORG.encode())
    assert [r.model.display_title for r in result.records] == ["测试党支部"]
    assert result.log.problems == []


def test_keys_are_read_as_written_not_as_yaml_1_1_values(root: Path) -> None:
    result = check_one(root, ORG.encode() + b"yes: 1\n")
    assert any("yes" in message for _, _, message in errors_of(result))


def test_an_oversized_file_is_refused_before_it_is_read(root: Path) -> None:
    result = check_one(root, ORG.encode() + b"body: |\n" + b"  x\n" * 300, max_bytes=1000)
    (line, _, message), = errors_of(result)
    assert line == 1 and "1000" in message


def test_huge_scalars_are_quoted_back_short(root: Path) -> None:
    huge_number = "9" * 100_000
    huge_word = "x" * 300_000
    result = check_one(root, f"name: {huge_word}\nkind: {huge_word}\nmembers_count: {huge_number}\n".encode())
    messages = [message for _, _, message in errors_of(result)]
    assert len(messages) == 2  # kind is not a 党组织类别; members_count is no usable number
    assert all(len(message) < 600 for message in messages)


def test_invalid_dates_are_errors_against_their_field(root: Path) -> None:
    text = "name: x\nkind: 党支部\nestablished: 2026-02-30\n"
    result = check_one(root, text.encode())
    assert [(p.position.line, p.field.split("（")[0]) for p in result.log.errors] == [(3, "established")]


def test_nesting_a_hundred_thousand_deep_does_not_crash_the_process(project: Project) -> None:
    """libyaml's composer recurses per level in C: this used to kill Python with a segfault."""
    project.write("content/organizations/deep.yml", "covers: " + "[" * 100_000 + "]" * 100_000 + "\n")
    project.write("content/organizations/braces.yml", "covers: " + "{a: " * 50_000 + "}" * 50_000 + "\n")
    result = project.check("--format", "json")
    assert result.returncode == 1, result.stderr
    problems = json.loads(result.stdout)
    for name in ("deep", "braces"):
        (problem,) = [p for p in problems if p["path"] == f"content/organizations/{name}.yml"]
        assert problem["line"] == 1 and "嵌套" in problem["message"]


# --- properties ----------------------------------------------------------------------------

FIELD_NAMES = sorted({name for model in RECORD_TYPES.values() for name in model.model_fields})
NASTY_SNIPPETS = [
    "&a ", "*a", "\t", "!!python/object:os.system ", "!x ", "---\n", "...\n", "[[[[", "{{", "]]", "? ",
    ": ", "- ", "\x00", "\ufeff", "<<: *a\n", "|\n", ">-\n", "'", '"', "#", "%YAML 1.1\n", "\r\n",
    "\u2028", "2026-02-30", "9:30", "0x1F", "1e999", ".nan", "~", "<script>alert(1)</script>",
    "110101199003077777", "13812345678",
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.dates(),
    st.text(max_size=30), st.sampled_from(NASTY_SNIPPETS),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
records = st.dictionaries(st.sampled_from(FIELD_NAMES), values, min_size=1, max_size=8)


@st.composite
def yaml_documents(draw: st.DrawFn) -> bytes:
    text = yaml.safe_dump(
        draw(records), allow_unicode=True, default_flow_style=draw(st.sampled_from([False, None, True]))
    )
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(NASTY_SNIPPETS)) + text[at:]
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "gb18030", "utf-16"])), "replace")


YAML_ALPHABET = st.sampled_from([*"ab:-?[]{},&*!|>'\"#% \t\n\r0129.", "name", "kind", "body", "\x00", "é", "党"])
any_input = st.one_of(
    yaml_documents(),
    st.binary(max_size=600),
    st.lists(YAML_ALPHABET, max_size=200).map(lambda parts: "".join(parts).encode()),
)

PROPERTY_SETTINGS = settings(
    max_examples=250, deadline=2000, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@PROPERTY_SETTINGS
@given(raw=any_input, type_name=st.sampled_from(sorted(RECORD_TYPES)))
def test_any_input_gives_a_record_or_located_errors(raw: bytes, type_name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        result = check_one(Path(folder), raw, type_name)
    errors = result.log.errors
    if errors:
        assert result.records == [] or all(r.raw.path != errors[0].path for r in result.records)
    else:
        assert len(result.records) == 1
        assert isinstance(result.records[0].model, RECORD_TYPES[type_name])
    for problem in result.log.problems:
        assert problem.path == f"content/{type_name}/sample.yml"
        assert problem.position.line >= 1 and problem.position.column >= 1
        assert problem.message.zh and problem.message.en
        assert problem.severity in (Severity.ERROR, Severity.WARNING)
        problem.format("zh")
        problem.format("en")


markdown_text = st.lists(
    st.sampled_from(
        ["段落", "**粗**", "*斜*", "`code`", "## 标题", "- 项目", "1. 项目", "> 引用", "| a | b |", "|---|---|",
         "[链接](https://a.example/x)", "[站内](../x/)", "![图](../files/a.png)", "    代码", "---", "\n", "\n\n",
         "项目\n:   定义", "[TOC]", "  ", "\\", "_", "!", "(", ")", "]", "[", "{", "}", "=", ":", "#", "x"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=2000, derandomize=True)
@given(body=markdown_text)
def test_bodies_the_quick_check_passes_lose_nothing_when_published(body: str) -> None:
    """Validation converts only bodies that may_be_unsafe(); the others must need no cleaning."""
    if may_be_unsafe(body):
        return
    html = _checking_markdown().reset().convert(body)
    assert find_removals(html) == ()


@pytest.mark.parametrize("name", ["files/表格.pdf", "files/图.svg", "pages/通知.md", "notices/pipe.yml"])
def test_a_named_pipe_in_the_content_folder_is_refused_at_once(project: Project, name: str) -> None:
    """A special file (here a named pipe) would block whoever reads it: refused, by name, in
    Chinese, before anything opens it."""
    import os
    import subprocess
    import sys

    path = project.content / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    try:
        checked = subprocess.run([sys.executable, "-m", "generator.cli", "check"], cwd=project.root,
                                 capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("tongxin check waited on the pipe")
    assert checked.returncode == 1
    assert f"content/{name}" in checked.stdout + checked.stderr
    assert "不是普通文件" in checked.stdout + checked.stderr
