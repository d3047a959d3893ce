"""Record bodies: the shortcut past python-markdown's inline patterns never changes a page."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.markup import new_markdown

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


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_the_plain_text_shortcut_gives_the_same_html(text: str) -> None:
    assert WITH_SHORTCUT.reset().convert(text) == WITHOUT_SHORTCUT.reset().convert(text)


def test_markup_inside_plain_chinese_text_is_still_converted() -> None:
    html = WITH_SHORTCUT.reset().convert("居民**点单**，党员接单  \n见[办事指南](../pages/help.md)")
    assert "<strong>点单</strong>" in html
    assert "<br />" in html
    assert '<a href="../pages/help.md">办事指南</a>' in html
