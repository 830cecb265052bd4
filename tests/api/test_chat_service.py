"""ChatService as the routers use it: `start` checks and opens the turn before anything
streams, `stream(turn)` answers, saves and audits it; feedback is audited by the service."""

from __future__ import annotations

import pytest

from api.errors import InputError, NotFound
from api.services.accounts import Principal
from api.services.container import Services

CCTV_QUESTION = "녹화된 영상은 며칠 이상 보관해야 하나요?"


def principal(services: Services, username: str) -> Principal:
    return services.accounts.resolve_api_key(services.accounts.create_api_key(username, "chat-service"))


def conversation_count(services: Services, user: Principal) -> int:
    return len(services.history.conversations(user.id))


def test_start_refuses_bad_input_before_anything_is_saved(services: Services):
    kim, lee = principal(services, "kim"), principal(services, "lee")
    others = services.chat.start(lee, "childcare", CCTV_QUESTION).conversation_id
    before = conversation_count(services, kim)

    with pytest.raises(InputError, match="질문을 입력하세요"):
        services.chat.start(kim, "childcare", "   ")
    with pytest.raises(NotFound):
        services.chat.start(kim, "없는도우미", CCTV_QUESTION)
    with pytest.raises(NotFound):
        services.chat.start(kim, "childcare", CCTV_QUESTION, conversation_id=others)

    assert conversation_count(services, kim) == before


def test_a_started_turn_streams_then_is_saved_and_audited(services: Services):
    kim = principal(services, "kim")
    turn = services.chat.start(kim, "childcare", f"  {CCTV_QUESTION} ", use_llm=False)

    assert turn.question == CCTV_QUESTION and turn.asked == CCTV_QUESTION
    assert turn.assistant.name == "childcare" and turn.conversation_id is not None
    events = list(services.chat.stream(turn))

    final = events[-1]
    assert [e.event.type for e in events][0] == "passages" and final.event.type == "final"
    assert final.conversation_id == turn.conversation_id and final.message_id is not None
    assert "60일" in final.event.answer.text
    saved = services.history.conversation(kim.id, turn.conversation_id)
    assert [m["role"] for m in saved["messages"]] == ["user", "assistant"]
    asked = services.audit.recent(1, username="kim", action="ask")[0]
    assert asked["detail"] == CCTV_QUESTION and asked["collection"] == "childcare" and asked["documents"]


def test_a_follow_up_turn_is_answered_with_the_previous_question(services: Services):
    kim = principal(services, "kim")
    first = services.chat.ask(kim, "childcare", CCTV_QUESTION, use_llm=False)

    turn = services.chat.start(kim, "childcare", "과태료는요?", conversation_id=first.conversation_id)

    assert turn.question == "과태료는요?"
    assert turn.asked == f"{CCTV_QUESTION} 과태료는요?"
    assert turn.conversation_id == first.conversation_id


def test_feedback_is_saved_and_audited_by_the_service(services: Services):
    kim = principal(services, "kim")
    final = services.chat.ask(kim, "childcare", CCTV_QUESTION, use_llm=False)

    saved = services.chat.feedback(kim, final.message_id, -1, "조문이 틀림")

    assert saved["rating"] == -1
    logged = services.audit.recent(1, username="kim", action="feedback")[0]
    assert logged["detail"] == f"{final.message_id}: -1 조문이 틀림"
