"""The site graph: typed records linked both ways, sorted, with state derived from the date.

Everything a page needs to know about other records is answered here, so templates never
search lists themselves and no reference is followed in two places.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from ..content.models import (
    RECORD_TYPES,
    Grid,
    Lecture,
    Notice,
    Organization,
    Place,
    Record,
    enumeration,
    field_path_value,
    reference_fields,
    references,
)
from ..content.validation import ValidRecord

NOTICE_UPCOMING, NOTICE_OPEN, NOTICE_CLOSED = "即将公示", "公示中", "已结束"
LECTURE_UPCOMING, LECTURE_PAST = "即将举行", "已结束"
# What a badge says beyond the state a record is listed under: an open notice on the last day
# of its window, a coming lecture that has begun.
NOTICE_LAST_DAY, LECTURE_ONGOING = "今天截止", "进行中"
# The key of each badge text in the page (data-tx-state), which theme/assets/tongxin.js corrects.
BADGE_KEYS = {
    NOTICE_OPEN: "open", NOTICE_LAST_DAY: "last-day", NOTICE_UPCOMING: "upcoming", NOTICE_CLOSED: "closed",
    LECTURE_UPCOMING: "upcoming", LECTURE_ONGOING: "ongoing", LECTURE_PAST: "closed",
}


# Remembered: every build sorts thousands of names, ``tongxin serve`` rebuilds with the same
# ones, and the build cache keeps them for the next build (``known_pinyin_keys``).
_PINYIN_KEYS: dict[str, tuple[str, str]] = {}


def pinyin_key(text: str) -> tuple[str, str]:
    """Sort key that orders Chinese names the way a Chinese index does (by pinyin)."""
    key = _PINYIN_KEYS.get(text)
    if key is None:
        # Imported here: its phrase dictionary takes a quarter of a second to load, and
        # `tongxin check` (a pre-commit hook) never sorts.
        from pypinyin import Style, lazy_pinyin

        key = _PINYIN_KEYS[text] = (" ".join(lazy_pinyin(text, style=Style.NORMAL)).lower(), text)
    return key


def known_pinyin_keys() -> dict[str, tuple[str, str]]:
    """The sort keys worked out so far (a build cache keeps them; they depend on the text
    and pypinyin's version only)."""
    return _PINYIN_KEYS


_SPELLINGS: dict[str, str] = {}


def spelling(text: str) -> str:
    """``text`` spelt in pinyin, lower case, no tones (发展党员公示 -> fazhandangyuangongshi)."""
    if text.isascii():
        # pypinyin keeps what is not Chinese as it is. Loading it takes ~0.4 s, which
        # `tongxin check` would otherwise pay for the "x" of the reserved addresses alone.
        return text.lower()
    spelt = _SPELLINGS.get(text)
    if spelt is None:
        from pypinyin import lazy_pinyin

        spelt = _SPELLINGS[text] = "".join(lazy_pinyin(text)).lower()
    return spelt


def known_spellings() -> dict[str, str]:
    return _SPELLINGS


def notice_state(notice: Notice, today: dt.date) -> str:
    if today < notice.window.start:
        return NOTICE_UPCOMING
    if today > notice.window.end:
        return NOTICE_CLOSED
    return NOTICE_OPEN


def lecture_state(lecture: Lecture, now: dt.datetime) -> str:
    return LECTURE_PAST if lecture.end <= now else LECTURE_UPCOMING


def notice_badge(notice: Notice, today: dt.date) -> str:
    """The notice's state, or 今天截止 on the last day of its window."""
    state = notice_state(notice, today)
    return NOTICE_LAST_DAY if state == NOTICE_OPEN and today == notice.window.end else state


def lecture_badge(lecture: Lecture, now: dt.datetime) -> str:
    """The lecture's state, or 进行中 between its start and its end."""
    state = lecture_state(lecture, now)
    return LECTURE_ONGOING if state == LECTURE_UPCOMING and lecture.start <= now else state


@dataclass(frozen=True)
class Tally:
    """How many records there were of each value of an enumeration, year by year."""

    values: tuple[str, ...]  # the enumeration, in the model's order
    years: tuple[tuple[int, tuple[int, ...]], ...]  # newest year first: the year, a count per value


def yearly_tally(records: Iterable[Record]) -> Tally | None:
    """The records counted as their model's ``tally`` says; None when it declares none."""
    records = list(records)
    model = type(records[0]) if records else None
    if model is None or model.tally is None or model.newest_first is None:
        return None
    counted = model.tally[1]
    values = enumeration(model, counted)
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(values))
    for record in records:
        when = field_path_value(record, model.newest_first)
        counts[when.year][values.index(getattr(record, counted))] += 1
    return Tally(values, tuple((year, tuple(counts[year])) for year in sorted(counts, reverse=True)))


