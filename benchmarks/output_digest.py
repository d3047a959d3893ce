"""Digests of every file Tongxin builds, to show that a speed-up changed no output byte.

    .venv/bin/python benchmarks/output_digest.py --save /tmp/before.json   # on the old code
    .venv/bin/python benchmarks/output_digest.py --compare /tmp/before.json  # on the new code

Builds (cold, into empty folders, with an empty build cache) the repository's sample site and
a generated project of ``--n`` records (benchmarks/make_content.py, 2,000 by default), both
with the same build date, and records the SHA-256 of every file of both sites. ``--compare``
lists every file whose bytes differ from the saved digests, or that only one side has, and
exits non-zero if there is any. Each build runs with the code next to this script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import tree_digest
from make_content import BUILD_DATE, make_project

REPO = Path(__file__).resolve().parents[1]


def build(project: Path) -> Path:
    """A cold ``tongxin build`` of ``project``; the site folder it wrote."""
    site, cache = project / "site", project / ".bench-cache"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(REPO), TONGXIN_CACHE_DIR=str(cache))
    env.pop("SOURCE_DATE_EPOCH", None)
    command = [sys.executable, "-m", "generator.cli", "build", "--date", BUILD_DATE.isoformat()]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build failed in {project}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return site


def sample_project(out: Path) -> Path:
    """The repository's own project (config, theme, content), copied."""
    project = out / "sample"
    project.mkdir(parents=True)
    shutil.copy2(REPO / "site_config.yml", project / "site_config.yml")
    shutil.copytree(REPO / "theme", project / "theme")
    shutil.copytree(REPO / "content", project / "content")
    return project


def digests(n: int) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="tongxin-digest-") as scratch:
        out = Path(scratch)
        sample = sample_project(out)
        generated = out / f"generated-{n}"
        make_project(n, generated)
        return {"sample": tree_digest(build(sample)), f"generated-{n}": tree_digest(build(generated))}


def differences(saved: dict[str, dict[str, str]], now: dict[str, dict[str, str]]) -> list[str]:
    found = []
    for site in sorted(saved.keys() | now.keys()):
        before, after = saved.get(site, {}), now.get(site, {})
        found += [f"{site}/{name}" for name in sorted(before.keys() | after.keys())
                  if before.get(name) != after.get(name)]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="records of the generated project (default 2000)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the digests to this JSON file")
    action.add_argument("--compare", type=Path, help="compare with digests saved earlier")
    args = parser.parse_args()
    now = digests(args.n)
    counts = ", ".join(f"{site}: {len(files):,} files" for site, files in now.items())
    if args.save:
        args.save.write_text(json.dumps(now, indent=0, sort_keys=True), encoding="utf-8")
        print(f"saved digests ({counts}) to {args.save}")
        return 0
    saved = json.loads(args.compare.read_text(encoding="utf-8"))
    differing = differences(saved, now)
    for name in differing[:50]:
        print(f"differs: {name}")
    print(f"{counts}; {len(differing)} differing" + (" (byte-identical)" if not differing else ""))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
