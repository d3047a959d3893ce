"""How long an edit takes to show in ``tongxin serve``, on a generated project.

    .venv/bin/python benchmarks/make_content.py 10000 --out /tmp/p10k     # once
    .venv/bin/python benchmarks/serve_edit.py /tmp/p10k

Starts ``tongxin serve`` on the project (PYTHONPATH set to this repository), waits for the
first build, then makes four edits one after the other and, for each, measures the seconds
from saving the file until the served page shows it (polling over HTTP, as a browser's
reload would fetch it):

1. a notice's body;
2. the name of the organisation most records refer to (its page and a referring record's page);
3. a new notice (its page, and the notice listing's first page naming it);
4. an invalid edit (until the error is printed), then its fix (until the page shows it).

Before each edit it waits until the outputs written in the background (search index,
calendars, feeds, open data) are done, and reports how long they took after the pages.
The project's files are restored afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from edits import middle_notice, most_referenced_organization, renamed, with_body_line  # noqa: E402

from tests.support.live_serve import LiveServer, live_serve  # noqa: E402

BUILD_DATE = "2026-11-22"
POLL_SECONDS = 0.02
TIMEOUT_SECONDS = 600.0
MARK = "基准编辑标记"


def busy_children(server: LiveServer) -> int:
    """Processes the server started that are still running (the background outputs)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    try:
        pids = children.read_text().split()
    except OSError:
        return 0
    return sum(1 for pid in pids if _running(pid))


def _running(pid: str) -> bool:
    """A process that has not exited (a finished child stays a zombie until it is waited for)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_until(condition: Callable[[], bool], server: LiveServer, what: str) -> float:
    """Seconds until ``condition`` holds, polling."""
    try:
        return server.wait_for(condition, what, TIMEOUT_SECONDS, POLL_SECONDS)
    except AssertionError as error:
        raise SystemExit(str(error)) from None


def record_url(type_name: str, record_id: str) -> str:
    return f"{type_name}/{record_id}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("project", type=Path, help="a project made by benchmarks/make_content.py")
    args = parser.parse_args()
    project: Path = args.project.resolve()
    content = project / "content"
    notice = middle_notice(content)
    organization, referrers = most_referenced_organization(content)
    organization_file = content / "organizations" / f"{organization}.yml"
    added = content / "notices" / "zzz-serve-edit-benchmark.yml"
    originals = {path: path.read_text(encoding="utf-8") for path in (notice, organization_file)}
    results: list[tuple[str, float, float, float]] = []

    with tempfile.TemporaryDirectory(prefix="serve-edit-") as tmp, live_serve(
        project, BUILD_DATE, env={"TMPDIR": tmp}
    ) as server:
        try:
            cold = wait_until(lambda: server.fetch("")[0] == 200, server, "the first build")
            outputs = wait_until(lambda: busy_children(server) == 0, server, "the first outputs")
            results.append(("first build (cold)", cold, float("nan"), outputs))

            def measure(label: str, edit: Callable[[], None], shown: Callable[[], bool]) -> None:
                wait_until(lambda: busy_children(server) == 0, server, "idle outputs")
                time.sleep(1.0)  # let the file watcher settle
                detections = server.text().count("Detected file changes")
                started = time.monotonic()
                edit()
                detected = wait_until(lambda: server.text().count("Detected file changes") > detections,
                                      server, f"{label} to be noticed")
                wait_until(shown, server, label)
                seconds = time.monotonic() - started
                after = wait_until(lambda: busy_children(server) == 0, server, f"outputs after {label}")
                results.append((label, seconds, detected, after))
                print(f"{label}: {seconds:.2f} s (outputs done {after:.2f} s later)", flush=True)

            body_mark = f"{MARK}正文"
            measure(
                "body edit (notice)",
                lambda: notice.write_text(with_body_line(originals[notice], body_mark), encoding="utf-8"),
                lambda: server.shows(record_url("notices", notice.stem), body_mark),
            )
            title_mark = f"{MARK}名称"
            referrer = referrers[0]
            measure(
                f"title edit (organisation named by {len(referrers)} records)",
                lambda: organization_file.write_text(renamed(originals[organization_file], title_mark),
                                                     encoding="utf-8"),
                lambda: server.shows(record_url("organizations", organization), title_mark)
                and server.shows(record_url(*referrer), title_mark),
            )
            new_mark = f"{MARK}新增"
            measure(
                "new record (notice)",
                lambda: added.write_text(renamed(originals[notice], new_mark), encoding="utf-8"),
                lambda: server.shows(record_url("notices", added.stem), new_mark),
            )
            broken = originals[organization_file].replace("kind: ", "kind: 不存在的类型", 1)
            relative = organization_file.relative_to(project).as_posix()
            measure(
                "invalid edit (error printed)",
                lambda: organization_file.write_text(broken, encoding="utf-8"),
                lambda: f"{relative}:" in server.text() and "重建失败" in server.text(),
            )
            measure(
                "fix of the invalid edit",
                lambda: organization_file.write_text(originals[organization_file], encoding="utf-8"),
                lambda: server.shows(record_url("organizations", organization), "")
                and not server.shows(record_url("organizations", organization), title_mark),
            )
        finally:
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")
            added.unlink(missing_ok=True)

    records = sum(1 for folder in content.iterdir() if folder.is_dir() for _ in folder.glob("*.yml"))
    print(f"\ntongxin serve on {project} ({records} records), {os.cpu_count()} cores")
    print("shown: from saving the file until the page shows the edit (or the error is printed);")
    print("noticed: until the server's file watcher reported the change (polled every 0.5 s);")
    print("outputs: after that, until the background outputs (search index, calendars…) were written\n")
    print(f"{'what':52} {'shown (s)':>10} {'noticed (s)':>12} {'outputs (s)':>12}")
    for label, seconds, detected, outputs in results:
        print(f"{label:52} {seconds:10.2f} {detected:12.2f} {outputs:12.2f}")


if __name__ == "__main__":
    main()
