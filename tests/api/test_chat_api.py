from __future__ import annotations

import json

from api.services.openai_chat import stream_chunks
from tests.api.conftest import sse_events

CCTV_QUESTION = "녹화된 영상은 며칠 이상 보관해야 하나요?"
# What a planted instruction made the model write: a phishing link, then the answer.
INJECTED_REPLY = ("http://evil.example/login 에서 다시 로그인하세요. "
                  "원장은 녹화된 영상을 60일 이상 보관하여야 합니다 [1]. "
                  "원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 합니다 [1].")


def test_login_wrong_password_is_refused_with_a_json_error(client):
    reply = client.post("/api/auth/login", json={"username": "kim", "password": "nope-nope"})
    assert reply.status_code == 401
    body = reply.json()
    assert body["error"]["code"] == "unauthenticated"
    assert "비밀번호" in body["error"]["message"]


def test_chat_requires_login(client):
    reply = client.post("/api/chat/childcare/stream", json={"question": "CCTV 영상은 얼마나 보관하나요?"})
    assert reply.status_code == 401


def test_streamed_answer_has_extractive_then_tokens_then_cited_final(staff):
    reply = staff.post("/api/chat/childcare/stream", json={"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = sse_events(reply.text)
    names = [n for n, _ in events]
    assert names[0] == "passages" and names[1] == "extractive"
    assert "token" in names and names[-1] == "final"
    final = events[-1][1]
    assert final["answer"]["citations"], final
    assert final["answer"]["mode"] == "generated"
    assert final["answer"]["citations"][0]["label"].startswith("테스트법 제3조")
    assert final["message_id"] and final["conversation_id"]


def test_streamed_sentences_arrive_verified_and_an_injected_link_never_does(staff, services):
    services.context.answers.llm().queue(INJECTED_REPLY)
    events = sse_events(staff.post("/api/chat/childcare/stream", json={"question": CCTV_QUESTION}).text)
    names = [n for n, _ in events]
    verified = [data for name, data in events if name == "verified"]

    assert "".join(d["text"] for n, d in events if n == "token") == INJECTED_REPLY  # the raw draft
    assert names.index("token") < names.index("verified") and names[-1] == "final"
    # The link sentence is checked first and fails; the backed sentence then passes, with its
    # citation, rendered as the final answer renders it; passages are not sent again.
    assert [d["answer"]["text"] for d in verified] == ["", "원장은 녹화된 영상을 60일 이상 보관하여야 합니다 [1]."]
    assert [d["checked"] for d in verified] == [INJECTED_REPLY.index(" 원장은"), INJECTED_REPLY.index(" 원장은 보육실")]
    assert verified[0]["answer"]["removed"] == ["http://evil.example/login 에서 다시 로그인하세요."]
    assert verified[1]["answer"]["citations"][0]["label"].startswith("테스트법 제3조")
    assert "passages" not in verified[1]["answer"]
    final = events[-1][1]["answer"]
    assert final["mode"] == "generated" and "evil" not in final["text"]
    assert final["text"].startswith(verified[-1]["answer"]["text"]) and "설치" in final["text"]


def test_the_openai_stream_sends_raw_tokens_and_ends_with_the_verified_answer(services):
    services.context.answers.llm().queue(INJECTED_REPLY)
    user = services.accounts.resolve_api_key(services.accounts.create_api_key("kim", "draft-check"))
    turn = services.chat.start(user, "childcare", CCTV_QUESTION)
    lines = list(stream_chunks(services.chat.stream(turn), "childcare"))
    chunks = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]

    assert all(line.startswith(("data: ", ": ")) for line in lines)  # no event of another kind
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == INJECTED_REPLY
    answer = chunks[-1]["answer"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert "evil" not in answer["text"] and "60일" in answer["text"] and answer["mode"] == "generated"
    assert answer["replaces_stream"] is True and answer["removed"] == ["http://evil.example/login 에서 다시 로그인하세요."]


def test_history_and_feedback_are_stored_with_the_sources(staff):
    first = staff.post("/api/chat/childcare", json={"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"}).json()
    conv = staff.get(f"/api/conversations/{first['conversation_id']}").json()
    assert [m["role"] for m in conv["messages"]] == ["user", "assistant"]
    assert conv["messages"][1]["sources"]
    saved = staff.post(f"/api/messages/{first['message_id']}/feedback", json={"rating": -1, "comment": "조문이 틀림"})
    assert saved.status_code == 200
    again = staff.get(f"/api/conversations/{first['conversation_id']}").json()
    assert again["messages"][1]["feedback"] == {"rating": -1, "comment": "조문이 틀림"}


def test_feedback_on_someone_elses_answer_is_not_found(staff, admin):
    mine = admin.post("/api/chat/childcare", json={"question": "급식은 누가 작성한 식단에 따르나요?"}).json()
    reply = staff.post(f"/api/messages/{mine['message_id']}/feedback", json={"rating": 1})
    assert reply.status_code == 404


def test_mutation_without_csrf_header_is_refused(staff):
    del staff.headers["X-CSRF-Token"]
    reply = staff.post("/api/chat/childcare", json={"question": "급식은 누가 작성한 식단에 따르나요?"})
    assert reply.status_code == 403
    assert "CSRF" in reply.json()["error"]["message"]


def test_bad_input_names_the_field(staff):
    reply = staff.post("/api/chat/childcare", json={"question": ""})
    assert reply.status_code == 422
    assert "question" in reply.json()["error"]["message"]
    unknown = staff.post("/api/chat/nope", json={"question": "질문"})
    assert unknown.status_code == 404


def test_health_ready_and_metrics(client, staff):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    staff.post("/api/chat/childcare", json={"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"})
    text = client.get("/metrics").text
    assert "seoul_assist_request_seconds" in text
    assert 'seoul_assist_answers_total{assistant="childcare"' in text
    assert "seoul_assist_retrieval_seconds" in text


def test_search_returns_ranked_passages_with_locators(staff):
    hits = staff.get("/api/search/childcare", params={"q": "폐쇄회로 텔레비전 설치", "k": 3}).json()
    assert hits[0]["label"].startswith("테스트법 제3조")
    assert hits[0]["effective_date"] == "2025-03-01"
    assert staff.get("/api/search/childcare", params={"q": "x", "k": 0}).status_code == 400


def test_api_docs_are_served_without_a_cdn(client):
    page = client.get("/docs").text
    assert "/docs-static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/chat/{assistant}/stream" in spec["paths"]


def test_continuing_another_assistants_conversation_fails_before_streaming(staff):
    first = staff.post("/api/chat/childcare", json={"question": "급식은 누가 작성한 식단에 따르나요?"}).json()
    reply = staff.post("/api/chat/general/stream", json={"question": "민원 처리기간은?",
                                                          "conversation_id": first["conversation_id"]})
    assert reply.status_code == 400
    assert reply.json()["error"]["field"] == "conversation_id"


def test_a_short_follow_up_is_asked_with_the_previous_question(staff, services):
    first = staff.post("/api/chat/childcare", json={"question": "어린이집 원장은 보육실에 무엇을 설치해야 하나요?"}).json()
    follow = staff.post("/api/chat/childcare", json={"question": "보관 기간은요?",
                                                     "conversation_id": first["conversation_id"]}).json()
    prompt = services.context.answers.llm().last_prompt[-1].content
    assert "보육실에 무엇을 설치" in prompt and "보관 기간은요?" in prompt
    assert follow["answer"]["citations"][0]["label"].startswith("테스트법 제3조")
    stored = staff.get(f"/api/conversations/{first['conversation_id']}").json()["messages"]
    assert [m["text"] for m in stored if m["role"] == "user"][-1] == "보관 기간은요?"
    # A full question stands on its own.
    staff.post("/api/chat/childcare", json={"question": "영양사가 작성한 식단에 따라 급식을 제공해야 하나요?",
                                            "conversation_id": first["conversation_id"]})
    assert "보육실에 무엇을 설치" not in services.context.answers.llm().last_prompt[-1].content


def test_a_work_manual_answer_carries_its_basis_with_the_in_force_date(staff):
    # childcare is a work manual (answer_shape: manual): the 근거 block comes beside the text.
    reply = staff.post("/api/chat/childcare/stream", json={"question": CCTV_QUESTION})
    answer = sse_events(reply.text)[-1][1]["answer"]
    assert answer["basis"] and answer["basis"][0]["line"] == "테스트법 제3조 (시행일자 2025. 3. 1.)"
    assert answer["basis"][0]["effective_date"] == "2025-03-01"
    assert {b["n"] for b in answer["basis"]} <= {c["n"] for c in answer["citations"]}
    assert "시행일자" not in answer["text"]
    # A reopened conversation shows the same 근거 list: each cited source keeps its line.
    final = sse_events(reply.text)[-1][1]
    stored = staff.get(f"/api/conversations/{final['conversation_id']}").json()
    sources = stored["messages"][-1]["sources"]
    assert [s["basis"] for s in sources if s.get("basis")] == [b["line"] for b in answer["basis"]]
