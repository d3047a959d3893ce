"""``/admin/``: the forms (Decap CMS), their configuration and their backend, as one WSGI app.

==========================  ===================================================
``GET /admin/``             the page that loads the forms (``static/index.html``)
``GET /admin/config.yml``   the forms' configuration, generated from the models
``GET /admin/decap/…``      the vendored Decap CMS bundle
``POST /admin/api/v1``      Decap's proxy-backend protocol (``ContentStore``)
==========================  ===================================================

Safe by default: without an access token (``TONGXIN_ADMIN_TOKEN``) only this computer
(loopback) gets an answer; with one, every request must carry it, once as ``?token=…`` (which
sets a cookie) and then in that cookie. Posts must be JSON from the page's own origin, so
another web site open in the editor's browser cannot save through it.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import mimetypes
import os
import posixpath
import shutil
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import yaml

from ..content.cms import SERVE_API_PATH, cms_config
from ..content.models import RECORD_TYPES
from ..site.urls import UrlScheme
from .store import FILES, PAGES, ContentStore, Refused, shown_problem

log = logging.getLogger("tongxin.editing")

MOUNT = "/admin/"
TOKEN_ENV = "TONGXIN_ADMIN_TOKEN"
COOKIE = "tongxin_admin"
STATIC = Path(__file__).parent / "static"
BUNDLE = Path(__file__).parent / "decap"
# Uploads arrive base64-encoded inside the JSON: 20 MB of file is ~27 MB of request.
MAX_REQUEST_BYTES = 40_000_000

DIRECTORY_URLS = UrlScheme(directory_urls=True)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


@dataclass
class AdminApp:
    store: ContentStore
    token: str | None = None
    scheme: UrlScheme = DIRECTORY_URLS

    @classmethod
    def for_store(cls, store: ContentStore, scheme: UrlScheme = DIRECTORY_URLS) -> AdminApp:
        return cls(store, os.environ.get(TOKEN_ENV) or None, scheme)

    # --- dispatch --------------------------------------------------------------------

    def wrap(self, site: WsgiApp) -> WsgiApp:
        """A WSGI app answering ``/admin/`` itself and everything else with ``site``."""

        def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "")
            if path == MOUNT.rstrip("/") or path.startswith(MOUNT):
                return self(environ, start_response)
            return site(environ, start_response)

        return app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        denied = self._denied(environ)
        if denied is not None:
            return self._text(start_response, "403 Forbidden", denied)
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if self.token and query.get("token"):
            # The token goes into a cookie and out of the address bar (and the history).
            cookie = f"{COOKIE}={self.token}; Path={MOUNT}; HttpOnly; SameSite=Strict"
            start_response("303 See Other", [("Location", MOUNT), ("Set-Cookie", cookie)])
            return [b""]
        if path == MOUNT.rstrip("/"):
            start_response("301 Moved Permanently", [("Location", MOUNT)])
            return [b""]
        relative = path[len(MOUNT):]
        if relative == SERVE_API_PATH:
            return self._api(environ, start_response)
        if relative == "config.yml":
            return self._config(start_response)
        if relative.startswith("decap/"):
            return self._file(start_response, BUNDLE, relative[len("decap/"):])
        return self._file(start_response, STATIC, relative or "index.html")

    # --- access ----------------------------------------------------------------------

    def _denied(self, environ: dict[str, Any]) -> str | None:
        if self.token:
            presented = _cookie(environ, COOKIE) or _first(environ, "token")
            if presented and hmac.compare_digest(presented.encode(), self.token.encode()):
                return None
            return ("需要访问口令：请打开管理员给你的地址（/admin/?token=…）。"
                    "(an access token is required: open /admin/?token=…)")
        if _is_loopback(environ.get("REMOTE_ADDR", "")):
            return None
        return ("编辑表单只对本机开放（loopback only）。要在其他电脑上使用，请设置访问口令 "
                f"{TOKEN_ENV}，见 docs/editors.md。")

    # --- responses -------------------------------------------------------------------

    @staticmethod
    def _text(start_response: StartResponse, status: str, text: str) -> list[bytes]:
        body = text.encode("utf-8")
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [body]

    @staticmethod
    def _json(start_response: StartResponse, status: str, value: Any) -> list[bytes]:
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                                ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]

    def _file(self, start_response: StartResponse, folder: Path, relative: str) -> list[bytes]:
        clean = posixpath.normpath("/" + relative).lstrip("/")
        target = folder / clean
        if not clean or not target.is_file():
            return self._text(start_response, "404 Not Found", "没有这个文件（not found）")
        body = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-cache")])
        return [body]

    def _config(self, start_response: StartResponse) -> list[bytes]:
        self.store.warm_up()  # the forms are opening: a save will follow
        config = cms_config({"name": "proxy", "proxy_url": MOUNT + SERVE_API_PATH},
                            folder_prefix=self.store.folder_prefix)
        body = yaml.safe_dump(config, allow_unicode=True, sort_keys=False).encode("utf-8")
        start_response("200 OK", [("Content-Type", "text/yaml; charset=utf-8"), ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store")])
        return [body]

    # --- the protocol ----------------------------------------------------------------

    def _api(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return self._json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        if not environ.get("CONTENT_TYPE", "").startswith("application/json") or not _same_origin(environ):
            return self._json(start_response, "403 Forbidden", {"error": "只接受本页面发出的 JSON 请求"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BYTES:
            return self._json(start_response, "413 Payload Too Large", {"error": "请求太大（上传的文件太大）"})
        try:
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            action, params = str(request.get("action", "")), request.get("params") or {}
            return self._json(start_response, "200 OK", self._act(action, params))
        except Refused as refused:
            return self._json(start_response, "422 Unprocessable Entity", {
                "error": refused.text(self.store.lang),
                "message": refused.zh if self.store.lang != "en" else refused.en,
                "problems": [shown_problem(problem, self.store.lang) for problem in refused.problems],
            })
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return self._json(start_response, "400 Bad Request", {"error": f"请求无效（bad request）：{error}"})
        except Exception as error:  # the editor sees a message; the log gets the traceback
            log.exception("admin request failed")
            return self._json(start_response, "500 Internal Server Error", {"error": f"保存时出错：{error}"})

    def _act(self, action: str, params: dict[str, Any]) -> Any:
        store = self.store
        if action == "info":
            return store.info()
        if action == "entriesByFolder":
            return store.entries_in(str(params["folder"]), str(params.get("extension") or ""))
        if action == "entriesByFiles":
            return [store.entry(str(item["path"]), item.get("label")) for item in params["files"]]
        if action == "getEntry":
            return store.entry(str(params["path"]))
        if action == "persistEntry":
            data_files = params.get("dataFiles") or [params["entry"]]
            options = params.get("options") or {}
            commit = store.persist_entry(data_files, params.get("assets") or [], bool(options.get("newEntry")))
            return {"message": "entry persisted", "commit": commit, "preview": self._preview(data_files[0]["path"])}
        if action == "getMedia":
            return store.media()
        if action == "getMediaFile":
            return store.media_file(str(params["path"]))
        if action == "persistMedia":
            return store.persist_media(params["asset"])
        if action == "deleteFile":
            return {"message": "deleted", "commit": store.delete([str(params["path"])])}
        if action == "deleteFiles":
            return {"message": "deleted", "commit": store.delete([str(path) for path in params["paths"]])}
        if action == "getDeployPreview":
            return None
        raise Refused(f"不支持的操作 {action!r}", f"unknown action {action!r}")

    def _preview(self, protocol_path: str) -> str:
        """Where the live preview shows the saved entry (site-relative, from the site root)."""
        place = self.store.locate(protocol_path)
        if place.kind in RECORD_TYPES:
            return "/" + self.scheme.page_url(self.scheme.record_src(place.kind, place.path.stem))
        if place.kind == PAGES:
            return "/" + self.scheme.page_url(f"{PAGES}/{place.path.stem}.md")
        return "/" + FILES + "/" + place.name


def _first(environ: dict[str, Any], name: str) -> str | None:
    values = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get(name)
    return values[0] if values else None


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except Exception:  # a malformed cookie header is no cookie
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _same_origin(environ: dict[str, Any]) -> bool:
    """A browser names the page that sent a POST in Origin; it must be this server."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return True  # not sent by a browser page (tests, curl); JSON content type still required
    return urllib.parse.urlsplit(origin).netloc == environ.get("HTTP_HOST", "")


def write_admin_folder(folder: Path, backend: dict[str, Any], folder_prefix: str, local_backend: str) -> Path:
    """The forms as plain files (page, bundle, configuration) for a web server of their own,
    working against the intranet's git server (``backend``) instead of ``tongxin serve``."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(STATIC, folder)
    shutil.copytree(BUNDLE, folder / "decap")
    config = cms_config(backend, folder_prefix=folder_prefix, local_backend=local_backend)
    path = folder / "config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
