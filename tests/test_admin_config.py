"""The forms' configuration follows the models; the backend of /admin/ guards what it answers."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from generator.content import cms
from generator.content.canonical import canonical_text
from generator.content.loading import parse_record_document
from generator.content.models import RECORD_TYPES, Notice, OrgRef, nested_model
from generator.content.problems import ProblemLog
from generator.editing.history import History
from generator.editing.server import AdminApp
from generator.editing.store import ContentStore
from generator.site.settings import read_settings
from tests.support.project import Project

SERVE_BACKEND = {"name": "proxy", "proxy_url": "/admin/api/v1"}


def collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(item for item in config["collections"] if item["name"] == name)


def fields_of(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in entry["fields"]}


def test_every_record_type_and_the_free_pages_are_collections_with_every_model_field() -> None:
    config = cms.cms_config(SERVE_BACKEND)
    assert [c["name"] for c in config["collections"]] == [*RECORD_TYPES, "pages"]
    assert config["locale"] == "zh_Hans" and config["media_folder"] == "content/files"

    def check(fields: list[dict[str, Any]], model: type[BaseModel]) -> None:
        by_name = {field["name"]: field for field in fields}
        assert set(by_name) - {"id"} == set(model.model_fields) - {"id"}, model
        for name, info in model.model_fields.items():
            if name == "id":
                continue
            assert by_name[name]["label"] == info.title
            part = nested_model(info)
            if part is not None:
                check(by_name[name]["fields"], part)

    for type_name, model in RECORD_TYPES.items():
        entry = collection(config, type_name)
        assert entry["label"] == model.type_label and entry["folder"] == f"content/{type_name}"
        check(entry["fields"], model)


def test_widgets_follow_the_field_types() -> None:
    notice = fields_of(collection(cms.cms_config(SERVE_BACKEND), "notices"))
    assert notice["category"]["widget"] == "select"
    assert notice["category"]["options"] == list(Notice.model_fields["category"].annotation.__args__)
    expected = {"widget": "relation", "collection": "organizations", "value_field": "{{slug}}",
                "display_fields": ["name"]}
    assert notice["organization"].items() >= expected.items()
    assert notice["published"]["format"] == "YYYY-MM-DD" and notice["published"]["time_format"] is False
    window = fields_of(notice["window"])
    assert notice["window"]["widget"] == "object" and window["end"]["required"] is True
    attachment = fields_of(notice["attachments"])
    assert notice["attachments"]["widget"] == "list" and attachment["file"]["widget"] == "file"
    assert notice["body"]["widget"] == "markdown"
    lecture = fields_of(collection(cms.cms_config(SERVE_BACKEND), "lectures"))
    assert lecture["start"]["format"] == "YYYY-MM-DD HH:mm"
    registration = fields_of(lecture["registration"])
    # An optional part may stay empty: the form requires nothing in it, tongxin check does.
    assert lecture["registration"]["required"] is False and registration["method"]["required"] is False
    place = fields_of(collection(cms.cms_config(SERVE_BACKEND), "places"))
    period = fields_of(fields_of(place["hours"])["periods"])
    assert period["days"]["multiple"] is True and period["open"]["format"] == "HH:mm"


def test_a_new_model_field_appears_in_the_form_with_no_other_change(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoticeWithReviewer(Notice):
        reviewer: OrgRef | None = None

    NoticeWithReviewer.model_fields["reviewer"].title = "审核党组织"
    monkeypatch.setitem(RECORD_TYPES, "notices", NoticeWithReviewer)
    field = fields_of(collection(cms.cms_config(SERVE_BACKEND), "notices"))["reviewer"]
    assert field["label"] == "审核党组织" and field["widget"] == "relation" and field["required"] is False


def test_a_git_server_backend_is_configured_with_serve_as_its_local_backend() -> None:
    backend = {"name": "gitea", "repo": "shequ/dangjian", "base_url": "https://git.example.org"}
    config = cms.cms_config(backend, local_backend="http://127.0.0.1:8000/admin/api/v1")
    assert config["backend"] == backend
    assert config["local_backend"] == {"url": "http://127.0.0.1:8000/admin/api/v1"}


def test_every_sample_record_reads_back_the_same_from_its_canonical_text(project: Project) -> None:
    for type_name, model in RECORD_TYPES.items():
        for path in sorted((project.content / type_name).glob("*.yml")):
            parsed = parse_record_document(path.read_bytes(), path.name, ProblemLog())
            assert parsed is not None
            text = canonical_text(model, parsed.data)
            again = parse_record_document(text.encode(), path.name, ProblemLog())
            assert again is not None and again.data == {k: v for k, v in parsed.data.items() if v != []}, path
            assert canonical_text(model, again.data) == text
            path.write_text(text, encoding="utf-8")
    assert project.check().returncode == 0


# --- the backend as a WSGI app -----------------------------------------------------------


def call(app: AdminApp, path: str, body: dict[str, Any] | None = None, **environ: str) -> tuple[str, bytes]:
    data = json.dumps(body).encode() if body is not None else b""
    env = {"REQUEST_METHOD": "POST" if body is not None else "GET", "PATH_INFO": path, "QUERY_STRING": "",
           "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(data)),
           "HTTP_HOST": "127.0.0.1:8000", "wsgi.input": io.BytesIO(data), **environ}
    answer: list[str] = []
    chunks = app(env, lambda status, headers: answer.append(status))
    return answer[0], b"".join(chunks)


@pytest.fixture
def app(project: Project) -> AdminApp:
    settings = read_settings(project.config)
    return AdminApp(ContentStore(settings.content_source(), History(None)))


def test_only_this_computer_gets_an_answer_without_a_token(app: AdminApp) -> None:
    assert call(app, "/admin/config.yml")[0] == "200 OK"
    status, text = call(app, "/admin/api/v1", {"action": "info"}, REMOTE_ADDR="192.168.1.20")
    assert status.startswith("403") and "TONGXIN_ADMIN_TOKEN" in text.decode()


def test_with_a_token_every_request_must_carry_it(app: AdminApp) -> None:
    app.token = "s3cret-token"
    assert call(app, "/admin/")[0].startswith("403")
    status, _ = call(app, "/admin/", QUERY_STRING="token=s3cret-token", REMOTE_ADDR="10.0.0.5")
    assert status.startswith("303")
    cookie = "tongxin_admin=s3cret-token"
    assert call(app, "/admin/api/v1", {"action": "info"}, HTTP_COOKIE=cookie, REMOTE_ADDR="10.0.0.5")[0] == "200 OK"
    assert call(app, "/admin/api/v1", {"action": "info"}, HTTP_COOKIE="tongxin_admin=wrong")[0].startswith("403")


def test_posts_from_another_site_or_not_json_are_refused(app: AdminApp) -> None:
    assert call(app, "/admin/api/v1", {"action": "info"}, HTTP_ORIGIN="http://evil.example")[0].startswith("403")
    assert call(app, "/admin/api/v1", {"action": "info"}, CONTENT_TYPE="text/plain")[0].startswith("403")


@pytest.mark.parametrize("path", ["../site_config.yml", "content/../site_config.yml", "content/notices/../../x.yml",
                                  "/etc/passwd", "content/theme/x.yml", "content/notices/x.md"])
def test_nothing_outside_the_editable_folders_can_be_read_or_written(app: AdminApp, path: str) -> None:
    for action, params in (("getEntry", {"path": path}),
                           ("persistEntry", {"dataFiles": [{"path": path, "raw": "title: x\n"}], "assets": []})):
        status, _ = call(app, "/admin/api/v1", {"action": action, "params": params})
        assert status.startswith("422"), (action, path)


def test_a_record_others_refer_to_cannot_be_deleted(app: AdminApp, project: Project) -> None:
    path = "content/organizations/meiliyuan-jumin-qu-dangzongzhi.yml"
    status, text = call(app, "/admin/api/v1", {"action": "deleteFiles", "params": {"paths": [path]}})
    assert status.startswith("422") and "没有删除" in text.decode()
    assert (project.root / path).is_file()


def test_tongxin_cms_writes_the_forms_for_the_intranet_git_server(project: Project) -> None:
    config = project.config.read_text(encoding="utf-8")
    project.config.write_text(config.replace("      content_dir: content\n", (
        "      content_dir: content\n      admin_backend:\n        name: gitea\n"
        "        repo: shequ/dangjian\n        base_url: https://git.example.org\n")), encoding="utf-8")
    done = project.tongxin("cms")
    assert done.returncode == 0, done.stderr
    written = yaml.safe_load((project.root / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert written["backend"] == {"name": "gitea", "repo": "shequ/dangjian", "base_url": "https://git.example.org"}
    assert written["local_backend"]["url"].endswith("/admin/api/v1")
    assert (project.root / "admin" / "decap" / "decap-cms.js").is_file()


def persist(app: AdminApp, path: str, raw: str, new: bool = False) -> tuple[str, str]:
    status, body = call(app, "/admin/api/v1", {"action": "persistEntry", "params": {
        "dataFiles": [{"path": path, "raw": raw}], "assets": [], "options": {"newEntry": new}}})
    return status, body.decode()


def test_a_free_page_is_saved_as_markdown_without_the_form_id_and_unsafe_html_is_refused(
    app: AdminApp, project: Project
) -> None:
    status, _ = persist(app, "content/pages/about.md", "---\nid: about\n---\n# 关于本站\n\n新的介绍。\n")
    assert status == "200 OK"
    assert (project.content / "pages" / "about.md").read_text(encoding="utf-8") == "# 关于本站\n\n新的介绍。\n"
    status, text = persist(app, "content/pages/about.md", "---\nid: about\n---\n# 关于\n\n<script>alert(1)</script>\n")
    assert status.startswith("422") and "没有保存" in text
    assert "新的介绍" in (project.content / "pages" / "about.md").read_text(encoding="utf-8")


def test_the_id_of_a_saved_record_cannot_change_and_an_existing_id_is_not_overwritten(
    app: AdminApp, project: Project
) -> None:
    path = "content/notices/2026-meiliyuan-dangfei-shoujiao-gongkai.yml"
    before = (project.root / path).read_text(encoding="utf-8")
    status, text = persist(app, path, "id: another-id\n" + before)
    assert status.startswith("422") and "不能改成“another-id”" in text
    status, text = persist(app, path, "id: 2026-meiliyuan-dangfei-shoujiao-gongkai\n" + before, new=True)
    assert status.startswith("422") and "已经有编号" in text
    assert (project.root / path).read_text(encoding="utf-8") == before


def test_a_link_out_of_the_content_folder_is_not_followed(app: AdminApp, project: Project) -> None:
    secret = project.root / "secret.txt"
    secret.write_text("口令", encoding="utf-8")
    (project.content / "notices" / "link.yml").symlink_to(secret)
    status, text = call(app, "/admin/api/v1", {"action": "getEntry", "params": {"path": "content/notices/link.yml"}})
    assert status.startswith("422") and "口令" not in text.decode()
    status, text = call(app, "/admin/api/v1", {"action": "entriesByFolder",
                                               "params": {"folder": "content/notices", "extension": "yml"}})
    assert status == "200 OK" and "口令" not in text.decode() and "link.yml" not in text.decode()


def test_a_file_a_record_attaches_cannot_be_deleted(app: AdminApp, project: Project) -> None:
    path = "content/files/2026-dangfei-gongkai.pdf"
    status, text = call(app, "/admin/api/v1", {"action": "deleteFile", "params": {"path": path}})
    assert status.startswith("422") and "content/notices/2026-meiliyuan-dangfei-shoujiao-gongkai.yml" in text.decode()
    assert (project.root / path).is_file()
