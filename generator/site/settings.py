"""Reading the portal's own options from site_config.yml without starting MkDocs.

``tongxin check`` runs as a pre-commit hook, so it must not pay for importing MkDocs and
Material just to learn where the content lives.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..content.loading import DEFAULT_MAX_BYTES
from .config_file import ConfigError, ConfigFile, KeyPath, read_config_file, shown_config_path
from .source import DEFAULT_TIMEZONE, ContentSource

PLUGIN_NAME = "tongxin"
# Options of the tongxin plugin and the types they take (generator/mkdocs_plugin/config.py
# declares them for MkDocs; a test keeps the two lists the same).
PLUGIN_OPTIONS: dict[str, tuple[type, ...]] = {
    "content_dir": (str,),
    "build_date": (str, dt.date, type(None)),
    "timezone": (str,),
    "max_file_bytes": (int,),
    "lang": (str,),
    "privacy_allow": (list,),
    "for_file": (bool,),
    "allow_shrink": (bool,),
    "admin_author": (str, type(None)),
    "admin_backend": (dict, type(None)),
    "organizer": (str,),
    "cache": (bool,),
    "cache_dir": (str,),
    "precompress": (bool,),
}
LANGS = ("zh", "en")
_TYPE_NAMES = {"str": "文字", "int": "整数", "list": "列表（每项一行，以“- ”开头）", "bool": "true 或 false",
               "date": "日期 YYYY-MM-DD", "NoneType": "空",
               "dict": "映射（缩进的“名称: 值”）"}


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
    allow_shrink: bool = False

    @property
    def project_root(self) -> Path:
        return self.config_file.parent

    def content_source(self) -> ContentSource:
        return ContentSource(
            self.project_root, self.content_dir, self.max_file_bytes, self.privacy_allow, self.config_file,
            self.allow_shrink,
        )


def _plugin_entry(config: dict[str, Any]) -> tuple[KeyPath, dict[str, Any]]:
    for index, entry in enumerate(config.get("plugins") or []):
        if entry == PLUGIN_NAME:
            return ("plugins", index), {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME] or {}
            return ("plugins", index, PLUGIN_NAME), options if isinstance(options, dict) else {"": options}
    return ("plugins",), {}


def _check_types(file: ConfigFile, where: KeyPath, options: dict[str, Any]) -> None:
    for name, value in options.items():
        at = file.position_of((*where, name))
        if name not in PLUGIN_OPTIONS:
            close = difflib.get_close_matches(str(name), list(PLUGIN_OPTIONS), n=1, cutoff=0.6)
            hint = f"是不是想写 {close[0]}？" if close else f"可用的选项有：{'、'.join(PLUGIN_OPTIONS)}"
            raise ConfigError(file.shown, at, f"tongxin 插件没有选项 {name}（unknown option）；{hint}",
                              f"the tongxin plugin has no option {name!r}"
                              + (f"; did you mean {close[0]!r}?" if close else ""))
        types = PLUGIN_OPTIONS[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            wanted = "、".join(_TYPE_NAMES.get(t.__name__, t.__name__) for t in types)
            raise ConfigError(file.shown, at, f"tongxin 插件的选项 {name} 应为{wanted}，现在是“{value}”",
                              f"option {name} must be {', '.join(t.__name__ for t in types)}, not {value!r}")


def _check_values(file: ConfigFile, where: KeyPath, options: dict[str, Any]) -> None:
    lang = options.get("lang", "zh")
    if lang not in LANGS:
        raise ConfigError(file.shown, file.position_of((*where, "lang")), f"lang 只能是 zh 或 en，现在是“{lang}”",
                          f"lang must be zh or en, not {lang!r}")
    timezone = options.get("timezone", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(file.shown, file.position_of((*where, "timezone")),
                          f"时区 timezone“{timezone}”不存在；请写 IANA 时区名，如 Asia/Shanghai",
                          f"unknown time zone {timezone!r}; write an IANA name such as Asia/Shanghai") from None
    build_date = options.get("build_date")
    if isinstance(build_date, str) and build_date:
        try:
            dt.date.fromisoformat(build_date)
        except ValueError:
            raise ConfigError(file.shown, file.position_of((*where, "build_date")),
                              f"build_date“{build_date}”无效；应为 YYYY-MM-DD",
                              "build_date must be YYYY-MM-DD") from None
    for index, number in enumerate(options.get("privacy_allow") or []):
        if not isinstance(number, str | int) or isinstance(number, bool):
            raise ConfigError(file.shown, file.position_of((*where, "privacy_allow", index)),
                              f"privacy_allow 的每一项应为一个号码，现在是“{number}”",
                              "every privacy_allow item must be a number")


def _content_dir(file: ConfigFile, where: KeyPath, options: dict[str, Any]) -> Path:
    written = options.get("content_dir", "content")
    root = file.path.parent.resolve()
    content_dir = (root / written).resolve()
    at = file.position_of((*where, "content_dir"))
    if not content_dir.is_relative_to(root) or content_dir == root:
        raise ConfigError(file.shown, at,
                          f"content_dir“{written}”在项目文件夹之外（或就是项目文件夹本身）；门户只发布项目里"
                          "像 content/ 这样的内容文件夹",
                          f"content_dir {written!r} is outside the project folder (or is the project folder)")
    if not content_dir.is_dir():
        raise ConfigError(file.shown, at, f"content_dir“{written}”不是一个文件夹；请写内容文件夹的路径，通常是 content",
                          f"content_dir {written!r} is not a folder")
    return content_dir


def read_settings(config_file: Path) -> PortalSettings:
    """The portal's options from site_config.yml, read safely and checked; ConfigError if not."""
    config_file = config_file.resolve()
    file = read_config_file(config_file, shown_config_path(config_file))
    where, options = _plugin_entry(file.data)
    _check_types(file, where, options)
    _check_values(file, where, options)
    return PortalSettings(
        config_file=config_file,
        content_dir=_content_dir(file, where, options),
        timezone=options.get("timezone", DEFAULT_TIMEZONE),
        max_file_bytes=int(options.get("max_file_bytes", DEFAULT_MAX_BYTES)),
        site_url=file.data.get("site_url") or None,
        build_date=str(options["build_date"]) if options.get("build_date") else None,
        privacy_allow=tuple(str(number) for number in options.get("privacy_allow") or ()),
        lang=str(options.get("lang", "zh")),
        admin_backend=dict(options["admin_backend"]) if isinstance(options.get("admin_backend"), dict) else None,
        allow_shrink=bool(options.get("allow_shrink", False)),
    )
