"""Edits an editor makes between two builds, applied to a project made by make_content.py.

Shared by ``build.py`` (warm rebuilds after each edit) and ``serve_edit.py`` (the same edits
under ``tongxin serve``). Every edit starts from the file's original text, so repeating an
edit with another mark is a new change, never an accumulation of them.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path


def middle_notice(content: Path) -> Path:
    """The notice edits are made to: the middle one of the sorted files (first or last in no listing)."""
    notices = sorted((content / "notices").glob("*.yml"))
    return notices[len(notices) // 2]


def most_referenced_organization(content: Path) -> tuple[str, list[tuple[str, str]]]:
    """The organisation id most records name (as a reference value), and those records."""
    organizations = {path.stem for path in (content / "organizations").glob("*.yml")}
    referrers: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    value = re.compile(r"^(?:\s*-\s+|[a-z_]+:\s+)([a-z0-9-]+)\s*$", re.MULTILINE)
    for folder in content.iterdir():
        if not folder.is_dir() or folder.name in ("pages", "files"):
            continue
        for path in folder.glob("*.yml"):
            for found in set(value.findall(path.read_text(encoding="utf-8"))):
                if found in organizations:
                    referrers[found].append((folder.name, path.stem))
    best = max(sorted(referrers), key=lambda org: len(referrers[org]))
    return best, referrers[best]


def renamed(text: str, mark: str) -> str:
    """The record with its name (and short name) ending in ``mark``."""
    return re.sub(r"^((?:short_)?name|title): (.+)$", lambda m: f"{m[1]}: {m[2]}{mark}", text, flags=re.MULTILINE)


def with_body_line(text: str, line: str) -> str:
    """The record with ``line`` as the first paragraph of its body."""
    if "body: |\n" not in text:
        raise ValueError("the record has no literal block body")
    return text.replace("body: |\n", f"body: |\n  {line}\n\n", 1)
