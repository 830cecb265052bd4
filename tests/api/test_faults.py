"""Faults over real HTTP: the model server failing or stalling mid-answer, and a client
that goes away mid-stream. The reader always gets an answer (the verified quotes, with a
notice), never a hang, and the one generation slot is never lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import PASSWORD, build_services, sse_events
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.live_server import LiveServer

QUESTION = {"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"}


@pytest.fixture(scope="module")
def model_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        server.stall_after = 2
        yield server


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory, model_server: FakeOpenAIServer) -> Iterator[Services]:
    services = build_services(
        tmp_path_factory.mktemp("faults"),
        llm={"mode": "openai", "base_url": model_server.url, "model": "m", "retries": 0, "timeout_s": 2.0,
             "connect_timeout_s": 1.0},
        server={"generation_slots": 1})
    yield services
    services.close()


@pytest.fixture(scope="module")
def server(svc: Services) -> Iterator[LiveServer]:
    with LiveServer(create_app(svc, start_background=False)) as live:
        yield live


@contextmanager
def signed_in(server: LiveServer, username: str = "kim") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
        reply = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        client.headers["X-CSRF-Token"] = reply.json()["csrf_token"]
        yield client


def ask_stream(client: httpx.Client) -> list[tuple[str, dict]]:
    reply = client.post("/api/chat/childcare/stream", json=QUESTION)
    assert reply.status_code == 200
    return sse_events(reply.text)


@pytest.mark.parametrize("failure", ["500", "malformed", "stall", "drop"])
def test_a_failing_model_server_still_gives_the_verified_quotes(server, model_server, svc, failure):
    model_server.failures.append(failure)
    started = time.monotonic()
    with signed_in(server) as client:
        events = ask_stream(client)
    assert time.monotonic() - started < 15  # the 2 s read timeout, not a hang
    name, final = events[-1]
    assert name == "final"
    answer = final["answer"]
    assert answer["mode"] == "extractive" and answer["citations"]
    assert "언어 모델 오류" in answer["notice"]
    assert svc.generation_queue.running == 0


def test_a_client_that_leaves_mid_stream_frees_the_model(server, model_server, svc):
    model_server.failures.append("stall")  # the first answer hangs at the model until the timeout
    with signed_in(server) as client:
        with client.stream("POST", "/api/chat/childcare/stream", json=QUESTION) as reply:
            for line in reply.iter_lines():
                if line.startswith("event: token"):
                    break  # the reader closes the tab while the answer streams
    deadline = time.monotonic() + 15
    while svc.generation_queue.running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert svc.generation_queue.running == 0
    asked = len(model_server.chat_requests)
    with signed_in(server, "lee") as other:
        events = ask_stream(other)
    assert events[-1][0] == "final" and "token" in [name for name, _ in events]
    assert len(model_server.chat_requests) == asked + 1  # the model was free for the next reader
    assert "오류" not in events[-1][1]["answer"]["notice"]
