"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.project import SAMPLE_DATE, Project, copy_project

# Property tests check what the code gives, not how fast: a time limit per example only
# fails on a busy machine (CI runs two test workers on 2 cores). Speed is measured by
# benchmarks/, against MkDocs, not here.
settings.register_profile("tongxin", deadline=None)
settings.load_profile("tongxin")

# pytest-xdist (--dist=loadfile) hands each file to the next free worker in collection order.
# In alphabetical order the longest files started late, and one worker ran the last of them
# alone while the other core idled; they go first. The longest files of a run, from
# `--durations=0` summed by file, longest first:
LONGEST_FILES = (
    "test_build_cache.py", "test_residents_ui.py", "test_editor_mistakes.py", "test_offline_browser.py",
    "test_search_browser.py", "test_accessibility.py", "test_admin_browser.py", "test_atomic.py",
    "test_residents_browser.py", "test_search_index.py", "test_residents_features.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FILES.index(name) if name in LONGEST_FILES else len(LONGEST_FILES)

    items.sort(key=rank)  # stable: the rest keep their order, and each file its tests' order


@pytest.fixture(scope="session", autouse=True)
def _cache_key_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds make their build-cache key under XDG_CONFIG_HOME: a folder of the session,
    never the user's own configuration."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    os.environ.pop("TONGXIN_CACHE_KEY", None)
    os.environ.pop("TONGXIN_CACHE_DIR", None)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portal built once, on the sample content's reference date."""
    project = copy_project(tmp_path_factory.mktemp("sample"))
    result = project.build(date=SAMPLE_DATE)
    assert result.returncode == 0, result.stderr
    return project.site


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh copy of the sample project for a test to edit."""
    return copy_project(tmp_path / "portal")


@pytest.fixture
def empty_project(tmp_path: Path) -> Project:
    """The project's configuration and theme with no content at all."""
    return copy_project(tmp_path / "portal", with_content=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from tests.support.browser import chromium

    with chromium() as instance:
        yield instance


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the browser tests left their screenshots (tests/test_residents_ui.py)."""
    if os.environ.get("TONGXIN_SCREENSHOTS"):
        folders = [Path(os.environ["TONGXIN_SCREENSHOTS"])]
    else:
        # Under pytest-xdist each worker has its own basetemp below the session's (popen-gwN/).
        base = terminalreporter.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
        folders = [base / "screenshots", *sorted(base.glob("*/screenshots"))]
    for folder in folders:
        if folder.is_dir():
            terminalreporter.write_line(f"screenshots and measured figures: {folder}")
