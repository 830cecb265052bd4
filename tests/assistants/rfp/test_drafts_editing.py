"""Editing a saved RFP draft over the API: requirement rows added, changed and deleted with
IDs kept unique and sequential per category (and renamed wherever the draft names them),
findings recomputed, a section regenerated as a proposal shown as a diff and applied or
discarded, and bad input refused in Korean, naming the field, with nothing saved."""

from __future__ import annotations

from tests.assistants.rfp.export_sample import sample_draft

from . import drafts_server
from .drafts_server import DRAFTS, FORM, error, ok

# The server and kim's signed-in client (drafts_server.py).
services, app, kim = drafts_server.services, drafts_server.app, drafts_server.kim


def _sample(kim) -> int:
    return ok(kim.post(DRAFTS, json={"draft": sample_draft().to_dict()}))["id"]


def _ids(draft: dict, category: str) -> list[str]:
    return [r["id"] for r in draft["requirements"] if r["category"] == category]


def _row(draft: dict, requirement_id: str) -> dict:
    return next(r for r in draft["requirements"] if r["id"] == requirement_id)


def _section(draft: dict, number: str) -> dict:
    return next(s for s in draft["sections"] if s["number"] == number)


def test_deleting_a_row_renumbers_its_category_and_renames_references(kim):
    number = _sample(kim)
    added = ok(kim.post(f"{DRAFTS}/{number}/requirements", json={
        "category": "SER", "name": "접속 기록 보관", "definition": "관리자 접속 기록을 1년간 보관한다",
        "related": ["PER-002"]}))
    assert added["requirement_id"] == "SER-003" and _ids(added["draft"], "SER") == ["SER-001", "SER-002", "SER-003"]
    ok(kim.put(f"{DRAFTS}/{number}/sections/Ⅶ-2", json={"paragraphs": ["응답 시간은 PER-001, 동시 접속은 PER-002를 따른다."]}))

    deleted = ok(kim.delete(f"{DRAFTS}/{number}/requirements/PER-001"))
    draft = deleted["draft"]
    assert deleted["renamed_ids"] == {"PER-002": "PER-001", "PER-001": None}
    assert _ids(draft, "PER") == ["PER-001"] and _row(draft, "PER-001")["name"] == "동시 접속"
    assert _row(draft, "SER-003")["related"] == ["PER-001"]
    assert _section(draft, "Ⅶ-2")["paragraphs"] == [
        "응답 시간은 [삭제된 요구사항: 응답 시간], 동시 접속은 PER-001를 따른다."]
    # The 총괄표 and 상세 요구사항 are written again from the rows as they are now.
    assert deleted["rebuilt_sections"] == ["Ⅳ-1", "Ⅳ-2"]
    table = "\n".join(_section(draft, "Ⅳ-1")["paragraphs"])
    assert "PER-001 | 성능 요구사항 | 동시 접속" in table and "응답 시간" not in table
    assert "SER-003 | 보안 요구사항 | 접속 기록 보관" in table
    assert ok(kim.get(f"{DRAFTS}/{number}"))["draft"] == draft


def test_moving_a_row_to_another_category_renumbers_both(kim):
    number = _sample(kim)
    moved = ok(kim.patch(f"{DRAFTS}/{number}/requirements/SER-001",
                         json={"category": "PER", "definition": "학번·성적 정보 암호화 처리는 0.5초 안에 끝난다"}))
    draft = moved["draft"]
    assert moved["requirement_id"] == "PER-003"
    assert _ids(draft, "PER") == ["PER-001", "PER-002", "PER-003"] and _ids(draft, "SER") == ["SER-001"]
    assert _row(draft, "SER-001")["name"] == "접근 권한" and _row(draft, "PER-003")["name"] == "개인정보 암호화"
    assert moved["renamed_ids"] == {"SER-001": "PER-003", "SER-002": "SER-001"}
    # Categories stay together, in the order the rows stood.
    categories = [r["category"] for r in draft["requirements"]]
    assert categories == sorted(categories, key=categories.index)


def test_findings_are_recomputed_for_an_edited_row(kim):
    number = _sample(kim)
    before = _row(ok(kim.get(f"{DRAFTS}/{number}"))["draft"], "PER-002")
    assert not any(f["rule"] == "vague_word" for f in before["findings"])
    after = _row(ok(kim.patch(f"{DRAFTS}/{number}/requirements/PER-002",
                              json={"definition": "수강신청 기간 동시 접속을 적절한 수준으로 처리한다"}))["draft"], "PER-002")
    rules = {f["rule"] for f in after["findings"]}
    assert "vague_word" in rules and "unmeasurable" in rules


