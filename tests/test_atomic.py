"""A build that fails, however late, leaves the published site exactly as it was."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator import cli, parallel
from generator.outputs import writers as outputs
from generator.outputs.context import OutputContext
from tests.support.project import SAMPLE_DATE, Project
from tests.test_reproducible import tree_digest


def _leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.root.iterdir() if p.name.startswith(".site"))


def _build_in_process(project: Project, monkeypatch: pytest.MonkeyPatch, *options: str) -> int:
    # The CLI sets these for the build; registering them first makes monkeypatch restore them.
    monkeypatch.setenv("TONGXIN_BUILD_DATE", SAMPLE_DATE)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")
    monkeypatch.chdir(project.root)
    return cli.main(["build", "--config", str(project.config), "--date", SAMPLE_DATE, *options])


def _failing_build_in_process(project: Project, monkeypatch: pytest.MonkeyPatch) -> int:
    """A build expected to fail in a forked process: a hang fails the test instead of stalling the suite."""
    signal.alarm(120)
    try:
        return _build_in_process(project, monkeypatch)
    finally:
        signal.alarm(0)


def _assert_failed_and_kept(
    project: Project, published: dict[str, str], capsys: pytest.CaptureFixture[str], reason: str
) -> None:
    """The site is byte-for-byte the published one, nothing is left behind, and the editor
    was told why the build failed and that the site is unchanged."""
    assert tree_digest(project.site) == published
    assert _leftovers(project) == []
    stderr = capsys.readouterr().err
    assert reason in stderr
    assert "site/ unchanged" in stderr


def test_a_failure_after_every_page_was_written_keeps_the_old_site(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A build killed earlier left its temporary folder behind; none of it may be published.
    stale = project.root / ".site.building" / "notices" / "stale.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("half", encoding="utf-8")
    assert _build_in_process(project, monkeypatch) == 0
    assert not (project.site / "notices" / "stale.html").exists()
    assert _leftovers(project) == []
    published = tree_digest(project.site)
    assert "index.html" in published

    written_before_failing: list[Path] = []

    def disk_full(context: OutputContext) -> None:
        """The last output writer runs out of disk half-way through its file."""
        half = context.site_dir / "notices" / "half-written.xml"
        half.write_text("<feed>", encoding="utf-8")
        written_before_failing.extend(context.site_dir.rglob("*.html"))
        raise OSError(errno.ENOSPC, "No space left on device", str(half))

    monkeypatch.setattr(outputs, "LATE_WRITERS", [*outputs.LATE_WRITERS, disk_full])
    capsys.readouterr()
    # Without the build cache: the build writes every page again before it fails.
    assert _build_in_process(project, monkeypatch, "--no-cache") == 1

    assert len(written_before_failing) >= len([p for p in published if p.endswith(".html")])
    _assert_failed_and_kept(project, published, capsys, "No space left on device")


@pytest.fixture
def forking_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests of the session leave threads running (the shared browser); a build then
    writes its search index in-process, which is right for serve but would hide the fork."""
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


@pytest.mark.usefixtures("forking_build")
def test_an_output_failing_while_the_pages_render_keeps_the_old_site(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The search index is written by a process of its own while the pages render; its
    # failure must fail the build like any other.
    assert _build_in_process(project, monkeypatch) == 0
    published = tree_digest(project.site)

    def disk_full(context: OutputContext) -> None:
        (context.site_dir / "lectures").mkdir(exist_ok=True)
        (context.site_dir / "lectures" / "half.ics").write_text("BEGIN:VCALENDAR", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", "lectures/half.ics")

    monkeypatch.setattr(outputs, "EARLY_WRITERS", [*outputs.EARLY_WRITERS, disk_full])
    capsys.readouterr()
    assert _build_in_process(project, monkeypatch) == 1

    _assert_failed_and_kept(project, published, capsys, "No space left on device")


@pytest.mark.usefixtures("forking_build")
def test_an_output_process_killed_for_memory_fails_the_build_instead_of_hanging(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _build_in_process(project, monkeypatch) == 0
    published = tree_digest(project.site)

    build_process = os.getpid()

    def out_of_memory(context: OutputContext) -> None:
        assert os.getpid() != build_process, "the search index is written by a process of its own"
        os.kill(os.getpid(), signal.SIGKILL)  # what the kernel does to a process out of memory

    monkeypatch.setattr(outputs, "EARLY_WRITERS", [out_of_memory])
    capsys.readouterr()
    assert _failing_build_in_process(project, monkeypatch) == 1

    _assert_failed_and_kept(project, published, capsys, "内存不足")


@pytest.mark.usefixtures("forking_build")
@pytest.mark.parametrize("failure", ["disk full", "killed for memory"])
def test_a_rebuild_whose_early_process_fails_keeps_the_old_site_and_the_cache(
    failure: str, project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rebuild starts the search process before the site graph (``EarlyRebuild``): its
    failure there fails the build too, and the next build still uses the cache."""
    import dataclasses

    assert _build_in_process(project, monkeypatch) == 0
    published = tree_digest(project.site)
    build_process = os.getpid()
    search = outputs.EARLY_REBUILDS[outputs.write_search_index]

    def failing(*_args: object) -> bool:
        assert os.getpid() != build_process, "the rebuild's search index is written by a process of its own"
        if failure == "killed for memory":
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError(errno.ENOSPC, "No space left on device", "search/data")

    monkeypatch.setitem(outputs.EARLY_REBUILDS, outputs.write_search_index,
                        lambda: dataclasses.replace(search(), update=failing))
    notice = next((project.root / "content" / "notices").glob("*.yml"))
    original = notice.read_text(encoding="utf-8")
    notice.write_text(original.replace("body: |\n", "body: |\n  重建失败测试。\n\n", 1), encoding="utf-8")
    capsys.readouterr()
    assert _failing_build_in_process(project, monkeypatch) == 1
    _assert_failed_and_kept(project, published, capsys, "内存不足" if failure == "killed for memory" else "No space")

    monkeypatch.setitem(outputs.EARLY_REBUILDS, outputs.write_search_index, search)
    capsys.readouterr()
    assert _build_in_process(project, monkeypatch) == 0
    assert "沿用" in capsys.readouterr().out, "the failed build left the cache usable"
    index = (project.site / "search" / "data").rglob("*.js")
    assert any("重建失败测试" in path.read_text(encoding="utf-8") for path in index), "the edit is found by search"


def test_two_builds_of_one_site_at_once_both_publish_a_whole_site(project: Project) -> None:
    """Two CI jobs, or an editor and a hook, building the same folder at the same moment:
    the second waits for the first, and neither fails nor leaves a mixed site."""
    command = [sys.executable, "-m", "generator.cli", "build", "--date", SAMPLE_DATE]
    for options in ([], ["--no-cache"], ["--no-cache"], ["--no-cache"]):
        builds = [subprocess.Popen([*command, *options], cwd=project.root, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = [build.communicate(timeout=300)[0] for build in builds]
        assert [build.returncode for build in builds] == [0, 0], outputs
        assert not any("Errno" in output or "Traceback" in output for output in outputs), outputs
        assert _leftovers(project) == []
    reference = project.root / "reference"
    built = project.build("--no-cache", "--site-dir", str(reference))
    assert built.returncode == 0, built.stderr
    assert tree_digest(project.site) == tree_digest(reference)
