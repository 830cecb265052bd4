"""Conversations, the answers given with their sources, and feedback on them.
Who may use it: each user sees and rates only their own conversations."""

from __future__ import annotations

from sqlalchemy import select

from api.db import Conversation, Database, Feedback, Message
from api.errors import InputError, NotFound
from rag.answer.types import Answer

MAX_TITLE = 60


def answer_sources(answer: Answer, collection: str) -> list[dict]:
    """What the reader was shown as sources, each marked whether the answer cites it."""
    cited = {c.n for c in answer.citations}
    return [{"n": p.n, "chunk_id": p.chunk.id, "collection": collection, "source": p.chunk.source,
             "locator": p.chunk.locator, "label": p.label, "page": p.chunk.page, "cited": p.n in cited}
            for p in answer.passages]


class HistoryService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def start_or_continue(self, user_id: int, assistant: str, question: str,
                          conversation_id: int | None) -> int:
        with self.db.session() as s:
            if conversation_id is not None:
                conv = s.get(Conversation, conversation_id)
                if conv is None or conv.user_id != user_id:
                    raise NotFound(f"대화 {conversation_id}")
                if conv.assistant != assistant:
                    raise InputError("conversation_id", "다른 도우미의 대화입니다")
                return conv.id
            conv = Conversation(user_id=user_id, assistant=assistant, title=question.strip()[:MAX_TITLE])
            s.add(conv)
            s.flush()
            return conv.id

    def last_question(self, user_id: int, conversation_id: int) -> str | None:
        """The user's previous question in this conversation (None in a new one)."""
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None or conv.user_id != user_id:
                return None
            asked = [m.text for m in conv.messages if m.role == "user"]
            return asked[-1] if asked else None

    def add_turn(self, conversation_id: int, question: str, answer: Answer, sources: list[dict]) -> int:
        with self.db.session() as s:
            s.add(Message(conversation_id=conversation_id, role="user", text=question))
            reply = Message(conversation_id=conversation_id, role="assistant", text=answer.text, mode=answer.mode,
                            sources=sources, notice=answer.notice)
            s.add(reply)
            s.flush()
            return reply.id

    def conversations(self, user_id: int, assistant: str | None = None, limit: int = 50) -> list[dict]:
        query = select(Conversation).where(Conversation.user_id == user_id).order_by(Conversation.id.desc())
        if assistant:
            query = query.where(Conversation.assistant == assistant)
        with self.db.session() as s:
            return [{"id": c.id, "assistant": c.assistant, "title": c.title, "created_at": c.created_at.isoformat()}
                    for c in s.scalars(query.limit(limit))]

    def conversation(self, user_id: int, conversation_id: int) -> dict:
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None or conv.user_id != user_id:
                raise NotFound(f"대화 {conversation_id}")
            ratings = {f.message_id: f for f in s.scalars(
                select(Feedback).where(Feedback.user_id == user_id,
                                       Feedback.message_id.in_([m.id for m in conv.messages])))}
            return {"id": conv.id, "assistant": conv.assistant, "title": conv.title,
                    "messages": [{"id": m.id, "role": m.role, "text": m.text, "mode": m.mode, "sources": m.sources,
                                  "notice": m.notice, "created_at": m.created_at.isoformat(),
                                  "feedback": ({"rating": ratings[m.id].rating, "comment": ratings[m.id].comment}
                                               if m.id in ratings else None)}
                                 for m in conv.messages]}

    def feedback(self, user_id: int, message_id: int, rating: int, comment: str = "") -> dict:
        if rating not in (1, -1):
            raise InputError("rating", "평가는 1(👍) 또는 -1(👎)이어야 합니다")
        if len(comment) > 2000:
            raise InputError("comment", "의견은 2,000자 이내여야 합니다")
        with self.db.session() as s:
            message = s.get(Message, message_id)
            if message is None or message.role != "assistant" or message.conversation.user_id != user_id:
                raise NotFound(f"답변 {message_id}")
            row = s.scalar(select(Feedback).where(Feedback.message_id == message_id, Feedback.user_id == user_id))
            if row is None:
                row = Feedback(message_id=message_id, user_id=user_id, rating=rating, comment=comment)
                s.add(row)
            else:
                row.rating, row.comment = rating, comment
            # Stored with the answer and the sources it was given with.
            return {"message_id": message_id, "rating": rating, "comment": comment, "answer": message.text,
                    "sources": message.sources}

    def all_feedback(self, limit: int = 500) -> list[dict]:
        with self.db.session() as s:
            rows = s.execute(select(Feedback, Message).join(Message, Feedback.message_id == Message.id)
                             .order_by(Feedback.id.desc()).limit(limit)).all()
            return [{"message_id": m.id, "rating": f.rating, "comment": f.comment, "answer": m.text,
                     "sources": m.sources, "at": f.created_at.isoformat()} for f, m in rows]
