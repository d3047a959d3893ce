"""The domain pipeline as one call: content folder -> validated site graph.

Used by the MkDocs plugin, by ``tongxin check`` and by tests; it does not import MkDocs.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ..content.loading import DEFAULT_MAX_BYTES
from ..content.problems import ContentError
from ..content.validation import ValidationResult, validate_content
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


@dataclass(frozen=True)
class ContentSource:
    project_root: Path
    content_dir: Path
    max_file_bytes: int = DEFAULT_MAX_BYTES
    # Numbers meant to be public that the privacy guard lets through (site_config.yml).
    privacy_allow: tuple[str, ...] = ()

    def validate(self) -> ValidationResult:
        return validate_content(
            self.content_dir, self.project_root, self.max_file_bytes, self.privacy_allow
        )

    def load_graph(
        self,
        build_date: dt.date,
        lang: str = "zh",
        validate: Callable[[ContentSource], ValidationResult] | None = None,
    ) -> tuple[SiteGraph, ValidationResult]:
        """Validate everything (with ``validate``, e.g. a cache, if given) and link it; raise
        ContentError with every problem found."""
        result = validate(self) if validate is not None else self.validate()
        if result.log.has_errors():
            raise ContentError(result.log, lang)
        return SiteGraph.build(result.records, build_date), result
