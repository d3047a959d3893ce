"""What a resident's eye and finger meet on a page, measured in the browser (not by screenshots).

Each function runs one script in the page and returns plain data: tap targets and their
sizes, the font size of every piece of visible text, what sticks out sideways, and where
keyboard focus goes. tests/test_residents_ui.py asserts on these figures and prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page

# Shared helpers of the scripts below: an element the resident can see (not hidden, not
# pushed off-screen like Material's closed drawer), and a readable name for a report.
_HELPERS = """
const viewportWidth = document.documentElement.clientWidth;
function isShown(el) {
  if (el.closest('[hidden], [aria-hidden="true"], .tx-visually-hidden, .md-skip:not(:focus)')) return false;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.display === 'none' || +style.opacity === 0) return false;
  // Visually hidden text for screen readers (1 px, clipped) is not seen.
  if (style.clip === 'rect(0px, 0px, 0px, 0px)' || style.clipPath === 'inset(50%)') return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 2 || r.height <= 2) return false;
  return r.right > 0 && r.left < viewportWidth;
}
function describe(el) {
  const text = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('placeholder') || '')
    .replace(/\\s+/g, ' ').trim().slice(0, 24);
  const cls = (el.getAttribute('class') || '').split(/\\s+/).filter(Boolean).slice(0, 2).join('.');
  return el.tagName.toLowerCase() + (cls ? '.' + cls : '') + (text ? ' “' + text + '”' : '');
}
function domKey(el) {
  const parts = [];
  for (let node = el; node && node.nodeType === 1 && node !== document.documentElement; node = node.parentElement) {
    let index = 0;
    for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) index++;
    parts.push(node.tagName + index);
  }
  return parts.reverse().join('/');
}
"""

# Everything a finger can tap. Labels count only where they are the control (Material's
# ≡ and search toggles); a label naming a select or a text box is a caption.
_TAP_TARGETS = _HELPERS + """
const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label[for], '
  + '[tabindex]:not([tabindex="-1"])';
const targets = [];
for (const el of document.querySelectorAll(selector)) {
  if (!isShown(el)) continue;
  if (el.tagName === 'LABEL') {
    const control = document.getElementById(el.htmlFor);
    if (!control || control.type !== 'checkbox') continue;
  }
  // Links inside running text (editors' Markdown, sentences) are exempt, as in WCAG 2.5.5.
  if (el.tagName === 'A' && el.closest('.tx-body, .tx-prose')) continue;
  // A check box inside its label is tapped anywhere on the label.
  const label = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label');
  const r = (label || el).getBoundingClientRect();
  targets.push({what: describe(el), width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10});
}
return targets;
"""

# The font size of every element that holds visible text of its own, keyed by its DOM path
# so that the same element can be compared between 大字模式 and normal mode.
_TEXT_SIZES = _HELPERS + """
const sizes = {};
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!node.textContent.trim()) continue;
  const el = node.parentElement;
  if (!el || el.closest('script, style, noscript, svg') || !isShown(el)) continue;
  const key = domKey(el);
  if (key in sizes) continue;
  sizes[key] = {what: describe(el), size: parseFloat(getComputedStyle(el).fontSize)};
}
for (const el of document.querySelectorAll('input[placeholder], input[type=search], select')) {
  if (isShown(el)) sizes[domKey(el)] = {what: describe(el), size: parseFloat(getComputedStyle(el).fontSize)};
}
return sizes;
"""

# What sticks out sideways: the page's own scroll width, boxes wider than the window and
# boxes that scroll sideways inside themselves (a squeezed table).
_OVERFLOW = _HELPERS + """
const scrolling = document.scrollingElement;
// Inside a box that scrolls or clips sideways, an element sticks out of that box, not the page.
function inScroller(el) {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') return true;
  }
  return false;
}
const sticking = [];
const boxes = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('svg') || !isShown(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.right > viewportWidth + 1 || r.left < -1) {
    if (!inScroller(el)) sticking.push(describe(el) + ' ' + Math.round(r.left) + '…' + Math.round(r.right));
  }
  const style = getComputedStyle(el);
  if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
    boxes.push(describe(el) + ' ' + el.scrollWidth + '>' + el.clientWidth);
  }
}
const clipped = [];
for (const input of document.querySelectorAll('input[placeholder]')) {
  if (!isShown(input)) continue;
  const style = getComputedStyle(input);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.fontSize + ' ' + style.fontFamily;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const needed = ctx.measureText(input.placeholder).width;
  if (needed > room + 1) clipped.push(describe(input) + ' needs ' + Math.round(needed) + ' has ' + Math.round(room));
}
return {excess: scrolling.scrollWidth - viewportWidth, sticking: sticking.slice(0, 10), boxes, clipped,
        height: scrolling.scrollHeight};
"""

# The focused element: what it is, whether the resident can see it and its focus ring,
# and whether it sits in the page's main content.
_FOCUSED = _HELPERS + """
const el = document.activeElement;
if (!el || el === document.body) return null;
const r = el.getBoundingClientRect();
const style = getComputedStyle(el);
const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
const onScreen = r.width >= 1 && r.height >= 1 && r.right > 0 && r.left < viewportWidth
  && r.bottom > 0 && r.top < window.innerHeight && style.visibility !== 'hidden';
return {what: describe(el), visible: onScreen, ring,
        main: !!el.closest('.md-content'), skip: el.matches('.md-skip, .tx-skip')};
"""


@dataclass
class Figures:
    """Everything measured on one page at one width in one mode."""

    targets: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)
    overflow: dict[str, Any] = field(default_factory=dict)

    def small_targets(self, minimum: float) -> list[str]:
        return [f"{t['what']} {t['width']}×{t['height']}" for t in self.targets
                if t["width"] < minimum - 0.5 or t["height"] < minimum - 0.5]

    @property
    def smallest_target(self) -> float:
        return min((min(t["width"], t["height"]) for t in self.targets), default=0.0)

    @property
    def smallest_text(self) -> float:
        return min((t["size"] for t in self.texts.values()), default=0.0)


def tap_targets(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(f"() => {{ {_TAP_TARGETS} }}")


def text_sizes(page: Page) -> dict[str, dict[str, Any]]:
    return page.evaluate(f"() => {{ {_TEXT_SIZES} }}")


def overflow(page: Page) -> dict[str, Any]:
    return page.evaluate(f"() => {{ {_OVERFLOW} }}")


def measure(page: Page) -> Figures:
    return Figures(tap_targets(page), text_sizes(page), overflow(page))


def focused(page: Page) -> dict[str, Any] | None:
    return page.evaluate(f"() => {{ {_FOCUSED} }}")


def tab_walk(page: Page, presses: int) -> list[dict[str, Any] | None]:
    """Where focus is after each of ``presses`` Tab presses from the top of a fresh page."""
    stops = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        stops.append(focused(page))
    return stops
