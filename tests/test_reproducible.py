"""The same content and build date give the same bytes, wherever and whenever it is built."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
import zipfile
from pathlib import Path

from generator.outputs.packaging import write_package
from tests.support.project import SAMPLE_DATE, copy_project


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


def test_packaging_the_same_site_twice_gives_the_same_zip(sample_site: Path, tmp_path: Path) -> None:
    """Files copied anew (new times, another folder) must not change a byte of the zip."""
    copy = tmp_path / "copy" / "site"
    shutil.copytree(sample_site, copy, copy_function=shutil.copy)  # fresh modification times
    os.utime(copy / "index.html", (0, 0))
    date = dt.date.fromisoformat(SAMPLE_DATE)
    first = write_package(sample_site, tmp_path / "first", date)
    second = write_package(copy, tmp_path / "second", date)
    assert first.name == second.name == f"tongxin-portal-{SAMPLE_DATE}.zip"
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 22, 0, 0, 0)}
        assert f"tongxin-portal-{SAMPLE_DATE}/index.html" in names
