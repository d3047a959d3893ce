"""Tongxin (同心): a static portal generator for community party-building records.

The package is a stack of floors; every import points down, never up or sideways into a
higher floor (``tests/test_architecture.py`` checks it):

- ``parallel``, ``progress``  the ground: forking work over the cores, the progress bar
- ``content/``       YAML files -> typed, checked records (loading, models, validation, privacy)
- ``site/``          records -> the site graph (references both ways, derived state), settings, URLs
- ``render/``        the site graph -> HTML page bodies through the Jinja2 templates in ``theme/``
- ``outputs/``       the files besides pages: search index, feeds, calendars, open data, zip
- ``mkdocs_plugin/`` the only code that imports MkDocs: hands the pages to the build, atomic
  output, incremental rebuilds under ``tongxin serve``
- ``cli``            the ``tongxin`` command on top
"""

__version__ = "0.2.0"
