"""Safe Markdown and fields: classic XSS payloads never reach the published site.

Record fields are escaped by the templates; Markdown bodies are sanitised; a body with
something that runs script is refused by ``tongxin check`` and the build, at its line, and
harmless removals (a style attribute, a first-level heading) are warnings at their line.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from generator.content.markup import MarkdownRenderer, unsafe_markup
from tests.support.project import Project

# Classic payloads, as an attacker or a careless copy-paste would put them into a record.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="JaVaScRiPt:alert(1)">点我</a>',
    '<a href="java&#x09;script:alert(1)">点我</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">点我</a>',
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<div style="width: expression(alert(1))">x</div>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<body onload=alert(1)>",
    '<math><a xlink:href="javascript:alert(1)">x</a></math>',
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "[点我](javascript:alert(1))",
    "[点我](JAVASCRIPT:alert(1))",
    "[点我](&#106;avascript:alert(1))",
    "![图](javascript:alert(1))",
    "![图](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "[点我][ref]\n\n[ref]: javascript:alert(1)",
    "段落\n{: onclick=\"alert(1)\" }",
    "## 标题 {: onmouseover=alert(1) }",
    "<!--><script>alert(1)</script>-->",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}


class DangerFinder(HTMLParser):
    """Script elements, event handlers and script/data URLs in an HTML document.

    With ``content_only`` only what is inside Material's content area (our pages' bodies)
    counts, since Material's own layout has script elements of its own.
    """

    def __init__(self, content_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.content_only = content_only
        self.depth_in_content = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth_in_content:
            self.depth_in_content += 1
        elif tag == "article" and "md-content__inner" in classes:
            self.depth_in_content = 1
        if self.content_only and not self.depth_in_content:
            return
        if tag in {"script", "iframe", "object", "embed", "svg", "math", "base", "meta"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            cleaned = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value}>")
            if name == "style" and "expression(" in cleaned:
                self.found.append(f"<{tag} style>")

    def handle_endtag(self, tag: str) -> None:
        if self.depth_in_content:
            self.depth_in_content -= 1


def dangers(html: str, content_only: bool = False) -> list[str]:
    finder = DangerFinder(content_only)
    finder.feed(html)
    finder.close()
    return finder.found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_payload_survives_markdown_rendering(payload: str) -> None:
    html = MarkdownRenderer().render(f"前文\n\n{payload}\n\n后文")
    assert dangers(html) == []
    assert "alert(1)</script>" not in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_every_payload_in_a_body_is_reported(payload: str) -> None:
    removals = unsafe_markup(payload)
    assert removals, "the editor must be told what publishing removes"
    assert any(removal.dangerous for removal in removals)


@pytest.mark.parametrize(
    "body",
    [
        "普通的一段文字，**加粗**，[链接](https://intranet.example/a) 和 [电话](tel:01067126320)。",
        "## 二级标题\n\n| 项目 | 时间 |\n|:---|---:|\n| 学习 | 9:00 |",
        "附件见 [课件](../../files/kejian.pdf)，邮件 [联系](mailto:dangwei@example.org)。",
    ],
)
def test_ordinary_markdown_is_not_reported_and_keeps_its_links(body: str) -> None:
    assert unsafe_markup(body) == ()
    html = MarkdownRenderer().render(body)
    assert "<a " in html or "<table>" in html
    if "|:---|" in body:
        assert 'align="left"' in html and 'align="right"' in html


NOTICE = """title: 关于党费收缴情况的公开
category: 党费收缴
form: 公开
organization: yeqing-dasha-lianhe-dangwei
published: 2026-11-20
window:
  start: 2026-11-20
  end: 2026-11-30
contact:
  department: 党委办公室
  phone: 010-64708860
body: |
  第一段正常文字。

  第三行是 <script>alert(1)</script> 这里。

  第五行：[点我](javascript:alert(1))

  <p style="color: red">第七行带样式</p>
"""


def test_check_refuses_script_in_a_body_at_its_line_and_warns_about_styles(project: Project) -> None:
    project.write("content/notices/xss-notice.yml", NOTICE)
    result = project.check("--format", "json")
    assert result.returncode == 1
    problems = [p for p in json.loads(result.stdout) if p["path"] == "content/notices/xss-notice.yml"]
    lines = NOTICE.splitlines()
    script_line = next(i for i, line in enumerate(lines, 1) if "<script>" in line)
    link_line = next(i for i, line in enumerate(lines, 1) if "javascript:" in line)
    style_line = next(i for i, line in enumerate(lines, 1) if "style=" in line)
    by_line = {(p["line"], p["severity"]) for p in problems}
    assert (script_line, "error") in by_line
    assert (link_line, "error") in by_line
    assert (style_line, "warning") in by_line
    assert all(p["field"].startswith("body") for p in problems)
    assert any("<script>" in p["message"] for p in problems)


PAGE = "# 关于本站\n\n正文。\n\n<img src=x onerror=alert(1)>\n\n<p style=\"color: red\">带样式的段落</p>\n"


def test_free_pages_are_checked_like_bodies(project: Project) -> None:
    project.write("content/pages/about.md", PAGE)
    result = project.check("--format", "json")
    problems = {(p["line"], p["severity"]) for p in json.loads(result.stdout) if p["path"] == "content/pages/about.md"}
    lines = PAGE.splitlines()
    assert problems == {
        (next(i for i, line in enumerate(lines, 1) if "onerror" in line), "error"),
        (next(i for i, line in enumerate(lines, 1) if "style=" in line), "warning"),
    }  # the page's own "# 关于本站" is its title, not a problem
    assert result.returncode == 1


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are valid YAML scalars


def test_payloads_in_fields_are_escaped_everywhere_in_the_built_site(project: Project) -> None:
    """Every payload goes into a title, a name, an address, a phone, a list and a nested part.

    A free page with a (merely cosmetic) style attribute is built alongside: it is published
    sanitised too.
    """
    project.write("content/pages/about.md", PAGE.replace("<img src=x onerror=alert(1)>", ""))
    for index, payload in enumerate(XSS_PAYLOADS):
        text = _yaml_text(payload)
        project.write(
            f"content/organizations/xss-org-{index}.yml",
            f"name: {text}\nshort_name: {text}\nkind: 党支部\nparent: yeqing-dasha-lianhe-dangwei\n"
            f"address: {text}\nphone: {text}\nsecretary: {text}\ncovers:\n  - {text}\n"
            f"hotlines:\n  - name: {text}\n    phone: {text}\n",
        )
        project.write(
            f"content/notices/xss-notice-{index}.yml",
            f"title: {text}\ncategory: 党费收缴\nform: 公开\norganization: xss-org-{index}\n"
            "published: 2026-11-20\nwindow:\n  start: 2026-11-20\n  end: 2026-11-30\n"
            f"contact:\n  department: {text}\n  note: {text}\n  email: {text}\n",
        )
    result = project.build()
    assert result.returncode == 0, result.stderr
    pages = sorted(project.site.rglob("*.html"))
    assert (project.site / "notices" / "xss-notice-0" / "index.html") in pages
    baseline = dangers((project.site / "404.html").read_text(encoding="utf-8"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert dangers(html, content_only=True) == [], page
        # Outside the content area only Material's own layout may have scripts: a page
        # showing a payload has no more of them than the plain 404 page.
        assert sorted(dangers(html)) == sorted(baseline), page
    shown = (project.site / "notices" / "xss-notice-0" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # shown as text, not dropped
    page = (project.site / "pages" / "about" / "index.html").read_text(encoding="utf-8")
    assert "带样式的段落" in page
    assert 'style="color: red"' not in page
