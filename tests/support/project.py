"""A throw-away copy of the portal project that a test may edit and build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DATE = "2026-11-22"  # the sample content's notices and lectures are written around it


@dataclass
class Project:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "site_config.yml"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def tongxin(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run the real command line, as an editor would."""
        return self.tongxin_script("-m", "generator.cli", *args, env=env)

    def tongxin_script(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run Python in the project folder: ``-m generator.cli …`` or a script of the project."""
        return subprocess.run(
            [sys.executable, *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    def build(self, *args: str, date: str = SAMPLE_DATE) -> subprocess.CompletedProcess[str]:
        return self.tongxin("build", "--date", date, *args)

    def check(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.tongxin("check", *args)


def copy_project(destination: Path, with_content: bool = True) -> Project:
    """Copy site_config.yml, theme/ and (optionally) content/ of the repository."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site_config.yml", destination / "site_config.yml")
    shutil.copytree(REPO / "theme", destination / "theme")
    if with_content:
        shutil.copytree(REPO / "content", destination / "content")
    else:
        (destination / "content" / "pages").mkdir(parents=True)
    return Project(destination)
