"""The OpenAI-compatible API served by a real uvicorn server in a thread and called with
the real `openai` package: models per readable collection, whole and streamed
completions with their sources, access, API keys and the web session."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest
from openai import OpenAI

from api.app import create_app
from tests.fakes.live_server import LiveServer
from api.services.container import Services
from api.services.openai_chat import stream_chunks
from tests.api.conftest import PASSWORD, build_services

CCTV = "녹화된 영상은 며칠 이상 보관해야 하나요?"
GLUCOSE = "공복 혈당은 언제 재나요?"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = build_services(tmp_path_factory.mktemp("openai"))
    # kim (staff) may not read the metabolic collection; lee (evaluator) may.
    services.accounts.set_readers("metabolic", ["role:evaluator"])
    yield services
    services.close()


@pytest.fixture(scope="module")
def base_url(svc: Services) -> Iterator[str]:
    with LiveServer(create_app(svc, start_background=False)) as server:
        yield server.url


def client_for(base_url: str, key: str) -> OpenAI:
    return OpenAI(base_url=f"{base_url}/v1", api_key=key, max_retries=0, timeout=60,
                  http_client=openai.DefaultHttpxClient(trust_env=False))


@pytest.fixture(scope="module")
def kim(svc: Services, base_url: str) -> OpenAI:
    return client_for(base_url, svc.accounts.create_api_key("kim"))


@pytest.fixture(scope="module")
def lee(svc: Services, base_url: str) -> OpenAI:
    return client_for(base_url, svc.accounts.create_api_key("lee"))


def test_models_are_the_assistants_the_user_may_read(kim: OpenAI, lee: OpenAI):
    staff_models = {m.id: m for m in kim.models.list()}
    evaluator_models = {m.id for m in lee.models.list()}

    assert set(staff_models) == {"general", "childcare", "rfp"}
    assert evaluator_models == {"general", "childcare", "rfp", "metabolic"}
    childcare = staff_models["childcare"]
    assert childcare.owned_by == "seoul-assist" and childcare.object == "model"
    assert childcare.model_extra["title"] == "영유아 보육행정 AI 업무매뉴얼"
    assert kim.models.retrieve("childcare").id == "childcare"
    with pytest.raises(openai.NotFoundError):
        kim.models.retrieve("metabolic")


def test_completion_is_the_verified_answer_with_sources_and_is_saved(svc: Services, kim: OpenAI):
    reply = kim.chat.completions.create(model="childcare", messages=[
        {"role": "system", "content": "공손하게 답하세요."},
        {"role": "user", "content": "보육실에 무엇을 설치하나요?"},
        {"role": "assistant", "content": "폐쇄회로 텔레비전입니다."},
        {"role": "user", "content": [{"type": "text", "text": CCTV}]},
    ])

    assert reply.object == "chat.completion" and reply.model == "childcare"
    choice = reply.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert choice.message.content.endswith("[1]")  # the fake model quotes passage 1
    sources = reply.model_extra["sources"]
    assert sources and sources[0]["label"].startswith("테스트법 제3조")
    assert f"[{sources[0]['n']}]" in choice.message.content
    assert "60일" in sources[0]["text"]
    answer = reply.model_extra["answer"]
    assert answer["text"] == choice.message.content and answer["mode"] == "generated"
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0
    # Saved like a web chat: the conversation with its sources, and the audit trail.
    kim_id = svc.accounts.resolve_api_key(svc.accounts.create_api_key("kim", "history-check")).id
    conv = svc.history.conversation(kim_id, answer["conversation_id"])
    assert conv["messages"][0]["text"] == CCTV and conv["messages"][1]["sources"]
    assert any(e["detail"] == CCTV for e in svc.audit.recent(username="kim", action="ask"))


@pytest.mark.parametrize("stream", [False, True])
def test_a_short_follow_up_is_asked_with_the_earlier_user_message(svc: Services, kim: OpenAI, stream: bool):
    earlier = [{"role": "user", "content": "어린이집 CCTV는 어디에 설치하나요?"},
               {"role": "assistant", "content": "보육실마다 설치합니다."}]
    reply = kim.chat.completions.create(model="childcare", stream=stream,
                                        messages=[*earlier, {"role": "user", "content": "보관 기간은요?"}])
    last = [c for c in reply if c.choices][-1] if stream else reply

    prompt = svc.context.answers.llm().last_prompt[-1].content
    assert "CCTV는 어디에 설치" in prompt and "보관 기간은요?" in prompt
    sources = last.model_extra["sources"]
    assert sources[0]["label"].startswith("테스트법 제3조") and "60일" in sources[0]["text"]
    # A full question stands on its own, whatever came before.
    kim.chat.completions.create(model="childcare", messages=[
        *earlier, {"role": "user", "content": "영양사가 작성한 식단에 따라 급식을 제공해야 하나요?"}])
    assert "CCTV" not in svc.context.answers.llm().last_prompt[-1].content


def test_streamed_completion_sends_tokens_then_sources_and_done(kim: OpenAI):
    stream = kim.chat.completions.create(model="childcare", messages=[{"role": "user", "content": CCTV}],
                                         stream=True, stream_options={"include_usage": True})
    chunks = list(stream)

    assert chunks[0].choices[0].delta.role == "assistant"
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) > 1  # token by token, not one block
    last = [c for c in chunks if c.choices][-1]
    assert last.choices[0].finish_reason == "stop"
    answer, sources = last.model_extra["answer"], last.model_extra["sources"]
    assert sources and sources[0]["label"].startswith("테스트법 제3조")
    assert answer["text"].endswith("[1]") and answer["mode"] == "generated"
    if not answer["replaces_stream"]:
        assert "".join(pieces).strip() == answer["text"].strip()
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0


def test_extractive_answers_stream_the_final_text_as_one_delta(svc: Services):
    user = svc.accounts.resolve_api_key(svc.accounts.create_api_key("kim", "extractive"))
    turn = svc.chat.start(user, "childcare", CCTV, use_llm=False)

    events = [json.loads(e[6:]) for e in stream_chunks(svc.chat.stream(turn), "childcare") if e.startswith("data: {")]
    deltas = [e["choices"][0]["delta"].get("content") for e in events]

    assert deltas[0] == "" and len([d for d in deltas[1:] if d]) == 1
    final = events[-1]
    assert final["choices"][0]["finish_reason"] == "stop"
    assert final["answer"]["mode"] == "extractive" and deltas[1] == final["answer"]["text"]
    assert final["answer"]["replaces_stream"] is False and final["sources"]


def test_a_collection_the_user_may_not_read_gives_no_answer_and_no_sources(kim: OpenAI, lee: OpenAI):
    for stream in (False, True):
        with pytest.raises(openai.PermissionDeniedError) as refused:
            kim.chat.completions.create(model="metabolic", messages=[{"role": "user", "content": GLUCOSE}],
                                        stream=stream)
        assert refused.value.status_code == 403
    # Asked through an assistant kim may use, the metabolic guide is not among the sources.
    elsewhere = kim.chat.completions.create(model="childcare", messages=[{"role": "user", "content": GLUCOSE}])
    assert all(not s["source"].startswith("metabolic/") for s in elsewhere.model_extra["sources"])
    # The evaluator, who may read it, gets the guide.
    allowed = lee.chat.completions.create(model="metabolic", messages=[{"role": "user", "content": GLUCOSE}])
    assert any(s["source"].startswith("metabolic/") for s in allowed.model_extra["sources"])


def test_errors_are_openai_shaped(base_url: str, kim: OpenAI):
    with pytest.raises(openai.AuthenticationError):
        client_for(base_url, "sa-wrong-key").models.list()
    with pytest.raises(openai.NotFoundError) as missing:
        kim.chat.completions.create(model="nope", messages=[{"role": "user", "content": CCTV}])
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as no_question:
        kim.chat.completions.create(model="childcare", messages=[{"role": "system", "content": "안녕"}])
    assert no_question.value.body["param"] == "messages"

    with httpx.Client(base_url=base_url, trust_env=False) as raw:
        anonymous = raw.post("/v1/chat/completions", json={"model": "childcare",
                                                           "messages": [{"role": "user", "content": CCTV}]})
        bad = raw.post("/v1/chat/completions", headers={"Authorization": "Bearer sa-wrong"},
                       json={"model": "childcare"})
    assert anonymous.status_code == 401
    error = anonymous.json()["error"]
    assert set(error) >= {"message", "type", "code"} and error["type"] == "authentication_error"
    assert bad.status_code == 401  # the key is checked before the body


def test_invalid_json_is_named_as_such_not_by_byte_offset(base_url: str, kim: OpenAI):
    with httpx.Client(base_url=base_url, trust_env=False) as raw:
        reply = raw.post("/v1/chat/completions", content=b'{"model": "childcare", }',
                         headers={"Authorization": f"Bearer {kim.api_key}", "Content-Type": "application/json"})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["message"] == "요청 본문이 올바른 JSON이 아닙니다" and error["param"] == "body"


def test_the_web_session_works_too(base_url: str):
    with httpx.Client(base_url=base_url, trust_env=False) as web:
        login = web.post("/api/auth/login", json={"username": "kim", "password": PASSWORD})
        assert login.status_code == 200, login.text
        models = web.get("/v1/models")
        refused = web.post("/v1/chat/completions", json={"model": "childcare",
                                                         "messages": [{"role": "user", "content": CCTV}]})
        answered = web.post("/v1/chat/completions", headers={"X-CSRF-Token": login.json()["csrf_token"]},
                            json={"model": "childcare", "messages": [{"role": "user", "content": CCTV}]})
    assert {m["id"] for m in models.json()["data"]} == {"general", "childcare", "rfp"}
    assert refused.status_code == 403  # a cookie alone is no proof: the CSRF header is needed
    assert answered.status_code == 200 and answered.json()["sources"]

