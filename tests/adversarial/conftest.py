"""The adversarial corpus: shared projects and the tally of cases per class.

Each test records, per class of input, how many generated cases it tried and what became
of them (refused with a located error, escaped, handled) and what went wrong (a traceback,
live markup, a personal number published, no site). The summary is printed at the end of
the run (``pytest tests/adversarial -s`` or in the terminal summary).
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.project import REPO, SAMPLE_DATE, Project

OUTCOMES = ("tried", "refused", "escaped", "handled", "traceback", "live markup", "personal number", "no site")
TALLY: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)


def record(kind: str, **counts: int) -> None:
    """Add to the tally of class ``kind``."""
    TALLY[kind].update({name.replace("_", " "): value for name, value in counts.items()})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    write = terminalreporter.write_line
    write("")
    write("adversarial corpus: " + " | ".join(OUTCOMES))
    for kind in sorted(TALLY):
        write(f"  {kind:<40} " + " | ".join(str(TALLY[kind][name]) for name in OUTCOMES))
    report = os.environ.get("TONGXIN_CORPUS_REPORT")
    if report:
        Path(report).write_text(
            "\n".join(f"{kind}\t" + "\t".join(str(TALLY[kind][n]) for n in OUTCOMES) for kind in sorted(TALLY)) + "\n",
            encoding="utf-8",
        )


def small_project(root: Path) -> Project:
    """The portal's configuration and theme, no records, and one attachment file."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site_config.yml", root / "site_config.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    (root / "content" / "pages").mkdir(parents=True)
    (root / "content" / "files").mkdir()
    (root / "content" / "files" / "adversarial.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    return Project(root)


def write_record(project: Project, type_name: str, record_id: str, data: dict[str, object]) -> Path:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return project.write(f"content/{type_name}/{record_id}.yml", text)


def set_config(project: Project, change: dict[str, object] | None = None, plugin: dict[str, object] | None = None,
               raw: str | None = None) -> None:
    """Rewrite site_config.yml: top-level keys in ``change``, tongxin plugin options in ``plugin``."""
    if raw is not None:
        project.config.write_text(raw, encoding="utf-8")
        return
    config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    config.update(change or {})
    for entry in config["plugins"]:
        if isinstance(entry, dict) and "tongxin" in entry:
            entry["tongxin"].update(plugin or {})
    project.config.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def run_cli(project: Project, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own, as an editor runs it."""
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args], cwd=project.root, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def run_in_process(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    """``tongxin ARGS`` called in this process (no interpreter start: a tenth of the time);
    an exception escaping it is reported as the traceback an editor would see."""
    from generator import cli

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.chdir(project.root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 1
            except BaseException:
                err.write(traceback.format_exc())
                code = 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def build(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(project, "build", "--date", SAMPLE_DATE, *args)


def check(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return run_in_process(project, "check", *args)


def has_traceback(result: subprocess.CompletedProcess[str]) -> bool:
    return "Traceback (most recent call last)" in result.stderr + result.stdout


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("adversarial")


@pytest.fixture(scope="session")
def anchor_portal(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A small portal of one plain record per type, built once: the live site of the tests
    that need one (copied with ``published_copy``)."""
    from tests.adversarial.strategies import anchor_records

    project = small_project(tmp_path_factory.mktemp("anchors") / "portal")
    for type_name, data in anchor_records().items():
        write_record(project, type_name, f"anchor-{type_name}", data)
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project


def published_copy(anchor_portal: Project, root: Path) -> Project:
    """A copy of the built anchor portal, site included, for a test to change."""
    shutil.copytree(anchor_portal.root, root, symlinks=True)
    return Project(root)


@pytest.fixture(scope="session")
def clean_layout(anchor_portal: Project) -> set[str]:
    """The live elements the portal's layout has by design: a clean build's 404 page."""
    from tests.adversarial.scan import layout_elements

    return layout_elements(anchor_portal.site)
