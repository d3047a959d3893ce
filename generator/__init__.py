"""Tongxin (同心): a static portal generator for community party-building records.

The package is layered so that each module has one job:

- ``loading``     YAML files -> raw mappings that remember where every value came from
- ``models``      the typed content model (pydantic), one class per record type
- ``validation``  raw mappings -> typed records, every problem located at file:line:column
- ``graph``       typed records -> a site graph with references both ways and derived state
- ``rendering``   the site graph -> HTML page bodies through Jinja2 templates in ``theme/``
- ``mkdocs_plugin`` the only module that knows MkDocs; it hands rendered pages to the build
"""

__version__ = "0.1.0"
