"""The shortcuts of the privacy guard and the invisible-character check find exactly what a
full, character-by-character scan finds: a speed-up must never let personal data through.
Likewise the categories' addresses are spelt as pypinyin spells them, shortcut or not."""

from __future__ import annotations

import re
import sys
import unicodedata

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content import characters, markup, privacy
from generator.content.linebreaks import WideLineJoinExtension
from generator.site import graph

# Characters the scans care about (digits of several scripts and widths, separators, X,
# building and unit words, letters that fold to ASCII under IGNORECASE, invisible ones)
# mixed with ordinary Chinese text and characters whose NFKC is longer or shorter.
INTERESTING = (
    "0123456789０１２３４５６７８９٣๓३Xx一二三四五六七八九十百零〇两号楼院栋幢座#＃楼单元门层室户房"
    " -－—·・.\u3000\u200b\u200d\u2060\ufeff\u00ad_\u202e\u0000\t\n"
    "roomRMflatAPTunitbuildingBldgblocktowerİıſK家住址在社区党委书记，。：（）"
    "½㈠ﬁ\u0301e"
)
texts = st.text(alphabet=st.sampled_from(INTERESTING), max_size=60) | st.text(max_size=40)
# Dwellings written each way the guard knows (privacy._DWELLING), mixed with other text.
_numerals = st.sampled_from(["3", "12", "501", "1602", "七", "十二", "两"])
_digits = st.integers(0, 9999).map(str)
_gaps = st.sampled_from(["", " ", "\u3000"])


def _words(*words: str) -> st.SearchStrategy[str]:
    return st.sampled_from(words)


_building = st.tuples(_numerals, _gaps, _words("号楼", "号院", "栋", "幢", "座", "#楼", "#", "号"), _gaps,
                      st.just("") | st.tuples(_numerals, _gaps, _words("单元", "门", "层", "楼"), _gaps).map("".join),
                      _numerals, _gaps, _words("", "室", "号房", "户", "房"))
_unit_first = st.tuples(_numerals, _gaps, st.just("单元"), _gaps, _numerals, _words("", "室", "号", "户"))
_dashed = st.tuples(_digits, st.just("-"), _digits, st.just("-"), _digits, _words("", "室", "号"))
_english = st.tuples(_words("room", "Rm.", "flat", "APT", "apartment", "unit"), _gaps, _digits, _words("", "b", " of "),
                     _words("building", "Bldg", "block", "TOWER"), _gaps, _digits)
_english_reversed = st.tuples(_words("building", "bldg.", "Block", "tower"), _gaps, _digits, _words("", ", "),
                              _words("room", "rm", "Flat", "apt", "unit"), _gaps, _digits)
_dwellings = st.one_of(*(kind.map("".join) for kind in (_building, _unit_first, _dashed, _english, _english_reversed)))
addresses = st.lists(_dwellings | texts, max_size=3).map("".join)


def folded_one_by_one(text: str) -> tuple[str, list[int]]:
    """The number reader's view of ``text``, folding every character on its own."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        value = unicodedata.decimal(char, None)
        if value is not None:
            folded = str(value)
        elif unicodedata.category(char) in ("Mn", "Me"):  # an accent, an enclosing circle
            folded = ""
        else:
            folded = unicodedata.normalize("NFKC", char)
        chars.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(chars), offsets


@settings(max_examples=200)
@given(st.lists(texts, min_size=1, max_size=3))
def test_texts_are_read_as_folding_each_character_would(batch: list[str]) -> None:
    for text in batch:  # what one text taught the folding must not change the next
        flat, offsets = privacy._normalised(text)
        expected_flat, expected_offsets = folded_one_by_one(text)
        assert flat == expected_flat
        assert list(offsets) == expected_offsets


@settings(max_examples=300)
@given(addresses)
def test_no_dwelling_the_full_pattern_finds_is_skipped(text: str) -> None:
    for seen in (text, folded_one_by_one(text)[0]):  # home_addresses searches both
        if privacy._DWELLING.search(seen):
            assert privacy._DWELLING_HINT.search(seen)


@settings(max_examples=300)
@given(addresses, st.booleans())
def test_home_addresses_are_what_the_full_patterns_find_in_the_text_folded_character_by_character(
    text: str, person: bool
) -> None:
    def full_scan(seen: str) -> list[re.Match[str]]:
        found = list(privacy._DWELLING.finditer(seen))
        return found + list(privacy._RESIDENCE_WORDS.finditer(seen)) if person else found

    flat, offsets = folded_one_by_one(text)
    expected = [(offsets[match.start()], offsets[match.end() - 1] + 1) for match in full_scan(flat)]
    if flat != text:  # and in the text as written
        expected += [match.span() for match in full_scan(text)]
    assert [(match.start, match.end) for match in privacy.home_addresses(text, person)] == expected


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30) | texts)
def test_a_category_is_spelt_as_pypinyin_spells_it(name: str) -> None:
    from pypinyin import lazy_pinyin

    assert graph.spelling(name) == "".join(lazy_pinyin(name)).lower()


def test_every_character_that_matches_a_letter_ignoring_case_is_in_the_hint() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    folding = [chr(code) for code in range(sys.maxunicode + 1)
               if not 0xD800 <= code <= 0xDFFF and letter.fullmatch(chr(code))]
    assert len(folding) > 52  # the ASCII letters and a few others
    assert all(privacy._DWELLING_HINT.fullmatch(char) for char in folding)


def invisible_one_by_one(text: str) -> list[tuple[int, str]]:
    return [(offset, f"U+{ord(char):04X} {unicodedata.name(char, 'CONTROL CHARACTER')}")
            for offset, char in enumerate(text)
            if char not in "\n\r\t\u200d" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")]


@settings(max_examples=200)
@given(st.lists(texts, min_size=1, max_size=3))
def test_invisible_characters_are_all_found_in_texts_seen_one_after_another(batch: list[str]) -> None:
    for text in batch:  # what one text taught the check must not hide anything in the next
        assert list(characters.invisible_characters(text)) == invisible_one_by_one(text)


_markdown_pieces = st.sampled_from([
    "# ", "## ", "#", "标题", "正文，", "text", "\n", "\n\n", "===", "---", "  -", "- ", "1. ", "[TOC]", "[toc]",
    "<h2>小标题</h2>", "*强调*", "`代码`", "| a | b |\n|---|---|\n", "{: #anchor }", "术语\n:   定义",
    "    ", "\t", "> ",
])
markdown_texts = st.lists(_markdown_pieces, max_size=14).map("".join)
# python-markdown with its own toc extension, as the bodies' extensions name it.
STOCK_MARKDOWN = markdown.Markdown(extensions=[*markup.MARKDOWN_EXTENSIONS, WideLineJoinExtension()],
                                   extension_configs=markup.MARKDOWN_CONFIG)


@settings(max_examples=200)
@given(markdown_texts)
def test_a_body_gives_the_html_of_the_stock_toc_extension(text: str) -> None:
    """Bodies without headings skip the toc extension, the others build a table of contents
    only for a [TOC] marker; no body may come out different."""
    full = markup.sanitize(STOCK_MARKDOWN.reset().convert(text))
    assert markup.MarkdownRenderer().render(text) == full
    if not markup.may_have_headings(text):
        assert markup.sanitize(markup.new_markdown(headings=False).reset().convert(text)) == full
