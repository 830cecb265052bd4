"""Saved RFP drafts over the API: created from inputs (the drafting pipeline) or from a
draft's JSON, listed and reopened by their owner and admins only, deleted; approval recorded
with who and when, cleared by any later edit, carried by the DOCX, HWPX and JSON exports;
the audit log says which draft and who approved, never what it holds."""

from __future__ import annotations

import io
import json
from urllib.parse import unquote

import docx
from hwpx import HwpxDocument

from assistants.rfp.draft import AI_DRAFT_MARK
from ingest.readers import read_document
from tests.assistants.rfp.export_sample import PROJECT, sample_draft

from . import drafts_server
from .drafts_server import DRAFTS, FORM, error, ok

# The server and a signed-in client per user (drafts_server.py).
services, app, kim, park, admin = (drafts_server.services, drafts_server.app, drafts_server.kim, drafts_server.park,
                                   drafts_server.admin)


def _create_from_form(client) -> dict:
    return ok(client.post(DRAFTS, json={"input": FORM}))


def _create_from_sample(client, **kwargs) -> dict:
    return ok(client.post(DRAFTS, json={"draft": sample_draft(**kwargs).to_dict()}))


def test_a_draft_from_inputs_is_saved_listed_and_reopened(kim):
    created = _create_from_form(kim)
    assert created["title"] == FORM["project_name"] and created["agency"] == "서울특별시"
    assert created["budget_krw"] == 330_000_000 and created["status"] == "draft"
    assert created["status_label"] == AI_DRAFT_MARK
    draft = created["draft"]
    assert [s["number"] for s in draft["sections"]][:2] == ["Ⅰ", "Ⅰ-1"]
    assert draft["requirements"] and draft["review"]["approved_by"] is None

    listed = ok(kim.get(DRAFTS))["drafts"]
    mine = next(d for d in listed if d["id"] == created["id"])
    assert {k: mine[k] for k in ("title", "agency", "budget_krw", "status")} == {
        "title": FORM["project_name"], "agency": "서울특별시", "budget_krw": 330_000_000, "status": "draft"}
    assert mine["updated_at"] and "draft" not in mine  # the list carries no contents

    reopened = ok(kim.get(f"{DRAFTS}/{created['id']}"))
    assert reopened["draft"] == draft


def test_a_draft_from_json_starts_unreviewed_and_loses_citations_the_index_lacks(kim):
    created = _create_from_sample(kim, approved=True)
    review = created["draft"]["review"]
    assert review["approved_by"] is None and review["label"] == AI_DRAFT_MARK
    assert any("승인 기록은 가져오지 않았습니다" in n for n in created["notices"])
    # 국가계약법 시행령 제43조 is not in this index; 소프트웨어 진흥법 제49조 is.
    assert created["removed_citations_now"] == ["국가를 당사자로 하는 계약에 관한 법률 시행령 제43조"]
    bidding = next(s for s in created["draft"]["sections"] if s["number"] == "Ⅶ-1")
    assert [c["article"] for c in bidding["citations"]] == ["제49조"]
    assert "[2]" not in bidding["paragraphs"][0]
    # The checker's findings are the checker's, not the file's.
    first = created["draft"]["requirements"][0]
    assert not any(f["message"] == "모호한 표현: '적절한'" for f in first["findings"])


def test_only_the_owner_and_admins_see_a_draft(kim, park, admin):
    number = _create_from_sample(kim)["id"]
    assert number not in [d["id"] for d in ok(park.get(DRAFTS))["drafts"]]
    for reply in (park.get(f"{DRAFTS}/{number}"), park.delete(f"{DRAFTS}/{number}"),
                  park.put(f"{DRAFTS}/{number}/sections/Ⅰ", json={"paragraphs": ["남의 초안"]}),
                  park.post(f"{DRAFTS}/{number}/approve", json={"officer": "박담당"}),
                  park.get(f"{DRAFTS}/{number}/export", params={"format": "json"})):
        body = error(reply, 404)
        assert body["message"] == f"제안요청서 초안 #{number}을(를) 찾을 수 없습니다"
    # Nothing park tried changed it.
    assert ok(kim.get(f"{DRAFTS}/{number}"))["draft"]["sections"][0]["paragraphs"] == [
        "본 사업은 트랙운영 학사정보시스템을 고도화한다."]

    listed = ok(admin.get(DRAFTS))["drafts"]
    assert any(d["id"] == number and d["owner"] == "kim" for d in listed)
    assert ok(admin.get(f"{DRAFTS}/{number}"))["title"] == PROJECT
    assert ok(admin.delete(f"{DRAFTS}/{number}")) == {"deleted": number}
    error(kim.get(f"{DRAFTS}/{number}"), 404)


def test_the_owner_deletes_a_draft(kim):
    number = _create_from_sample(kim)["id"]
    assert ok(kim.delete(f"{DRAFTS}/{number}")) == {"deleted": number}
    assert number not in [d["id"] for d in ok(kim.get(DRAFTS))["drafts"]]
    error(kim.delete(f"{DRAFTS}/{number}"), 404)


