"""Scanning every file of a built site for live markup and for personal numbers.

Live markup is what a browser would run that the portal does not have by design: a script
element, an event handler attribute, a ``javascript:``/``data:``/``vbscript:`` URL, a frame,
an object or a ``<base>``/``<meta http-equiv>`` (in HTML pages, in the HTML inside feeds),
a property injected into a calendar, a file a browser would run from the portal's origin.
What the layout has by design is learnt from a clean build's 404 page: the same script
elements on every page, nothing else.

Personal numbers are looked for in every text the site holds (HTML text and attributes,
JSON and JS data, XML, calendars, file names), normalised as a reader would read them:
NFKC (full-width digits), with every separator between digits removed.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcdoc"}
LIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "base", "applet", "portal"}
RUNNABLE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".js", ".mjs", ".xml", ".shtml")
ALERT = re.compile(r"alert\W{0,2}(\d+)")
_URL_IGNORED = re.compile(r"[\x00-\x20]")


@dataclass(frozen=True)
class Finding:
    path: str
    what: str

    @property
    def case(self) -> int | None:
        """The payload number that became live, when the finding shows one."""
        found = ALERT.search(self.what)
        return int(found.group(1)) if found else None


class _HtmlScan(HTMLParser):
    # Elements whose content a browser reads as text, markup-looking or not.
    CDATA_CONTENT_ELEMENTS = (
        "script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript",
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []  # live elements and attributes, as text
        self.texts: list[str] = []
        self._in_script = False
        self._script: list[str] = []
        self._script_attrs = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = " ".join(f"{k}={v}" for k, v in attrs)
        if tag == "script":
            self._in_script, self._script, self._script_attrs = True, [], shown
        elif tag in LIVE_TAGS:
            self.elements.append(f"<{tag} {shown}>")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self.elements.append(f"<meta {shown}>")
        for name, value in attrs:
            self.texts.append(value or "")
            if name.startswith("on"):
                self.elements.append(f"<{tag} {name}={value}>")
            cleaned = _URL_IGNORED.sub("", value or "").lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(("javascript:", "vbscript:", "data:")):
                self.elements.append(f"<{tag} {name}={value}>")
            if name == "style" and ("expression(" in cleaned or "javascript:" in cleaned):
                self.elements.append(f"<{tag} style={value}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            self.elements.append(f"<script {self._script_attrs}>{''.join(self._script)}</script>")

    def handle_data(self, data: str) -> None:
        if self._in_script and self.lasttag == "script":
            self._script.append(data)
        else:
            self.texts.append(data)


def html_scan(text: str) -> tuple[list[str], list[str]]:
    parser = _HtmlScan()
    parser.feed(text)
    parser.close()
    return parser.elements, parser.texts


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif value is not None:
        yield str(value)


_JS_CALL = re.compile(r"^\s*[A-Za-z_$][\w$.]*\((.*)\);?\s*$", re.S)


@dataclass
class SiteScan:
    """What one scan of a site found."""

    findings: list[Finding] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)  # path -> texts
    files: int = 0

    def numbers_found(self, digits: Iterable[str]) -> dict[str, list[str]]:
        """For each number (digits only), the files whose texts hold it, however written."""
        wanted = {normalised_digits(d): d for d in digits}
        found: dict[str, list[str]] = {}
        for path, texts in self.texts.items():
            for text in texts:
                for chunk in digit_runs(text):
                    for canonical, original in wanted.items():
                        if canonical in chunk:
                            found.setdefault(original, []).append(path)
        return found

    def texts_containing(self, needles: Iterable[str]) -> dict[str, list[str]]:
        folded = {fold(n): n for n in needles}
        found: dict[str, list[str]] = {}
        for path, texts in self.texts.items():
            for text in texts:
                flat = fold(text)
                for key, original in folded.items():
                    if key in flat:
                        found.setdefault(original, []).append(path)
        return found


def fold(text: str) -> str:
    return re.sub(r"[\s\u200b\u3000\-－‐–—.．·,，]", "", unicodedata.normalize("NFKC", text)).lower()


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in text)


def normalised_digits(text: str) -> str:
    return re.sub(r"[^0-9X]", "", _ascii_digits(unicodedata.normalize("NFKC", text)).upper())


_BETWEEN_DIGITS = re.compile(r"(?<=[0-9Xx])[^0-9A-Za-z\u4e00-\u9fff]{1,3}(?=[0-9])")


def digit_runs(text: str) -> list[str]:
    """Runs of digits in ``text`` with what separates digit groups (spaces, dashes, dots,
    invisible characters, up to three of them) removed."""
    flat = _BETWEEN_DIGITS.sub("", _ascii_digits(unicodedata.normalize("NFKC", text)))
    return [run.upper() for run in re.findall(r"[0-9][0-9Xx]*", flat)]


def scan_site(site: Path, baseline: Iterable[str] = ()) -> SiteScan:
    """Every file of ``site``: live markup that is not in ``baseline`` (the layout's own
    elements, from ``layout_elements``) and every text, for the number checks."""
    allowed = set(baseline)
    scan = SiteScan()
    for path in sorted(p for p in site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        scan.texts.setdefault(relative, []).append(path.name)  # file names are published too
        if not path.is_file():
            continue
        scan.files += 1
        raw = path.read_bytes()
        if relative.endswith(".gz"):
            continue  # the compressed sitemap repeats sitemap.xml
        text = raw.decode("utf-8", errors="replace")
        elements: list[str] = []
        texts: list[str] = [text]
        if relative.endswith((".html", ".htm")):
            elements, texts = html_scan(text)
            elements = [e for e in elements if _depth_free(e) not in allowed]
        elif relative.endswith(".xml"):
            elements, texts = _xml_scan(text, relative, scan)
        elif relative.endswith(".json"):
            texts = list(_json_strings(json.loads(text)))
        elif relative.endswith(".js") and relative.startswith("search/"):
            call = _JS_CALL.match(text)
            assert call, f"{relative}: a search shard is one call with JSON arguments"
            texts = list(_json_strings(json.loads(f"[{call.group(1)}]")))
        elif relative.endswith(".ics"):
            elements = _ics_scan(text)
        if relative.startswith(("files/", "pages/")) and relative.endswith(RUNNABLE_SUFFIXES) and not (
            relative.startswith("pages/") and relative.endswith("/index.html")
        ):
            elements.append(f"a file a browser runs on the portal's origin: {relative}")
        scan.findings += [Finding(relative, e) for e in elements]
        scan.texts[relative].extend(texts)
    return scan


def _xml_scan(text: str, relative: str, scan: SiteScan) -> tuple[list[str], list[str]]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        return [f"XML that does not parse ({error}): injected markup?"], [text]
    elements: list[str] = []
    texts: list[str] = []
    for node in root.iter():
        texts += [node.text or "", *node.attrib.values()]
        if node.attrib.get("type") == "html" and node.text:
            live, inner = html_scan(node.text)
            elements += live
            texts += inner
        for name, value in node.attrib.items():
            if name == "href" and _URL_IGNORED.sub("", value).lower().startswith(("javascript:", "data:", "vbscript:")):
                elements.append(f"<{node.tag} href={value}>")
    return elements, texts


ICS_PROPERTIES = {
    "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "X-WR-TIMEZONE",
    "X-WR-CALDESC", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION",
    "URL", "TZID", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "ORGANIZER", "CATEGORIES", "STATUS",
    "LAST-MODIFIED", "SEQUENCE", "TRANSP", "CLASS", "CREATED", "RRULE", "X-LIC-LOCATION", "COMMENT",
    "RDATE", "EXDATE", "REFRESH-INTERVAL", "X-PUBLISHED-TTL",
    "ACTION", "TRIGGER",  # the reminders (VALARM) of every lecture
}


def _ics_scan(text: str) -> list[str]:
    """Properties a value could have injected by breaking out of its line."""
    found = []
    for line in re.sub(r"\r?\n[ \t]", "", text).splitlines():
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        if name and name not in ICS_PROPERTIES:
            found.append(f"calendar property {name} injected: {line[:80]}")
        if name == "URL" and "javascript:" in line.lower():
            found.append(f"calendar URL runs script: {line[:80]}")
    return found


def layout_elements(site: Path) -> set[str]:
    """The live elements the layout has by design, learnt from the 404 page of a clean build."""
    elements, _ = html_scan((site / "404.html").read_text(encoding="utf-8"))
    return {_depth_free(element) for element in elements}


def _depth_free(element: str) -> str:
    """An element with its links to the site root ("../../", "/", ".") made the same at any depth."""
    element = re.sub(r"(?:\.\./)+|(?<=[=\"])/(?=[\w.])", "", element)
    return re.sub(r'"(?:\.\.(?:/\.\.)*|/|\.)"', '"."', element)
