"""The corpus of editor mistakes (tests/support/mistakes.py): every message is clear.

Each case writes one realistic mistake into a copy of the sample project, runs
`tongxin check` and judges the message the way an editor would: reported at the line of
the mistake, naming its real cause, blaming nothing else; or, where the meaning is
unambiguous (digits in a phone field, `no` in a text field), accepted as written.
"""

from __future__ import annotations

import pytest

from tests.support.mistakes import CLEAR, KINDS, Case, Workspace, cases
from tests.support.mistakes_heldout import held_out

CASES = cases()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("mistakes") / "portal")


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 40
    assert len(KINDS) >= 20
    assert all(any(case.kind == name for case in CASES) for name in KINDS), "every kind has cases"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_message_is_clear(case: Case, workspace: Workspace) -> None:
    verdict = workspace.judge(case)
    shown = "\n".join(f"{r.path}:{r.line}:{r.column}: {r.text}" for r in verdict.reported)
    assert verdict.grade == CLEAR, f"{verdict.grade}: {verdict.reason}\n{shown}"


HELD_OUT = held_out()


@pytest.mark.parametrize("case", HELD_OUT, ids=[case.id for case in HELD_OUT])
def test_the_held_out_messages_are_clear(case: Case, workspace: Workspace) -> None:
    """Graded once after the messages were done (benchmarks/editor_mistakes.md), kept as a guard."""
    verdict = workspace.judge(case)
    assert verdict.grade == CLEAR, f"{verdict.grade}: {verdict.reason}"
