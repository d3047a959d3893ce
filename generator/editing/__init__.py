"""Editing in the browser: the backend of the forms served at ``/admin/``.

The forms are Decap CMS (vendored in ``decap/``, configured from the models by
``generator.content.cms``). They talk to this package through Decap's proxy-backend
protocol (JSON ``{action, params}`` posted to ``/admin/api/v1``), so ``tongxin serve`` is all
an editor runs. Every save is checked by the same validation and privacy guard as
``tongxin check``, in the context of every other record, before anything is written; saved
files are canonical YAML; in a git repository each save is a commit. Nothing here imports
MkDocs: ``generator.mkdocs_plugin.admin`` mounts the app into MkDocs' live-reload server.
"""
