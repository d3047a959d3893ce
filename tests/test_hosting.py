"""The nginx server block in docs/hosting.md, run by Debian's nginx against the sample portal.

The block is read from the document itself, so what operators copy is what is tested.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.project import REPO

NGINX = "/usr/sbin/nginx"
HOSTING_DOC = REPO / "docs" / "hosting.md"
# What the documented block says and the test replaces: the published folder and the port.
DOC_ROOT = "/srv/tongxin/current/"
DOC_LISTEN = "listen 80;"
MOUNT = "/dangjian/"
YEAR = 31536000


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def text(self) -> str:
        raw = gzip.decompress(self.body) if self.header("content-encoding") == "gzip" else self.body
        return raw.decode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, **headers: str) -> Reply:
    request = urllib.request.Request(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def documented_nginx_block() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", HOSTING_DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1, "docs/hosting.md should hold exactly one nginx block"
    block = blocks[0]
    assert DOC_ROOT in block and DOC_LISTEN in block, "the test substitutes these two; keep them in the doc"
    return block


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited:\n{log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not start listening")


def _main_config(work: Path, server_block: str) -> str:
    """A whole nginx.conf around the documented block, writing nothing outside ``work``."""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {work / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx would run its workers as "nobody", who cannot read pytest's private tmp.
    user = "user root root;" if os.geteuid() == 0 else ""
    return (
        f"{user}\nworker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n    access_log off;\n{temp_paths}\n{server_block}\n}}\n"
    )


@pytest.fixture(scope="module")
def published(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The operator's layout: a release folder and a ``current`` link to it, plus probe files."""
    work = tmp_path_factory.mktemp("srv")
    release = work / "releases" / "first"
    shutil.copytree(sample_site, release)
    # Files of each type nginx must label correctly, whether or not the sample site has them yet.
    probes = release / "probe"
    probes.mkdir()
    calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "X-NOTE:社区党校微型党课\r\n" * 40 + "END:VCALENDAR\r\n"
    (probes / "calendar.ics").write_text(calendar, encoding="utf-8")
    (probes / "data.json").write_text('{"items": [' + ",".join(['"党员服务中心"'] * 100) + "]}", encoding="utf-8")
    (probes / "module.wasm").write_bytes(b"\0asm\x01\0\0\0" + bytes(2048))
    # A file with a precompressed copy whose text differs, to tell gzip_static's reply apart.
    (probes / "note.txt").write_text("现场压缩的版本\n" * 100, encoding="utf-8")
    (probes / "note.txt.gz").write_bytes(gzip.compress(("预先压缩的版本\n" * 100).encode("utf-8")))
    (work / "current").symlink_to(release, target_is_directory=True)
    return work


