"""Each save from the forms as a git commit, when the content folder is in a git repository.

Editors never type a git command, yet every change is in the history with a Chinese message
(“更新党务公开：…”) and the configured author, so it can be reviewed and reverted. Only the
files of the save are committed (``git commit --only``): whatever else the editor has
staged or changed by hand stays as it was.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("tongxin.editing")

# Used when neither site_config.yml nor git itself names anyone.
DEFAULT_AUTHOR = "同心编辑表单 <forms@tongxin.invalid>"
_AUTHOR = re.compile(r"\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>\s]+)>\s*")
GIT_TIMEOUT = 60


def parse_author(text: str) -> tuple[str, str]:
    """``名字 <email>`` -> (name, email); ValueError for anything else."""
    match = _AUTHOR.fullmatch(text)
    if match is None:
        raise ValueError(f"作者应写成“名字 <邮箱>”，如“社区党委 <dangwei@example.org>”: {text!r}")
    return match["name"], match["email"]


@dataclass(frozen=True)
class History:
    """The git repository holding the content folder, or none."""

    root: Path | None
    author: str | None = None

    @classmethod
    def find(cls, content_dir: Path, author: str | None = None) -> History:
        try:
            done = subprocess.run(
                ["git", "-C", str(content_dir), "rev-parse", "--show-toplevel"],
                capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return cls(None, author)  # no git on this computer: saves are plain file writes
        root = Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None
        return cls(root, author)

    def _git(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        assert self.root is not None
        return subprocess.run(
            ["git", "-C", str(self.root), *args], capture_output=True, text=True,
            timeout=GIT_TIMEOUT, check=False, env=env,
        )

    def _identity(self) -> dict[str, str]:
        """Author and committer: the configured author, else git's own user, else the default."""
        configured = self.author
        if configured is None and self._git("config", "user.email").stdout.strip():
            return dict(os.environ)
        name, email = parse_author(configured or DEFAULT_AUTHOR)
        return {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
                "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}

    def commit(self, paths: Sequence[Path], message: str) -> str | None:
        """Commit the current state of ``paths`` (written or deleted); the commit id, or None."""
        if self.root is None or not paths:
            return None
        relative = [str(path.resolve().relative_to(self.root.resolve())) for path in paths]
        added = self._git("add", "--all", "--", *relative)
        if added.returncode != 0:
            log.warning("git add 失败（git add failed）: %s", added.stderr.strip())
            return None
        if self._git("diff", "--cached", "--quiet", "--", *relative).returncode == 0:
            return None  # saved without a change: no empty commit
        done = self._git("commit", "--only", "--no-verify", "-q", "-m", message, "--", *relative, env=self._identity())
        if done.returncode != 0:
            log.warning("git commit 失败（git commit failed）: %s", done.stderr.strip())
            return None
        return self._git("rev-parse", "HEAD").stdout.strip()
