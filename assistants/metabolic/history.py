"""Saved 검진 결과 분류, when `metabolic.store_history` is on: a counsellor may keep an
assessment (the record, its survey, the result and a label they type) to open again later.

Privacy: the record, survey, result and label are written only as Fernet ciphertext under
`metabolic.history_key`; the clear columns are the row's number, its counsellor's username
and the time. Who may use it: a saved assessment is listed, read and deleted by its
counsellor and by admins; anyone else is told it does not exist. The audit log records
only that assessment #n was saved, read or deleted, and by whom.

A wrong key (one other than the rows were written with) is a clear error naming the
setting; the rows stay as they are, readable again with the right key.

Retention: rows older than `metabolic.history_days` are destroyed (`purge`: at server start
and daily through web.py's worker, or at once from the CLI); deleting needs no key. Key
change: rows sealed with a key listed in `metabolic.history_previous_keys` are still read,
and `rotate_key` re-seals every row with `history_key` in one transaction, so the old key
can then be dropped."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import delete, select

from api.db import Database, MetabolicAssessment
from api.errors import InputError, NotFound, ServiceError
from api.services.accounts import Principal
from api.services.audit import AuditLog
from rag.config.settings import MetabolicSettings

from .service import survey_for

if TYPE_CHECKING:
    from api.services.container import Services

MAX_LABEL = 100
MAX_LISTED = 200
SAVED, READ, DELETED = "metabolic_history_save", "metabolic_history_read", "metabolic_history_delete"
PURGED, ROTATED = "metabolic_history_purge", "metabolic_history_rotate_key"


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
    def __init__(self, db: Database, settings: MetabolicSettings, audit: AuditLog,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.db = db
        self.enabled = settings.store_history
        self.retention_days = settings.history_days
        key = settings.history_key.get_secret_value().strip() if settings.history_key else ""
        previous = [k.get_secret_value().strip() for k in settings.history_previous_keys]
        # The keys' shape was checked when the settings were loaded. The first seals; all open.
        keys = [Fernet(k.encode("ascii")) for k in ([key] if key else []) + previous]
        self._fernet = MultiFernet(keys) if key else None
        self._opener = MultiFernet(keys) if keys else None
        self.audit = audit
        self.clock = clock

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
        opens = self._opener is not None
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

    def purge(self, days: int | None = None, actor: str = "system") -> int:
        """Destroys the rows older than `days` (default: the retention setting; 0 keeps all)
        and returns how many; audited when any were."""
        days = self.retention_days if days is None else days
        if days <= 0:
            return 0
        cutoff = self.clock() - timedelta(days=days)
        with self.db.session() as s:
            gone = s.execute(delete(MetabolicAssessment).where(MetabolicAssessment.created_at < cutoff),
                             execution_options={"synchronize_session": False}).rowcount
        if gone:
            self.audit.record(actor, PURGED, f"보존 기간({days}일)이 지난 검사 기록 {gone}건 파기",
                              assistant="metabolic")
        return gone

    def rotate_key(self, actor: str = "cli") -> int:
        """Re-seals every row with `history_key`; all or none: a row no configured key opens
        is named and nothing is changed."""
        if self._fernet is None:
            raise HistoryKeyError("metabolic.history_key가 없어 다시 암호화할 수 없습니다: 새 키를 history_key에, "
                                  "예전 키를 history_previous_keys에 두세요")
        with self.db.session() as s:
            rows = list(s.scalars(select(MetabolicAssessment).order_by(MetabolicAssessment.id)))
            for row in rows:
                try:
                    row.label_ciphertext = self._fernet.rotate(row.label_ciphertext.encode("ascii")).decode("ascii")
                    row.payload_ciphertext = self._fernet.rotate(row.payload_ciphertext.encode("ascii")).decode("ascii")
                except InvalidToken:  # the session rolls back every row already re-sealed
                    raise HistoryKeyError(f"저장된 검사 기록 #{row.id}을(를) 설정된 어느 키로도 열 수 없어 아무 기록도 "
                                          "다시 암호화하지 않았습니다: 그 기록을 쓴 키를 "
                                          "metabolic.history_previous_keys에 넣으세요") from None
        self.audit.record(actor, ROTATED, f"검사 기록 {len(rows)}건을 현재 키로 다시 암호화", assistant="metabolic")
        return len(rows)

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
        if self._opener is None:
            raise HistoryKeyError("저장된 검사 기록을 열 키가 없습니다: metabolic.history_key를 설정하세요 "
                                  "(기록은 그대로 있습니다)")
        try:
            return json.loads(self._opener.decrypt(ciphertext.encode("ascii")))
        except InvalidToken:
            raise HistoryKeyError(f"저장된 검사 기록 #{number}을(를) 열 수 없습니다: metabolic.history_key가 기록을 "
                                  "저장할 때의 키와 다릅니다. 원래 키로 되돌리면 다시 열립니다 (기록은 그대로 있습니다)") from None


def history_of(svc: "Services") -> AssessmentHistory:
    """The saved assessments over a server's services (its database, settings and audit log)."""
    return AssessmentHistory(svc.db, svc.settings.metabolic, svc.audit)


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
