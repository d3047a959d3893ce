"""Tally of the editor-mistake corpus: how many messages are clear, partly clear or misleading.

    .venv/bin/python benchmarks/editor_mistakes.py                     # the corpus
    .venv/bin/python benchmarks/editor_mistakes.py --held-out          # the held-out part
    .venv/bin/python benchmarks/editor_mistakes.py --markdown FILE     # also write the tally
    .venv/bin/python benchmarks/editor_mistakes.py --show misleading   # print those cases

The cases and the grading live in tests/support/mistakes.py (the held-out ones in
tests/support/mistakes_heldout.py); tests/test_editor_mistakes.py asserts that all are clear.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.mistakes import CLEAR, MISLEADING, PARTLY, Case, Verdict, Workspace, cases

GRADES = (CLEAR, PARTLY, MISLEADING)


def held_out_cases() -> list[Case]:
    from tests.support.mistakes_heldout import held_out

    return held_out()


def tally(selected: list[Case]) -> list[tuple[Case, Verdict]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="tongxin-mistakes-") as scratch:
        workspace = Workspace(Path(scratch) / "portal")
        for case in selected:
            results.append((case, workspace.judge(case)))
    return results


def markdown(results: list[tuple[Case, Verdict]], title: str) -> str:
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for case, verdict in results:
        by_kind[case.kind][verdict.grade] += 1
    total = Counter(verdict.grade for _case, verdict in results)
    lines = [f"# {title}", "", f"{len(results)} cases of {len(by_kind)} kinds.", "",
             "| kind | cases | clear | partly clear | misleading |", "|---|---:|---:|---:|---:|"]
    for name, counts in by_kind.items():
        lines.append(f"| {name} | {sum(counts.values())} | " + " | ".join(str(counts[g]) for g in GRADES) + " |")
    lines.append(f"| **all** | **{len(results)}** | " + " | ".join(f"**{total[g]}**" for g in GRADES) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", action="store_true", help="grade the held-out cases instead")
    parser.add_argument("--markdown", type=Path, help="write the tally as Markdown into this file")
    parser.add_argument("--title", default="Editor mistakes: tally")
    parser.add_argument("--show", choices=GRADES, action="append", default=[], help="print the cases so graded")
    args = parser.parse_args()
    results = tally(held_out_cases() if args.held_out else cases())
    text = markdown(results, args.title)
    print(text)
    for case, verdict in results:
        if verdict.grade in args.show:
            print(f"- {verdict.grade}: {case.id}: {verdict.reason}")
            for item in verdict.reported[:4]:
                print(f"    {item.path}:{item.line}:{item.column}: {item.text[:160]}")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
