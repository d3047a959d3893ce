"""Personal numbers and home addresses as people write them, in every published text:
refused by check with a located error, and never in any output file.

The numbers are generated (GB 11643 IDs with their check character, first-generation
15-digit IDs, mobiles with or without +86), then written in full-width or mixed digits,
grouped anywhere with any separator people type or paste, and put into a sentence in a
free-text field of any record type, a free page, a file name under content/files/ or a
string of site_config.yml. Ordinary numbers (office phones in phone fields, dates, record
ids, counts, amounts) must not be refused.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import yaml
from hypothesis import strategies as st

from generator.content.models import RECORD_TYPES
from tests.adversarial.conftest import build, check, has_traceback, record, small_project, write_record
from tests.adversarial.scan import scan_site
from tests.adversarial.strategies import (
    HOME_ADDRESSES,
    SENTENCES,
    Number,
    anchor_ids,
    anchor_records,
    examples,
    fill,
    free_text_fields,
    personal_number,
)
from tests.support.project import REPO, Project

CONFIG_STRINGS = ("site_name", "site_description", "copyright", "nav")
PERSON_FIELDS = {"secretary", "leader", "speaker.name", "source.author"}
ADDRESS_FIELDS = {"address", "contact.address", "venue", "area"}


def _fields(exclude_phones: bool) -> list[tuple[str, str]]:
    return [(type_name, path) for type_name in RECORD_TYPES for path in free_text_fields(type_name)
            if not (exclude_phones and path.endswith("phone"))]


placement = st.one_of(
    st.tuples(st.just("record field"), st.integers(0, 10_000)),
    st.tuples(st.just("free page"), st.just(0)),
    st.tuples(st.just("file name"), st.booleans().map(int)),
)


def _record_with(type_name: str, field: str, text: str) -> dict[str, object]:
    return fill(RECORD_TYPES[type_name], lambda path: text if path == field else "普通文字", anchor_ids())


def _place(project: Project, index: int, where: tuple[str, int], text: str, number: Number) -> tuple[str, str]:
    """Put ``text`` into the project; (class, the path whose error refuses it)."""
    kind, choice = where
    if kind == "record field":
        fields = _fields(exclude_phones=number.kind == "mobile")
        type_name, field = fields[choice % len(fields)]
        write_record(project, type_name, f"p{index}", _record_with(type_name, field, text))
        return f"4 privacy: {number.kind} in a record field", f"content/{type_name}/p{index}.yml"
    if kind == "free page":
        project.write(f"content/pages/p{index}.md", f"# 第 {index} 页\n\n{text}\n")
        return f"4 privacy: {number.kind} in a free page", f"content/pages/p{index}.md"
    name = f"附件{number.written}.pdf".replace("/", "")
    (project.content / "files" / name).write_bytes(b"%PDF-1.4\n")
    if choice:  # referenced from a notice, or lying there unreferenced
        data = _record_with("notices", "title", "附件公示")
        data["attachments"] = [{"title": "附件", "file": name}]
        write_record(project, "notices", f"p{index}", data)
    return f"4 privacy: {number.kind} in a file name", f"content/files/{name}"


def _config_with(project: Project, key: str, text: str) -> None:
    config = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
    if key == "nav":
        config["nav"].append({text: "pages/about.md"})
    else:
        config[key] = text
    project.config.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _refused_paths(project: Project) -> tuple[set[str], bool]:
    result = check(project, "--format", "json")
    problems = json.loads(result.stdout) if result.stdout.strip().startswith("[") else []
    paths = {p["path"] for p in problems if p["severity"] == "error"}
    # A file name is refused by an error naming the file, wherever it is reported.
    paths |= {f"content/files/{name}" for p in problems for name in _names_in(str(p["message"]) + str(p["path"]))}
    return paths, has_traceback(result)


def _names_in(text: str) -> list[str]:
    return [part.split("content/files/", 1)[1].split("”")[0].split("）")[0]
            for part in [text] if "content/files/" in part]


def _new_project() -> tuple[Project, Path]:
    folder = Path(tempfile.mkdtemp(prefix="tongxin-privacy-"))
    project = small_project(folder / "portal")
    for type_name, data in anchor_records().items():
        write_record(project, type_name, f"anchor-{type_name}", data)
    return project, folder


def test_every_personal_number_anywhere_is_refused_at_its_file() -> None:
    batches = examples(st.tuples(
        st.lists(st.tuples(personal_number(), placement, st.sampled_from(SENTENCES)), min_size=50, max_size=50),
        st.sampled_from(CONFIG_STRINGS), personal_number()), 4)
    missed: list[tuple[str, str]] = []
    tracebacks = 0
    for batch, config_key, config_number in batches:
        project, folder = _new_project()
        try:
            where: list[tuple[str, str]] = []
            for index, (number, spot, sentence) in enumerate(batch):
                where.append(_place(project, index, spot, sentence.format(number.written), number))
            _config_with(project, config_key, f"电话{config_number.written}")
            where.append((f"4 privacy: {config_number.kind} in site_config.yml", "site_config.yml"))
            refused, traceback = _refused_paths(project)
            tracebacks += traceback
            outcomes = Counter((kind, path in refused) for kind, path in where)
            for kind in {kind for kind, _ in where}:
                record(kind, tried=outcomes[(kind, True)] + outcomes[(kind, False)], refused=outcomes[(kind, True)],
                       personal_number=outcomes[(kind, False)])
            written = [number.written for number, _spot, _sentence in batch] + [config_number.written]
            missed += [(text, path) for text, (_kind, path) in zip(written, where, strict=True) if path not in refused]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    record("4 privacy: check runs", tried=len(batches), traceback=tracebacks)
    assert tracebacks == 0
    assert missed == []


def test_home_addresses_outside_address_fields_are_refused() -> None:
    addresses = examples(st.lists(st.tuples(st.sampled_from(HOME_ADDRESSES), st.integers(0, 10_000)),
                                  min_size=60, max_size=60), 2)[-1]
    project, folder = _new_project()
    fields = [(t, f) for t, f in _fields(exclude_phones=True) if f not in ADDRESS_FIELDS]
    try:
        where = []
        for index, (address, choice) in enumerate(addresses):
            type_name, field = fields[choice % len(fields)]
            text = f"王某某，{address}" if field not in PERSON_FIELDS else f"王某某（{address}）"
            write_record(project, type_name, f"a{index}", _record_with(type_name, field, text))
            where.append(f"content/{type_name}/a{index}.yml")
        # The same addresses in an organisation's or place's own address are public: accepted.
        for index, (address, _choice) in enumerate(addresses[:5]):
            write_record(project, "places", f"office{index}", _record_with("places", "address", f"某某路8号{address}"))
        refused, traceback = _refused_paths(project)
        refused_offices = [path for path in refused if "/office" in path]
        record("4 privacy: home address outside address fields", tried=len(where),
               refused=sum(p in refused for p in where), personal_number=sum(p not in refused for p in where),
               traceback=int(traceback))
        record("4 privacy: false positive (office address)", tried=5, handled=5 - len(refused_offices),
               refused=len(refused_offices))
        assert not traceback
        assert [p for p in where if p not in refused] == []
        assert refused_offices == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


landline = st.builds("{}-{}".format, st.sampled_from(["010", "021", "0510", "0574", "(010)", "0755"]),
                     st.from_regex(r"[2-8]\d{6,7}", fullmatch=True))
hotline = st.sampled_from(["12345", "12349", "95598", "400-810-1234", "400 810 1234", "110", "12315"])
ordinary = st.one_of(
    st.dates().map(lambda d: f"{d:%Y-%m-%d}"), st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    st.integers(0, 10**9).map(lambda n: f"{n:,} 元"), st.integers(0, 9999).map(lambda n: f"党员 {n} 名"),
    st.builds("{}年第{}期".format, st.integers(1949, 2030), st.integers(1, 12)),
    st.builds("{:02d}:{:02d}-{:02d}:{:02d}".format, *[st.integers(0, 23), st.integers(0, 59)] * 2),
    st.from_regex(r"(19|20)\d\d-(19|20)\d\d 年", fullmatch=True), landline,
)


def test_public_numbers_dates_and_counts_are_not_refused() -> None:
    phone = st.one_of(landline, hotline, st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
    phones, texts = examples(st.tuples(st.lists(phone, min_size=40, max_size=40),
                                       st.lists(ordinary, min_size=80, max_size=80)), 2)[-1]
    project, folder = _new_project()
    phone_fields = [(t, f) for t, f in _fields(exclude_phones=False) if f.endswith("phone")]
    text_fields = [(t, f) for t, f in _fields(exclude_phones=True) if f not in PERSON_FIELDS]
    rng = random.Random(len(texts))
    try:
        for index, phone in enumerate(phones):
            type_name, field = phone_fields[index % len(phone_fields)]
            write_record(project, type_name, f"ph{index}", _record_with(type_name, field, phone))
        for index, text in enumerate(texts):
            type_name, field = rng.choice(text_fields)
            data = _record_with(type_name, field, f"截至{text}，共计")
            write_record(project, type_name, f"t{index}-2026-11-22", data)
        refused, traceback = _refused_paths(project)
        record("4 privacy: false positive (phones, dates, counts)", tried=len(phones) + len(texts),
               handled=len(phones) + len(texts) - len(refused), refused=len(refused), traceback=int(traceback))
        assert not traceback
        assert sorted(refused) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_build_with_personal_numbers_everywhere_publishes_none(module_dir: Path) -> None:
    """One project with a generated number in every kind of place: the build is refused and
    no output file (if any was written) holds any of them, however written."""
    project = small_project(module_dir / "privacy")
    for type_name, data in anchor_records().items():
        write_record(project, type_name, f"anchor-{type_name}", data)
    rng = random.Random(11)
    numbers: list[Number] = []
    drawn = examples(st.lists(st.tuples(personal_number(), placement), min_size=60, max_size=60), 2)[-1]
    for index, (number, spot) in enumerate(drawn):
        _place(project, index, spot, rng.choice(SENTENCES).format(number.written), number)
        numbers.append(number)
    _config_with(project, "site_description", f"联系 {numbers[0].written}")
    built = build(project)
    scan = scan_site(project.site) if project.site.is_dir() else None
    published = scan.numbers_found(n.digits for n in numbers) if scan else {}
    record("4 privacy: whole build", tried=len(numbers), refused=len(numbers) if built.returncode else 0,
           personal_number=len(published), traceback=int(has_traceback(built)))
    assert not has_traceback(built)
    assert built.returncode == 1
    assert published == {}
