"""The domain pipeline as one call: content folder -> validated site graph.

Used by the MkDocs plugin, by ``tongxin check`` and by tests; it does not import MkDocs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ..content.folder import check_links_out
from ..content.loading import DEFAULT_MAX_BYTES, display_path
from ..content.models import reference_fields
from ..content.privacy import allowed_numbers, privacy_problems
from ..content.problems import ContentError, Position, ProblemLog
from ..content.validation import ValidationResult, ValidRecord, validate_content
from .config_file import ConfigError, read_config_file
from .graph import SiteGraph

DEFAULT_TIMEZONE = "Asia/Shanghai"
# Set by ``tongxin build --date``; wins over the configured date so one command can pin it.
BUILD_DATE_ENV = "TONGXIN_BUILD_DATE"


def resolve_build_date(
    explicit: str | dt.date | None, timezone: str = DEFAULT_TIMEZONE
) -> dt.date:
    """The date the build is "on": TONGXIN_BUILD_DATE, an explicit date, SOURCE_DATE_EPOCH, today.

    Both fallbacks are read in the portal's own time zone, so a build just after midnight
    in Shanghai is dated the Shanghai day, whatever the server's clock zone.
    """
    explicit = os.environ.get(BUILD_DATE_ENV) or explicit
    if isinstance(explicit, dt.date):
        return explicit
    if explicit:
        return dt.date.fromisoformat(str(explicit))
    zone = ZoneInfo(timezone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=zone).date()
    return dt.datetime.fromtimestamp(time.time(), tz=zone).date()


def zone_rules(name: str) -> bytes:
    """The time zone's rules as this machine has them (zoneinfo reads the system's files
    first): what dates and times in the outputs depend on besides the zone's name."""
    for folder in zoneinfo.TZPATH:
        with contextlib.suppress(OSError, ValueError):
            return (Path(folder) / name).read_bytes()
    return name.encode()  # from the tzdata package, whose version a build cache knows


@dataclass(frozen=True)
class ContentSource:
    project_root: Path
    content_dir: Path
    max_file_bytes: int = DEFAULT_MAX_BYTES
    # Numbers meant to be public that the privacy guard lets through (site_config.yml).
    privacy_allow: tuple[str, ...] = ()
    # site_config.yml: its texts are published too (site name, nav titles…).
    config_file: Path | None = None
    # A portal with no records is refused unless this says it is meant (allow_shrink).
    allow_empty: bool = False

    def validate(self) -> ValidationResult:
        result = validate_content(
            self.content_dir, self.project_root, self.max_file_bytes, self.privacy_allow
        )
        self.check_published_config(result.log)
        if not result.records and not result.log.has_errors() and self.config_file is not None and not self.allow_empty:
            result.log.add(
                display_path(self.config_file, self.project_root), Position(1, 1), "content_dir",
                f"内容文件夹 {display_path(self.content_dir, self.project_root)} 里没有任何记录；发布它会用空门户"
                "替换现有站点。请检查 content_dir；若确实要发布空门户，请用 tongxin build --allow-shrink",
                "the content folder holds no records; publishing it would replace the portal with an empty one "
                "(check content_dir, or pass --allow-shrink)",
            )
        return result

    def check_published_config(self, log: ProblemLog) -> None:
        """The privacy guard over every text of site_config.yml, and a portal with records."""
        if self.config_file is None:
            return
        try:
            file = read_config_file(self.config_file, display_path(self.config_file, self.project_root))
        except ConfigError as error:
            log.add(error.path, error.position, "", error.zh, error.en)
            return
        theme = file.data.get("theme") if isinstance(file.data.get("theme"), dict) else {}
        custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
        if isinstance(custom_dir, str):
            check_links_out(self.project_root / custom_dir, self.project_root, log)
        allow = allowed_numbers(self.privacy_allow)
        for key_path, text in file.strings():
            if key_path[-1:] == ("privacy_allow",) or "privacy_allow" in key_path:
                continue
            for offset, zh, en in privacy_problems(text, allow):
                where = file.position_of(key_path)
                log.add(file.shown, Position(where.line, where.column + offset if offset else where.column),
                        ".".join(map(str, key_path)), zh, en)

    def load_graph(
        self,
        build_date: dt.date,
        lang: str = "zh",
        validate: Callable[[ContentSource], ValidationResult] | None = None,
        checks: Sequence[Callable[[ValidationResult], None]] = (),
    ) -> tuple[SiteGraph, ValidationResult]:
        """Validate everything (with ``validate``, e.g. a cache, if given), run ``checks`` of
        floors above (ids the renderer reserves), and link it; raise ContentError with every
        problem found."""
        result = validate(self) if validate is not None else self.validate()
        for check in checks:
            check(result)
        if result.log.has_errors():
            raise ContentError(result.log, lang)
        return SiteGraph.build(result.records, build_date), result

    def load_partial_graph(
        self,
        build_date: dt.date,
        validate: Callable[[ContentSource], ValidationResult] | None = None,
        checks: Sequence[Callable[[ValidationResult], None]] = (),
    ) -> tuple[SiteGraph, ValidationResult]:
        """The graph of the records without errors whose references all resolve among
        themselves, for a preview of content that has errors (``tongxin serve`` started on
        broken content)."""
        result = validate(self) if validate is not None else self.validate()
        for check in checks:
            check(result)
        with_errors = {problem.path for problem in result.log.errors}
        clean = [record for record in result.records if record.raw.path not in with_errors]
        return SiteGraph.build(usable_records(clean), build_date), result


def usable_records(records: list[ValidRecord]) -> list[ValidRecord]:
    """The records whose references all lead to other usable records (removal cascades)."""
    kept = {record.key for record in records}
    by_key = {record.key: record for record in records}
    changed = True
    while changed:
        changed = False
        for key in list(kept):
            model = by_key[key].model
            for name, target_type in reference_fields(type(model)).items():
                value = getattr(model, name)
                targets = value if isinstance(value, list) else [value]
                if any(target is not None and (target_type, target) not in kept for target in targets):
                    kept.discard(key)
                    changed = True
                    break
    return [record for record in records if record.key in kept]
