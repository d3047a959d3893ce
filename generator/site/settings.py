"""Reading the portal's own options from site_config.yml without starting MkDocs.

``tongxin check`` runs as a pre-commit hook, so it must not pay for importing MkDocs and
Material just to learn where the content lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..content.loading import DEFAULT_MAX_BYTES
from .source import DEFAULT_TIMEZONE, ContentSource

PLUGIN_NAME = "tongxin"


class _TolerantLoader(yaml.SafeLoader):
    """Safe loading that skips MkDocs' ``!!python/…`` and ``!ENV`` tags instead of failing."""


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("", _unknown_tag)  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class PortalSettings:
    config_file: Path
    content_dir: Path
    timezone: str = DEFAULT_TIMEZONE
    max_file_bytes: int = DEFAULT_MAX_BYTES
    site_url: str | None = None
    build_date: str | None = None
    privacy_allow: tuple[str, ...] = ()
    lang: str = "zh"
    # The intranet git server's Decap backend for the forms (``tongxin cms``), if any.
    admin_backend: dict[str, Any] | None = None

    @property
    def project_root(self) -> Path:
        return self.config_file.parent

    def content_source(self) -> ContentSource:
        return ContentSource(
            self.project_root, self.content_dir, self.max_file_bytes, self.privacy_allow
        )


def _plugin_options(config: dict[str, Any]) -> dict[str, Any]:
    for entry in config.get("plugins") or []:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            return entry[PLUGIN_NAME] or {}
    return {}


def read_settings(config_file: Path) -> PortalSettings:
    config_file = config_file.resolve()
    config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    options = _plugin_options(config)
    return PortalSettings(
        config_file=config_file,
        content_dir=(config_file.parent / options.get("content_dir", "content")).resolve(),
        timezone=options.get("timezone", DEFAULT_TIMEZONE),
        max_file_bytes=int(options.get("max_file_bytes", DEFAULT_MAX_BYTES)),
        site_url=config.get("site_url") or None,
        build_date=options.get("build_date"),
        privacy_allow=tuple(str(number) for number in options.get("privacy_allow") or ()),
        lang=str(options.get("lang", "zh")),
        admin_backend=dict(options["admin_backend"]) if isinstance(options.get("admin_backend"), dict) else None,
    )
