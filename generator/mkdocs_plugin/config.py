"""Options of the ``tongxin`` plugin, set under ``plugins: - tongxin:`` in site_config.yml."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..content.loading import DEFAULT_MAX_BYTES
from ..site.source import DEFAULT_TIMEZONE


class TongxinConfig(base.Config):
    # Folder of record YAML files, relative to site_config.yml.
    content_dir = c.Type(str, default="content")
    # The date the build is "on" (YYYY-MM-DD); empty means SOURCE_DATE_EPOCH or today.
    build_date = c.Optional(c.Type(str))
    # Who runs the portal (主办单位), named in every page's footer, e.g. "东花市街道党工委".
    organizer = c.Type(str, default="")
    # Local time zone of dates and times in records.
    timezone = c.Type(str, default=DEFAULT_TIMEZONE)
    # Largest record file accepted, in bytes.
    max_file_bytes = c.Type(int, default=DEFAULT_MAX_BYTES)
    # Language of error messages: zh or en.
    lang = c.Choice(("zh", "en"), default="zh")
    # Numbers meant to be public (e.g. a service hotline on a mobile number) that the
    # privacy guard accepts in any field; written as in the records, spaces and "-" ignored.
    privacy_allow = c.ListOfItems(c.Type(str), default=[])
    # Build for opening from disk (file://, e.g. a USB stick): pages become .html files
    # instead of folders, since a browser shows a folder listing for a folder URL from disk.
    for_file = c.Type(bool, default=False)
    # Git author of saves made in the browser forms (/admin/), "名字 <email>"; empty: git's own.
    admin_author = c.Optional(c.Type(str))
    # The intranet git server's backend for the forms when they are published without
    # ``tongxin serve`` (``tongxin cms``): Decap's backend section, e.g. name: gitea, repo: …
    admin_backend = c.Optional(c.Type(dict))
    # Publish a site with fewer than half the records of the site it replaces (refused by
    # default: an emptied content folder would otherwise replace the live portal).
    allow_shrink = c.Type(bool, default=False)
    # Keep a build cache, so that a rebuild validates, renders and writes only what changed
    # (``tongxin build --no-cache`` turns it off for one build).
    cache = c.Type(bool, default=True)
    # Where the build cache lives; empty: .tongxin-cache/ next to the site folder. The
    # environment variable TONGXIN_CACHE_DIR (tongxin build --cache-dir) wins over it.
    cache_dir = c.Type(str, default="")
    # Also write a gzipped copy (file.gz) of every text file, for nginx's gzip_static.
    precompress = c.Type(bool, default=False)
