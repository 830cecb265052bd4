"""Personal data in the conversation history: questions and titles are stored masked like
the audit log, while the answer is made from the unmasked question; an answer repeating
the asker's number is stored masked; history past server.history_days is purged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.app import create_app
from api.db import Conversation, Database, Feedback, Message, User
from api.services.container import Services
from api.services.history import HistoryPurger, HistoryService, mask_echoes
from rag.answer.types import Answer
from tests.api.conftest import build_services

PERSONAL = "900101-1234567"
PHONE = "010-1234-5678"
MAIL = "a@b.kr"
QUESTION = f"주민등록번호 {PERSONAL}, 전화 {PHONE}, 메일 {MAIL} 입니다. CCTV 영상은 며칠 보관하나요?"
MASKED = "주민등록번호 [주민등록번호], 전화 [전화번호], 메일 [이메일] 입니다. CCTV 영상은 며칠 보관하나요?"


def _stored_text(svc: Services) -> list[str]:
    """Every title and message text in the database, as stored."""
    with svc.db.session() as s:
        return list(s.scalars(select(Conversation.title))) + list(s.scalars(select(Message.text)))


def _no_personal_data(texts: list[str]) -> bool:
    return not any(value in text for text in texts for value in (PERSONAL, PHONE, MAIL, "1234567", "1234-5678"))


def test_web_chat_stores_and_shows_the_question_masked_but_answers_the_real_one(staff, services):
    reply = staff.post("/api/chat/childcare", json={"question": QUESTION, "use_llm": False})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["answer"]["question"] == QUESTION  # what the answer service was given

    listed = {c["id"]: c for c in staff.get("/api/conversations").json()}
    assert listed[body["conversation_id"]]["title"] == MASKED[:60]
    messages = staff.get(f"/api/conversations/{body['conversation_id']}").json()["messages"]
    assert messages[0]["role"] == "user" and messages[0]["text"] == MASKED
    assert _no_personal_data(_stored_text(services))


def test_openai_api_stores_the_question_masked(app, services):
    key = services.accounts.create_api_key("kim", "privacy")
    with TestClient(app) as c:
        reply = c.post("/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
                       json={"model": "childcare", "messages": [{"role": "user", "content": QUESTION}]})
        assert reply.status_code == 200, reply.text
        conversation_id = reply.json()["answer"]["conversation_id"]
    kim = services.accounts.resolve_api_key(key)
    conv = services.history.conversation(kim.id, conversation_id)
    assert conv["title"] == MASKED[:60] and conv["messages"][0]["text"] == MASKED
    assert _no_personal_data(_stored_text(services))


def test_a_stored_answer_masks_the_askers_numbers_it_repeats_but_not_the_documents():
    question = f"제 번호 {PHONE}와 {MAIL}로 연락 주세요. 혈압 150/95 mmHg인데 상담 받을 수 있나요?"
    answer = f"{PHONE} 또는 {MAIL}로 안내드립니다. 보건소 02-2133-7000으로 문의하세요. 혈압 130/85 mmHg 이상이면 해당합니다."
    assert mask_echoes(question, answer) == ("[전화번호] 또는 [이메일]로 안내드립니다. 보건소 02-2133-7000으로 문의하세요. "
                                             "혈압 130/85 mmHg 이상이면 해당합니다.")
    assert mask_echoes("CCTV 보관 기간은?", answer) == answer


def test_add_turn_stores_the_answer_with_echoes_masked(tmp_path):
    history = HistoryService(_database(tmp_path))
    user_id = _user(history.db)
    conv = history.start_or_continue(user_id, "childcare", QUESTION, None)
    history.add_turn(conv, QUESTION, Answer(QUESTION, f"{PHONE}로 연락드리겠습니다.", "generated"), [])
    texts = [m["text"] for m in history.conversation(user_id, conv)["messages"]]
    assert texts == [MASKED, "[전화번호]로 연락드리겠습니다."]
    assert history.last_question(user_id, conv) == MASKED


# --- retention --------------------------------------------------------------------------

def _database(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    db.migrate()
    return db


def _user(db: Database) -> int:
    with db.session() as s:
        user = User(username="kim", display_name="kim", password_hash=None, role="staff", groups=[])
        s.add(user)
        s.flush()
        return user.id


def _age(db: Database, conversation_id: int, days: int) -> None:
    """Moves a conversation and its messages `days` into the past."""
    moment = datetime.now(timezone.utc) - timedelta(days=days)
    with db.session() as s:
        s.execute(update(Conversation).where(Conversation.id == conversation_id).values(created_at=moment))
        s.execute(update(Message).where(Message.conversation_id == conversation_id).values(created_at=moment))


def _turn(history: HistoryService, user_id: int, question: str, conversation_id: int | None = None) -> int:
    conv = history.start_or_continue(user_id, "childcare", question, conversation_id)
    history.add_turn(conv, question, Answer(question, "답변입니다.", "extractive"), [])
    return conv


def test_purge_deletes_what_is_past_the_retention_and_keeps_the_rest(tmp_path):
    history = HistoryService(_database(tmp_path), retention_days=365)
    user_id = _user(history.db)
    old = _turn(history, user_id, "작년 질문")
    continued = _turn(history, user_id, "오래전에 시작한 대화")
    recent = _turn(history, user_id, "이번 주 질문")
    answer_id = history.conversation(user_id, old)["messages"][1]["id"]
    history.feedback(user_id, answer_id, -1, "오래된 평가")
    _age(history.db, old, 400)
    _age(history.db, continued, 400)
    _turn(history, user_id, "어제 이어서 물은 질문", continued)

    purged = history.purge()

    assert (purged.conversations, purged.messages) == (1, 4)
    assert [c["id"] for c in history.conversations(user_id)] == [recent, continued]
    assert [m["text"] for m in history.conversation(user_id, continued)["messages"]] == ["어제 이어서 물은 질문", "답변입니다."]
    with history.db.session() as s:
        assert s.scalars(select(Feedback)).all() == []
    assert history.purge() == purged.__class__(0, 0)


def test_retention_zero_keeps_everything(tmp_path):
    history = HistoryService(_database(tmp_path), retention_days=0)
    user_id = _user(history.db)
    _age(history.db, _turn(history, user_id, "아주 오래된 질문"), 4000)
    assert history.purge() == history.purge(0)
    assert len(history.conversations(user_id)) == 1
    purger = HistoryPurger(history)
    purger.start()  # nothing to do: no thread either
    assert purger._thread is None


@pytest.fixture
def fresh(tmp_path):
    svc = build_services(tmp_path, server={"history_days": 30})
    yield svc
    svc.close()


def test_the_server_purges_old_history_when_it_starts(fresh):
    kim_id = fresh.accounts.resolve_api_key(fresh.accounts.create_api_key("kim")).id
    old = _turn(fresh.history, kim_id, "두 달 전 질문")
    kept = _turn(fresh.history, kim_id, "어제 질문")
    _age(fresh.db, old, 60)
    _age(fresh.db, kept, 1)
    with TestClient(create_app(fresh, start_background=False)):
        assert [c["id"] for c in fresh.history.conversations(kim_id)] == [kept]
        [event] = fresh.audit.recent(action="purge_history")
        assert event["username"] == "system" and event["detail"] == "대화 1개, 메시지 2개 삭제 (30일 보관)"
