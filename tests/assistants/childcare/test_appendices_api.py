"""별표 안내 from the API (GET /api/assistants/childcare/appendices): the 별표 the indexed
statutes' articles refer to, grouped by law (영유아보육법's first, 시행령 before 시행규칙),
by number, with the articles, the official link and whether an uploaded file holds the
별표; uploads are offered to admins only; signed-out users are refused."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import build_services, login

from .conftest import UPLOADED_NAME, UPLOADED_TEXT, index_childcare_statutes

URL = "/api/assistants/childcare/appendices"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("appendices_api")
    svc = build_services(root)
    index_childcare_statutes(svc.context.ingest, root / "statutes")
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def app(services: Services):
    return create_app(services, start_background=False)


def signed_in(app, username: str) -> TestClient:
    client = TestClient(app)
    client.__enter__()
    login(client, username)
    return client


@pytest.fixture
def staff(app) -> Iterator[TestClient]:
    client = signed_in(app, "kim")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def admin(app) -> Iterator[TestClient]:
    client = signed_in(app, "admin")
    yield client
    client.__exit__(None, None, None)


def appendices(client: TestClient) -> dict:
    reply = client.get(URL)
    assert reply.status_code == 200, reply.text
    return reply.json()


def by_label(data: dict, law: str) -> dict[str, dict]:
    [group] = [g for g in data["laws"] if g["law"] == law]
    return {a["label"]: a for a in group["appendices"]}


def test_lists_the_appendices_the_articles_refer_to(staff: TestClient):
    data = appendices(staff)
    assert data["collection"] == "childcare"
    # The assistant's own law first (its role names 영유아보육법), 시행령 before 시행규칙;
    # 아동복지법 would come first by name.
    assert [g["law"] for g in data["laws"]] == ["영유아보육법 시행령", "영유아보육법 시행규칙", "아동복지법 시행규칙"]
    rule = next(g for g in data["laws"] if g["law"] == "영유아보육법 시행규칙")
    assert (rule["kind"], rule["effective_date"]) == ("보건복지부령", "2026-01-01")
    # By number (10 after 2); a form (서식) is not a 별표; one no article refers to is not
    # listed; the version no longer in force (별표 3) is left out.
    assert [a["label"] for a in rule["appendices"]] == ["별표 1", "별표 1의2", "별표 2", "별표 10"]
    first = rule["appendices"][0]
    assert first == {"label": "별표 1", "title": "어린이집의 설치기준(제9조 관련)",
                     "link": "https://www.law.go.kr/LSW/flDownload.do?flSeq=101",
                     "articles": ["제9조", "제9조의2"], "indexed": False}
    assert by_label(data, "영유아보육법 시행규칙")["별표 2"]["articles"] == ["제10조", "제29조"]
    assert by_label(data, "영유아보육법 시행령")["별표 1"]["title"] == "어린이집의 원장과 보육교사의 자격기준(제21조 관련)"


def test_uploads_are_offered_to_admins_only(staff: TestClient, admin: TestClient):
    assert appendices(staff)["can_upload"] is False
    assert appendices(admin)["can_upload"] is True


def test_an_appendix_uploaded_under_its_law_and_number_counts_as_indexed(admin: TestClient, services: Services):
    assert by_label(appendices(admin), "영유아보육법 시행규칙")["별표 2"]["indexed"] is False
    # Through the core's upload API, named as the page names the file.
    reply = admin.post("/api/collections/childcare/documents", data={"access": "public"},
                       files=[("files", (UPLOADED_NAME, UPLOADED_TEXT.encode(), "text/markdown"))])
    assert reply.status_code == 200, reply.text
    job_id = reply.json()["jobs"][0]["id"]
    deadline = time.monotonic() + 60
    while (job := admin.get(f"/api/jobs/{job_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job["status"] == "done", job

    data = appendices(admin)
    rule = by_label(data, "영유아보육법 시행규칙")
    assert rule["별표 2"]["indexed"] is True
    # Only that one: not 별표 1 of the same law, nor 별표 2 of another law.
    assert [label for label, a in rule.items() if a["indexed"]] == ["별표 2"]
    assert not any(a["indexed"] for a in by_label(data, "영유아보육법 시행령").values())
    assert services.ingest_worker.wait_idle(60)


def test_needs_a_signed_in_user(app):
    with TestClient(app) as anonymous:
        reply = anonymous.get(URL)
    assert reply.status_code == 401
    assert reply.json()["error"]["message"]


def test_a_changed_statute_is_read_again(tmp_path, admin: TestClient, services: Services):
    from ingest.discovery import discover

    from .conftest import DECREE, DECREE_SOURCE
    from tests.conftest import write_text

    assert list(by_label(appendices(admin), "영유아보육법 시행령")) == ["별표 1"]
    changed = DECREE.replace("첨부파일:\n", "첨부파일:\n- 별표번호: '0002'\n  별표가지번호: '00'\n  별표구분: 별표\n"
                             "  제목: 과태료의 부과기준(제27조 관련)\n", 1)
    changed += "\n##### 제27조 (과태료의 부과기준)\n\n시험용 조문: 과태료의 부과기준은 별표 2와 같다.\n"
    folder = write_text(tmp_path, DECREE_SOURCE, changed).parents[1]
    files, _ = discover(folder)
    services.context.ingest.ingest("childcare", folder, files, remove_missing=False, progress=False)
    decree = by_label(appendices(admin), "영유아보육법 시행령")
    assert decree["별표 2"]["title"] == "과태료의 부과기준(제27조 관련)" and decree["별표 2"]["articles"] == ["제27조"]
