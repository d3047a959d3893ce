"""Would ``tongxin check`` accept the content after this save? Asked before anything is written.

A save is judged in the context of every other record: the candidate file is validated by
the same passes as ``tongxin check`` (its own fields and rules, the privacy guard, then the
checks across records with every other file). What the save is refused for is every error in
the saved file and every error elsewhere that the save would bring in (a reference it breaks,
an id it duplicates, a ``parent`` cycle it closes); problems other files already had do not
block an unrelated save.

The other files' own passes are kept between saves while their size and modification time
stay the same, so a save costs about one file's validation plus the checks across records.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..content.loading import display_path, record_paths
from ..content.models import RECORD_TYPES, StoredFile, field_marks, nested_model
from ..content.problems import Problem, ProblemLog
from ..content.validation import ValidRecord, check_across_records, validate_files
from ..site.source import ContentSource

Checked = tuple[ValidRecord | None, ProblemLog]
ErrorKey = tuple[str, str, str]
Stamp = tuple[int, int, int]


@dataclass(frozen=True)
class Candidate:
    """The record file a save would leave: its text, or None when the save deletes it."""

    type_name: str
    path: Path  # where the file is (or will be) in the content folder
    text: str | None
    # Files uploaded with this save (name -> bytes), not yet in content/files/.
    uploads: Mapping[str, bytes] = field(default_factory=dict)
    # Every file in content/files/ the record names (attachments, materials).
    named_files: tuple[str, ...] = ()


def _stamp(path: str) -> Stamp | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


def _key(problem: Problem) -> ErrorKey:
    """A problem without its position: an edit above it moves it without changing it."""
    return (problem.path, problem.field, problem.message.zh)


class SaveCheck:
    """Validates candidate saves against the content folder of ``source``."""

    def __init__(self, source: ContentSource) -> None:
        self.source = source
        self._files: dict[str, tuple[Stamp | None, Checked]] = {}
        # The errors of the content as it was when last checked, and which files it held then:
        # reused while no file changed (an accepted save's result is the next save's "before").
        self._before: tuple[Hashable, set[ErrorKey]] | None = None
        self._accepted: tuple[Candidate, set[ErrorKey], dict[str, Stamp | None]] | None = None

    def warm(self) -> None:
        """Validate every file now, so that the first save costs no more than the next ones."""
        current, stamps = self._current()
        before = {_key(problem) for problem in self._across(result for _name, result in current).errors}
        self._before = ((tuple(stamps.items()), self._pages_state()), before)

    def _pages_state(self) -> tuple[tuple[str, Stamp | None], ...]:
        """The free pages as the checks across records read them (their stamps)."""
        folder = self.source.content_dir / "pages"
        return tuple((str(path), _stamp(str(path))) for path in sorted(folder.glob("**/*.md")))

    def _current(self) -> tuple[list[tuple[str, Checked]], dict[str, Stamp | None]]:
        """Every record file's own passes, as the content folder is now (in check order), and
        the stamp of each file."""
        items = list(record_paths(self.source.content_dir, list(RECORD_TYPES)))
        stamps = {name: _stamp(name) for _type, name in items}
        stale = [(type_name, name) for type_name, name in items
                 if (known := self._files.get(name)) is None or known[0] != stamps[name] or stamps[name] is None]
        checked = validate_files(
            [(type_name, Path(name)) for type_name, name in stale], self.source.content_dir,
            self.source.project_root, self.source.max_file_bytes, self.source.privacy_allow,
        )
        for (_type, name), result in zip(stale, checked, strict=True):
            self._files[name] = (stamps[name], result)
        alive = {name for _type, name in items}
        for name in list(self._files):
            if name not in alive:
                del self._files[name]
        return [(name, self._files[name][1]) for _type, name in items], stamps

    def _across(self, checked: Iterable[Checked]) -> ProblemLog:
        return check_across_records(checked, self.source.content_dir, self.source.project_root).log

    def refusals(self, candidate: Candidate) -> list[Problem]:
        """The errors ``tongxin check`` would report because of this save (none: it may go ahead)."""
        current, stamps = self._current()
        state = (tuple(stamps.items()), self._pages_state())
        if self._before is not None and self._before[0] == state:
            before = self._before[1]
        else:
            before = {_key(problem) for problem in self._across(result for _name, result in current).errors}
            self._before = (state, before)
        target = str(candidate.path)
        shown = _inside_project(candidate.path, self.source.project_root)
        with tempfile.TemporaryDirectory(prefix="tongxin-save-") as staging:
            results = [(name, result) for name, result in current if name != target]
            if candidate.text is not None:
                results.append((target, self._staged(candidate, shown, Path(staging))))
                # Where ``tongxin check`` would meet the file: the first of two duplicates wins.
                types = list(RECORD_TYPES)
                results.sort(key=lambda item: (types.index(Path(item[0]).parent.name), Path(item[0]).name))
            after = self._across(result for _name, result in results)
        self._accepted = (candidate, {_key(problem) for problem in after.errors}, stamps)
        return [
            problem for problem in after.errors
            if problem.path == shown or _key(problem) not in before
        ]

    def written(self, path: Path) -> None:
        """The candidate just checked for ``path`` is now on disk (or deleted): what the check
        found is the next save's "before"."""
        if self._accepted is None or self._accepted[0].path != path:
            return
        candidate, after, stamps = self._accepted
        self._accepted = None
        stamps = dict(stamps)
        target = str(candidate.path)
        stamps.pop(target, None)
        if candidate.text is not None:
            stamps[target] = _stamp(target)
        types = list(RECORD_TYPES)
        order = sorted(stamps, key=lambda name: (types.index(Path(name).parent.name), Path(name).name))
        self._before = ((tuple((name, stamps[name]) for name in order), self._pages_state()), after)

    def records_naming(self, file_name: str) -> list[str]:
        """The record files (as messages name them) whose attachments or materials name ``file_name``."""
        current, _stamps = self._current()
        return [
            record.raw.path for _name, (record, _log) in current
            if record is not None and file_name in stored_file_names(type(record.model), record.model.model_dump())
        ]

    def page_refusals(self, name: str, text: str) -> list[Problem]:
        """The errors ``tongxin check`` would report for a free page saved with ``text``."""
        with tempfile.TemporaryDirectory(prefix="tongxin-save-") as staging:
            shown = _inside_project(self.source.content_dir / "pages" / name, self.source.project_root)
            staged = Path(staging) / shown
            staged.parent.mkdir(parents=True)
            staged.write_text(text, encoding="utf-8")
            return check_across_records([], staged.parent.parent, Path(staging)).log.errors

    def _staged(self, candidate: Candidate, shown: str, staging: Path) -> Checked:
        """The candidate's own passes: its text in a folder laid out like the project, so that
        every message names it as ``content/<type>/<id>.yml``; attachments are looked up in
        the real content/files/."""
        assert candidate.text is not None
        staged = staging / shown
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_text(candidate.text, encoding="utf-8")
        files_from = self.source.content_dir
        if candidate.uploads:
            # Files uploaded with the save count as there: the record's files are looked up in
            # a folder holding them and copies of the others it names.
            files_from = staging / "with-uploads"
            folder = files_from / "files"
            folder.mkdir(parents=True)
            for name in candidate.named_files:
                existing = self.source.content_dir / "files" / name
                if name in candidate.uploads:
                    (folder / name).write_bytes(candidate.uploads[name])
                elif "/" not in name and existing.is_file():
                    shutil.copyfile(existing, folder / name)
        [result] = validate_files(
            [(candidate.type_name, staged)], files_from, staging,
            self.source.max_file_bytes, self.source.privacy_allow,
        )
        return result


def stored_file_names(model: type[BaseModel], data: Mapping[str, Any]) -> Iterator[str]:
    """The names of files in content/files/ that a record's data names (``StoredFile`` fields)."""
    for name, info in model.model_fields.items():
        value = data.get(name)
        values = value if isinstance(value, list) else [value]
        part = nested_model(info)
        for item in values:
            if part is not None and isinstance(item, Mapping):
                yield from stored_file_names(part, item)
            elif isinstance(item, str) and any(isinstance(mark, StoredFile) for mark in field_marks(info)):
                yield item


def _inside_project(path: Path, root: Path) -> str:
    """``path`` as messages name it, relative to the project (never absolute: it is staged)."""
    shown = display_path(path, root)
    return shown if not Path(shown).is_absolute() else f"content/{path.parent.name}/{path.name}"
