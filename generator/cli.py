"""The ``tongxin`` command: build, serve and check a portal."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .problems import Severity
from .settings import read_settings
from .site import BUILD_DATE_ENV

DEFAULT_CONFIG = "site_config.yml"


def _date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD（date must be YYYY-MM-DD）: {value}") from None
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tongxin", description="同心：社区党建静态门户生成器")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_config(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--config", "-f", default=DEFAULT_CONFIG, help="配置文件（默认 site_config.yml）")
        sub.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言")
        return sub

    build = with_config(commands.add_parser("build", help="构建门户到 site/"))
    build.add_argument("--site-dir", "-d", help="输出文件夹（默认取配置里的 site_dir）")
    build.add_argument("--date", type=_date, help="构建日期 YYYY-MM-DD（默认今天或 SOURCE_DATE_EPOCH）")
    build.add_argument("--verbose", "-v", action="store_true", help="显示 MkDocs 的详细日志")

    serve = with_config(commands.add_parser("serve", help="本地预览，修改后自动重建并刷新浏览器"))
    serve.add_argument("--dev-addr", "-a", default="127.0.0.1:8000", help="地址:端口")
    serve.add_argument("--date", type=_date, help="构建日期 YYYY-MM-DD")

    check = with_config(commands.add_parser("check", help="只检查内容，不构建"))
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")
    return parser


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def cmd_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    settings = read_settings(Path(args.config))
    result = settings.content_source().validate()
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


def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    _configure_logging(args.verbose)
    if args.date:
        os.environ[BUILD_DATE_ENV] = args.date
    started = time.perf_counter()
    overrides = {"site_dir": str(Path(args.site_dir).resolve())} if args.site_dir else {}
    try:
        config = load_config(config_file=args.config, **overrides)
        final_dir = config.site_dir
        build(config)
    except (Abort, ConfigurationError) as error:
        message = str(error)
        if "BuildError" not in message:
            print(message, file=sys.stderr)
        print("构建失败，已发布的站点保持不变（site/ unchanged）。" if args.lang != "en"
              else "build failed; the published site is unchanged.", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(f"已构建到 {final_dir}，用时 {elapsed:.2f} 秒" if args.lang != "en"
          else f"built into {final_dir} in {elapsed:.2f} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import Abort

    _configure_logging(True)
    if args.date:
        os.environ[BUILD_DATE_ENV] = args.date
    try:
        serve(config_file=args.config, livereload=True, watch_theme=True, dev_addr=args.dev_addr)
    except Abort:
        return 1
    return 0


COMMANDS = {"build": cmd_build, "serve": cmd_serve, "check": cmd_check}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
