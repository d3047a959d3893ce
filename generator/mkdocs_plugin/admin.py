"""``tongxin serve`` serves the browser forms at ``/admin/`` beside the live preview.

MkDocs' ``LiveReloadServer`` is a ``wsgiref`` server: its WSGI app is swapped for one that
answers ``/admin/`` with ``generator.editing.server.AdminApp`` and hands every other request
to MkDocs' own app, in the same process and thread pool. A save writes into the content
folder that serve already watches, so the preview rebuilds and reloads by itself.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer

from ..editing.history import History
from ..editing.server import MOUNT, AdminApp
from ..editing.store import ContentStore
from ..site.source import ContentSource
from ..site.urls import UrlScheme
from .config import TongxinConfig

log = logging.getLogger("mkdocs.plugins.tongxin")


def mount_admin(server: LiveReloadServer, config: MkDocsConfig, options: TongxinConfig, content_dir: Path) -> None:
    root = Path(config.config_file_path or ".").resolve().parent
    source = ContentSource(root, content_dir, options.max_file_bytes, tuple(options.privacy_allow))
    store = ContentStore(source, History.find(content_dir, options.admin_author), options.lang)
    app = AdminApp.for_store(store, UrlScheme(config.use_directory_urls))
    server.set_app(app.wrap(server.get_app()))
    where = "本机和持有访问口令的电脑" if app.token else "仅本机（loopback）"
    log.info(f"编辑表单：{server.url.rstrip('/')}{MOUNT}（{where}；forms at {MOUNT}）")
