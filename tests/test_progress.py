"""A long build shows its progress on a terminal and stays quiet in CI and in logs."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest
from rich.console import Console

from generator.progress import BuildProgress, wanted
from tests.support.project import SAMPLE_DATE, Project

STAGES = ("检查内容", "生成页面", "写出页面")


def run_in_terminal(project: Project, env: dict[str, str]) -> tuple[int, str]:
    """Run a build attached to a pseudo-terminal, as an editor at a shell would."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "build", "--date", SAMPLE_DATE],
        cwd=project.root, stdin=terminal, stdout=terminal, stderr=terminal, env=env,
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the build ends
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(timeout=600), output.decode("utf-8", "replace")


def test_a_build_at_a_terminal_shows_each_stage(project: Project) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"CI", "TONGXIN_NO_PROGRESS"}}
    returncode, output = run_in_terminal(project, {**env, "TERM": "xterm"})
    assert returncode == 0, output
    for stage in STAGES:
        assert stage in output
    # The page counter reaches its total (e.g. 96/96) and the total is every page written.
    pages = len(list(project.site.rglob("index.html")))
    finished = [int(m.group(1)) for m in re.finditer(r"(\d+)/\1\b", output)]
    assert any(count >= pages - 2 for count in finished), (pages, finished)


@pytest.mark.parametrize(("ci", "tty"), [("true", True), ("", False)])
def test_progress_is_off_in_ci_and_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch, ci: str, tty: bool) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.delenv("TONGXIN_NO_PROGRESS", raising=False)
    stream = io.StringIO()
    stream.isatty = lambda: tty  # type: ignore[method-assign]
    assert wanted(stream) is False


def test_disabled_progress_writes_nothing() -> None:
    stream = io.StringIO()
    progress = BuildProgress(Console(file=stream, force_terminal=True), enabled=False)
    for _ in progress.track(range(5), "生成页面", total=5):
        pass
    progress.close()
    assert stream.getvalue() == ""
