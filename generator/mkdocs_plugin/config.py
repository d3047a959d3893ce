"""Options of the ``tongxin`` plugin, set under ``plugins: - tongxin:`` in site_config.yml."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..loading import DEFAULT_MAX_BYTES
from ..site import DEFAULT_TIMEZONE


class TongxinConfig(base.Config):
    # Folder of record YAML files, relative to site_config.yml.
    content_dir = c.Type(str, default="content")
    # The date the build is "on" (YYYY-MM-DD); empty means SOURCE_DATE_EPOCH or today.
    build_date = c.Optional(c.Type(str))
    # Local time zone of dates and times in records.
    timezone = c.Type(str, default=DEFAULT_TIMEZONE)
    # Largest record file accepted, in bytes.
    max_file_bytes = c.Type(int, default=DEFAULT_MAX_BYTES)
    # Language of error messages: zh or en.
    lang = c.Choice(("zh", "en"), default="zh")