def test_a_regenerated_section_is_a_proposal_applied_only_when_asked(kim):
    created = ok(kim.post(DRAFTS, json={"input": FORM}))
    number, original = created["id"], _section(created["draft"], "Ⅶ-4")["paragraphs"]
    ok(kim.put(f"{DRAFTS}/{number}/sections/Ⅶ-4", json={"paragraphs": ["담당자가 고친 유의사항", original[0]]}))
    edited = ok(kim.get(f"{DRAFTS}/{number}"))

    proposed = ok(kim.post(f"{DRAFTS}/{number}/sections/Ⅶ-4/regenerate", json={}))
    assert proposed["proposal"]["paragraphs"] == original
    assert proposed["current"] == ["담당자가 고친 유의사항", original[0]]
    diff = proposed["diff"]
    assert diff["paragraphs"][0] == {"op": "removed", "text": "담당자가 고친 유의사항"}
    assert diff["paragraphs"][1] == {"op": "same", "text": original[0]}
    assert [c["text"] for c in diff["paragraphs"] if c["op"] == "added"] == original[1:]
    assert diff["unified"].splitlines()[:2] == ["--- Ⅶ-4 유의사항 현재", "+++ Ⅶ-4 유의사항 제안"]
    assert "-담당자가 고친 유의사항" in diff["unified"].splitlines()
    reopened = ok(kim.get(f"{DRAFTS}/{number}"))
    assert reopened["draft"] == edited["draft"] and reopened["has_proposal"] is True
    assert ok(kim.get(f"{DRAFTS}/{number}/proposal"))["diff"] == diff

    assert ok(kim.delete(f"{DRAFTS}/{number}/proposal"))["discarded"] == "Ⅶ-4"
    assert ok(kim.get(f"{DRAFTS}/{number}"))["draft"] == edited["draft"]
    error(kim.get(f"{DRAFTS}/{number}/proposal"), 404)
    error(kim.post(f"{DRAFTS}/{number}/proposal/apply"), 400, "proposal")

    ok(kim.post(f"{DRAFTS}/{number}/sections/Ⅶ-4/regenerate", json={}))
    ok(kim.post(f"{DRAFTS}/{number}/approve", json={"officer": "김담당"}))
    applied = ok(kim.post(f"{DRAFTS}/{number}/proposal/apply"))
    assert applied["section"]["paragraphs"] == original and _section(applied["draft"], "Ⅶ-4")["paragraphs"] == original
    assert applied["approval_cleared"] is True and applied["has_proposal"] is False
    assert _section(applied["draft"], "Ⅶ-4")["citations"] == _section(created["draft"], "Ⅶ-4")["citations"]


def test_a_prose_section_is_regenerated_by_the_model_in_its_turn(kim, services):
    created = ok(kim.post(DRAFTS, json={"input": FORM}))
    number = created["id"]
    proposed = ok(kim.post(f"{DRAFTS}/{number}/sections/Ⅰ-2/regenerate", json={"llm": True}))
    assert proposed["proposal"]["generator"] == services.context.answers.llm().name
    assert proposed["proposal"]["paragraphs"] and proposed["current"] == _section(created["draft"], "Ⅰ-2")["paragraphs"]
    assert services.generation_queue.running == 0  # the model's turn was given back
    assert ok(kim.get(f"{DRAFTS}/{number}"))["draft"] == created["draft"]


def test_any_other_edit_drops_a_pending_proposal(kim):
    number = _sample(kim)
    ok(kim.post(f"{DRAFTS}/{number}/sections/Ⅶ-2/regenerate", json={}))
    ok(kim.put(f"{DRAFTS}/{number}/sections/Ⅰ", json={"paragraphs": ["고침"]}))
    assert ok(kim.get(f"{DRAFTS}/{number}"))["has_proposal"] is False
    error(kim.post(f"{DRAFTS}/{number}/proposal/apply"), 400, "proposal")


def test_a_section_the_drafting_does_not_write_cannot_be_regenerated(kim):
    draft = sample_draft().to_dict()
    draft["sections"].append({"number": "부록", "title": "담당자 메모", "paragraphs": ["메모"]})
    number = ok(kim.post(DRAFTS, json={"draft": draft}))["id"]
    error(kim.post(f"{DRAFTS}/{number}/sections/부록/regenerate", json={}), 400, "section")
    error(kim.post(f"{DRAFTS}/{number}/sections/Ⅸ/regenerate", json={}), 400, "section")


