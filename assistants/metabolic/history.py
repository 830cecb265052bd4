"""Saved 검진 결과 분류, when `metabolic.store_history` is on: a counsellor may keep an
assessment (the record, its survey, the result and a label they type) to open again later.

Privacy: the record, survey, result and label are written only as Fernet ciphertext under
`metabolic.history_key`; the clear columns are the row's number, its counsellor's username
and the time. Who may use it: a saved assessment is listed, read and deleted by its
counsellor and by admins; anyone else is told it does not exist. The audit log records
only that assessment #n was saved, read or deleted, and by whom.

A wrong key (one other than the rows were written with) is a clear error naming the
setting; the rows stay as they are, readable again with the right key."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from api.db import Database, MetabolicAssessment
from api.errors import InputError, NotFound, ServiceError
from api.services.accounts import Principal
from api.services.audit import AuditLog
from rag.config.settings import MetabolicSettings

from .service import survey_for

MAX_LABEL = 100
MAX_LISTED = 200
SAVED, READ, DELETED = "metabolic_history_save", "metabolic_history_read", "metabolic_history_delete"


class HistoryKeyError(ServiceError):
    """Saved assessments cannot be decrypted with the configured key."""

    status = 500
    code = "history_key"
    english = "Saved assessments cannot be decrypted with the configured key"


class HistoryOff(InputError):
    def __init__(self) -> None:
        super().__init__("save", "검사 기록 저장이 꺼져 있습니다 (metabolic.store_history) — 관리자에게 문의하거나 "
                                 "save 없이 보내 주세요")


class AssessmentHistory:
    def __init__(self, db: Database, settings: MetabolicSettings, audit: AuditLog) -> None:
        self.db = db
        self.enabled = settings.store_history
        key = settings.history_key.get_secret_value().strip() if settings.history_key else ""
        # The key's shape was checked when the settings were loaded.
        self._fernet = Fernet(key.encode("ascii")) if key else None
        self.audit = audit

    def save(self, user: Principal, records: Sequence[Any], surveys: Sequence[Mapping], results: Sequence[dict],
             label: str = "") -> list[int | None]:
        """One row per classified record (a record refused for bad values is not kept),
        in the order of `results`: its number, or None where nothing was kept."""
        if not self.enabled or self._fernet is None:
            raise HistoryOff()
        label = clean_label(label)
        single = len(records) == 1
        saved: list[int | None] = []
        with self.db.session() as s:
            for record, result in zip(records, results):
                if "errors" in result:
                    saved.append(None)
                    continue
                payload = {"record": record, "survey": survey_for(record, surveys, single), "result": result}
                row = MetabolicAssessment(owner=user.username, label_ciphertext=self._seal(label),
                                          payload_ciphertext=self._seal(payload))
                s.add(row)
                s.flush()
                saved.append(row.id)
        for number in saved:
            if number is not None:
                self.audit.record(user.username, SAVED, f"검사 기록 #{number} 저장", assistant="metabolic")
        return saved

    def list(self, user: Principal) -> list[dict]:
        """The user's saved assessments, newest first, each with its label; an admin also
        sees everyone else's, by counsellor and date (their labels are opened one by one,
        and audited, through `read`)."""
        query = select(MetabolicAssessment).order_by(MetabolicAssessment.id.desc()).limit(MAX_LISTED)
        if not user.is_admin:
            query = query.where(MetabolicAssessment.owner == user.username)
        with self.db.session() as s:
            rows = list(s.scalars(query))
        # With no key at all (saving turned off and the key removed) the list still serves
        # deletion, without labels.
        opens = self._fernet is not None
        return [{"id": row.id, "owner": row.owner, "created_at": row.created_at.isoformat(),
                 "label": self._open(row.label_ciphertext, row.id) if opens and row.owner == user.username else None}
                for row in rows]

    def read(self, user: Principal, number: int) -> dict:
        with self.db.session() as s:
            row = self._row(s, user, number)
            label, payload = self._open(row.label_ciphertext, number), self._open(row.payload_ciphertext, number)
            entry = {"id": row.id, "owner": row.owner, "created_at": row.created_at.isoformat(), "label": label,
                     **payload}
        self.audit.record(user.username, READ, f"검사 기록 #{number} 열람", assistant="metabolic")
        return entry

    def delete(self, user: Principal, number: int) -> None:
        """Deletes the row itself; it needs no key, so a lost key does not keep data."""
        with self.db.session() as s:
            s.delete(self._row(s, user, number))
        self.audit.record(user.username, DELETED, f"검사 기록 #{number} 삭제", assistant="metabolic")

    def _row(self, session, user: Principal, number: int) -> MetabolicAssessment:
        row = session.get(MetabolicAssessment, number)
        # Another counsellor's assessment is answered as missing: its existence is theirs too.
        if row is None or (row.owner != user.username and not user.is_admin):
            raise NotFound(f"저장된 검사 기록 #{number}")
        return row

    def _seal(self, value: Any) -> str:
        assert self._fernet is not None
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode("ascii")

    def _open(self, ciphertext: str, number: int) -> Any:
        if self._fernet is None:
            raise HistoryKeyError("저장된 검사 기록을 열 키가 없습니다: metabolic.history_key를 설정하세요 "
                                  "(기록은 그대로 있습니다)")
        try:
            return json.loads(self._fernet.decrypt(ciphertext.encode("ascii")))
        except InvalidToken:
            raise HistoryKeyError(f"저장된 검사 기록 #{number}을(를) 열 수 없습니다: metabolic.history_key가 기록을 "
                                  "저장할 때의 키와 다릅니다. 원래 키로 되돌리면 다시 열립니다 (기록은 그대로 있습니다)") from None


def clean_label(label: Any) -> str:
    """The label as stored: trimmed, at most MAX_LABEL characters; "" when none."""
    if label is None:
        return ""
    if not isinstance(label, str):
        raise InputError("label", "label은 문자열이어야 합니다")
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise InputError("label", f"label은 {MAX_LABEL}자 이내로 써 주세요")
    return label
