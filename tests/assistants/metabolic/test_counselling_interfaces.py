"""Counselling and its summary from the API and the CLI: POST /assess returns the cited
passages at once (each openable at GET /api/passages/metabolic/{chunk_id}); POST /summary
streams the LLM's summary as SSE, verified like a chat answer (an invented sentence is
removed), with nothing identifying the participant in the prompt; `seoul-assist metabolic
assess --llm` adds the summary to each result."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from assistants.metabolic.summary import NO_LLM, STATUS, participant_lines, summary_events, summary_task
from ingest.discovery import discover
from rag.llm.fake import FakeLLM
from tests.api.conftest import build_services, sse_events

from .conftest import man, survey
from .counselling_fixture import write_counselling_corpus

SECRET_NAME = "홍길순비밀"
SECRET_ID = "비밀-ID-58"
SECRET_WAIST = 97.3
SUPPORTED = "세 끼를 규칙적으로 먹고 저열량 식사로 체중 조절을 하도록 식습관 관리를 합니다 [1]."
INVENTED = "허리둘레를 줄이려면 하루에 물을 5리터씩 마셔야 합니다 [1]."


def participant(**values) -> dict:
    return man(id=SECRET_ID, name=SECRET_NAME, waist=SECRET_WAIST, sys=[134, 136], dia=[80, 82], phone="010-2345-6789",
               rrn="790101-1234567", **values)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("metabolic_counselling_api")
    svc = build_services(root)
    corpus = write_counselling_corpus(root / "guides")
    files, _ = discover(corpus)
    svc.context.ingest.ingest("metabolic", corpus, files, progress=False)
    yield svc
    svc.close()



def test_assess_returns_counselling_whose_passages_open(staff: TestClient):
    reply = staff.post("/api/assistants/metabolic/assess", json={"records": participant()})
    assert reply.status_code == 200, reply.text
    (result,) = reply.json()["results"]
    assert [e["factor"] for e in result["counselling"]] == ["waist", "bp"]
    assert result["counselling_summary"] is None  # the summary streams from /summary
    for passage in (p for e in result["counselling"] for p in e["passages"]):
        opened = staff.get(f"/api/passages/metabolic/{passage['chunk_id']}")
        assert opened.status_code == 200, opened.text
        assert all(line in opened.json()["text"] for line in passage["text"].splitlines())


def test_summary_streams_a_verified_draft_without_the_invented_sentence(staff: TestClient, services: Services):
    llm = services.context.answers.llm()
    llm.queue(f"{SUPPORTED} {INVENTED}")
    reply = staff.post("/api/assistants/metabolic/summary",
                       json={"record": participant(), "survey": survey(name=SECRET_NAME, patient_id=SECRET_ID)})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = sse_events(reply.text)
    names = [name for name, _ in events]
    assert names[0] == "counselling" and "token" in names and names[-1] == "final"
    counselling = events[0][1]["counselling"]
    summary = events[-1][1]["summary"]
    assert "저열량 식사" in summary["text"] and "5리터" not in summary["text"]
    assert any("5리터" in sentence for sentence in summary["removed"])
    assert summary["status"] == STATUS == "AI 생성 초안 · 검토 전"
    assert summary["citations"][0]["chunk_id"] == counselling[0]["passages"][0]["chunk_id"]
    for _, data in (e for e in events if e[0] == "verified"):
        assert "5리터" not in data["summary"]["text"]
    # The prompt: the factors and the group, never who the participant is or their values.
    prompt = "\n".join(m.content for m in llm.last_prompt)
    assert "복부비만 (허리둘레)" in prompt and "높은 혈압" in prompt and "군: 건강주의군" in prompt
    for secret in (SECRET_NAME, SECRET_ID, str(SECRET_WAIST), "134", "010-2345-6789", "790101"):
        assert secret not in prompt
    (event,) = services.audit.recent(limit=1, action="metabolic_summary")
    assert event["username"] == "kim" and event["detail"] == "1건 상담 요약"


def test_summary_refuses_a_batch_and_names_a_bad_field(staff: TestClient):
    two = staff.post("/api/assistants/metabolic/summary", json={"records": [man(id="A"), man(id="B")]})
    assert two.status_code == 400 and two.json()["error"]["field"] == "records"
    assert "한 명씩" in two.json()["error"]["message"]
    bad = staff.post("/api/assistants/metabolic/summary", json={"record": man(waist=0)})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "waist"


def test_summary_needs_a_signed_in_user(services: Services):
    with TestClient(create_app(services, start_background=False)) as anonymous:
        assert anonymous.post("/api/assistants/metabolic/summary", json={"record": man()}).status_code == 401


def test_without_a_model_the_summary_is_null_and_the_passages_still_come(services: Services):
    from assistants.metabolic.service import counselling_guide
    ctx = services.context
    guide = counselling_guide(ctx.retriever, ctx.state)
    result = {"id": "A", "group": "건강주의군", "risk_factors": {"waist": True}}
    sections = guide.numbered_sections("metabolic", result)
    events = list(summary_events(None, ctx.analyzer, services.settings, "도우미", sections, result, None))
    assert events[0][0] == "counselling" and events[0][1]["counselling"][0]["passages"]
    assert events[-1] == ("final", {"summary": None, "notice": NO_LLM})


def test_measured_values_go_into_the_prompt_only_when_allowed_and_names_never():
    from assistants.metabolic.assessment import assess
    from assistants.metabolic.criteria import builtin_criteria
    result = assess(participant(), builtin_criteria())
    default = summary_task(result, None, with_values=False)
    assert str(SECRET_WAIST) not in default and "135" not in default
    allowed = "\n".join(participant_lines(result, None, with_values=True))
    assert f"허리둘레 {SECRET_WAIST} cm" in allowed and "135" in allowed  # the two readings' mean
    assert SECRET_NAME not in allowed and SECRET_ID not in allowed


def test_a_model_error_is_reported_in_band(services: Services):
    from assistants.metabolic.service import counselling_guide
    ctx = services.context
    sections = counselling_guide(ctx.retriever, ctx.state).numbered_sections(
        "metabolic", {"risk_factors": {"bp": True}, "group": "건강주의군"})
    broken = FakeLLM()
    broken.fail_next("연결 끊김")
    events = list(summary_events(broken, ctx.analyzer, services.settings, "도우미", sections,
                                 {"id": "A", "group": "건강주의군", "risk_factors": {"bp": True}}, None))
    assert events[-1][0] == "error" and "연결 끊김" in events[-1][1]["message"]


# --- CLI ---

def test_cli_counselling_and_summary_with_llm(run, tmp_path: Path):
    corpus = write_counselling_corpus(tmp_path / "corpus")
    assert run("ingest", str(corpus / "metabolic"), "--collection", "metabolic")[0] == 0
    records = tmp_path / "one.json"
    records.write_text(json.dumps(man(waist=95, sys=135), ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("metabolic", "assess", str(records), "--json")
    assert code == 0
    (plain,) = json.loads(out)["results"]
    assert [e["factor"] for e in plain["counselling"]] == ["waist", "bp"] and plain["counselling_summary"] is None
    code, out, _ = run("metabolic", "assess", str(records), "--llm", "fake", "--json")
    (result,) = json.loads(out)["results"]
    assert code == 0 and result["counselling_summary"]["status"] == STATUS
    assert result["counselling_summary"]["text"] and result["counselling_summary"]["citations"][0]["n"] == 1
    code, out, _ = run("metabolic", "assess", str(records), "--llm", "fake")
    assert "상담 요약 (AI 생성 초안 · 검토 전):" in out
    assert "상담 내용 · 복부비만 (허리둘레) (위험요인: 복부비만 (허리둘레))" in out
    assert "[1] 영양 — 2023년 서울시 대사증후군 관리사업 상담가이드북 › 1) 식습관 관리" in out
