"""Broken, hostile or odd input: a clear located error from check and from build, never a
traceback; whatever check accepts, build builds.

Configuration cases each get a project of their own; record cases share one project, where
check must name every one of them at its file, and each case check does not refuse is
built alone to hold the invariant.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from generator.content.models import RECORD_TYPES
from tests.adversarial.conftest import build, check, has_traceback, record, run_in_process, small_project, write_record
from tests.adversarial.strategies import anchor_ids, anchor_records, fill
from tests.support.project import REPO, SAMPLE_DATE, Project

SAMPLE_CONFIG = (REPO / "site_config.yml").read_text(encoding="utf-8")
PLUGIN_LINE = "  - tongxin:\n"


def _plugin(option: str) -> str:
    return SAMPLE_CONFIG.replace(PLUGIN_LINE, PLUGIN_LINE + f"      {option}\n", 1)


# (class, name, site_config.yml text or None for no file, whether it is valid)
CONFIGS: list[tuple[str, str, str | None, bool]] = [
    ("5 broken site_config.yml", "yaml error", SAMPLE_CONFIG + "\nnav: [unclosed\n", False),
    ("5 broken site_config.yml", "tab", "\tsite_name: x\n" + SAMPLE_CONFIG, False),
    ("5 broken site_config.yml", "top-level list", "- site_name\n- x\n", False),
    ("5 broken site_config.yml", "missing file", None, False),
    ("5 broken site_config.yml", "empty file", "", False),
    ("5 broken site_config.yml", "not UTF-8", SAMPLE_CONFIG.replace("同心", "\udcff"), False),
    ("5 plugin option", "privacy_allow as a number", _plugin("privacy_allow: 13800001111"), False),
    ("5 plugin option", "privacy_allow as a mapping", _plugin("privacy_allow: {a: 1}"), False),
    ("5 plugin option", "unknown timezone", SAMPLE_CONFIG.replace("Asia/Shanghai", "Mars/Olympus"), False),
    ("5 plugin option", "empty timezone", SAMPLE_CONFIG.replace("Asia/Shanghai", '""'), False),
    ("5 plugin option", "timezone path", SAMPLE_CONFIG.replace("Asia/Shanghai", "../../etc/passwd"), False),
    ("5 plugin option", "timezone number", SAMPLE_CONFIG.replace("Asia/Shanghai", "8"), False),
    ("5 plugin option", "bad build_date", _plugin("build_date: 2026-13-45"), False),
    ("5 plugin option", "max_file_bytes text", _plugin("max_file_bytes: big"), False),
    ("5 plugin option", "lang fr", _plugin("lang: fr"), False),
    ("5 plugin option", "content_dir number", SAMPLE_CONFIG.replace("content_dir: content", "content_dir: 12"), False),
    ("8 silent acceptance", "unknown plugin option", _plugin("content_dri: content"), False),
    ("8 silent acceptance", "misspelt option", _plugin("privacy_alow: []"), False),
    ("7 code in site_config.yml", "python apply",
     SAMPLE_CONFIG + '\nextra:\n  x: !!python/object/apply:os.system ["touch PWNED"]\n', False),
    ("7 code in site_config.yml", "python name", SAMPLE_CONFIG + "\nextra:\n  x: !!python/name:os.system\n", False),
    ("7 code in site_config.yml", "python module", SAMPLE_CONFIG + "\nextra:\n  x: !!python/module:os\n", False),
    ("7 code in site_config.yml", "unknown tag", SAMPLE_CONFIG + "\nextra:\n  x: !evil foo\n", False),
    ("7 code in site_config.yml", "python object new",
     SAMPLE_CONFIG + '\nextra: !!python/object/new:os.system ["touch PWNED"]\n', False),
    ("7 code in site_config.yml", "!ENV still works",
     SAMPLE_CONFIG.replace("site_name: 同心 · 社区党建服务平台", "site_name: !ENV [TONGXIN_TEST_NAME, 同心]"), True),
]


def _project(root: Path) -> Project:
    project = small_project(root)
    for type_name, data in anchor_records().items():
        write_record(project, type_name, f"anchor-{type_name}", data)
    return project


def _check_and_build(project: Project) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    return check(project), run_in_process(project, "build", "--date", SAMPLE_DATE)


def test_broken_configurations_give_clear_errors(module_dir: Path) -> None:
    results: dict[str, list[tuple[str, bool]]] = {}
    projects = []
    for index, (_kind, _name, text, _valid) in enumerate(CONFIGS):
        project = _project(module_dir / f"config-{index}")
        if text is None:
            project.config.unlink()
        else:
            project.config.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        projects.append(project)
    runs = [_check_and_build(project) for project in projects]
    for (kind, name, _text, valid), project, (checked, built) in zip(CONFIGS, projects, runs, strict=True):
        traceback = has_traceback(checked) or has_traceback(built)
        ran_code = (project.root / "PWNED").exists()
        ok = not traceback and not ran_code and (
            (checked.returncode == 0 and built.returncode == 0) if valid
            else (checked.returncode == 1 and built.returncode == 1 and "site_config.yml" in checked.stderr))
        if kind.startswith("7") and not valid:
            ok = ok and ":" in checked.stderr.split("site_config.yml", 1)[-1][:4]  # file:line
        results.setdefault(kind, []).append((name, ok))
        record(kind, tried=1, refused=int(ok and not valid), handled=int(ok and valid), traceback=int(traceback),
               live_markup=int(ran_code))
    assert {kind: [n for n, ok in items if not ok] for kind, items in results.items()} == {k: [] for k in results}


def _lecture(start: str, end: str) -> dict[str, object]:
    data = fill(RECORD_TYPES["lectures"], "普通文字", anchor_ids())
    data.update(start=start, end=end)
    return data


def _notice(**window: object) -> dict[str, object]:
    data = fill(RECORD_TYPES["notices"], "普通文字", anchor_ids())
    data["window"] = window
    return data


def _place_with_exception(exception: dict[str, object]) -> dict[str, object]:
    data = fill(RECORD_TYPES["places"], "普通文字", anchor_ids())
    data["hours"]["exceptions"] = [exception]  # type: ignore[index]
    return data


def _named(type_name: str, text: str) -> dict[str, object]:
    return fill(RECORD_TYPES[type_name], lambda path: text if path in ("name", "title") else "普通文字", anchor_ids())


def _record_cases() -> list[tuple[str, str, str, dict[str, object] | None]]:
    """(class, type, id, data) of records check must refuse; None data: a special file."""
    cases: list[tuple[str, str, str, dict[str, object] | None]] = [
        ("5 extreme dates", "lectures", "year-9999", _lecture("9999-12-31 23:00", "9999-12-31 23:30")),
        ("5 extreme dates", "lectures", "year-1", _lecture("0001-01-01 00:30", "0001-01-01 01:00")),
        ("5 extreme dates", "notices", "window-9999", _notice(start="9999-12-25", end="9999-12-31")),
        ("5 extreme dates", "notices", "window-1", _notice(start="0001-01-01", end="0001-01-10")),
        ("5 extreme dates", "places", "exception-9999", _place_with_exception({"date": "9999-12-31", "closed": True})),
        ("8 silent acceptance", "places", "closes-before-opening",
         _place_with_exception({"date": "2026-12-01", "open": "17:00", "close": "09:00"})),
        ("8 silent acceptance", "places", "opens-without-closing",
         _place_with_exception({"date": "2026-12-01", "open": "09:00"})),
        ("5 NUL and odd file references", "notices", "nul-reference", None),
    ]
    for char in ("\u202e", "\u202d", "\u2066", "\u200b", "\u200f", "\ufeff", "\u0007", "\u00ad", "\u2028"):
        for type_name in ("organizations", "notices"):
            cases.append(("8 invisible or bidi character", type_name, f"char-{ord(char):x}-{type_name[:3]}",
                          _named(type_name, f"名称{char}甲")))
    return cases


def _collision_cases() -> list[tuple[str, str, str, dict[str, object] | None]]:
    reserved = {"notices": ["index", "page", "category", "feed"], "lectures": ["calendar", "series", "index", "feed"],
                "organizations": ["tree", "index", "page"], "places": ["index"], "cases": ["index"]}
    return [("8 id colliding with a generated page", type_name, record_id,
             fill(RECORD_TYPES[type_name], "普通文字", anchor_ids()))
            for type_name, ids in reserved.items() for record_id in ids]


def test_record_inputs_are_refused_at_their_file_and_what_check_accepts_builds(module_dir: Path) -> None:
    project = _project(module_dir / "records")
    cases = _record_cases() + _collision_cases()
    for _kind, type_name, record_id, data in cases:
        if data is None:
            data = fill(RECORD_TYPES["notices"], "普通文字", anchor_ids())
            data["attachments"] = [{"title": "附件", "file": "adversarial\x00.pdf"}]
        write_record(project, type_name, record_id, data)
    (project.content / "notices" / "a-folder.yml").mkdir()
    (project.content / "notices" / "dangling.yml").symlink_to(project.root / "no-such-file.yml")
    checked = check(project, "--format", "json")
    problems = json.loads(checked.stdout) if checked.stdout.strip().startswith("[") else []
    located = {p["path"] for p in problems if p["severity"] == "error"}
    tracebacks = int(has_traceback(checked))
    accepted = []
    for kind, type_name, record_id, _data in cases:
        refused = f"content/{type_name}/{record_id}.yml" in located
        if not refused:
            accepted.append((kind, type_name, record_id))
        record(kind, tried=1, refused=int(refused))
    # Each case check accepts is built on its own: it must build.
    crashed = []
    for kind, type_name, record_id in accepted:
        alone = _project(module_dir / f"alone-{type_name}-{record_id}")
        source = project.content / type_name / f"{record_id}.yml"
        (alone.content / type_name).mkdir(exist_ok=True)
        (alone.content / type_name / source.name).write_bytes(source.read_bytes())
        ok_check = check(alone).returncode == 0
        built = build(alone)
        if has_traceback(built) or (ok_check and built.returncode != 0):
            crashed.append((kind, record_id))
            record(kind, traceback=int(has_traceback(built)))
    record("5 unreadable entries in content", tried=2, handled=2 - tracebacks, traceback=tracebacks)
    assert tracebacks == 0
    assert crashed == []
    assert accepted == []


def test_new_with_odd_ids_and_serve_on_a_busy_port(module_dir: Path) -> None:
    project = _project(module_dir / "commands")
    outcomes = []
    for record_id in ("a" * 300, "../../evil", "UPPER", "", "a/b", "nul\x01id", "-x"):
        result = run_in_process(project, "new", "notice", record_id)
        outcomes.append(("5 tongxin new with an odd id", result.returncode != 0 and not has_traceback(result),
                         has_traceback(result)))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        try:
            result = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                    cwd=project.root, capture_output=True, text=True, timeout=120)
            ok = result.returncode == 1 and not has_traceback(result) and str(port) in result.stderr
            outcomes.append(("5 serve on a port in use", ok, has_traceback(result)))
        except subprocess.TimeoutExpired:
            outcomes.append(("5 serve on a port in use", False, False))
        assert time.monotonic() - started < 120
    for kind, ok, traceback in outcomes:
        record(kind, tried=1, refused=int(ok), traceback=int(traceback))
    assert [o for o in outcomes if not o[1]] == []
    assert not (project.root.parent / "evil.yml").exists()
    assert yaml.safe_load(SAMPLE_CONFIG)
