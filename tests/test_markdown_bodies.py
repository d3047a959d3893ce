"""Record bodies: the shortcut past python-markdown's inline patterns never changes a page."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.markup import new_markdown, plain_markdown

# Chinese text, and every character that means something to Markdown at the start of a
# line or inside one: headings, lists, quotes, tables, definition lists, attribute lists,
# code, emphasis, links, images, HTML, entities, escapes and hard line breaks.
ALPHABET = "党员服务社区居民 abc12\n\n\n    \t#-+*_`[]()!<>&|:{}=.~\\\"'/"
PIECES = [
    "## 小标题\n", "- 一项\n- 两项\n", "1. 第一\n2. 第二\n", "> 引用\n", "| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n",
    "术语\n:   解释\n", "段落 {: .tx-note }\n", "`代码`", "**加粗**", "*强调*", "[链接](../files/a.pdf)",
    "![图](../files/a.png)", "<span>行内</span>", "&amp;", "换行  \n下一行", "\\*不是强调\\*", "<http://example.cn>",
    "[引用]: http://example.cn\n", "    缩进代码\n", "---\n", "标题\n===\n", "一二三\n\n四五六",
]
TEXTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(ALPHABET, max_size=40)), max_size=12).map("".join)

WITH_SHORTCUT = new_markdown()
WITHOUT_SHORTCUT = new_markdown(shortcut=False)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_the_plain_text_shortcut_gives_the_same_html(text: str) -> None:
    assert WITH_SHORTCUT.reset().convert(text) == WITHOUT_SHORTCUT.reset().convert(text)


def test_markup_inside_plain_chinese_text_is_still_converted() -> None:
    html = WITH_SHORTCUT.reset().convert("居民**点单**，党员接单  \n见[办事指南](../pages/help.md)")
    assert "<strong>点单</strong>" in html
    assert "<br />" in html
    assert '<a href="../pages/help.md">办事指南</a>' in html


# --- bodies converted without python-markdown (plain paragraphs, "- " lists, headings) -----

# Lines as editors write them, and near misses of every rule the direct conversion relies on:
# heading levels and spacing, list markers with and without text, numbered lines, quotes,
# rules, setext underlines, definition lists, leading and trailing spaces (also full-width),
# ">" inside text, Chinese lines to join, and runs of blank lines.
LINE_TEXT = st.text("党员服务社区居民，。“”：abc 12>.)-#　", min_size=1, max_size=12)
LINE_STARTS = ["", "## ", "### ", "###### ", "#######", "# ", "##", "#", "- ", "-  ", "-", "+ ", "1. ", "2) ",
               "10.", "> ", "=", "---", ": ", " ", "    ", "　", "~~~"]
LINES = st.builds(lambda start, text, end: start + text + end, st.sampled_from(LINE_STARTS), LINE_TEXT,
                  st.sampled_from(["", "", "", " ", "  ", " ##", "　"]))
GAPS = st.sampled_from(["\n", "\n", "\n\n", "\n\n", "\n\n\n", "\n \n"])
BODIES = st.lists(st.tuples(LINES, GAPS), min_size=1, max_size=10).map(
    lambda pairs: "".join(line + gap for line, gap in pairs)[:-1])
# Mostly what is converted directly, so that its every branch meets python-markdown often:
# paragraphs, tight lists, headings with or without a paragraph right under them.
PLAIN = st.text("党员服务社区居民，。“”：abc 12>", min_size=1, max_size=12)
USUAL_BLOCKS = st.one_of(
    st.lists(PLAIN, min_size=1, max_size=3).map("\n".join),
    st.lists(PLAIN, min_size=1, max_size=3).map(lambda items: "\n".join("- " + item for item in items)),
    st.builds(lambda level, title, under: level + title + under, st.sampled_from(["## ", "### ", "######"]), PLAIN,
              st.one_of(st.just(""), PLAIN.map(lambda text: "\n" + text))),
    LINES,
)
USUAL_BODIES = st.lists(USUAL_BLOCKS, min_size=1, max_size=8).map("\n\n".join)
WITHOUT_HEADINGS = new_markdown(headings=False)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(USUAL_BODIES, BODIES, TEXTS))
def test_bodies_converted_directly_get_python_markdowns_html(text: str) -> None:
    for converter, heading_ids in ((WITH_SHORTCUT, True), (WITHOUT_HEADINGS, False)):
        direct = plain_markdown(text, heading_ids)
        if direct is not None:
            assert direct == converter.reset().convert(text)


def test_the_usual_bodies_are_converted_directly() -> None:
    body = ("社区党委每月召开一次联席会议，\n听取各党支部的意见。\n\n## 参与方式\n\n具体安排如下：\n\n"
            "- 志愿服务时长计入党员积分\n- 网格员定期入户\n\n## 参与方式\n报名电话见下方。\n")
    html = plain_markdown(body)
    assert html == WITH_SHORTCUT.reset().convert(body)
    assert '<h2 id="参与方式_1">' in html  # a repeated heading gets the toc extension's next id
    assert "<li>网格员定期入户</li>" in html and "联席会议，听取" in html
    for markup in ("**加粗**", "1. 第一", "> 引用", "- 一项\n\n- 两项", "    缩进", "# 一级标题", "| 甲 |"):
        assert plain_markdown(body + "\n" + markup) is None
