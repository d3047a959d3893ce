"""The pre-commit setup in docs/editors.md works as written, run by pre-commit itself.

The offline hook (``repo: local``, ``language: system``) is taken from the document and run
by the real pre-commit in a throw-away content repository: a commit with a broken record
is refused with the check's message, the fixed one goes in. The hook that pre-commit
installs from the Tongxin repository is validated by pre-commit, and the ``rev`` the document
names is this release's tag.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import generator
from tests.support.project import REPO, Project

DOC = REPO / "docs" / "editors.md"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def documented(kind: str) -> str:
    """The YAML block that follows ``<!-- pre-commit: kind -->`` in docs/editors.md."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- pre-commit: {kind} -->\s*```yaml\n(.*?)```", text, re.DOTALL)
    assert match, f"docs/editors.md has no {kind} pre-commit block"
    # The block is indented inside a list item; pre-commit reads it as written, unindented.
    lines = match[1].splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines) + "\n"


def test_the_documented_rev_is_this_release() -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert generator.__version__ == version
    assert f"rev: v{version}" in documented("remote")
    assert f"tongxin@v{version}" in DOC.read_text(encoding="utf-8")  # the CI example installs the same


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def content_repo(project: Project, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        # `language: system` runs the tongxin on PATH: the one installed with this interpreter.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "editor@example.org",
    }
    root = project.root
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "内容"]):
        assert _run(command, root, env).returncode == 0
    return root, env


def test_the_offline_hook_refuses_a_broken_record(content_repo: tuple[Path, dict[str, str]]) -> None:
    root, env = content_repo
    (root / ".pre-commit-config.yaml").write_text(documented("local"), encoding="utf-8")
    assert _run([*PRE_COMMIT, "validate-config", ".pre-commit-config.yaml"], root, env).returncode == 0
    installed = _run([*PRE_COMMIT, "install"], root, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    notice = root / "content" / "notices" / "2026-meiliyuan-dangfei-shoujiao-gongkai.yml"
    good = notice.read_text(encoding="utf-8")
    notice.write_text(good.replace("category: 党费收缴", "category：党费收缴"), encoding="utf-8")
    _run(["git", "add", "."], root, env)
    refused = _run(["git", "commit", "-m", "改了公示"], root, env)
    assert refused.returncode != 0
    assert "2026-meiliyuan-dangfei-shoujiao-gongkai.yml:2:" in refused.stdout + refused.stderr
    assert "全角冒号" in refused.stdout + refused.stderr

    notice.write_text(good.replace("党费收缴情况公开", "党费收缴情况公开（更正）"), encoding="utf-8")
    _run(["git", "add", "."], root, env)
    accepted = _run(["git", "commit", "-m", "改了公示"], root, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_the_hook_tongxin_offers_and_the_remote_config_are_valid(tmp_path: Path) -> None:
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    manifest = _run([*PRE_COMMIT, "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")], REPO, env)
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(documented("remote"), encoding="utf-8")
    checked = _run([*PRE_COMMIT, "validate-config", str(config)], tmp_path, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
