"""The vLLM / OpenAI-compatible path of the answering service, end to end over real HTTP
against the fake server: streamed tokens, verified citations, PII kept in-house, and a
failing server falling back to the quoted answer instead of hanging."""

from __future__ import annotations

import pytest

from rag.answer.service import AnswerService
from rag.config import load_settings
from rag.llm.factory import build_llm
from tests.conftest import STATUTE_SOURCE
from tests.fakes.openai_server import FakeOpenAIServer

QUESTION = "어린이집 CCTV 영상은 며칠 동안 보관해야 하나요? 연락처 010-1234-5678"


@pytest.fixture
def server():
    with FakeOpenAIServer() as fake:
        yield fake


def vllm_service(ctx, server: FakeOpenAIServer) -> AnswerService:
    settings = load_settings("test", data_dir=ctx.settings.data_dir,
                             llm={"mode": "vllm", "base_url": server.url, "retries": 1, "timeout_s": 2})
    return AnswerService(ctx.retriever, ctx.analyzer, settings, llm=build_llm(settings))


@pytest.mark.timeout(30)
def test_vllm_answer_streams_over_http_and_is_verified(indexed_sample, server):
    server.replies.append("원장은 녹화된 영상을 60일 이상 보관하여야 합니다 [1].")
    events = list(vllm_service(indexed_sample, server).stream(QUESTION, assistant="childcare",
                                                              collection="childcare"))
    tokens = [e.text for e in events if e.type == "token"]
    final = events[-1].answer
    assert len(tokens) > 1  # streamed in pieces, not at once
    assert final.mode == "generated" and final.citations[0].source == STATUTE_SOURCE
    request = server.chat_requests[-1]["body"]
    assert request["stream"] is True and request["temperature"] == 0.0
    sent = " ".join(m["content"] for m in request["messages"])
    assert "010-1234-5678" not in sent  # masked before it leaves the machine
    assert "[1] 테스트법 제3조" in sent


@pytest.mark.timeout(30)
def test_a_failing_server_gives_the_quoted_answer_with_a_notice(indexed_sample, server):
    server.failures.extend(["500"] * 5)
    final = vllm_service(indexed_sample, server).answer(QUESTION, assistant="childcare", collection="childcare")
    assert final.mode == "extractive" and "60일" in final.text
    assert "언어 모델 오류" in final.notice
