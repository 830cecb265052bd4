"""A chat question asking for a 민원's 처리기한 (POST /api/chat/general, the test profile:
fake embedder, fake LLM): the answer leads with the date computed by the deadline tool,
names the days not counted and cites 민원 처리에 관한 법률 제19조 and 시행령 제19조 as
indexed chunks, in the extractive and the generated mode alike. A question without a
date says what is missing; a question about something else is answered as before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from ingest.discovery import discover
from rag.answer.service import AnswerService
from tests.api.conftest import build_services, login, sse_events

from .conftest import write_minwon_decree, write_minwon_statute

SEVEN_DAYS = "2026년 2월 12일 오후 3시에 접수한 민원의 처리기간이 7일이면 처리기한은 언제인가요?"
THREE_DAYS = "2026. 2. 12. 접수, 처리기간 3일이면 언제까지 처리해야 하나요?"
LAW_19 = "민원 처리에 관한 법률 제19조"
DECREE_19 = "민원 처리에 관한 법률 시행령 제19조"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("deadline_chat")
    svc = build_services(root)
    folder = write_minwon_statute(root / "minwon")
    write_minwon_decree(root / "minwon")
    files, _ = discover(folder)
    svc.context.ingest.ingest("general", folder, files, progress=False)
    svc.context.ingest.embed_pending("general", progress=False)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def staff(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services, start_background=False)) as c:
        login(c, "kim")
        yield c


def ask(client: TestClient, question: str, use_llm: bool) -> dict:
    reply = client.post("/api/chat/general", json={"question": question, "use_llm": use_llm})
    assert reply.status_code == 200, reply.text
    return reply.json()["answer"]


def cited(client: TestClient, answer: dict, label: str) -> dict:
    """The citation of `label`: one of the answer's passages, marked in its text, whose
    chip opens the indexed chunk (GET /api/passages/general/{chunk_id})."""
    citation = next(c for c in answer["citations"] if c["label"] == label)
    passage = next(p for p in answer["passages"] if p["n"] == citation["n"])
    assert passage["chunk_id"] == citation["chunk_id"] and passage["label"] == label
    assert f"[{citation['n']}]" in answer["text"]
    opened = client.get(f"/api/passages/general/{citation['chunk_id']}")
    assert opened.status_code == 200, opened.text
    return passage


@pytest.mark.parametrize("use_llm", [False, True], ids=["extractive", "generated"])
def test_the_answer_leads_with_the_computed_date_and_cites_article_19(staff: TestClient, use_llm: bool):
    answer = ask(staff, SEVEN_DAYS, use_llm)
    assert answer["mode"] == ("generated" if use_llm else "extractive")
    assert answer["text"].startswith("처리기한: 2026. 2. 25.(수) (2026. 2. 12.(목) 15:00 접수, 처리기간 7일")
    assert "2026. 2. 17.(화) 공휴일(설날)" in answer["text"]
    assert "시험용 조문: 처리기간을 즉시로 정한 경우" in cited(staff, answer, DECREE_19)["text"]
    assert "시험용 조문: 처리기간이 6일 이상이면" in cited(staff, answer, LAW_19)["text"]
    # The 근거 list under the answer names each article with its 시행일자, once: not the text.
    assert f"{DECREE_19} (시행일자 2025. 7. 1.)" in [line["line"] for line in answer["basis"]]
    assert "근거:" not in answer["text"]


def test_the_chat_page_gets_the_same_answer_streamed(staff: TestClient):
    reply = staff.post("/api/chat/general/stream", json={"question": THREE_DAYS, "use_llm": True})
    events = dict(sse_events(reply.text))
    assert "처리기한: 2026. 2. 19.(목) 18:00" in events["extractive"]["answer"]["text"]
    final = events["final"]["answer"]
    assert final["text"].startswith("처리기한: 2026. 2. 19.(목) 18:00 (2026. 2. 12.(목) 접수, 처리기간 3일, 시간 단위")
    cited(staff, final, DECREE_19)
    cited(staff, final, LAW_19)
    # The 근무시간 rule's statute is not in this index: named, never cited as a passage.
    assert "색인에서 찾지 못한 근거 조문: 지방공무원 복무규정 제2조" in final["text"]
    assert all("지방공무원" not in c["label"] for c in final["citations"])


def test_a_question_without_the_dates_is_told_what_is_missing(staff: TestClient):
    answer = ask(staff, "민원 처리기간이 7일이면 처리기한은 언제인가요?", use_llm=False)
    assert answer["text"].startswith("접수일을 알려 주시면 처리기간 7일의 처리기한을 계산해 드립니다")
    assert "처리기한:" not in answer["text"]
    answer = ask(staff, "민원 처리기간은 어떻게 계산하나요?", use_llm=False)
    assert answer["text"].startswith("접수일과 처리기간을 알려 주시면 처리기한을 계산해 드립니다")


def test_an_unreadable_date_is_said_so(staff: TestClient):
    answer = ask(staff, "2월 30일에 접수한 민원의 처리기간이 7일이면 처리기한은?", use_llm=False)
    assert answer["text"].startswith("처리기한을 계산하지 못했습니다: 접수일 '2월 30일'은(는) 없는 날짜입니다.")


def test_another_question_is_answered_as_without_the_tool(services: Services):
    question = "어린이집 CCTV 영상은 며칠 동안 보관해야 하나요?"
    ctx = services.context
    with_tools = ctx.answers.answer(question, assistant="general", collection="childcare", use_llm=False)
    plain = AnswerService(ctx.retriever, ctx.analyzer, ctx.settings, llm=None).answer(
        question, assistant="general", collection="childcare", use_llm=False)
    assert with_tools.text == plain.text and with_tools.text
    assert with_tools.citations == plain.citations


def test_only_the_general_assistant_has_the_tool(services: Services):
    answer = services.context.answers.answer(SEVEN_DAYS, assistant="childcare", collection="general", use_llm=False)
    assert "처리기한: 2026. 2. 25." not in answer.text
