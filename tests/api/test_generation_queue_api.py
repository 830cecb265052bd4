"""With a one-at-a-time model, a second question gets its quoted answer at once and
then waits in line, told its position, until the first answer is done."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from api.app import create_app
from rag.answer.service import AnswerService
from rag.llm.fake import FakeLLM, default_reply
from tests.api.conftest import build_services, login, sse_events


def test_second_question_waits_with_its_position(tmp_path):
    svc = build_services(tmp_path, server={"generation_slots": 1})
    inside, release = threading.Event(), threading.Event()

    def slow_first(messages):
        if not inside.is_set():
            inside.set()
            assert release.wait(10)
        return default_reply(messages)

    ctx = svc.context
    ctx.__dict__["answers"] = AnswerService(ctx.retriever, ctx.analyzer, svc.settings, llm=FakeLLM(slow_first))
    question = {"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"}
    try:
        with TestClient(create_app(svc, start_background=False)) as first, \
                TestClient(create_app(svc, start_background=False)) as second:
            login(first, "kim")
            login(second, "admin")
            bodies: dict[str, str] = {}
            runner = threading.Thread(
                target=lambda: bodies.update(first=first.post("/api/chat/childcare/stream", json=question).text))
            runner.start()
            assert inside.wait(10)
            seen: list[tuple[str, dict]] = []
            with second.stream("POST", "/api/chat/childcare/stream", json=question) as reply:
                buffer = ""
                for text in reply.iter_text():
                    buffer += text
                    seen = sse_events(buffer.rsplit("\n\n", 1)[0] + "\n\n") if "\n\n" in buffer else []
                    if any(name == "queued" for name, _ in seen) and not release.is_set():
                        assert svc.generation_queue.waiting == 1
                        release.set()
                bodies["second"] = buffer
            runner.join(10)
    finally:
        svc.close()
    names = [name for name, _ in sse_events(bodies["second"])]
    assert names.index("extractive") < names.index("queued") < names.index("token") < names.index("final")
    queued = [data for name, data in sse_events(bodies["second"]) if name == "queued"]
    assert queued[0]["position"] == 1
    assert [name for name, _ in sse_events(bodies["first"])][-1] == "final"
    assert svc.generation_queue.running == 0
