"""The ``tongxin`` MkDocs plugin: validated records in, rendered pages handed to MkDocs.

MkDocs events are dispatched to small methods; the domain work (loading, validation, the
site graph and rendering) happens in the ``generator`` modules that know nothing of MkDocs.
The plugin also makes every build atomic: MkDocs writes into a temporary folder next to
``site_dir``, which replaces the old site only after the whole build succeeded. The search
index, the largest output, is written by a process of its own while the pages render
(``generator.outputs.writers.EARLY_WRITERS``) and moved into that folder at the end.

A build keeps a build cache (``generator.mkdocs_plugin.cache``): the validation results,
the digests of the pages and files it published, and a copy of the site made of hard links.
The next build validates only changed record files, renders only the pages the change
reaches (``generator.mkdocs_plugin.incremental``), writes only files whose bytes differ,
and assembles the new site from those and the copy (``generator.mkdocs_plugin.sitetree``);
the result is byte-identical to a build from scratch.

Under ``tongxin serve`` (MkDocs' serve in dirty mode) the plugin instead stays alive across
rebuilds and keeps the same state in memory: only changed record files are validated again,
only pages an edit reaches are rendered and written, removed pages are deleted, and the
outputs (search index, calendars, feeds…) are written in the background, so an edit shows
in the browser within a second or two even at 10,000 records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import yaml
from markdown.extensions.toc import slugify_unicode
from mkdocs.commands.build import _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..content.folder import content_folder_problems
from ..content.linebreaks import WideLineJoinExtension
from ..content.loading import RECORD_SUFFIXES
from ..content.markup import PAGE_TAGS, sanitize
from ..content.models import RECORD_TYPES
from ..content.offline import ExternalResource, describe_external_resources, external_in_text, find_external_resources
from ..content.problems import ContentError, ProblemLog
from ..content.validation import ValidationResult
from ..outputs.files import SiteFiles
from ..outputs.memo import OutputMemo, StoredState, collector_paused
from ..outputs.writers import (
    EarlyOutputs,
    EarlyRebuild,
    OutputContext,
    OutputTarget,
    early_outputs_given,
    early_outputs_sending_first,
    early_rebuilds,
    move_into,
    prepare_early_outputs,
    write_early_outputs,
    write_late_outputs,
    write_outputs,
)
from ..parallel import ForkedCall, fork_call, fork_map
from ..progress import BuildProgress
from ..render.rendering import (
    PageCollision,
    PortalRenderer,
    RenderedPage,
    SiteInfo,
    TemplateProblem,
    check_reserved_ids,
    make_environment,
)
from ..site.graph import SiteGraph, known_pinyin_keys, known_spellings
from ..site.published import OPENDATA_INDEX
from ..site.source import ContentSource, resolve_build_date, zone_rules
from ..site.urls import UrlScheme
from . import swap
from .cache import FILES, BuildCache, cache_folder, overlaps_site
from .config import TongxinConfig
from .incremental import IncrementalSite, PageUpdate, Templates, folder_digest, remove_file
from .nav import with_record_sections
from .preview import ErrorPanel, serve_with_panel
from .shell import PageShell, escape_config_texts, escape_nav_titles, escape_page_title
from .sitetree import FileEntry, TreeMismatch, publish_with_tree, publish_without_tree, restamped
from .templates import correct_material

if TYPE_CHECKING:  # serve's server: only ``tongxin serve`` imports it (and watchdog, http.server)
    from mkdocs.livereload import LiveReloadServer

log = logging.getLogger("mkdocs.plugins.tongxin")
OUTPUTS = "outputs:"  # the build cache's parts holding an output writer's results
STATES = "states"  # the build cache's part naming output writers' state files
SORT_KEYS = "pinyin"  # the build cache's part holding pinyin sort keys and spellings
# Below this share of the live site's records a build is refused unless allow_shrink is set.
SHRINK_LIMIT = 0.5


def published_record_count(site_dir: Path) -> int:
    """Records of the site at ``site_dir``, from the catalogue of its open data (0 if none)."""
    try:
        catalogue = json.loads((site_dir / OPENDATA_INDEX).read_text(encoding="utf-8"))
        return sum(int(dataset.get("count", 0)) for dataset in catalogue.get("datasets", []))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


@dataclass(frozen=True)
class BuildSummary:
    """What a build with the build cache did: pages rendered, files written, files kept."""

    rendered: int
    written: int
    kept: int

    def text(self, lang: str) -> str:
        if lang == "en":
            return f"rendered {self.rendered:,} pages, wrote {self.written:,} files, kept {self.kept:,} unchanged"
        return f"生成 {self.rendered:,} 个页面，写出 {self.written:,} 个文件，沿用 {self.kept:,} 个未变的文件"


class TongxinPlugin(BasePlugin[TongxinConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._start_afresh()
        self.serving = False
        self.site_lock: int | None = None  # held from the start of a build until it published
        self.last_shell: PageShell | None = None  # the layout the record pages on disk have
        self.compiled_templates = _MemoryBytecodeCache()
        self.outputs_staging: Path | None = None  # where serve's background outputs are staged
        self.panel: ErrorPanel | None = None  # under ``tongxin serve``: the errors shown in pages

    def _start_afresh(self) -> None:
        """Everything one build finds out. MkDocs keeps this plugin object for the next build
        in the same process (it defines ``on_startup``), so each build starts here."""
        self.pages: dict[str, RenderedPage] = {}
        self.outputs: OutputContext | None = None
        self.content_dir: Path | None = None
        self.final_site_dir: Path | None = None
        self.building_site_dir: Path | None = None
        self.progress = BuildProgress(enabled=False)
        self.env: jinja2.Environment | None = None
        self.nav: Navigation | None = None
        self.files: Files | None = None
        self.shell: PageShell | None = None
        # What is kept between builds (in memory under ``tongxin serve``, else in the build
        # cache), and this build's page update.
        self.incremental: IncrementalSite | None = None
        self.update: PageUpdate | None = None
        self.written: list[str] = []  # record pages written by this build (site-relative)
        # External resources in the record pages a build (not serve) wrote: found as each is
        # written, whose HTML is then let go (see _write_record_pages).
        self.record_resources: list[ExternalResource] = []
        self.renderer: PortalRenderer | None = None
        # The build date, for the layout's footer (更新日期; theme/partials/copyright.html).
        self.build_date: dt.date | None = None
        # A build's files (what it wrote, what it kept from the cache), the cache and its copy.
        self.site_files = SiteFiles()
        self.cache: BuildCache | None = None
        self.tree_entries: dict[str, FileEntry] | None = None  # the copy's files, when usable
        # Checking the copy (see _start_tree_check): the files the cache lists, and the process.
        self.tree_check: tuple[dict[str, FileEntry], ForkedCall[dict[str, FileEntry]]] | None = None
        self.folder_check: ForkedCall[ProblemLog] | None = None  # see _start_folder_check
        self.layout = ""  # digest of the inputs every page depends on (see _inputs)
        self.summary: BuildSummary | None = None  # what a build with the cache redid (for the CLI)
        # Output writers' results of the cached build (see OutputMemo).
        self.kept_outputs: dict[tuple[str, ...], tuple[object, object]] = {}
        self.kept_states: dict[str, StoredState] = {}  # output writers' state files (see OutputMemo)
        self.kept_pinyin = 0  # pinyin sort keys the cache had
        # A full build's early outputs: their staging folder and the process writing them.
        self.early_outputs: tuple[Path, ForkedCall[EarlyOutputs | None]] | None = None
        self.early_rebuilds: list[EarlyRebuild] | None = None  # when started before the graph
        self.unstored_states: ForkedCall[EarlyOutputs | None] | None = None  # storing the early outputs' states

    # --- events --------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also makes MkDocs keep this plugin object across the rebuilds of
        # one serve. Incremental rebuilds need dirty mode: MkDocs then keeps unchanged files.
        if command == "serve" and dirty:
            self.serving = True
            self.incremental = IncrementalSite()
            logging.getLogger("mkdocs.commands.build").addFilter(_quiet_dirty_build_warning)

    def on_shutdown(self) -> None:
        if self.incremental is not None:
            self.incremental.outputs.stop()
        if self.outputs_staging is not None:
            shutil.rmtree(self.outputs_staging, ignore_errors=True)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if not self.serving:
            self._unlock_site()  # a build of this process that ended without either event
            self._start_afresh()
            self._lock_site(config)
        root = Path(config.config_file_path or ".").resolve().parent
        self.content_dir = (root / self.config.content_dir).resolve()
        if not self.serving:
            self._recover_killed_build(config)
        # Free pages get working anchors for Chinese headings, like record bodies do.
        config.mdx_configs.setdefault("toc", {})["slugify"] = slugify_unicode
        # Free pages are sanitised, which drops style="text-align"; align="…" survives.
        config.mdx_configs.setdefault("tables", {})["use_align_attribute"] = True
        # Free pages join Chinese lines like record bodies (serve runs on_config at each rebuild).
        if not any(isinstance(ext, WideLineJoinExtension) for ext in config.markdown_extensions):
            config.markdown_extensions.append(WideLineJoinExtension())
        if self.config.for_file:
            config.use_directory_urls = False
        config.nav = with_record_sections(config.nav, RECORD_TYPES)
        if self.serving and self.panel is None:
            self.panel = ErrorPanel(self._template_dir(config), self.config.lang)
        self.progress = BuildProgress()  # a bar on a terminal, nothing in CI or logs
        if not self.serving:
            self._open_cache(config, root)
        self.pages = self._render(config, root)
        escape_config_texts(config)
        if not self.serving:
            self._start_atomic_build(config)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for file in list(files):
            if file.src_uri.endswith(RECORD_SUFFIXES):
                files.remove(file)  # records are published as pages, never as raw YAML
        for page in self.pages.values():
            if page.is_record:
                continue  # written into Material's layout shell in on_post_build
            if not self._to_write(page):
                continue  # unchanged since the last serve rebuild: its file is still there
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                files.remove(existing)
            files.append(self._generated_file(page, config))
        records = sum(1 for page in self.pages.values() if page.is_record)
        self.progress.stage("写出页面", total=len(files.documentation_pages()) + records)
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        escape_nav_titles(nav.items)
        return nav

    def on_env(self, env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self.env, self.files = env, files
        correct_material(env)
        if self.serving or self.cache is not None:
            # Each serve rebuild gets a new theme environment, and a cached build a new process:
            # keep Material's compiled templates (a tenth of a second or two to compile).
            env.bytecode_cache = self.compiled_templates
        assert self.nav is not None
        self.shell = PageShell.render(env, self.nav, files, config)
        if not self.serving and self.update is not None and not self.update.full and self._layout_changed():
            self._render_everything(config, files)
        return env

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        self.progress.advance()
        return output

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        escape_page_title(page)  # known only now: a free page's title is its first heading
        rendered = self.pages.get(page.file.src_uri)
        if rendered is not None:
            return rendered.html
        # Free pages are editors' Markdown too: published sanitised like record bodies, with
        # the tools of record pages (朗读, 扫码在手机上看).
        assert self.renderer is not None
        return self.renderer.render_free_page(sanitize(html, PAGE_TAGS), page.file.src_uri)

    def on_post_build(self, config: MkDocsConfig) -> None:
        self._write_record_pages(config)
        self.progress.close()
        if self.serving:
            self._finish_incremental_build(config)
            if self.panel is not None:
                self.panel.clear_failure()
            return
        site_dir = Path(config.site_dir)
        if self.outputs is not None:
            context = replace(self.outputs, site_dir=site_dir, pages=self._page_urls(config), files=self.site_files)
            write_late_outputs(context)
            self._finish_early_outputs(site_dir)
        self.site_files.adopt(site_dir, self._mkdocs_outputs(config))
        if self.update is not None and not self.update.full:
            self._refuse_external_in_written(config)
        else:
            self._refuse_external_resources(config)
        self._finish_atomic_build()
        self._unlock_site()

    def on_build_error(self, error: Exception) -> None:
        self.progress.close()
        if self.serving and self.update is not None:
            self.incremental.forget()  # pages may be half written: the next rebuild writes all
            self.update = None
        if self.cache is not None:
            self.cache.close()  # unchanged: a failed build leaves the cache as it found it
            self.cache = None
        self._cancel_tree_check()
        self._cancel_folder_check()
        if self.early_outputs is not None:
            self._stop_early_outputs()
        if self.unstored_states is not None:
            self.unstored_states.cancel()
            self.unstored_states = None
        if self.building_site_dir is not None:
            shutil.rmtree(self.building_site_dir, ignore_errors=True)
        self._unlock_site()

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: object
    ) -> LiveReloadServer:
        if self.content_dir is not None:
            server.watch(str(self.content_dir))
        if config.theme.custom_dir:
            # Only our theme folder: Material's own (14,000 icons) would be polled twice a second.
            server.watch(config.theme.custom_dir)
        server.builder = _keep_serving_on_failure(server.builder, self.panel)
        if self.panel is not None:
            serve_with_panel(server, self.panel)
        if self.content_dir is not None:
            from .admin import mount_admin  # the browser forms are served by serve only

            mount_admin(server, config, self.config, self.content_dir)
        return server

    # --- helpers -------------------------------------------------------------------

    def _render(self, config: MkDocsConfig, root: Path) -> dict[str, RenderedPage]:
        assert self.content_dir is not None
        try:
            build_date = resolve_build_date(self.config.build_date, self.config.timezone)
        except ValueError as error:
            raise PluginError(f"build_date 无效（应为 YYYY-MM-DD）: {error}") from None
        self.build_date = build_date
        source = ContentSource(
            root, self.content_dir, self.config.max_file_bytes, tuple(self.config.privacy_allow),
            Path(config.config_file_path) if config.config_file_path else None, self.config.allow_shrink,
        )
        self.progress.stage("检查内容")
        try:
            if self.serving:
                graph, result = self._preview_graph(source, build_date)
            elif self.incremental is not None:  # the build cache's validation results
                validate = partial(self.incremental.validation.validate,
                                   folder_problems=partial(self._folder_problems, source))
                graph, result = source.load_graph(build_date, self.config.lang, validate, checks=(check_reserved_ids,))
                if self.incremental.last is not None:
                    _settle_long_lived()  # the graph: a rebuild validated only what changed, little garbage
            else:
                graph, result = source.load_graph(build_date, self.config.lang, checks=(check_reserved_ids,))
        except ContentError as error:
            self.progress.close()
            raise PluginError(str(error)) from None
        finally:
            self._cancel_folder_check()  # not asked for (the cache was not usable): not needed
        for warning in result.log.warnings:
            log.warning(warning.format(self.config.lang))
        self._take_tree()
        template_dir = self._template_dir(config)
        site = SiteInfo(config.site_name, build_date, self.config.timezone, config.site_url or None)
        scheme = UrlScheme(config.use_directory_urls)
        affected = self.incremental.affected(graph) if self.incremental is not None else None
        memo = OutputMemo()
        if not self.serving and self.cache is not None and self.incremental is not None:
            last = self.incremental.last
            memo = OutputMemo(self.kept_outputs, affected, keeping=True,
                              previous_graph=last.graph if last is not None else None,
                              previous_files=self.cache.tree if self.tree_entries is not None else None,
                              kept_states=self.kept_states, state_folder=self.cache.folder)
        self.outputs = OutputContext(graph, Path(config.site_dir), scheme, site, self.content_dir, memo=memo)
        if not self.serving:
            self._start_early_outputs(self.outputs)
        renderer = self.renderer = PortalRenderer(graph, template_dir, scheme, site)
        try:
            if self.incremental is not None:
                self.progress.stage(f"已检查 {len(result.records)} 条记录，生成页面")
                self.update = self.incremental.render(graph, renderer, self._inputs(config, root, template_dir, site),
                                                      self._templates(template_dir), affected)
                return self.update.pages
            rendered = self.progress.track(
                fork_map(renderer.render, renderer.plan()), f"已检查 {len(result.records)} 条记录，生成页面"
            )
            return {page.src_uri: page for page in rendered}
        except PageCollision as error:
            raise PluginError(str(error)) from None
        except TemplateProblem as error:
            raise PluginError(str(error)) from None

    def _preview_graph(self, source: ContentSource, build_date: dt.date) -> tuple[SiteGraph, ValidationResult]:
        """Under ``serve``: the graph, with the errors (if any) shown in the panel. Content with
        errors keeps the last good site; the first build previews the records without errors."""
        assert self.incremental is not None and self.panel is not None
        validate = self.incremental.validation.validate
        checks = (check_reserved_ids,)
        try:
            found = source.load_graph(build_date, self.config.lang, validate, checks=checks)
        except ContentError as error:
            first_build = self.last_shell is None
            self.panel.show(error.log, first_build)
            if not first_build:
                raise
            for problem in error.log.errors:
                log.error(problem.format(self.config.lang))
            return source.load_partial_graph(build_date, validate, checks=checks)
        self.panel.clear_content()
        return found

    def _inputs(self, config: MkDocsConfig, root: Path, template_dir: Path, site: SiteInfo) -> tuple[object, ...]:
        """What every page depends on besides the records, the page templates and the build
        date: when any of it changes, every page is rendered again (see ``incremental``)."""
        digest = hashlib.sha256()
        config_file = Path(config.config_file_path or root / "mkdocs.yml")
        with contextlib.suppress(OSError):
            digest.update(config_file.read_bytes())
        # The theme's other files (Material's layout, partials, assets) and the free pages,
        # whose titles may be in the nav of every page.
        digest.update(folder_digest(template_dir.parent, skip=template_dir).encode())
        assert self.content_dir is not None
        digest.update(folder_digest(self.content_dir / "pages").encode())
        digest.update(zone_rules(self.config.timezone))
        self.layout = digest.hexdigest()
        options = tuple(sorted((name, repr(value)) for name, value in self.config.items() if name != "build_date"))
        # The build date too: every page shows it (更新日期 in the footer and on printed pages).
        return (self.layout, site.name, site.build_date, site.timezone, site.site_url, config.use_directory_urls,
                options)

    def _templates(self, template_dir: Path) -> Templates:
        assert self.incremental is not None
        last = self.incremental.last
        env = make_environment(template_dir)
        if self.cache is not None:
            env.bytecode_cache = self.compiled_templates  # the page templates' compiled code, kept too
        return Templates.of(env, last.templates if last is not None else None)

    def _open_cache(self, config: MkDocsConfig, root: Path) -> None:
        """The build cache for this site, its state and (if it checks out) its copy of the site.
        A rebuild's early outputs start as soon as their kept states are read: the search
        process then reads its own state while this one reads the rest."""
        self.site_files = SiteFiles(precompress=self.config.precompress)
        cache = self.cache = self._locked_cache(config)
        if cache is None:
            return
        first = cache.load_first((STATES, SORT_KEYS, FILES))
        self._restore_sort_keys(first.get(SORT_KEYS, ({}, {})))  # the search process sorts facet values too
        states = first.get(STATES, {})
        self._prepare_early_outputs(config, cache, states)
        self._start_tree_check(cache.tree, first.get(FILES), Path(config.site_dir).resolve())
        if first:
            self._start_folder_check(root)
        with collector_paused():  # tens of thousands of objects made, none of them garbage
            self._load_cache(config, cache)
            # Before the collector is back on: its first pass would look at all of them (0.2 s).
            _settle_long_lived()
        last = self.incremental.last if self.incremental is not None else None
        if self.early_outputs is not None and (last is None or self.kept_states != states):
            self._stop_early_outputs()  # the rest of the cache was not usable: a full build

    def _locked_cache(self, config: MkDocsConfig) -> BuildCache | None:
        if not self.config.cache:
            return None
        final = Path(config.site_dir).resolve()
        folder = cache_folder(final, self.config.cache_dir or None, self.config.for_file)
        if overlaps_site(folder, final):
            log.warning(f"构建缓存文件夹 {folder} 与站点文件夹 {final} 重叠，缓存会被当作网站发布出去或覆盖网站，"
                        "本次不用缓存、从头构建；请把 TONGXIN_CACHE_DIR、--cache-dir 或 cache_dir 设到站点文件夹之外"
                        "（build cache folder overlaps the site folder: not used）")
            return None
        return BuildCache.open(folder)

    def _load_cache(self, config: MkDocsConfig, cache: BuildCache) -> None:
        cached = cache.load()
        self.incremental = IncrementalSite.restored(cached.parts) if cached.parts else IncrementalSite()
        self.kept_outputs = {slot: result for name, part in cached.parts.items() if name.startswith(OUTPUTS)
                             for slot, result in part.items()}
        self.kept_states = cached.parts.get(STATES, {})
        self.compiled_templates = _MemoryBytecodeCache(cached.parts.get("templates"))
        if not cached.tree_usable:
            self._cancel_tree_check()
            self._without_tree()
        elif self.tree_check is None:  # its list of files was read (``_open_cache``): not started
            self._refuse_tree(TreeMismatch("the cache is on another file system than the site: "
                                           "files cannot be linked"))

    def _start_tree_check(self, tree: Path, entries: dict[str, FileEntry] | None, final: Path) -> None:
        """Start checking the cache's copy of the site (``verify_tree``) in a process of its
        own: it mostly waits on the disk (a file's inode at a time), while this process reads
        the rest of the cache and checks the content. Started once the cache's list of files
        is read, before the rest: the process then shares less of this one's memory.
        ``_take_tree`` takes its answer before anything is kept from the copy."""
        if entries is not None and _same_file_system(tree, final.parent):
            self.tree_check = (entries, fork_call(partial(restamped, tree, entries)))

    def _start_folder_check(self, root: Path) -> None:
        """Start the content folder's check (``content_folder_problems``: a file name and a
        place for every file, ~0.2 s at 10,000 records) in a process of its own while this one
        reads the cache; only for a rebuild, which then validates little else (a full build's
        validation has every core busy, and the check would take one)."""
        assert self.content_dir is not None
        self.folder_check = fork_call(partial(content_folder_problems, self.content_dir, root,
                                              tuple(self.config.privacy_allow)))

    def _folder_problems(self, source: ContentSource) -> ProblemLog:
        """The folder check's problems: from its process, or found here when it was not started
        or its process was killed."""
        call, self.folder_check = self.folder_check, None
        if call is not None:
            with contextlib.suppress(ChildProcessError):
                return call.result()
        return content_folder_problems(source.content_dir, source.project_root, source.privacy_allow)

    def _cancel_folder_check(self) -> None:
        if self.folder_check is not None:
            self.folder_check.cancel()
            self.folder_check = None

    def _cancel_tree_check(self) -> None:
        if self.tree_check is not None:
            self.tree_check[1].cancel()
            self.tree_check = None

    def _take_tree(self) -> None:
        if self.tree_check is None:
            return
        (entries, call), self.tree_check = self.tree_check, None
        try:
            self.tree_entries = entries | call.result()
        except (TreeMismatch, OSError) as error:  # a killed check (ChildProcessError) included
            self._refuse_tree(error)
            return
        self.site_files = SiteFiles({relative: entry.digest for relative, entry in self.tree_entries.items()},
                                    self.config.precompress)

    def _refuse_tree(self, error: Exception) -> None:
        if isinstance(error, TreeMismatch):
            log.warning(f"构建缓存里的站点副本与记录不符（{error}），本次写出全部文件"
                        f"（the cache's copy of the site does not match its records; writing every file）")
        else:  # unreadable, or the check's process was killed: the copy is not trusted either
            log.warning(f"未能检查构建缓存里的站点副本（{error}），本次写出全部文件"
                        f"（the cache's copy of the site could not be checked; writing every file）")
        self._without_tree()
        if self.early_outputs is not None:
            self._stop_early_outputs()  # started on the kept states: the build makes its outputs anew

    def _without_tree(self) -> None:
        """Pages the cache knows by digest only cannot be taken from a copy: render them all."""
        assert self.incremental is not None
        self.incremental.forget()
        self.kept_outputs = {}
        self.kept_states = {}

    def _restore_sort_keys(self, kept: tuple[dict[str, tuple[str, str]], dict[str, str]]) -> None:
        """The last build's pinyin sort keys and spellings (they depend on the text and
        pypinyin's version only)."""
        known_pinyin_keys().update(kept[0])
        known_spellings().update(kept[1])
        self.kept_pinyin = len(known_pinyin_keys()) + len(known_spellings())

    def _prepare_early_outputs(self, config: MkDocsConfig, cache: BuildCache, states: dict[str, StoredState]) -> None:
        """A rebuild with the outputs' kept states starts their process now, before the graph
        (and before the rest of the cache: what it needs of that comes with the graph's part)."""
        rebuilds = early_rebuilds()
        if rebuilds is None or not states:
            return
        memo = OutputMemo(keeping=True, kept_states=states, state_folder=cache.folder)
        staging = self._early_staging(Path(config.site_dir))
        target = OutputTarget(staging, SiteFiles(precompress=self.config.precompress), memo,
                              UrlScheme(config.use_directory_urls), self.content_dir)
        self.early_outputs = (staging, prepare_early_outputs(target, rebuilds))
        self.early_rebuilds = rebuilds

    def _stop_early_outputs(self) -> None:
        assert self.early_outputs is not None
        staging, call = self.early_outputs
        self.early_outputs = self.early_rebuilds = None
        call.cancel()
        shutil.rmtree(staging, ignore_errors=True)

    def _start_early_outputs(self, context: OutputContext) -> None:
        """The search index needs only the graph: it is written into a staging folder by a
        process of its own while this one renders the pages (given the graph's part, when
        that process started before the graph; stopped, when the last index stands)."""
        if self.early_outputs is not None and self.early_rebuilds is not None:
            call = self.early_outputs[1]
            given = early_outputs_given(replace(context, files=self.site_files), self.early_rebuilds)
            if given is None:
                self._stop_early_outputs()
            else:
                call.give(given)
            return
        staging = self._early_staging(context.site_dir)
        files = self.site_files.fresh()
        self.early_outputs = (staging, fork_call(partial(early_outputs_sending_first,
                                                         replace(context, site_dir=staging, files=files,
                                                                 memo=replace(context.memo, results={})))))

    @staticmethod
    def _early_staging(site_dir: Path) -> Path:
        """Next to the site (a rename moves files into it), and cleared like ``.building`` in
        case a killed build left it behind."""
        final = site_dir.resolve()
        staging = final.parent / f".{final.name}.outputs"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        return staging

    def _finish_early_outputs(self, site_dir: Path) -> None:
        """Wait for the early outputs (raising their error, if any) and move them into the site."""
        if self.early_outputs is None:
            return
        staging, call = self.early_outputs
        self.early_outputs = None
        call.lend_core()  # this process only waits from here on: the search may use its core
        try:
            result = call.result()
            self.unstored_states = call  # the process goes on storing the outputs' states
            if result is None:  # started before the graph, and a kept state was not usable (said there)
                assert self.outputs is not None
                files = self.site_files.fresh()
                memo = replace(self.outputs.memo, results={}, kept_states={})
                result = write_early_outputs(replace(self.outputs, site_dir=staging, files=files, memo=memo))
            files, memo = result
            self.site_files.merge(files)
            if self.outputs is not None:
                self.outputs.memo.merge(memo)
            move_into(staging, site_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _write_record_pages(self, config: MkDocsConfig) -> None:
        """Record pages: Material's layout rendered once, each record's body spliced in."""
        shell = self.shell
        assert shell is not None
        scheme = UrlScheme(config.use_directory_urls)
        site_dir = Path(config.site_dir)
        # A serve rebuild writes the pages that changed, or all when the layout itself changed.
        every_page = self.serving and self.last_shell != shell
        self.written = []
        for page in self.pages.values():
            output = scheme.output_path(page.src_uri)
            if not page.is_record or not (every_page or self._to_write(page)):
                if not self.serving and not self._to_write(page):
                    self.site_files.keep(output)  # unchanged since the cached build
                continue
            self.site_files.write(site_dir, output, shell.fill(page, page.src_uri[: -len(".md")]))
            self.written.append(output)
            self.progress.advance()
            if not self.serving:
                # Nothing reads a written record page's HTML again but the external-resource
                # check: it looks now, and the HTML (hundreds of MB at 50,000 records) goes.
                self.record_resources += [ExternalResource(output, line, what, url)
                                          for line, what, url in external_in_text(page.html)]
                self.pages[page.src_uri] = replace(page, html="")

    def _layout_changed(self) -> bool:
        """Whether record pages would be laid out differently from the cached build's."""
        assert self.incremental is not None
        return self.incremental.shell != self.shell

    def _render_everything(self, config: MkDocsConfig, files: Files) -> None:
        """The layout changed although nothing the cache knows of did: render every page, and
        hand MkDocs the section pages it was not given."""
        assert self.incremental is not None and self.renderer is not None and self.update is not None
        log.info("页面布局变了，重新生成全部页面（the page layout changed: rendering every page）")
        self.update = self.incremental.render(self.update.graph, self.renderer, ("layout changed",),
                                              self.update.templates)
        self.pages = self.update.pages
        for page in self.pages.values():
            if page.is_record or files.get_file_from_path(page.src_uri) is not None:
                continue
            file = self._generated_file(page, config)
            files.append(file)
            Page(None, file, config)
            assert file.page is not None
            _populate_page(file.page, config, files)

    @staticmethod
    def _generated_file(page: RenderedPage, config: MkDocsConfig) -> File:
        """The MkDocs file of a section page (its body is filled in by ``on_page_content``)."""
        # The title as written: on_page_content escapes every page's title, this one's too.
        front_matter = yaml.safe_dump({"title": page.title}, allow_unicode=True)
        return File.generated(
            config,
            page.src_uri,
            content=f"---\n{front_matter}---\n",
            inclusion=InclusionLevel.NOT_IN_NAV if not page.in_nav else InclusionLevel.UNDEFINED,
        )

    def _mkdocs_outputs(self, config: MkDocsConfig) -> list[str]:
        """Files MkDocs itself may have written into the site folder."""
        assert self.files is not None
        written = [file.dest_uri for file in self.files]
        templates = list(config.theme.static_templates) + list(config.extra_templates)
        return written + templates + [f"{name}.gz" for name in templates if name.endswith("sitemap.xml")]

    def _page_urls(self, config: MkDocsConfig) -> tuple[str, ...]:
        """Site-relative URLs of every HTML page, records included, in a stable order."""
        assert self.files is not None
        scheme = UrlScheme(config.use_directory_urls)
        sources = {file.src_uri for file in self.files.documentation_pages()}
        sources.update(self.pages)  # a serve rebuild hands MkDocs only the pages that changed
        return tuple(sorted(scheme.page_url(src) for src in sources))

    @staticmethod
    def _template_dir(config: MkDocsConfig) -> Path:
        custom_dir = config.theme.custom_dir
        if not custom_dir or not (Path(custom_dir) / "tongxin").is_dir():
            raise PluginError("theme.custom_dir 必须指向 Tongxin 的 theme/ 文件夹（其中有 tongxin/ 模板）")
        return Path(custom_dir) / "tongxin"

    def _refuse_external_resources(self, config: MkDocsConfig) -> None:
        """Fail the build (before the swap) if any built page would load from another host."""
        # Record pages are the shell plus a body: scan the shell once and each body from memory
        # instead of re-reading thousands of written pages.
        scheme = UrlScheme(config.use_directory_urls)
        records = {scheme.output_path(page.src_uri): page for page in self.pages.values() if page.is_record}
        found = find_external_resources(Path(config.site_dir), skip=frozenset(records)) + self.record_resources
        for output, page in records.items() if self.serving else ():
            found += [ExternalResource(output, line, what, url) for line, what, url in external_in_text(page.html)]
        if records and self.shell is not None:
            first = next(iter(records))
            found += [ExternalResource(first, line, what, url) for line, what, url in self.shell.external_resources()]
        if not found:
            return
        root = Path(config.config_file_path or ".").resolve().parent
        sources = [Path(config.theme.custom_dir or root / "theme"), Path(config.docs_dir)]
        raise PluginError(describe_external_resources(found, sources, root, self.config.lang))

    def _to_write(self, page: RenderedPage) -> bool:
        """Whether this build writes ``page``: always, except unchanged pages in a serve rebuild.

        Pages in the nav are always handed to MkDocs, which needs them to build the nav.
        """
        if self.update is None or self.update.full:
            return True
        return page.src_uri in self.update.changed or (page.in_nav and not page.is_record)

    def _finish_incremental_build(self, config: MkDocsConfig) -> None:
        """Delete removed pages, check what was written, start the outputs, remember the build."""
        assert self.incremental is not None and self.update is not None and self.files is not None
        scheme = UrlScheme(config.use_directory_urls)
        site_dir = Path(config.site_dir)
        for src in self.update.removed:
            remove_file(site_dir, scheme.output_path(src))
        if self.update.full:
            self._refuse_external_resources(config)
        else:
            self._refuse_external_in_written(config)
        self.last_shell = self.shell
        self.incremental.commit(self.update)
        log.info(f"重建了 {self.update.rendered} 个页面，写出 {len(self.written)} 个记录页面"
                 f"（rendered {self.update.rendered} pages, wrote {len(self.written)} record pages）")
        if self.update.full:
            # The records and pages kept for the next rebuilds live as long as the server: out
            # of the collector's way, a rebuild does not pause to scan them (~0.3 s at 10,000).
            gc.collect()
            gc.freeze()
        self.update = None
        if self.outputs is not None and self.content_dir is not None:
            self.outputs_staging = site_dir.parent / f".{site_dir.name}.outputs"
            context = replace(self.outputs, site_dir=site_dir, pages=self._page_urls(config))
            self.incremental.outputs.start(context, write_outputs, self.outputs_staging)

    def _save_cache(self, cache: BuildCache, entries: dict[str, FileEntry]) -> None:
        """What this build leaves for the next: the site's state, output writers' results and
        pinyin sort keys (parts that did not change are not written again); the writers'
        states last, as the early outputs' process may still be storing its own."""
        assert self.incremental is not None
        parts, unchanged = self.incremental.snapshot()
        if self.outputs is not None:
            groups, same = self.outputs.memo.by_writer()
            parts.update({f"{OUTPUTS}{writer}": group for writer, group in groups.items()})
            unchanged.update(f"{OUTPUTS}{writer}" for writer in same)
        parts["templates"] = self.compiled_templates.code
        if not self.compiled_templates.added:
            unchanged.add("templates")
        parts[SORT_KEYS] = (known_pinyin_keys(), known_spellings())
        if len(known_pinyin_keys()) + len(known_spellings()) == self.kept_pinyin:
            unchanged.add(SORT_KEYS)
        written = cache.write_parts({**parts, FILES: entries}, unchanged)
        self._collect_stored_states()
        states = self.outputs.memo.states if self.outputs is not None else {}
        written |= cache.write_parts({STATES: states}, {STATES} if states == self.kept_states else set())
        cache.commit(written, self.layout, {name for stored in states.values() for name in stored.files()})

    def _collect_stored_states(self) -> None:
        """The state files the early outputs' process stored while the site was published. A
        state it could not store is left out of the cache (that output is made from scratch
        in the next build); the site is published already and stays as it is."""
        call, self.unstored_states = self.unstored_states, None
        if call is None or self.outputs is None:
            return
        try:
            self.outputs.memo.states.update(call.rest() or {})
        except Exception as error:  # a full disk, say: the cache only loses a state
            log.warning(f"搜索索引的状态未能存入构建缓存（{type(error).__name__}: {error}），网站已正常发布；"
                        "下次构建将从头生成搜索索引（an output's state could not be stored in the build cache; "
                        "the site is published, and the next build makes that output from scratch）")

    def _refuse_external_in_written(self, config: MkDocsConfig) -> None:
        """The external-resource check of a serve rebuild: only the pages it wrote."""
        assert self.files is not None and self.update is not None
        found: list[ExternalResource] = []
        for file in self.files.documentation_pages():
            path = Path(file.abs_dest_path)
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                found += [ExternalResource(file.dest_uri, line, what, url)
                          for line, what, url in external_in_text(text)]
        scheme = UrlScheme(config.use_directory_urls)
        found += self.record_resources
        for src in self.update.changed if self.serving else ():
            page = self.pages[src]
            if page.is_record:
                found += [ExternalResource(scheme.output_path(src), line, what, url)
                          for line, what, url in external_in_text(page.html)]
        if found:
            root = Path(config.config_file_path or ".").resolve().parent
            sources = [Path(config.theme.custom_dir or root / "theme"), Path(config.docs_dir)]
            raise PluginError(describe_external_resources(found, sources, root, self.config.lang))

    def _lock_site(self, config: MkDocsConfig) -> None:
        final = Path(config.site_dir).resolve()

        def waiting() -> None:
            log.warning(f"另一次构建正在写入 {final}，等它完成后再开始"
                        "（waiting for another build of this site to finish）")

        self.site_lock = swap.lock_site(final, waiting)

    def _unlock_site(self) -> None:
        if self.site_lock is not None:
            swap.unlock_site(self.site_lock)
            self.site_lock = None

    def _recover_killed_build(self, config: MkDocsConfig) -> None:
        for zh, en in swap.recover(Path(config.site_dir).resolve()):
            log.warning(en if self.config.lang == "en" else zh)

    def _start_atomic_build(self, config: MkDocsConfig) -> None:
        final = Path(config.site_dir).resolve()
        building = swap.sibling(final, swap.BUILDING)
        shutil.rmtree(building, ignore_errors=True)
        self.final_site_dir, self.building_site_dir = final, building
        config.site_dir = str(building)

    def _refuse_shrinking(self) -> None:
        """A site with under half the records of the live one is almost always a mistake
        (a wrong content_dir, a deleted folder): refuse it unless allow_shrink says otherwise."""
        if self.final_site_dir is None or self.outputs is None or self.config.allow_shrink:
            return
        live = published_record_count(self.final_site_dir)
        built = sum(1 for _record in self.outputs.graph.all_records())
        if live and built < live * SHRINK_LIMIT:
            raise PluginError(
                f"新站点只有 {built} 条记录，而现在发布的站点有 {live} 条（不到一半）；通常是 content_dir 写错或"
                "内容文件夹被误删。若确实要这样发布，请运行 tongxin build --allow-shrink，或在 site_config.yml 的"
                " tongxin 插件下写 allow_shrink: true"
                if self.config.lang != "en" else
                f"the new site has {built} records, the published one {live} (under half): refused; "
                "pass --allow-shrink (or allow_shrink: true) if this is meant"
            )

    def _finish_atomic_build(self) -> None:
        final, building = self.final_site_dir, self.building_site_dir
        if final is None or building is None:
            return
        self._refuse_shrinking()
        cache, self.cache = self.cache, None
        if cache is None:
            publish_without_tree(building, final, None, {})
            self.building_site_dir = None
            return
        try:
            cache.begin_publishing()
            if self.tree_entries is not None:
                entries = publish_with_tree(building, final, cache.tree, self.site_files, self.tree_entries)
            else:
                tree = cache.tree if _same_file_system(cache.folder, final.parent) else None
                entries = publish_without_tree(building, final, tree, self.site_files.digests)
            self.building_site_dir = None
            if entries is None or self.incremental is None or self.update is None:
                return  # published; the cache stays marked unfinished, the next build starts afresh
            self.incremental.commit(self.update)
            self.incremental.shell = self.shell
            self._save_cache(cache, entries)
            cache.end_publishing()
            files = self.site_files
            self.summary = BuildSummary(self.update.rendered, len(files.written), files.kept)
        finally:
            if self.unstored_states is not None:  # the cache is not saved: its states are not needed
                self.unstored_states.cancel()
                self.unstored_states = None
            cache.close()


def _settle_long_lived() -> None:
    """Everything made so far lives until the build ends (the cached state, the records, the
    graph): out of the cyclic collector's way, so that each of its full passes does not scan
    them again (a quarter of the CPU time of a warm rebuild at 10,000 records). ``tongxin
    build`` ends the process after one build; ``serve`` does not come here."""
    gc.freeze()


def _same_file_system(first: Path, second: Path) -> bool:
    """Whether hard links and renames work between the two folders (the first may not exist yet)."""
    while not first.exists():
        first = first.parent
    return os.stat(first).st_dev == os.stat(second).st_dev


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory (by a serve process, or in the build cache); Jinja
    compiles again when a template's source changes (each entry carries its source's checksum)."""

    def __init__(self, code: dict[str, bytes] | None = None) -> None:
        self.code: dict[str, bytes] = dict(code or {})
        self.added = False

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()
        self.added = True


def _quiet_dirty_build_warning(record: logging.LogRecord) -> bool:
    """Drop MkDocs' warning about dirty builds: ``tongxin serve`` tracks what each edit changes."""
    return "'dirty' build" not in record.getMessage()


def _keep_serving_on_failure(rebuild: Callable[[], None], panel: ErrorPanel | None) -> Callable[[], None]:
    """A rebuild that fails on bad content or config ends normally, after saying so.

    MkDocs holds every request after a failed rebuild until one succeeds; the editor must
    instead keep browsing the last good site, which the atomic build left in place, with the
    errors in the panel of every page (content errors are put there by the build itself).
    """

    def rebuild_or_keep_last_site() -> None:
        try:
            rebuild()
        except Abort as error:
            if panel is not None and not panel.has_content_errors:
                panel.show_failure(str(error))
            log.error("重建失败，继续显示上一次成功构建的站点；改正上面的错误后会自动重建"
                      "（rebuild failed; serving the last good site）")

    return rebuild_or_keep_last_site
