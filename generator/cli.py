"""The ``tongxin`` command: build, serve and check a portal; scaffold records and schemas."""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .content.problems import Severity
from .content.scaffold import type_choices
from .mkdocs_plugin.cache import CACHE_ENV
from .site.config_file import ConfigError
from .site.settings import PortalSettings, read_settings
from .site.source import BUILD_DATE_ENV, DEFAULT_TIMEZONE, resolve_build_date

DEFAULT_CONFIG = "site_config.yml"
# Where ``--for-file`` builds go unless --site-dir says otherwise (next to site_dir).
FOR_FILE_SITE_DIR = "site-file"
DEFAULT_PACKAGE_DIR = "dist"
DEFAULT_ADMIN_DIR = "admin"


def _date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD（date must be YYYY-MM-DD）: {value}") from None
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tongxin", description="同心：社区党建静态门户生成器")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_cache(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--cache-dir",
                         help=f"构建缓存的位置（默认站点旁的 .tongxin-cache/；也可用环境变量 {CACHE_ENV}）")
        sub.add_argument("--no-cache", action="store_true", help="本次不用也不写构建缓存，从头构建")

    def with_config(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--config", "-f", default=DEFAULT_CONFIG, help="配置文件（默认 site_config.yml）")
        sub.add_argument(
            "--lang", choices=("zh", "en"), default=None,
            help="消息语言（默认取配置里 tongxin 插件的 lang，否则 zh）",
        )
        return sub

    build = with_config(commands.add_parser("build", help="构建门户到 site/"))
    build.add_argument("--site-dir", "-d", help="输出文件夹（默认取配置里的 site_dir）")
    build.add_argument("--date", type=_date, help="构建日期 YYYY-MM-DD（默认今天或 SOURCE_DATE_EPOCH）")
    build.add_argument("--verbose", "-v", action="store_true", help="显示 MkDocs 的详细日志")
    build.add_argument(
        "--allow-shrink", action="store_true",
        help="允许发布记录数不到现有站点一半的新站点（默认拒绝，以免误删内容后发布空门户）",
    )
    build.add_argument(
        "--for-file", action="store_true",
        help=f"为从磁盘直接打开（file://，如 U 盘）构建：页面为 .html 文件，默认输出到 {FOR_FILE_SITE_DIR}/",
    )
    with_cache(build)

    package = with_config(commands.add_parser("package", help="打包离线版（可从磁盘打开）为带日期的 zip，供 U 盘分发"))
    package.add_argument("--date", type=_date, help="构建日期 YYYY-MM-DD（默认今天或 SOURCE_DATE_EPOCH）")
    package.add_argument("--output", "-o", help=f"zip 的输出文件夹（默认 {DEFAULT_PACKAGE_DIR}/）")
    package.add_argument("--site-dir", "-d", help=f"离线版站点的输出文件夹（默认 {FOR_FILE_SITE_DIR}/）")
    package.add_argument("--verbose", "-v", action="store_true", help="显示 MkDocs 的详细日志")
    with_cache(package)

    serve = with_config(commands.add_parser("serve", help="本地预览，修改后自动重建并刷新浏览器"))
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", help="地址:端口")
    serve.add_argument("--date", type=_date, help="构建日期 YYYY-MM-DD")

    check = with_config(commands.add_parser("check", help="只检查内容，不构建"))
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")

    new = with_config(
        commands.add_parser("new", help="新建一条带注释的记录模板，如 tongxin new notice 2026-12-dangfei")
    )
    new.add_argument("type", help=f"记录类型（单复数或中文名均可）：{type_choices(' ')}")
    new.add_argument("id", help="编号，也是文件名：小写字母、数字和连字符，如 2026-12-dangfei")

    cms = with_config(commands.add_parser(
        "cms", help="写出浏览器编辑表单（Decap CMS）的页面和配置，供在内网 Git 服务器（Gitea、GitLab）上使用"))
    cms.add_argument("--output", "-o", help=f"输出文件夹（默认 {DEFAULT_ADMIN_DIR}/）")
    cms.add_argument("--local-backend", default="http://127.0.0.1:8000/admin/api/v1",
                     help="在本机打开表单时改用的 tongxin serve 后端地址")

    schema = with_config(commands.add_parser("schema", help="写出每种记录的 JSON Schema，供编辑器补全和检查"))
    schema.add_argument("--output", "-o", help="输出文件夹（默认项目里的 schemas/）")
    return parser


def _configured_lang(config_file: str) -> str:
    """The message language set in site_config.yml, or zh when it cannot be read."""
    try:
        return read_settings(Path(config_file)).lang
    except ConfigError:  # a broken config is reported by the command itself
        return "zh"


def _settings(args: argparse.Namespace) -> PortalSettings | None:
    """site_config.yml read safely and checked, or None after printing what is wrong with it."""
    try:
        return read_settings(Path(args.config))
    except ConfigError as error:
        print(error.text(args.lang), file=sys.stderr)
        return None


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def cmd_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    settings = _settings(args)
    if settings is None:
        return 1
    result = settings.content_source().validate()
    from .render.rendering import check_reserved_ids  # the renderer's pages decide which ids are taken

    check_reserved_ids(result)
    log = result.log
    if args.format == "json":
        print(log.to_json(args.lang))
    else:
        if log.problems:
            print(log.report(args.lang), file=sys.stderr)
        errors = len(log.errors)
        warnings = sum(1 for p in log.problems if p.severity is Severity.WARNING)
        elapsed = time.perf_counter() - started
        if args.lang == "en":
            print(f"checked {len(result.records)} valid records: {errors} error(s), "
                  f"{warnings} warning(s) in {elapsed:.2f} s")
        else:
            print(f"检查了 {len(result.records)} 条有效记录：{errors} 处错误，{warnings} 处警告，"
                  f"用时 {elapsed:.2f} 秒")
    return 1 if log.has_errors() else 0


def _pin_source_date_epoch(build_date: dt.date) -> None:
    """Date MkDocs' own outputs (sitemap lastmod, its gzip header) by the build date, not the clock."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(calendar.timegm(build_date.timetuple())))


def _configured_build_date(options: Mapping[str, Any]) -> dt.date | None:
    """The build date as the plugin will resolve it; None if invalid (the plugin reports it)."""
    try:
        return resolve_build_date(options.get("build_date"), options.get("timezone") or DEFAULT_TIMEZONE)
    except (ValueError, KeyError):
        return None


def _build_site(args: argparse.Namespace, for_file: bool) -> tuple[Path, dt.date | None] | None:
    """Build the portal as ``args`` say; the published folder and build date, or None on failure."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    _configure_logging(args.verbose)
    if args.date:
        os.environ[BUILD_DATE_ENV] = args.date
    if args.cache_dir:
        os.environ[CACHE_ENV] = str(Path(args.cache_dir).resolve())
    overrides = {"site_dir": str(Path(args.site_dir).resolve())} if args.site_dir else {}
    if _settings(args) is None:  # read safely first: MkDocs' own loader would run !!python tags
        print("构建失败，已发布的站点保持不变（site/ unchanged）。" if args.lang != "en"
              else "build failed; the published site is unchanged.", file=sys.stderr)
        return None
    try:
        config = load_config(config_file=args.config, **overrides)
        plugin = config.plugins.get("tongxin")
        options = plugin.config if plugin is not None else {}
        if plugin is not None:
            plugin.config["lang"] = args.lang
            if getattr(args, "allow_shrink", False):
                plugin.config["allow_shrink"] = True
        if for_file and plugin is not None:
            plugin.config["for_file"] = True
        if args.no_cache and plugin is not None:
            plugin.config["cache"] = False
        if options.get("for_file") and not args.site_dir:
            config.site_dir = str(Path(config.site_dir).parent / FOR_FILE_SITE_DIR)
        build_date = _configured_build_date(options)
        if build_date is not None:
            _pin_source_date_epoch(build_date)
        final_dir = Path(config.site_dir)
        build(config)
        summary = getattr(plugin, "summary", None)
        if summary is not None:
            print(summary.text(args.lang))
    except (Abort, ConfigurationError, OSError) as error:  # OSError: e.g. the disk is full
        message = str(error)
        if "BuildError" not in message:
            print(message, file=sys.stderr)
        print("构建失败，已发布的站点保持不变（site/ unchanged）。" if args.lang != "en"
              else "build failed; the published site is unchanged.", file=sys.stderr)
        return None
    return final_dir, build_date


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    built = _build_site(args, for_file=args.for_file)
    if built is None:
        return 1
    elapsed = time.perf_counter() - started
    print(f"已构建到 {built[0]}，用时 {elapsed:.2f} 秒" if args.lang != "en"
          else f"built into {built[0]} in {elapsed:.2f} s")
    return 0


def cmd_package(args: argparse.Namespace) -> int:
    from .outputs.packaging import write_package

    built = _build_site(args, for_file=True)
    if built is None:
        return 1
    site_dir, build_date = built
    assert build_date is not None, "a build with an invalid date fails before this point"
    output = Path(args.output) if args.output else Path(args.config).resolve().parent / DEFAULT_PACKAGE_DIR
    archive = write_package(site_dir, output, build_date)
    size_mb = archive.stat().st_size / 1_000_000
    print(f"已打包到 {archive}（{size_mb:.1f} MB）：解压后用浏览器打开其中的 index.html" if args.lang != "en"
          else f"packaged into {archive} ({size_mb:.1f} MB): unzip it and open index.html")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort

    _configure_logging(True)
    if args.date:
        os.environ[BUILD_DATE_ENV] = args.date
    if _settings(args) is None:
        return 1
    try:
        # Dirty: the tongxin plugin rebuilds incrementally and MkDocs keeps the files it did not
        # rewrite. The plugin watches our theme folder itself (not Material's 14,000 icons).
        serve(config_file=args.config, livereload=True, build_type="dirty", dev_addr=args.dev_addr)
    except Abort:
        return 1
    except OSError as error:  # the address is taken, or cannot be bound
        print(f"无法在 {args.dev_addr} 上启动预览（{error.strerror}）；端口可能已被占用，请用 --dev-addr 换一个端口"
              if args.lang != "en" else f"cannot serve on {args.dev_addr} ({error.strerror}); try another --dev-addr",
              file=sys.stderr)
        return 1
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .content.scaffold import ScaffoldError, create_record

    settings = _settings(args)
    if settings is None:
        return 1
    try:
        path = create_record(settings.content_dir, args.type, args.id)
    except ScaffoldError as error:
        print(error.text(args.lang), file=sys.stderr)
        return 1
    except OSError as error:  # e.g. an id longer than the file system allows
        print(f"无法新建记录文件（{error.strerror}）；请用更短的编号" if args.lang != "en"
              else f"cannot create the record file ({error.strerror}); use a shorter id", file=sys.stderr)
        return 1
    shown = path.relative_to(settings.project_root) if path.is_relative_to(settings.project_root) else path
    print(f"已新建 {shown}：按注释填写必填字段，然后运行 tongxin check" if args.lang != "en"
          else f"created {shown}: fill in the required fields, then run tongxin check")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .content.schema import DEFAULT_SCHEMA_DIR, update_vscode_settings, write_schemas

    root = Path(args.config).resolve().parent
    folder = Path(args.output) if args.output else root / DEFAULT_SCHEMA_DIR
    written = write_schemas(folder)
    if not args.output:  # the project's own schemas: map them for VS Code too
        update_vscode_settings(root / ".vscode" / "settings.json", DEFAULT_SCHEMA_DIR)
    print(f"已写出 {len(written)} 个 JSON Schema 到 {folder}" if args.lang != "en"
          else f"wrote {len(written)} JSON Schemas into {folder}")
    return 0


def cmd_cms(args: argparse.Namespace) -> int:
    from .content.cms import SERVE_API_PATH
    from .editing.server import MOUNT, write_admin_folder

    settings = read_settings(Path(args.config))
    backend = settings.admin_backend or {"name": "proxy", "proxy_url": MOUNT + SERVE_API_PATH}
    content = settings.content_dir.relative_to(settings.project_root).as_posix()
    folder = Path(args.output) if args.output else settings.project_root / DEFAULT_ADMIN_DIR
    write_admin_folder(folder, backend, f"{content}/", args.local_backend)
    print(f"已写出编辑表单到 {folder}（后端：{backend['name']}）" if args.lang != "en"
          else f"wrote the forms into {folder} (backend: {backend['name']})")
    return 0


COMMANDS = {
    "build": cmd_build, "serve": cmd_serve, "check": cmd_check, "package": cmd_package,
    "new": cmd_new, "schema": cmd_schema, "cms": cmd_cms,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.lang is None:
        args.lang = _configured_lang(args.config)
    return COMMANDS[args.command](args)


def run() -> None:
    """The ``tongxin`` command: ``main``, then leave at once. A build at 10,000 records ends
    with half a gigabyte of objects that Python would free one by one on the way out, a
    second or more; by then every file is written and closed, and only the output streams
    need flushing."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
