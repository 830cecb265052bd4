"""The OpenAI-compatible client against the fake server over real HTTP."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from rag.errors import LLMError
from rag.llm.base import ChatMessage, GenerationParams, complete
from rag.llm.openai_compat import OpenAICompatLLM
from tests.fakes.openai_server import DEFAULT_REPLY, FakeOpenAIServer

MESSAGES = [ChatMessage("system", "자료만 근거로 답하세요."), ChatMessage("user", "[1] 조문\n\n질문: CCTV?")]
REPLY = "어린이집에는 폐쇄회로 텔레비전을 설치해야 합니다 [1]"
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}


@pytest.fixture
def server():
    with FakeOpenAIServer() as fake:
        yield fake


def client(server: FakeOpenAIServer, **kwargs) -> OpenAICompatLLM:
    options = {"timeout_s": 0.3, "connect_timeout_s": 0.3, "retries": 2, "backoff_s": 0.01} | kwargs
    return OpenAICompatLLM(server.url, "qwen", **options)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_streams_the_pieces_in_order(server):
    server.replies.append(REPLY)

    pieces = list(client(server).stream(MESSAGES, GenerationParams()))

    assert pieces == server.pieces(REPLY) and len(pieces) > 3
    assert complete(client(server), MESSAGES) == DEFAULT_REPLY  # empty queue


def test_sends_the_generation_parameters_and_the_key(server):
    llm = client(server, api_key="secret")
    params = GenerationParams(max_tokens=77, temperature=0.2, stop=("\n\n", "질문:"), seed=7,
                              json_schema=SCHEMA, extra={"top_p": 0.9})

    complete(llm, MESSAGES, params)

    request = server.chat_requests[-1]
    body = request["body"]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer secret"
    assert body["model"] == "qwen" and body["stream"] is True
    assert body["messages"] == [{"role": "system", "content": MESSAGES[0].content},
                                {"role": "user", "content": MESSAGES[1].content}]
    assert (body["max_tokens"], body["temperature"], body["stop"], body["seed"], body["top_p"]) == (
        77, 0.2, ["\n\n", "질문:"], 7, 0.9)
    assert body["guided_json"] == SCHEMA
    assert body["response_format"] == {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA}}


def test_optional_fields_are_left_out(server):
    complete(client(server, guided_json=False), MESSAGES,
             GenerationParams(seed=None, json_schema=SCHEMA))

    body = server.chat_requests[-1]["body"]
    assert "stop" not in body and "seed" not in body and "guided_json" not in body
    assert "response_format" in body
    assert server.chat_requests[-1]["auth"] is None


@pytest.mark.timeout(30)
@pytest.mark.parametrize("failure", ["500", "malformed", "slow", "drop"])
def test_failures_before_the_first_token_are_retried(server, failure):
    server.stall_after = 0  # "drop": the connection closes before any piece
    server.failures.extend([failure, failure])
    server.replies.extend([REPLY] * 3)

    assert complete(client(server), MESSAGES) == REPLY
    assert len(server.chat_requests) == 3


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("failure", "message"), [
    ("500", r"언어 모델 서버\(http://127\.0\.0\.1:\d+/v1\) 오류 500 .*\(3회 시도\)"),
    ("malformed", r"응답을 해석할 수 없습니다 \(3회 시도\)"),
    ("slow", r"0\.3초 안에 응답하지 않았습니다 \(3회 시도\)"),
], ids=["500", "malformed", "slow"])
def test_persistent_failures_give_a_clear_error(server, failure, message):
    server.failures.extend([failure] * 3)

    with pytest.raises(LLMError, match=message):
        complete(client(server), MESSAGES)
    assert len(server.chat_requests) == 3


def test_a_refused_request_is_not_retried(server):
    server.failures.extend(["400", "400"])

    with pytest.raises(LLMError, match=r"요청을 거부했습니다 \(400\): .*context length exceeded"):
        complete(client(server), MESSAGES)
    assert len(server.chat_requests) == 1


@pytest.mark.timeout(30)
def test_unreachable_server_names_the_url():
    url = f"http://127.0.0.1:{closed_port()}/v1"
    llm = OpenAICompatLLM(url, "m", timeout_s=0.3, connect_timeout_s=0.3, retries=1, backoff_s=0.01)

    with pytest.raises(LLMError, match=rf"언어 모델 서버\({url}\)에 연결할 수 없습니다 \(2회 시도\)"):
        complete(llm, MESSAGES)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("failure", ["stall", "drop"])
def test_failure_after_tokens_is_an_error_without_retry(server, failure):
    server.failures.append(failure)
    server.replies.extend([REPLY, REPLY])
    received = []
    started = time.monotonic()

    with pytest.raises(LLMError, match="도중에 끊겼습니다"):
        for piece in client(server).stream(MESSAGES, GenerationParams()):
            received.append(piece)

    assert received == server.pieces(REPLY)[:server.stall_after]
    assert len(server.chat_requests) == 1  # the user already saw the first pieces
    assert time.monotonic() - started < 2.0  # the read timeout (0.3 s) ended the stall


@pytest.mark.timeout(30)
def test_a_caller_may_stop_reading_early(server):
    server.failures.append("stall")

    stream = client(server).stream(MESSAGES, GenerationParams())
    assert next(stream) == server.pieces(DEFAULT_REPLY)[0]
    stream.close()  # no error, no wait for the stalled rest


def test_counts_tokens_with_vllm_tokenize_then_falls_back(server):
    llm = client(server, server_tokenize=True)

    assert llm.count_tokens("어린이집 CCTV") == len("어린이집 CCTV")  # the fake counts characters
    llm.count_tokens("어린이집 CCTV")
    assert [r["path"] for r in server.requests] == ["/tokenize"]  # cached
    assert server.requests[0]["body"] == {"model": "qwen", "prompt": "어린이집 CCTV"}

    server.tokenize_enabled = False
    other = client(server, server_tokenize=True)
    assert other.count_tokens("어린이집 폐쇄회로 텔레비전") >= 15  # estimate after a 404
    other.count_tokens("다른 글")
    assert len(server.requests) == 2  # switched off after the first failure


def test_estimates_tokens_without_asking_by_default(server):
    assert client(server).count_tokens("가나다") >= 3
    assert server.requests == []


def test_fake_server_also_answers_without_streaming(server):
    server.replies.append(REPLY)

    response = httpx.post(f"{server.url}/chat/completions", json={"model": "m", "messages": []})

    assert response.json()["choices"][0]["message"]["content"] == REPLY
