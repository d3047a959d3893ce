"""A line break between two Chinese characters in Markdown is no space (“值班，上班族”, not
“值班， 上班族”): in record bodies, in free pages and in search snippets.

The rule is the one of CSS Text's segment-break transformation: a break between two Chinese
characters (Han, full-width punctuation, and Chinese quotation marks next to them) disappears;
any other break stays one space.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.markup import MarkdownRenderer
from generator.outputs.search.documents import plain_text

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
WIDE_PUNCTUATION = st.sampled_from("，。；：、！？（）“”《》")
LATIN_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789", min_size=1, max_size=8)
# A piece of a line: Chinese text, wide punctuation or a Latin word (an English term, a number).
PIECE = st.one_of(st.text(HAN, min_size=1, max_size=12), WIDE_PUNCTUATION, LATIN_WORD)
LINE = st.lists(PIECE, min_size=1, max_size=5).map("".join)
INDENT = st.sampled_from(["", " ", "  ", "\t"])  # editors indent continuation lines, or not


QUOTES = "“”"


def is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fa5" or char in "，。；：、！？（）《》"


def expected_join(lines: list[str]) -> str:
    """The paragraph as a reader should see it: Chinese–Chinese joins vanish, others are one space."""
    text = lines[0]
    for line in lines[1:]:
        left, right = text[-1], line[0]
        chinese = (is_chinese(left) and (is_chinese(right) or right in QUOTES)) or (
            left in QUOTES and is_chinese(right))
        text += ("" if chinese else " ") + line
    return text


def paragraph_text(html: str) -> str:
    [paragraph] = re.findall(r"<p>(.*?)</p>", html, re.DOTALL)
    return re.sub(r"\s+", " ", paragraph)


@settings(max_examples=200)
@given(st.lists(LINE, min_size=2, max_size=6), st.lists(INDENT, min_size=6, max_size=6))
def test_body_paragraph_joins_lines_like_a_chinese_reader_expects(lines: list[str], indents: list[str]) -> None:
    lines = [line.strip() for line in lines]
    indented = [lines[0]] + [indent + line for line, indent in zip(lines[1:], indents, strict=False)]
    source = "\n".join(indented)
    assert paragraph_text(MarkdownRenderer().render(source)) == expected_join(lines)


@settings(max_examples=200)
@given(st.lists(LINE, min_size=2, max_size=6))
def test_search_snippet_text_joins_lines_the_same_way(lines: list[str]) -> None:
    lines = [line.strip() for line in lines]
    assert plain_text("\n".join(lines)) == expected_join(lines)


@settings(max_examples=100)
@given(st.text(HAN, min_size=1, max_size=6), st.text(HAN, min_size=1, max_size=6),
       st.text(HAN, min_size=1, max_size=6))
def test_a_join_across_inline_markup_has_no_space_either(before: str, bold: str, after: str) -> None:
    html = MarkdownRenderer().render(f"{before}\n**{bold}**\n{after}")
    assert html == f"<p>{before}<strong>{bold}</strong>{after}</p>"


def test_hard_line_breaks_and_blocks_stay(tmp_path: Path) -> None:
    html = MarkdownRenderer().render("第一行  \n第二行\n\n## 标题\n段落\n继续")
    assert "第一行<br" in html and "第二行" in html
    assert "<h2" in html and "<p>段落继续</p>" in html


# A line break left between Chinese characters (spaces an editor typed on one line are theirs).
WIDE_GAP = re.compile(r"(?<=[\u4e00-\u9fff，。；：、！？）”》])[ \t]*\n[ \t]*(?=[\u4e00-\u9fff（“《])")


def test_built_bodies_and_free_pages_have_no_stray_spaces(sample_site: Path) -> None:
    found, checked = [], 0
    for page in [*sample_site.glob("*/*/index.html"), *sample_site.glob("pages/*/index.html")]:
        html = page.read_text(encoding="utf-8")
        body = re.search(r'<div class="tx-body"[^>]*>(.*?)</div>', html, re.DOTALL) or re.search(
            r'<article class="md-content__inner[^>]*>(.*?)</article>', html, re.DOTALL)
        if body is None:
            continue
        checked += 1
        blocks = re.sub(r"</?(?:p|li|h\d|td|th|dt|dd|ul|ol|dl|tr|table|div|blockquote)\b[^>]*>", "¶", body.group(1))
        text = re.sub(r"<[^>]+>", "", blocks)
        found += [f"{page.parent.name}: …{text[max(m.start() - 6, 0):m.end() + 6]}…" for m in WIDE_GAP.finditer(text)]
    assert checked > 20 and found == []
