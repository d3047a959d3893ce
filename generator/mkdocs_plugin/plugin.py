"""The ``tongxin`` MkDocs plugin: validated records in, rendered pages handed to MkDocs.

MkDocs events are dispatched to small methods; the domain work (loading, validation, the
site graph and rendering) happens in the ``generator`` modules that know nothing of MkDocs.
The plugin also makes every build atomic: MkDocs writes into a temporary folder next to
``site_dir``, which replaces the old site only after the whole build succeeded.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from pathlib import Path

import jinja2
import yaml
from markdown.extensions.toc import slugify_unicode
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..loading import RECORD_SUFFIXES
from ..outputs import OutputContext, write_outputs
from ..problems import ContentError
from ..rendering import PortalRenderer, RenderedPage, SiteInfo
from ..site import ContentSource, resolve_build_date
from ..urls import UrlScheme
from .config import TongxinConfig

log = logging.getLogger("mkdocs.plugins.tongxin")


class TongxinPlugin(BasePlugin[TongxinConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.pages: dict[str, RenderedPage] = {}
        self.outputs: OutputContext | None = None
        self.content_dir: Path | None = None
        self.final_site_dir: Path | None = None
        self.building_site_dir: Path | None = None

    # --- events --------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        self.content_dir = (root / self.config.content_dir).resolve()
        # Free pages get working anchors for Chinese headings, like record bodies do.
        config.mdx_configs.setdefault("toc", {})["slugify"] = slugify_unicode
        self.pages = self._render(config, root)
        self._start_atomic_build(config)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for file in list(files):
            if file.src_uri.endswith(RECORD_SUFFIXES):
                files.remove(file)  # records are published as pages, never as raw YAML
        for page in self.pages.values():
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                files.remove(existing)
            front_matter = yaml.safe_dump({"title": page.title}, allow_unicode=True)
            files.append(
                File.generated(
                    config,
                    page.src_uri,
                    content=f"---\n{front_matter}---\n",
                    inclusion=InclusionLevel.NOT_IN_NAV
                    if page.is_record
                    else InclusionLevel.UNDEFINED,
                )
            )
        return files

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        rendered = self.pages.get(page.file.src_uri)
        return rendered.html if rendered is not None else html

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.outputs is not None:
            write_outputs(replace(self.outputs, site_dir=Path(config.site_dir)))
        self._finish_atomic_build()

    def on_build_error(self, error: Exception) -> None:
        if self.building_site_dir is not None:
            shutil.rmtree(self.building_site_dir, ignore_errors=True)

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: object
    ) -> LiveReloadServer:
        if self.content_dir is not None:
            server.watch(str(self.content_dir))
        return server

    # --- helpers -------------------------------------------------------------------

    def _render(self, config: MkDocsConfig, root: Path) -> dict[str, RenderedPage]:
        assert self.content_dir is not None
        try:
            build_date = resolve_build_date(self.config.build_date, self.config.timezone)
        except ValueError as error:
            raise PluginError(f"build_date 无效（应为 YYYY-MM-DD）: {error}") from None
        source = ContentSource(root, self.content_dir, self.config.max_file_bytes)
        try:
            graph, result = source.load_graph(build_date, self.config.lang)
        except ContentError as error:
            raise PluginError(str(error)) from None
        for warning in result.log.warnings:
            log.warning(warning.format(self.config.lang))
        template_dir = self._template_dir(config)
        site = SiteInfo(config.site_name, build_date, self.config.timezone, config.site_url or None)
        scheme = UrlScheme(config.use_directory_urls)
        self.outputs = OutputContext(graph, Path(config.site_dir), scheme, site)
        renderer = PortalRenderer(graph, template_dir, scheme, site)
        try:
            return {page.src_uri: page for page in renderer.render_all()}
        except jinja2.TemplateError as error:
            where = f"{getattr(error, 'filename', '') or ''}:{getattr(error, 'lineno', '') or ''}"
            raise PluginError(f"模板错误（template error）{where}: {error}") from None

    @staticmethod
    def _template_dir(config: MkDocsConfig) -> Path:
        custom_dir = config.theme.custom_dir
        if not custom_dir or not (Path(custom_dir) / "tongxin").is_dir():
            raise PluginError("theme.custom_dir 必须指向 Tongxin 的 theme/ 文件夹（其中有 tongxin/ 模板）")
        return Path(custom_dir) / "tongxin"

    def _start_atomic_build(self, config: MkDocsConfig) -> None:
        final = Path(config.site_dir).resolve()
        building = final.parent / f".{final.name}.building"
        shutil.rmtree(building, ignore_errors=True)
        self.final_site_dir, self.building_site_dir = final, building
        config.site_dir = str(building)

    def _finish_atomic_build(self) -> None:
        final, building = self.final_site_dir, self.building_site_dir
        if final is None or building is None:
            return
        retired = final.parent / f".{final.name}.previous"
        shutil.rmtree(retired, ignore_errors=True)
        if final.exists():
            final.rename(retired)
        building.rename(final)
        shutil.rmtree(retired, ignore_errors=True)
        self.building_site_dir = None
