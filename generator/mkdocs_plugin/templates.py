"""Small corrections to Material's own templates, applied as MkDocs loads them.

Material (9.8.1) puts ``autocomplete="off"`` on the hidden checkboxes that open its drawer and
its search (base.html): invalid HTML (autocomplete is for text-like inputs), two errors on
every page. The markup is written straight into base.html, in no block or partial that
theme/ could override; copying the whole 250-line base.html to change two attributes would
leave a copy to keep in step with Material, and editing the built pages would miss the record
pages written from the layout shell. So the template's source is corrected as it is loaded:
one place for every page, and a build that stops with a clear message if a Material upgrade
changes the text (then this list is checked again).

Material uses the attribute to keep Firefox from restoring an open drawer when one goes back
to a page; theme/assets/tongxin.js closes both on ``pageshow`` instead.

The same place makes the pages lighter (issue #17): they link theme/assets/material.css, the
part of Material's stylesheet the portal uses (made from exactly this main.css by
scripts/prune-material-css), and not Material's script bundle, whose work on the portal's
pages theme/assets/tongxin-layout.js does. A Material upgrade stops here until both are
looked at again.
"""

from __future__ import annotations

from collections.abc import Callable

import jinja2

# Template name -> (text in Material's template, what it becomes).
CORRECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "base.html": (
        ('data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">',
         'data-md-toggle="drawer" type="checkbox" id="__drawer">'),
        ('data-md-toggle="search" type="checkbox" id="__search" autocomplete="off">',
         'data-md-toggle="search" type="checkbox" id="__search">'),
        ("""<link rel="stylesheet" href="{{ 'assets/stylesheets/main.57a0d79d.min.css' | url }}">""",
         """<link rel="stylesheet" href="{{ 'assets/material.css' | url }}">"""),
        ("""<script src="{{ 'assets/javascripts/bundle.a5f9d56c.min.js' | url }}"></script>""",
         """<script src="{{ 'assets/tongxin-layout.js' | url }}"></script>"""),
    ),
}


class MaterialTemplateChanged(jinja2.TemplateError):
    """A correction no longer matches Material's template."""


class CorrectingLoader(jinja2.BaseLoader):
    """Loads templates through ``inner`` and applies CORRECTIONS to their source."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        for old, new in CORRECTIONS.get(template, ()):
            if old not in source:
                raise MaterialTemplateChanged(
                    f"{filename}: Material 的模板与 Tongxin 的修正不符，请检查 generator/mkdocs_plugin/templates.py"
                    f"（Material's {template} changed: '{old}' not found）"
                )
            source = source.replace(old, new)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def correct_material(env: jinja2.Environment) -> None:
    """Make ``env`` (MkDocs' theme environment) load Material's templates corrected."""
    if env.loader is not None and not isinstance(env.loader, CorrectingLoader):
        env.loader = CorrectingLoader(env.loader)