def test_signed_out_callers_are_refused(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as anonymous:
        error(anonymous.get(DRAFTS), 401)


def test_approval_records_who_and_when_and_any_edit_clears_it(kim, services):
    number = _create_from_sample(kim)["id"]
    approved = ok(kim.post(f"{DRAFTS}/{number}/approve", json={"officer": "  김 담당  "}))
    review = approved["draft"]["review"]
    assert review["approved_by"] == "김 담당" and review["approved_at"]
    assert approved["status"] == "approved" and review["label"].startswith("AI 생성 · 김 담당 검토 승인 (")
    assert ok(kim.get(DRAFTS))["drafts"][0]["status"] == "approved"

    events = services.audit.recent(username="kim", action="rfp_draft_approve")
    assert events[0]["detail"] == f"제안요청서 초안 #{number} 승인 (승인자: 김 담당)"
    assert all(PROJECT not in e["detail"] and "한영대학" not in e["detail"]
               for e in services.audit.recent(username="kim"))

    edited = ok(kim.put(f"{DRAFTS}/{number}/sections/Ⅰ", json={"paragraphs": ["고친 첫 문단", "", "둘째 문단"]}))
    assert edited["approval_cleared"] is True
    assert edited["notices"] == [f"승인된 초안을 수정했으므로 승인이 취소되었습니다: 다시 '{AI_DRAFT_MARK}' 상태입니다. "
                                 "검토 후 다시 승인하세요."]
    assert edited["status"] == "draft" and edited["draft"]["review"]["approved_by"] is None
    assert edited["section"]["paragraphs"] == ["고친 첫 문단", "둘째 문단"]
    again = ok(kim.put(f"{DRAFTS}/{number}/sections/Ⅰ", json={"paragraphs": ["다시 고침"]}))
    assert again["approval_cleared"] is False and again["notices"] == []


def test_a_requirement_edit_after_approval_clears_it_too(kim):
    number = _create_from_sample(kim, approved=False)["id"]
    ok(kim.post(f"{DRAFTS}/{number}/approve", json={"officer": "김담당"}))
    changed = ok(kim.patch(f"{DRAFTS}/{number}/requirements/PER-001", json={"definition": "조회 화면은 2초 안에 응답한다"}))
    assert changed["approval_cleared"] is True and changed["draft"]["review"]["label"] == AI_DRAFT_MARK


def test_approved_exports_carry_the_approver_and_reopen(kim, tmp_path):
    number = _create_from_sample(kim)["id"]
    ok(kim.post(f"{DRAFTS}/{number}/approve", json={"officer": "김담당"}))

    reply = kim.get(f"{DRAFTS}/{number}/export", params={"format": "docx"})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    disposition = reply.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="rfp-draft-{number}.docx"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("UTF-8''", 1)[1]) == f"{PROJECT}_제안요청서.docx"
    document = docx.Document(io.BytesIO(reply.content))
    assert document.core_properties.subject.startswith("AI 생성 · 김담당 검토 승인 (")
    assert "김담당" in document.paragraphs[0].text and AI_DRAFT_MARK not in document.paragraphs[0].text
    assert any(t.cell(0, 1).text == "SER-002" for t in document.tables)

    reply = kim.get(f"{DRAFTS}/{number}/export", params={"format": "hwpx"})
    assert reply.status_code == 200, reply.text
    assert unquote(reply.headers["content-disposition"].split("UTF-8''", 1)[1]) == f"{PROJECT}_제안요청서.hwpx"
    hwpx = HwpxDocument.open(io.BytesIO(reply.content))
    assert hwpx.parts.metadata.subject.startswith("AI 생성 · 김담당 검토 승인 (")
    saved = tmp_path / "draft.hwpx"
    saved.write_bytes(reply.content)
    parsed = read_document(saved, "draft.hwpx")
    text = "\n".join(s.text for s in parsed.sections)
    assert "김담당" in parsed.sections[0].text and "요구사항 고유번호 | SER-002" in text

    data = json.loads(ok_bytes(kim.get(f"{DRAFTS}/{number}/export", params={"format": "json"})))
    assert data["review"]["approved_by"] == "김담당"


def test_an_unreviewed_export_is_named_and_marked_as_the_ai_draft(kim):
    number = _create_from_form(kim)["id"]
    reply = kim.get(f"{DRAFTS}/{number}/export", params={"format": "docx"})
    assert unquote(reply.headers["content-disposition"].split("UTF-8''", 1)[1]) == \
        f"{FORM['project_name']}_제안요청서_AI초안.docx"
    assert docx.Document(io.BytesIO(reply.content)).core_properties.subject == AI_DRAFT_MARK


def ok_bytes(reply) -> bytes:
    assert reply.status_code == 200, reply.text
    return reply.content
