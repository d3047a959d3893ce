"""Problems found in content: located, bilingual, and collected rather than raised one by one.

Editors fix content from these messages, so every problem carries the file, the line and
column, the field, what is wrong and what to write instead, in Chinese and in English.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Message:
    """The same message in the portal's language (zh) and in English."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Problem:
    path: str
    position: Position
    field: str
    message: Message
    severity: Severity = Severity.ERROR

    def format(self, lang: str = "zh") -> str:
        where = f"{self.path}:{self.position.line}:{self.position.column}"
        label = {"zh": "警告", "en": "warning"}[lang] if self.severity is Severity.WARNING else ""
        prefix = f"{label}: " if label else ""
        field_part = f"{self.field}: " if self.field else ""
        return f"{where}: {prefix}{field_part}{self.message.text(lang)}"

    def as_json(self, lang: str = "zh") -> dict[str, object]:
        data = asdict(self)
        data["line"] = self.position.line
        data["column"] = self.position.column
        del data["position"]
        data["severity"] = self.severity.value
        data["message"] = self.message.text(lang)
        return data

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.position.line, self.position.column, self.field)


@dataclass
class ProblemLog:
    """Collects every problem of a run so that editors see them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        path: str | Path,
        position: Position,
        field_name: str,
        zh: str,
        en: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.problems.append(
            Problem(str(path), position, field_name, Message(zh, en), severity)
        )

    def extend(self, other: ProblemLog) -> None:
        self.problems.extend(other.problems)

    @property
    def errors(self) -> list[Problem]:
        return sorted(
            (p for p in self.problems if p.severity is Severity.ERROR), key=Problem.sort_key
        )

    @property
    def warnings(self) -> list[Problem]:
        return sorted(
            (p for p in self.problems if p.severity is Severity.WARNING), key=Problem.sort_key
        )

    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    def report(self, lang: str = "zh") -> str:
        return "\n".join(p.format(lang) for p in self.errors + self.warnings)

    def to_json(self, lang: str = "zh") -> str:
        items = [p.as_json(lang) for p in self.errors + self.warnings]
        return json.dumps(items, ensure_ascii=False, indent=2)


class ContentError(Exception):
    """Raised when content has errors; carries all of them."""

    def __init__(self, log: ProblemLog, lang: str = "zh") -> None:
        self.log = log
        count = len(log.errors)
        heading = (
            f"内容有 {count} 处错误，未发布任何内容（site/ 保持不变）："
            if lang != "en"
            else f"{count} error(s) in content; nothing was published (site/ is unchanged):"
        )
        super().__init__(f"{heading}\n{log.report(lang)}")
