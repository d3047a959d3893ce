"""How long a save through the browser forms takes, and until the preview shows it.

    .venv/bin/python benchmarks/make_content.py 1000 --out /tmp/p1k     # once
    .venv/bin/python benchmarks/admin_save.py /tmp/p1k [--saves 5]

Copies the project into a git repository in a temporary folder, starts ``tongxin serve`` on
it and, once the first build is done, saves one notice several times through ``/admin/api/v1``
exactly as Decap CMS does (``persistEntry`` with the form's YAML), each time with a new
sentence in its body. For each save it reports:

- save: the request's round trip (Tongxin's checks in the context of every record, the
  canonical write, the git commit);
- shown: from sending the save until the served page of the notice shows the sentence
  (the live preview's rebuild, polled over HTTP as the browser's reload fetches it).

The first save also fills the checks' cache of every other file's own validation, unless
the forms were opened a little before (``--open-forms-first``: opening /admin/ starts that
in the background); the later saves show the steady state. The browser itself adds its own rendering on top
(``tests/test_admin_browser.py`` prints the time from the click on 发布 in Chromium).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.support.live_serve import live_serve  # noqa: E402

BUILD_DATE = "2026-11-22"
MARK = "表单保存基准"


def post(base: str, action: str, params: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"{base}admin/api/v1", data=json.dumps({"action": action, "params": params}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path, help="a project made by benchmarks/make_content.py (or this repo)")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--open-forms-first", type=float, default=0.0, metavar="SECONDS",
                        help="load the forms' configuration (as opening /admin/ does) this long before saving")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="admin-save-") as tmp:
        project = Path(tmp) / "portal"
        project.mkdir()
        shutil.copy(args.project / "site_config.yml", project)
        for folder in ("content", "theme"):
            if (args.project / folder).is_dir():
                shutil.copytree(args.project / folder, project / folder)
        identity = ["-c", "user.name=b", "-c", "user.email=b@example.org"]
        for command in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "x"]):
            subprocess.run(["git", "-C", str(project), *command], check=True)
        notices = sorted((project / "content" / "notices").glob("*.yml"))
        notice = notices[len(notices) // 2]
        path = f"content/notices/{notice.name}"
        records = sum(1 for _ in (project / "content").glob("*/*.yml"))
        rows: list[tuple[float, float]] = []
        with live_serve(project, BUILD_DATE, env={"TMPDIR": tmp}) as server:
            server.wait_for(lambda: server.fetch("")[0] == 200, "the first build", timeout=1200)
            if args.open_forms_first:
                server.fetch("admin/config.yml")  # what opening /admin/ does: starts the checks' warm-up
                time.sleep(args.open_forms_first)
            status, entry = post(server.base, "getEntry", {"path": path})
            assert status == 200, entry
            form_yaml = str(entry["data"])
            for number in range(args.saves):
                time.sleep(1.5)  # let the watcher and the background outputs settle
                sentence = f"{MARK}第{number + 1}次"
                raw = form_yaml.replace("body: |\n", f"body: |\n  {sentence}\n\n", 1)
                started = time.monotonic()
                status, answer = post(server.base, "persistEntry", {
                    "dataFiles": [{"path": path, "raw": raw, "slug": notice.stem}], "assets": [],
                    "options": {"newEntry": False}})
                saved = time.monotonic() - started
                assert status == 200, answer
                server.wait_for(lambda s=sentence: server.shows(f"notices/{notice.stem}/", s), "the preview",
                                timeout=600, poll=0.02)
                rows.append((saved, time.monotonic() - started))
                print(f"save {number + 1}: {saved:.2f} s, shown after {rows[-1][1]:.2f} s", flush=True)
    print(f"\n/admin/ saves on a copy of {args.project} ({records} records)")
    print(f"{'':10} {'save (s)':>10} {'shown (s)':>10}")
    print(f"{'first':10} {rows[0][0]:10.2f} {rows[0][1]:10.2f}")
    later = rows[1:] or rows
    saves, shown = statistics.median(r[0] for r in later), statistics.median(r[1] for r in later)
    print(f"{'median':10} {saves:10.2f} {shown:10.2f}")


if __name__ == "__main__":
    main()