def test_bad_input_names_the_field_and_saves_nothing(kim):
    number = _sample(kim)
    before = ok(kim.get(f"{DRAFTS}/{number}"))
    count = len(ok(kim.get(DRAFTS))["drafts"])
    base = f"{DRAFTS}/{number}"
    cases = [
        (kim.post(DRAFTS, json={}), "draft"),
        (kim.post(DRAFTS, content=b"{not json", headers={"Content-Type": "application/json"}), "body"),
        (kim.post(DRAFTS, json={"input": {**FORM, "budget_krw": -5}}), "input.budget_krw"),
        (kim.post(DRAFTS, json={"input": {**FORM, "budget_krw": "3억"}}), "input.budget_krw"),
        (kim.post(DRAFTS, json={"input": {**FORM, "agency_type": "학교"}}), "input.agency_type"),
        (kim.post(DRAFTS, json={"input": {**FORM, "period_months": 0}}), "input.period_months"),
        (kim.post(DRAFTS, json={"input": {**FORM, "summary": ""}}), "input.summary"),
        (kim.post(DRAFTS, json={"draft": _broken(lambda d: d["input"].update(budget_krw="1억"))}),
         "draft.input.budget_krw"),
        (kim.post(DRAFTS, json={"draft": _broken(lambda d: d["requirements"][3].update(category="XYZ"))}),
         "draft.requirements[3].category"),
        (kim.post(DRAFTS, json={"draft": _broken(lambda d: d["requirements"][3].update(id="SFR-1"))}),
         "draft.requirements[3].id"),
        (kim.post(DRAFTS, json={"draft": _broken(lambda d: d["sections"][1].update(paragraphs="x", extra=1))}),
         "draft.sections[1].extra"),
        (kim.post(DRAFTS, json={"draft": _broken(lambda d: d["sections"][2].update(number="Ⅰ"))}),
         "draft.sections[2].number"),
        (kim.put(f"{base}/sections/Ⅰ", json={"paragraphs": [1, 2]}), "paragraphs"),
        (kim.put(f"{base}/sections/Ⅰ", json={}), "paragraphs"),
        (kim.put(f"{base}/sections/Ⅸ", json={"paragraphs": ["x"]}), "section"),
        (kim.post(f"{base}/requirements", json={"category": "ABC", "name": "x", "definition": "y"}), "category"),
        (kim.post(f"{base}/requirements", json={"category": "SFR", "definition": "y"}), "name"),
        (kim.post(f"{base}/requirements", json={"category": "SFR", "name": " ", "definition": "y"}), "name"),
        (kim.post(f"{base}/requirements", json={"id": "SFR-099", "category": "SFR", "name": "x", "definition": "y"}),
         "id"),
        (kim.post(f"{base}/requirements", json={"category": "SFR", "name": "x", "definition": "y",
                                                "related": ["DAR-009"]}), "related"),
        (kim.patch(f"{base}/requirements/SFR-001", json={"priority": "상"}), "priority"),
        (kim.patch(f"{base}/requirements/SFR-001", json={"details": "한 줄"}), "details"),
        (kim.patch(f"{base}/requirements/SFR-001", json={"related": ["SFR-001"]}), "related"),
        (kim.patch(f"{base}/requirements/SFR-999", json={"name": "x"}), "requirement_id"),
        (kim.delete(f"{base}/requirements/SFR-999"), "requirement_id"),
        (kim.post(f"{base}/approve", json={}), "officer"),
        (kim.post(f"{base}/approve", json={"officer": "   "}), "officer"),
        (kim.post(f"{base}/approve", json={"officer": 7}), "officer"),
        (kim.post(f"{base}/sections/Ⅰ-2/regenerate", json={"llm": "yes"}), "llm"),
        (kim.get(f"{base}/export", params={"format": "pdf"}), "format"),
        (kim.get(f"{base}/export"), "format"),
    ]
    for reply, field in cases:
        body = error(reply, 400, field)
        assert body["message"].startswith(f"{field}: ") and any("가" <= ch <= "힣" for ch in body["message"]), body
    assert ok(kim.get(f"{DRAFTS}/{number}")) == before
    assert len(ok(kim.get(DRAFTS))["drafts"]) == count


def _broken(change) -> dict:
    draft = sample_draft().to_dict()
    change(draft)
    return draft