@pytest.fixture(scope="module")
def nginx(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    block = documented_nginx_block().replace(DOC_ROOT, f"{published / 'current'}/")
    block = block.replace(DOC_LISTEN, f"listen 127.0.0.1:{port};")
    config = work / "nginx.conf"
    config.write_text(_main_config(work, block), encoding="utf-8")
    log = work / "error.log"
    test = subprocess.run([NGINX, "-t", "-p", str(work), "-c", str(config), "-e", str(log)],
                          capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    process = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(config), "-e", str(log), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_pages_are_utf8_compressed_and_revalidated(nginx: str, sample_site: Path) -> None:
    reply = fetch(f"{nginx}{MOUNT}", Accept_Encoding="gzip")
    assert reply.status == 200
    assert reply.header("content-type") == "text/html; charset=utf-8"
    assert reply.header("content-encoding") == "gzip"
    assert "Accept-Encoding" in reply.header("vary")
    assert reply.header("cache-control") == "no-cache"
    assert reply.text == (sample_site / "index.html").read_text(encoding="utf-8")
    assert len(reply.body) < (sample_site / "index.html").stat().st_size / 2

    again = fetch(f"{nginx}{MOUNT}", If_None_Match=reply.header("etag"))
    assert again.status == 304, "an unchanged page should cost a 304, not a download"


def test_hashed_assets_are_cached_for_a_year_others_for_a_day(nginx: str, sample_site: Path) -> None:
    # Material's palette stylesheet, which every page links (its name carries a content hash).
    hashed = next((sample_site / "assets" / "stylesheets").glob("palette.*.min.css"))
    assert hashed.name in (sample_site / "index.html").read_text(encoding="utf-8")
    reply = fetch(f"{nginx}{MOUNT}assets/stylesheets/{hashed.name}", Accept_Encoding="gzip")
    assert reply.status == 200
    assert reply.header("content-type") == "text/css; charset=utf-8"
    assert reply.header("content-encoding") == "gzip"
    assert f"max-age={YEAR}" in reply.header("cache-control")
    assert "immutable" in reply.header("cache-control")

    unhashed = fetch(f"{nginx}{MOUNT}assets/tongxin.css")
    assert unhashed.status == 200
    assert unhashed.header("cache-control") == "public, max-age=86400"

    attachment = next((sample_site / "files").iterdir())
    reply = fetch(f"{nginx}{MOUNT}files/{attachment.name}")
    assert reply.status == 200
    assert reply.header("cache-control") == "public, max-age=86400"
    assert reply.body == attachment.read_bytes()


@pytest.mark.parametrize(
    ("path", "content_type", "compressed"),
    [
        ("probe/calendar.ics", "text/calendar; charset=utf-8", True),
        ("probe/data.json", "application/json; charset=utf-8", True),
        ("probe/module.wasm", "application/wasm", True),
    ],
)
def test_content_types(nginx: str, path: str, content_type: str, compressed: bool) -> None:
    reply = fetch(f"{nginx}{MOUNT}{path}", Accept_Encoding="gzip")
    assert reply.status == 200
    assert reply.header("content-type") == content_type
    assert (reply.header("content-encoding") == "gzip") is compressed
    assert reply.header("cache-control") == "no-cache"


def test_the_site_lives_under_the_sub_path(nginx: str) -> None:
    assert fetch(f"{nginx}/").header("location") == MOUNT
    assert fetch(f"{nginx}{MOUNT.rstrip('/')}").header("location") == MOUNT
    listing = fetch(f"{nginx}{MOUNT}notices/")
    assert listing.status == 200
    assert "党务公开" in listing.text
    folder = fetch(f"{nginx}{MOUNT}notices")
    assert (folder.status, folder.header("location")) == (301, f"{MOUNT}notices/")
    assert fetch(f"{nginx}/notices/").status == 404, "nothing is published outside the sub-path"


def test_missing_pages_get_the_portal_404_page(nginx: str) -> None:
    reply = fetch(f"{nginx}{MOUNT}no-such-page/")
    assert reply.status == 404
    assert reply.header("content-type") == "text/html; charset=utf-8"
    assert "404" in reply.text and "同心" in reply.text


def test_switching_the_current_link_publishes_at_once(nginx: str, published: Path) -> None:
    """The documented release switch: ln -sfn to a temporary name, then mv -T over current."""
    second = published / "releases" / "second"
    second.mkdir()
    (second / "index.html").write_text("<!doctype html><title>第二版</title>", encoding="utf-8")
    subprocess.run(["ln", "-sfn", str(second), "current.new"], cwd=published, check=True)
    subprocess.run(["mv", "-T", "current.new", "current"], cwd=published, check=True)
    try:
        assert "第二版" in fetch(f"{nginx}{MOUNT}").text
    finally:
        subprocess.run(["ln", "-sfn", str(published / "releases" / "first"), "current.new"], cwd=published, check=True)
        subprocess.run(["mv", "-T", "current.new", "current"], cwd=published, check=True)
    assert "第二版" not in fetch(f"{nginx}{MOUNT}").text


def test_precompressed_copies_are_sent_as_they_are(nginx: str) -> None:
    """gzip_static: a browser accepting gzip gets the build's file.gz, the others the plain file."""
    compressed = fetch(f"{nginx}{MOUNT}probe/note.txt", Accept_Encoding="gzip")
    assert compressed.header("content-encoding") == "gzip"
    assert "预先压缩的版本" in compressed.text
    plain = fetch(f"{nginx}{MOUNT}probe/note.txt")
    assert plain.header("content-encoding") == "" and "现场压缩的版本" in plain.text
