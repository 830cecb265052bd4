"""Per-document access over HTTP: the upload's `access` field in OpenAPI, groups offered
to admins, `role:<role>` groups read by that role, the group changed after the upload,
what an admin sees, and counts of hidden documents kept from those who cannot read them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import build_services
from tests.conftest import STATUTE_SOURCE

EVALUATORS_ONLY = "평가 기준 메모.md"
PLANNING_ONLY = "기획과 내부 지침.md"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = build_services(tmp_path_factory.mktemp("access"))
    yield services
    services.close()


@pytest.fixture(scope="module")
def app(svc: Services):
    return create_app(svc, start_background=False)


def upload_and_wait(client: TestClient, svc: Services, name: str, text: str, access: str) -> None:
    reply = client.post("/api/collections/general/documents", data={"access": access},
                        files=[("files", (name, text.encode(), "text/markdown"))])
    assert reply.status_code == 200, reply.text
    job_id = reply.json()["jobs"][0]["id"]
    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/jobs/{job_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "done", job
    assert svc.ingest_worker.wait_idle(60)


def found(client: TestClient, query: str, source: str) -> bool:
    reply = client.get("/api/search/general", params={"q": query})
    assert reply.status_code == 200, reply.text
    return any(h["source"] == source for h in reply.json())


def general(client: TestClient) -> dict:
    return next(c for c in client.get("/api/collections").json() if c["name"] == "general")


def test_the_upload_form_s_fields_are_in_openapi(client):
    body = client.get("/openapi.json").json()["paths"]["/api/collections/{collection}/documents"]["post"]
    schema = body["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(schema["properties"]) == {"files", "access"}
    assert "role:evaluator" in schema["properties"]["access"]["description"]


def test_admins_are_offered_public_each_role_and_the_groups_that_exist(admin, staff):
    values = [g["value"] for g in admin.get("/api/access-groups").json()["groups"]]
    assert values[0] == "public" and {"role:staff", "role:evaluator", "role:admin", "보육과"} <= set(values)
    assert staff.get("/api/access-groups").status_code == 403


def test_a_role_group_is_read_by_that_role_and_hidden_from_others(admin, staff, evaluator, svc):
    staff_before, evaluator_before = general(staff), general(evaluator)
    upload_and_wait(admin, svc, EVALUATORS_ONLY, "# 평가 기준 메모\n\n채점 보정 계수는 0.87로 정한다.\n", "role:evaluator")
    assert found(evaluator, "채점 보정 계수", EVALUATORS_ONLY)
    assert not found(staff, "채점 보정 계수", EVALUATORS_ONLY)
    assert found(admin, "채점 보정 계수", EVALUATORS_ONLY)  # admins see every document
    # Counts: only what the caller may read.
    assert general(staff)["documents"] == staff_before["documents"]
    assert general(staff)["chunks"] == staff_before["chunks"]
    assert general(evaluator)["documents"] == evaluator_before["documents"] + 1
    staff_rows = [d["source"] for d in staff.get("/api/collections/general/documents").json()["documents"]]
    assert EVALUATORS_ONLY not in staff_rows


def test_an_upload_s_group_can_be_changed_later(admin, staff, svc):
    upload_and_wait(admin, svc, PLANNING_ONLY, "# 기획과 내부 지침\n\n예산 조기 집행 목표는 65퍼센트이다.\n", "기획과")
    assert not found(staff, "예산 조기 집행 목표", PLANNING_ONLY)
    hidden = general(staff)["documents"]
    reply = admin.patch("/api/collections/general/documents/access", params={"source": PLANNING_ONLY},
                        json={"access": "보육과"})  # kim's group
    assert reply.status_code == 200 and reply.json()["access"] == "보육과"
    assert found(staff, "예산 조기 집행 목표", PLANNING_ONLY)
    assert general(staff)["documents"] == hidden + 1
    row = next(d for d in admin.get("/api/collections/general/documents").json()["documents"]
               if d["source"] == PLANNING_ONLY)
    assert row["access"] == "보육과" and row["access_editable"] is True
    assert any("기획과 내부 지침.md → 보육과" in e["detail"] for e in svc.audit.recent(20, action="set_access"))


def test_changing_a_group_is_checked(admin, staff):
    url = "/api/collections/general/documents/access"
    assert staff.patch(url, params={"source": PLANNING_ONLY}, json={"access": "public"}).status_code == 403
    bad_role = admin.patch(url, params={"source": PLANNING_ONLY}, json={"access": "role:boss"})
    assert bad_role.status_code == 400 and bad_role.json()["error"]["field"] == "access"
    assert admin.patch(url, params={"source": "없는 문서.md"}, json={"access": "public"}).status_code == 404
    corpus = admin.patch("/api/collections/childcare/documents/access",
                         params={"source": STATUTE_SOURCE}, json={"access": "public"})
    assert corpus.status_code == 403 and "코퍼스" in corpus.json()["error"]["message"]
