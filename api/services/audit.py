"""The audit log: who asked which assistant, which documents were shown, who uploaded or
deleted what. Personal data is masked before a row is written, so the log itself never
holds a 주민등록번호 or phone number. Who may read it: admins."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from api.db import AuditEvent, Database
from rag.answer.pii import mask_pii


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, username: str, action: str, detail: str = "", *, assistant: str = "",
               collection: str = "", documents: Iterable[str] = ()) -> None:
        with self.db.session() as s:
            s.add(AuditEvent(username=username, action=action, assistant=assistant, collection=collection,
                             detail=mask_pii(detail).text, documents=[mask_pii(d).text for d in documents]))

    def recent(self, limit: int = 200, username: str | None = None, action: str | None = None) -> list[dict]:
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(min(limit, 1000))
        if username:
            query = query.where(AuditEvent.username == username)
        if action:
            query = query.where(AuditEvent.action == action)
        with self.db.session() as s:
            return [{"at": e.at.isoformat(), "username": e.username, "action": e.action, "assistant": e.assistant,
                     "collection": e.collection, "detail": e.detail, "documents": e.documents}
                    for e in s.scalars(query)]
