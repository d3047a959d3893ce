"""The portal as one dated zip file, to hand out on a USB stick or copy to a PC without a server.

The zip holds the file:// build (pages as ``.html`` files, so that links opened from disk
land on pages, not folder listings) inside one top folder named like the zip. It is
reproducible: entries are sorted and every entry carries the build date as its time stamp
and fixed permissions, so the same site and date always give the same bytes (and checksum).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

PACKAGE_PREFIX = "tongxin-portal"
FILE_MODE = 0o644
UNIX = 3  # "made by" system in the zip header; fixed so the bytes don't depend on the packer's OS
# Read by whoever finds the zip on a USB stick; UTF-8 with a BOM so that Windows Notepad shows it.
README_NAME = "README.txt"
README_TEXT = (
    "同心 · 社区党建服务平台（离线版）\n"
    "\n"
    "使用方法：先把整个压缩包解压（“全部解压缩”），再用浏览器打开解压出的文件夹里的 index.html。\n"
    "不要在压缩包里直接双击 index.html：那样浏览器只能看到这一个文件，其他页面打不开。\n"
    "本离线版不需要网络，也不会访问任何外部网站。\n"
    "\n"
    "How to use: unzip the whole archive first, then open index.html in a browser.\n"
)


def package_name(build_date: dt.date) -> str:
    return f"{PACKAGE_PREFIX}-{build_date.isoformat()}"


def _entry(name: str, build_date: dt.date) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(build_date.year, build_date.month, build_date.day, 0, 0, 0))
    info.create_system = UNIX
    info.external_attr = FILE_MODE << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_package(site_dir: Path, output_dir: Path, build_date: dt.date) -> Path:
    """Zip ``site_dir`` into ``output_dir/tongxin-portal-DATE.zip``; return the zip's path.

    The zip is written under a temporary name and renamed when complete, so a copy started
    while packaging never picks up half a zip.
    """
    top = package_name(build_date)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = output_dir / f"{top}.zip"
    partial = output_dir / f".{top}.zip.writing"
    contents: dict[str, Path | str] = {
        path.relative_to(site_dir).as_posix(): path for path in site_dir.rglob("*") if path.is_file()
    }
    contents.setdefault(README_NAME, "\ufeff" + README_TEXT)
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for relative in sorted(contents):
                content = contents[relative]
                data = content.read_bytes() if isinstance(content, Path) else content.encode("utf-8")
                archive.writestr(_entry(f"{top}/{relative}", build_date), data)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
