"""Relative links resolve, from every kind of page, to the page they point at."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from generator.site.urls import UrlScheme

# Site-relative URLs of pages and files, with directory URLs and without (file://).
URLS = [
    "", "index.html", "notices/", "notices/n-1/", "notices/2026/page-2/", "lectures/",
    "notices/n-1.html", "organizations/o/x.html", "files/plan.pdf", "lectures/l-1.ics",
    "search/data/manifest.js", "about.html", "notices-archive/",
]
SITE = "http://intranet.example/dangjian/"


@pytest.mark.parametrize("from_url", URLS)
def test_every_relative_link_resolves_to_its_target(from_url: str) -> None:
    for target in URLS:
        link = UrlScheme.relative(target, from_url)
        assert not link.startswith("/"), link
        assert urljoin(SITE + from_url, link) == SITE + target, (from_url, target, link)
