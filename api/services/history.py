"""Conversations, the answers given with their sources, and feedback on them.
Who may use it: each user sees and rates only their own conversations.

Personal data: questions and titles are stored with the audit log's masking
(주민등록번호, phone numbers, e-mail, health values → [주민등록번호] …); the unmasked
question lives only in memory, for the answer being made. An answer is stored with the
question's 주민등록번호, phone numbers and e-mail addresses masked where it repeats them.
Conversations older than the retention (server.history_days) are purged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from difflib import SequenceMatcher
from typing import Any, Protocol

from sqlalchemy import delete, exists, select

from api.db import Conversation, Database, Feedback, Message
from api.errors import InputError, NotFound
from rag.answer.pii import EMAIL, PHONE, RRN, mask_pii
from rag.answer.types import Answer

log = logging.getLogger(__name__)

MAX_TITLE = 60
#: How often a running server purges history past its retention.
PURGE_EVERY = timedelta(days=1)
_IDENTIFIERS = (RRN, PHONE, EMAIL)


def answer_sources(answer: Answer, collection: str) -> list[dict]:
    """What the reader was shown as sources, each marked whether the answer cites it; a
    cited one of a work manual's answer keeps its 근거 line (with its 시행일자 or page), so
    a reopened conversation shows the same 근거 list."""
    cited = {c.n for c in answer.citations}
    basis = {b["n"]: b["line"] for b in answer.basis if b.get("line")}
    sources = []
    for p in answer.passages:
        item = {"n": p.n, "chunk_id": p.chunk.id, "collection": collection, "source": p.chunk.source,
                "locator": p.chunk.locator, "label": p.label, "page": p.chunk.page, "cited": p.n in cited}
        if p.n in basis:
            item["basis"] = basis[p.n]
        sources.append(item)
    return sources


def mask_echoes(question: str, text: str) -> str:
    """`text` with the 주민등록번호, phone numbers and e-mail addresses of `question` masked
    where it repeats them. Other numbers in an answer, such as a department's phone number
    quoted from a manual, are the documents' and stay."""
    masked = mask_pii(question).text
    for op, i1, i2, j1, j2 in SequenceMatcher(None, question, masked, autojunk=False).get_opcodes():
        placeholder, value = masked[j1:j2], question[i1:i2]
        # Checked again on its own, so a misaligned piece can never blank out ordinary text.
        if op == "replace" and placeholder in _IDENTIFIERS and mask_pii(value).text == placeholder:
            text = text.replace(value, placeholder)
    return text


@dataclass(frozen=True)
class Purged:
    conversations: int
    messages: int

    def __bool__(self) -> bool:
        return bool(self.conversations or self.messages)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class HistoryService:
    def __init__(self, db: Database, retention_days: int = 0,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = db
        #: 0: kept for ever.
        self.retention_days = retention_days
        self.clock = clock

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
            title = mask_pii(question).text.strip()[:MAX_TITLE]
            conv = Conversation(user_id=user_id, assistant=assistant, title=title)
            s.add(conv)
            s.flush()
            return conv.id

    def last_question(self, user_id: int, conversation_id: int) -> str | None:
        """The user's previous question in this conversation (None in a new one), masked
        as stored."""
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None or conv.user_id != user_id:
                return None
            asked = [m.text for m in conv.messages if m.role == "user"]
            return asked[-1] if asked else None

    def add_turn(self, conversation_id: int, question: str, answer: Answer, sources: list[dict]) -> int:
        with self.db.session() as s:
            s.add(Message(conversation_id=conversation_id, role="user", text=mask_pii(question).text))
            reply = Message(conversation_id=conversation_id, role="assistant", text=mask_echoes(question, answer.text),
                            mode=answer.mode, sources=sources, notice=answer.notice)
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

    def purge(self, days: int | None = None) -> Purged:
        """Deletes what is older than the retention: messages (and the feedback on them),
        then conversations left with no messages. A conversation still in use keeps its
        recent turns. `days` overrides the setting; 0 keeps everything."""
        days = self.retention_days if days is None else days
        if days <= 0:
            return Purged(0, 0)
        cutoff = self.clock() - timedelta(days=days)
        old_messages = select(Message.id).where(Message.created_at < cutoff)
        with self.db.session() as s:
            bulk = {"synchronize_session": False}
            s.execute(delete(Feedback).where(Feedback.message_id.in_(old_messages)), execution_options=bulk)
            messages = s.execute(delete(Message).where(Message.created_at < cutoff), execution_options=bulk).rowcount
            emptied = delete(Conversation).where(Conversation.created_at < cutoff,
                                                 ~exists().where(Message.conversation_id == Conversation.id))
            conversations = s.execute(emptied, execution_options=bulk).rowcount
        return Purged(conversations, messages)


class Purgeable(Protocol):
    """A store of personal data with a retention: chat history, saved assessments."""

    retention_days: int

    def purge(self) -> Any:
        """Deletes what is past the retention; the result is truthy when anything was."""
        ...


class HistoryPurger:
    """Purges history when the server starts, then every PURGE_EVERY on a daemon thread.
    Several server processes may each run one: deleting what is gone changes nothing."""

    def __init__(self, history: Purgeable, on_purge: Callable[[Any], None] = lambda purged: None,
                 every: timedelta = PURGE_EVERY, name: str = "history-purge") -> None:
        self.history = history
        self.on_purge = on_purge
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.name = name

    def start(self) -> None:
        if self.history.retention_days <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._purge()  # at start, before the first request
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def run_once(self) -> Any:
        purged = self.history.purge()
        if purged:
            self.on_purge(purged)
        return purged

    def _purge(self) -> None:
        try:
            self.run_once()
        except Exception:  # a locked or unreachable database: the server runs on, tries again later
            log.exception("보존 기간이 지난 기록 정리 실패 (%s)", self.name)

    def _run(self) -> None:
        while not self._stop.wait(self.every.total_seconds()):
            self._purge()