@dataclass(frozen=True)
class ReferrerGroup:
    """The records of one type that point at a record through one field, with the label to show."""

    label: str
    source_type: str
    source_field: str
    records: list[Record]

    @property
    def anchor(self) -> str:
        return f"{self.source_type}-{self.source_field}"

    @property
    def tally(self) -> Tally | None:
        """The yearly count of these records, when their type tallies by this field."""
        declared = RECORD_TYPES[self.source_type].tally
        return yearly_tally(self.records) if declared and declared[0] == self.source_field else None


@dataclass
class TreeNode:
    organization: Organization
    children: list[TreeNode] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)


@dataclass
class SiteGraph:
    """All valid records, their references both ways and the build date."""

    records: dict[str, dict[str, Record]]
    build_date: dt.date
    # (target type, target id) -> (source type, source field) -> source records
    _referrers: dict[tuple[str, str], dict[tuple[str, str], list[Record]]]

    @classmethod
    def build(cls, valid: Iterable[ValidRecord], build_date: dt.date) -> SiteGraph:
        by_type: dict[str, list[Record]] = {name: [] for name in RECORD_TYPES}
        for record in valid:
            by_type[record.raw.type_name].append(record.model)
        records = {
            name: {r.id: r for r in sorted(items, key=_default_order)}
            for name, items in by_type.items()
        }
        return cls.linked_up(records, build_date)

    @classmethod
    def linked_up(cls, records: dict[str, dict[str, Record]], build_date: dt.date) -> SiteGraph:
        """The graph of records already sorted by type (the references are worked out)."""
        referrers: dict[tuple[str, str], dict[tuple[str, str], list[Record]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for type_name, items in records.items():
            fields = reference_fields(RECORD_TYPES[type_name])
            for record in items.values():
                for field_name, target_type in fields.items():
                    value = getattr(record, field_name)
                    for target in value if isinstance(value, list) else [value]:
                        if target is not None:
                            referrers[(target_type, target)][(type_name, field_name)].append(record)
        return cls(records, build_date, referrers)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as its records (the build cache keeps the last build's graph): the
        # references are worked out again on loading.
        return (SiteGraph.linked_up, (self.records, self.build_date))

    # --- lookups -------------------------------------------------------------------

    def get(self, type_name: str, record_id: str | None) -> Record | None:
        if record_id is None:
            return None
        return self.records[type_name].get(record_id)

    def resolve(self, type_name: str, ids: Iterable[str]) -> list[Record]:
        return [self.records[type_name][i] for i in ids if i in self.records[type_name]]

    def referrers(self, target: Record, source_type: str, source_field: str) -> list[Record]:
        """Records of ``source_type`` whose ``source_field`` points at ``target``."""
        return list(self._referrers.get((target.type_name, target.id), {}).get((source_type, source_field), []))

    def referrer_groups(self, target: Record) -> list[ReferrerGroup]:
        """Everything pointing at ``target``, one group per referring type and field, in the order
        the types and their fields are declared: what the target's page lists under its links."""
        pointing = self._referrers.get((target.type_name, target.id), {})
        groups = []
        for source_type, model in RECORD_TYPES.items():
            for field_name, mark in references(model).items():
                found = pointing.get((source_type, field_name)) if mark.type_name == target.type_name else None
                if found:
                    groups.append(ReferrerGroup(mark.back or model.type_label, source_type, field_name, list(found)))
        return groups

    def tallies(self, type_name: str) -> list[tuple[Record, Tally]]:
        """For a type that declares a ``tally``: each referenced record (in its type's order) with
        the yearly count of the records pointing at it."""
        declared = RECORD_TYPES[type_name].tally
        if declared is None:
            return []
        target_type = reference_fields(RECORD_TYPES[type_name])[declared[0]]
        found = []
        for target in self.records[target_type].values():
            tally = yearly_tally(self.referrers(target, type_name, declared[0]))
            if tally is not None:
                found.append((target, tally))
        return found

    def linked(self, record: Record) -> Iterator[Record]:
        """Records ``record`` refers to and records referring to it: what its page may name."""
        for field_name, target_type in reference_fields(type(record)).items():
            value = getattr(record, field_name)
            yield from self.resolve(target_type, value if isinstance(value, list) else [value] if value else [])
        for sources in self._referrers.get((record.type_name, record.id), {}).values():
            yield from sources

    def all_records(self) -> Iterable[Record]:
        for items in self.records.values():
            yield from items.values()

    def count(self) -> int:
        return sum(len(items) for items in self.records.values())

    # --- derived state -------------------------------------------------------------

    @property
    def build_moment(self) -> dt.datetime:
        """The start of the build day: lectures later that day still count as upcoming."""
        return dt.datetime.combine(self.build_date, dt.time.min)

    def derived_state(self, record: Record) -> tuple[str, str] | None:
        """Everything the build date decides about ``record``: its state (公示中, 已结束 …)
        and its badge (今天截止, 进行中). Pages learn the date only through these, so a
        rebuild on another date renders again exactly the pages of records whose state or
        badge changed (``generator.mkdocs_plugin.incremental``): a new date-dependent fact
        shown on pages must be added here."""
        if isinstance(record, Notice):
            return self.notice_state(record), self.notice_badge(record)
        if isinstance(record, Lecture):
            return self.lecture_state(record), self.lecture_badge(record)
        return None

    def notice_state(self, notice: Notice) -> str:
        return notice_state(notice, self.build_date)

    def lecture_state(self, lecture: Lecture) -> str:
        return lecture_state(lecture, self.build_moment)

    def notice_badge(self, notice: Notice) -> str:
        return notice_badge(notice, self.build_date)

    def lecture_badge(self, lecture: Lecture) -> str:
        """At the build moment (00:00), only a lecture over midnight is already under way."""
        return lecture_badge(lecture, self.build_moment)

    def state(self, record: Record) -> str | None:
        """The state a record is in on the build date (公示中, 即将举行 …); None for records without one."""
        if isinstance(record, Notice):
            return self.notice_state(record)
        if isinstance(record, Lecture):
            return self.lecture_state(record)
        return None

    def notices_by_state(self) -> dict[str, list[Notice]]:
        groups: dict[str, list[Notice]] = {NOTICE_OPEN: [], NOTICE_UPCOMING: [], NOTICE_CLOSED: []}
        for notice in self.records["notices"].values():
            assert isinstance(notice, Notice)
            groups[self.notice_state(notice)].append(notice)
        groups[NOTICE_UPCOMING].sort(key=lambda n: (n.window.start, n.id))
        return groups

    def lectures_by_state(self) -> dict[str, list[Lecture]]:
        groups: dict[str, list[Lecture]] = {LECTURE_UPCOMING: [], LECTURE_PAST: []}
        for lecture in self.records["lectures"].values():
            assert isinstance(lecture, Lecture)
            groups[self.lecture_state(lecture)].append(lecture)
        groups[LECTURE_UPCOMING].sort(key=lambda item: (item.start, item.id))
        return groups

    def lecture_contact(self, lecture: Lecture) -> Place | Organization | None:
        """Whom to ask about a lecture: its place if that has a phone, else its organisation."""
        for record in (self.get("places", lecture.place), self.get("organizations", lecture.organization)):
            if isinstance(record, Place | Organization) and record.phone:
                return record
        return None

    def recent_updates(self, limit: int) -> list[tuple[dt.date, Record]]:
        """The newest changes up to the build date, newest first: notices by their publication
        date, any record by its ``updated`` date (whichever is later). Dates come from the
        records themselves, never from files, so every build of the same content agrees."""
        dated: list[tuple[dt.date, Record]] = []
        for record in self.all_records():
            dates = [record.updated, record.published if isinstance(record, Notice) else None]
            known = [day for day in dates if day is not None and day <= self.build_date]
            if known:
                dated.append((max(known), record))
        dated.sort(key=lambda item: (-item[0].toordinal(), item[1].type_name, item[1].id))
        return dated[:limit]

    # --- the organisation tree -----------------------------------------------------

    @cached_property
    def organization_tree(self) -> list[TreeNode]:
        organizations = self.records["organizations"]
        nodes = {i: TreeNode(org) for i, org in organizations.items()}  # type: ignore[arg-type]
        roots = []
        for _org_id, node in nodes.items():
            parent = node.organization.parent
            if parent in nodes:
                nodes[parent].children.append(node)
            else:
                roots.append(node)
        for grid in self.records["grids"].values():
            assert isinstance(grid, Grid)
            if grid.organization in nodes:
                nodes[grid.organization].grids.append(grid)
        return roots

    def ancestors(self, organization: Organization) -> list[Organization]:
        """Parents from the root down to the direct parent (the page's breadcrumb)."""
        chain: list[Organization] = []
        current = self.get("organizations", organization.parent)
        while isinstance(current, Organization) and current not in chain:
            chain.insert(0, current)
            current = self.get("organizations", current.parent)
        return chain

    def places_of(self, organization: Organization) -> list[Place]:
        return self.referrers(organization, "places", "organization")  # type: ignore[return-value]


def _default_order(record: Record) -> tuple:
    """Newest first by the type's ``newest_first`` date; otherwise titles in pinyin order."""
    if record.newest_first:
        when = field_path_value(record, record.newest_first)
        seconds = when.hour * 3600 + when.minute * 60 + when.second if isinstance(when, dt.datetime) else 0
        return (-(when.toordinal() * 86400 + seconds), record.id)
    return (pinyin_key(record.display_title), record.id)
