"""POST /api/assistants/rfp/draft: inputs as JSON → the draft as JSON (nothing saved);
a bad field is a 400 naming it; signed-in users only."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import build_services, login

from .conftest import form

DRAFT = "/api/assistants/rfp/draft"
FORM = form(agency="서울특별시")


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("rfp_draft_api"))
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def app(services: Services):
    return create_app(services, start_background=False)


@pytest.fixture
def kim(app) -> Iterator[TestClient]:
    with TestClient(app) as client:
        login(client, "kim")
        yield client


def ok(reply) -> dict:
    assert reply.status_code == 200, reply.text
    return reply.json()


def error(reply, status: int) -> dict:
    assert reply.status_code == status, reply.text
    return reply.json()


def test_inputs_become_a_draft_with_rules_requirements_and_the_ai_mark(kim):
    draft = ok(kim.post(DRAFT, json={"input": FORM}))
    assert draft["input"]["project_name"] == FORM["project_name"]
    assert [s["number"] for s in draft["sections"]][-1] == "붙임"
    assert draft["rule_facts"]["defect_liability_years"]["value"] == 1
    assert draft["requirements"] and draft["review"]["label"] == "AI 생성 초안 · 검토 전"
    # The sample corpus holds no procurement law: every article is removed and reported, none cited.
    assert "소프트웨어 진흥법 제60조" in draft["removed_citations"]
    cited = [c for s in draft["sections"] for c in s["citations"]]
    assert all(c["chunk_id"] for c in cited)


def test_the_input_object_itself_is_accepted(kim):
    assert ok(kim.post(DRAFT, json=FORM))["input"]["agency"] == "서울특별시"


def test_a_bad_field_is_named(kim):
    body = error(kim.post(DRAFT, json={"input": {**FORM, "budget_krw": "삼억"}}), 400)
    assert "input.budget_krw" in str(body)
    assert "agency_type" in str(error(kim.post(DRAFT, json={**FORM, "agency_type": "민간"}), 400))


def test_signed_in_users_only(app):
    with TestClient(app) as anonymous:
        assert anonymous.post(DRAFT, json=FORM).status_code == 401


def test_attachments_as_multipart_are_reused_and_a_broken_one_is_named(kim, tmp_path):
    from .attachment_files import write_broken, write_docx

    broken, _ = write_broken(tmp_path)
    docx = write_docx(tmp_path / "a.docx")
    files = [("attachments", ("이전 제안요청서.docx", docx.read_bytes())), ("attachments", (broken.name, broken.read_bytes()))]
    draft = ok(kim.post(DRAFT, data={"input": json.dumps(FORM, ensure_ascii=False)}, files=files))

    assert draft["input"]["attachments"] == ["이전 제안요청서.docx"]
    assert "첨부 이전 제안요청서.docx (SER-001)" in [r["source"] for r in draft["requirements"]]
    assert any(a.startswith("첨부 파일 깨진 문서.pdf을(를) 읽지 못해") for a in draft["assumptions"])
    body = error(kim.post(DRAFT, data={"input": "{"}, files=files), 400)
    assert "input" in str(body)
    body = error(kim.post(DRAFT, data={"input": json.dumps({**FORM, "budget_krw": -1})}, files=files), 400)
    assert "input.budget_krw" in str(body)
