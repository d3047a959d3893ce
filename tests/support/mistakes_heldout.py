"""Held-out editor mistakes: written with the corpus, graded only at the end, never tuned on.

Hand-written on records other than the corpus's samples, in forms the generated kinds do
not use, so that the tally here says how the messages fare on mistakes nobody tuned them
for. Graded like the corpus (tests/support/mistakes.py).
"""

from __future__ import annotations

from tests.support.mistakes import REPO, Case, Expect, utf8


def _text(relative: str) -> str:
    return (REPO / relative).read_text(encoding="utf-8")


def _edit(relative: str, old: str, new: str) -> bytes:
    text = _text(relative)
    assert text.count(old) == 1, f"{old!r} must occur once in {relative}"
    return utf8(text.replace(old, new))


def _line(relative: str, needle: str) -> int:
    lines = [n for n, line in enumerate(_text(relative).split("\n"), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} must be on one line of {relative}"
    return lines[0]


GRID = "content/grids/donghuashi-nanli-diyi-wangge.yml"
PROJECT = "content/projects/qianmen-aixin-chuxu-yinhang.yml"
LECTURE = "content/lectures/2026-12-01-jingansi-dongfang-dajiangtan.yml"
NOTICE = "content/notices/2025-caochang-huanjie-xuanju-gongshi.yml"
PLACE = "content/places/donghuashi-nanli-dangyuan-zhijia.yml"
ORG = "content/organizations/chongansi-jiedao-dangongwei.yml"


def held_out() -> list[Case]:
    found = [
        # A full-width colon after a key inside a list item.
        Case("held-out:hotline-item-colon", "held-out",
             {ORG: _edit(ORG, "  - name: 网格服务热线", "  - name：网格服务热线")},
             (Expect(ORG, _line(ORG, "- name: 网格服务热线"), ("全角", "冒号")),)),
        # A Chinese key inside a part.
        Case("held-out:window-chinese-key", "held-out",
             {NOTICE: _edit(NOTICE, "  end: 2025-09-14", "  结束日期: 2025-09-14")},
             (Expect(NOTICE, _line(NOTICE, "end: 2025-09-14"), ("end",)),)),
        # An organiser given by its short name, in a block list.
        Case("held-out:organiser-short-name", "held-out",
             {PROJECT: _edit(PROJECT, "  - qianmen-jiedao-dangongwei", "  - 前门街道党工委")},
             (Expect(PROJECT, _line(PROJECT, "- qianmen-jiedao-dangongwei"), ("qianmen-jiedao-dangongwei",)),)),
        # The window's end in the Chinese date format.
        Case("held-out:window-end-chinese-date", "held-out",
             {NOTICE: _edit(NOTICE, "  end: 2025-09-14", "  end: 2025年9月14日")},
             (Expect(NOTICE, _line(NOTICE, "end: 2025-09-14"), ("2025-09-14",)),)),
        # `off` as a notice's form.
        Case("held-out:form-off", "held-out", {NOTICE: _edit(NOTICE, "form: 公示", "form: off")},
             (Expect(NOTICE, _line(NOTICE, "form: 公示"), ("off",), forbidden=("False",)),), forbidden=("False",)),
        # A landline written with a space: plainly a phone number.
        Case("held-out:phone-with-space", "held-out", {GRID: _edit(GRID, "phone: 010-67126321", "phone: 010 67126321")},
             accepted=True, value=("grids", "donghuashi-nanli-diyi-wangge", ("phone",), "010 67126321")),
        # A lecture saved among the notices.
        Case("held-out:lecture-in-notices", "held-out",
             {"content/notices/dongfang-dajiangtan.yml": utf8(_text(LECTURE))},
             (Expect("content/notices/dongfang-dajiangtan.yml", 1, ("党课讲座", "notices/")),)),
        # A capitalised folder with a Chinese file name inside.
        Case("held-out:capital-folder", "held-out", {"content/Lectures/讲座.yml": utf8(_text(LECTURE))},
             (Expect("content/Lectures/讲座.yml", 1, ("Lectures/", "lectures/")),)),
        # A full-width colon inside a quoted clock time.
        Case("held-out:clock-full-width-colon", "held-out",
             {PLACE: _edit(PLACE, '      close: "11:30"', '      close: "11：30"')},
             (Expect(PLACE, _line(PLACE, 'close: "11:30"'), ("全角",)),)),
        # `yes` as a project's status.
        Case("held-out:status-yes", "held-out", {PROJECT: _edit(PROJECT, "status: 常态化", "status: yes")},
             (Expect(PROJECT, _line(PROJECT, "status: 常态化"), ("yes",), forbidden=("True",)),), forbidden=("True",)),
        # A grid's households with a thousands separator.
        Case("held-out:households-comma", "held-out", {GRID: _edit(GRID, "households: 968", "households: 1,968")},
             (Expect(GRID, _line(GRID, "households: 968"), ("1968",)),)),
        # A body line that lost its indentation, with a colon in it.
        Case("held-out:body-line-with-colon", "held-out",
             {GRID: _edit(GRID, "  居民有事可以找楼门长", "居民有事可以找楼门长：")},
             (Expect(GRID, _line(GRID, "居民有事可以找楼门长"), ("缩进",)),)),
        # A registration deadline written with slashes.
        Case("held-out:deadline-slashes", "held-out",
             {LECTURE: _edit(LECTURE, "  deadline: 2026-11-28", "  deadline: 2026/11/28")},
             (Expect(LECTURE, _line(LECTURE, "deadline: 2026-11-28"), ("2026-11-28",)),)),
        # A semicolon typed for the colon.
        Case("held-out:semicolon-for-colon", "held-out",
             {GRID: _edit(GRID, "community: 东花市南里社区", "community; 东花市南里社区")},
             (Expect(GRID, _line(GRID, "community: 东花市南里社区"), ("冒号",)),)),
        # A place whose hours' fields lost their indentation under a list item.
        Case("held-out:period-key-dedented", "held-out",
             {PLACE: _edit(PLACE, '    - days: [周六]\n      open: "09:00"', '    - days: [周六]\n    open: "09:00"')},
             (Expect(PLACE, _line(PLACE, "- days: [周六]") + 1, ("缩进",)),)),
        # A lecture start written with 点.
        Case("held-out:start-with-dian", "held-out",
             {LECTURE: _edit(LECTURE, 'start: "2026-12-01 14:00"', "start: 2026-12-01 14点")},
             (Expect(LECTURE, _line(LECTURE, 'start: "2026-12-01 14:00"'), ("2026-12-01 14:00",)),)),
    ]
    return found
