"""The live site under a build that is killed: at every instant ``site/`` holds the old or
the new site, leftovers of a killed build are restored or cleaned with a message, and no
worker outlives the build.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.adversarial.conftest import build, published_copy, record
from tests.support.project import REPO, SAMPLE_DATE, Project
from tests.test_reproducible import tree_digest

# Runs a build that SIGKILLs itself just before its K-th file-system step of the swap.
KILL_IN_SWAP = r"""
import os, shutil, signal, sys
from generator import cli
from generator.mkdocs_plugin import plugin
limit = int(sys.argv[1]); steps = [0]; inside = [False]
def counted(function):
    def step(*args, **kwargs):
        if inside[0]:
            if steps[0] == limit:
                os.kill(os.getpid(), signal.SIGKILL)
            steps[0] += 1
        return function(*args, **kwargs)
    return step
os.rename, os.replace, shutil.rmtree = counted(os.rename), counted(os.replace), counted(shutil.rmtree)
import pathlib
pathlib.Path.rename = counted(pathlib.Path.rename)
from generator.mkdocs_plugin import swap
swap.exchange = counted(swap.exchange)
if sys.argv[3] == "fallback":
    swap._RENAMEAT2 = None  # as on a system without renameat2
finish = plugin.TongxinPlugin._finish_atomic_build
def finish_counted(self):
    inside[0] = True
    try:
        return finish(self)
    finally:
        inside[0] = False
plugin.TongxinPlugin._finish_atomic_build = finish_counted
sys.exit(cli.main(["build", "--date", sys.argv[2]]))
"""




def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _whole(project: Project, known: list[dict[str, str]]) -> bool:
    return project.site.is_dir() and tree_digest(project.site) in known


def test_a_build_killed_inside_the_swap_leaves_a_whole_site(module_dir: Path, anchor_portal: Project) -> None:
    """Killed just before each file-system step of publishing: with renameat2 the site is
    whole at once; on the two-rename fallback the next build restores it."""
    project = published_copy(anchor_portal, module_dir / "swap")
    outcomes = []
    for way, limit in (("exchange", 0), ("fallback", 2)):
        project.write("content/pages/new.md", f"# 新页面 {way} {limit}\n")
        subprocess.run([sys.executable, "-c", KILL_IN_SWAP, str(limit), SAMPLE_DATE, way], cwd=project.root,
                       env=_env(), capture_output=True, timeout=300)
        whole = (project.site / "index.html").is_file()
        if way == "fallback" and not whole:  # the documented window: .site.previous holds the site
            whole = (project.root / ".site.previous" / "index.html").is_file()
            again = build(project)
            whole = whole and again.returncode == 0 and (project.site / "index.html").is_file()
        outcomes.append(whole)
    again = build(project)  # cleans what the killed builds left
    outcomes.append(again.returncode == 0 and not any(p.name.startswith(".site.") for p in project.root.iterdir()))
    record("6 killed inside the swap", tried=len(outcomes), handled=sum(outcomes),
           no_site=len(outcomes) - sum(outcomes))
    assert all(outcomes)


def test_a_build_killed_at_random_moments_always_leaves_a_site(module_dir: Path, anchor_portal: Project) -> None:
    project = published_copy(anchor_portal, module_dir / "random-kill")
    started = time.monotonic()
    assert build(project).returncode == 0
    duration = time.monotonic() - started
    outcomes = []
    for index, fraction in enumerate((0.6, 0.9, 0.98)):
        project.write("content/pages/changing.md", f"# 第 {index} 版\n")
        process = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "--date", SAMPLE_DATE],
                                   cwd=project.root, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(duration * fraction)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        outcomes.append(project.site.is_dir() and (project.site / "index.html").is_file())
    result = build(project)
    outcomes.append(result.returncode == 0 and project.site.is_dir())
    record("6 killed at a random moment", tried=len(outcomes), handled=sum(outcomes),
           no_site=len(outcomes) - sum(outcomes))
    assert all(outcomes)


@pytest.mark.parametrize("state", ["site missing, previous kept", "site and every leftover"])
def test_leftovers_of_a_killed_build_are_restored_or_cleaned_with_a_message(
    module_dir: Path, anchor_portal: Project, state: str
) -> None:
    project = published_copy(anchor_portal, module_dir / f"leftovers-{state.split(',')[0].replace(' ', '-')}")
    published = tree_digest(project.site)
    root = project.root
    if state.startswith("site missing"):
        project.site.rename(root / ".site.previous")
        (root / ".site.building").mkdir()
    else:
        for name in (".site.building", ".site.previous", ".site.outputs"):
            (root / name / "x").mkdir(parents=True)
    project.write("content/notices/broken.yml", "title: [\n")  # the next build fails
    result = build(project)
    restored = project.site.is_dir() and tree_digest(project.site) == published
    leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith(".site."))
    said = "site/" in result.stderr and ("恢复" in result.stderr or "清理" in result.stderr)
    record("6 leftovers of a killed build", tried=1, handled=int(restored and not leftovers and said),
           no_site=int(not project.site.is_dir()))
    assert result.returncode == 1
    assert restored and leftovers == [] and said, result.stderr


def _session_processes(session: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == session:
                    found.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return found


def test_killing_the_build_leaves_no_worker_running(module_dir: Path, anchor_portal: Project) -> None:
    project = published_copy(anchor_portal, module_dir / "orphans")  # the search index is written by a fork
    outcomes = []
    for _attempt in range(2):
        process = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "--date", SAMPLE_DATE],
                                   cwd=project.root, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        deadline = time.monotonic() + 60
        while len(_session_processes(process.pid)) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)  # until the build has forked a worker
        time.sleep(0.2 * _attempt)
        process.kill()  # the build's own process only, as an OOM killer or a closed terminal would
        process.wait()
        deadline = time.monotonic() + 5
        while _session_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _session_processes(process.pid)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        outcomes.append(left == [])
    record("6 workers after the build is killed", tried=len(outcomes), handled=sum(outcomes))
    assert all(outcomes)
