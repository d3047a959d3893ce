"""The same content and build date give the same bytes, wherever and whenever it is built."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from tests.support.project import SAMPLE_DATE, Project, copy_project


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``root``."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _env_without_source_date() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TONGXIN_BUILD_DATE")}


def test_two_builds_in_different_folders_are_byte_identical(sample_site: Path, tmp_path: Path) -> None:
    # Another checkout, at another path, at least a second later: paths and clocks must not leak.
    time.sleep(max(0.0, 1.1 - (time.time() - sample_site.stat().st_mtime)))
    other = copy_project(tmp_path / "elsewhere" / "portal")
    result = other.tongxin("build", "--date", SAMPLE_DATE, env=_env_without_source_date())
    assert result.returncode == 0, result.stderr
    first, second = tree_digest(sample_site), tree_digest(other.site)
    assert len(first) > 50
    differing = sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))
    assert differing == []


def test_two_packages_of_the_same_content_are_byte_identical(tmp_path: Path) -> None:
    first = copy_project(tmp_path / "a")
    shutil.copytree(first.root, tmp_path / "b")  # the same content, in another folder
    zips = []
    for project in (first, Project(tmp_path / "b")):
        result = project.tongxin("package", "--date", SAMPLE_DATE, env=_env_without_source_date())
        assert result.returncode == 0, result.stderr
        zips.append(project.root / "dist" / f"tongxin-portal-{SAMPLE_DATE}.zip")
    assert zips[0].read_bytes() == zips[1].read_bytes()
