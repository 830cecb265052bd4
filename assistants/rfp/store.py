"""Saved RFP drafts: each officer's 제안요청서 초안 kept in the server's database (table
rfp_drafts, SQLite or PostgreSQL), listed, reopened, edited, regenerated one section at a
time, approved, exported and deleted.

Who may use it: a draft is read, changed and deleted by its owner and by admins; anyone
else is told it does not exist. Every change is made on the whole draft in one transaction
and checked before it is written (draft_edits.check_invariants): a refused change saves
nothing. Any change to an approved draft clears the approval, so the draft is again
"AI 생성 초안 · 검토 전" until an officer approves it again; the reply says so.

Regenerating a section makes a proposal (kept with the draft, shown as a diff against the
current text); only applying it changes the draft, discarding it leaves the draft as it was,
and any other change to the draft drops it.

The audit log records that draft #n was saved, approved (by whom), exported or deleted:
never its contents."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Database, SavedRfpDraft
from api.errors import InputError, NotFound, ServiceError
from api.services.accounts import Principal
from api.services.audit import AuditLog

from . import draft_edits as edits
from . import redraft
from .draft import AI_DRAFT_MARK, LawCitation, ReviewStatus, RfpDraft, Section
from .drafting import SectionWriter
from .export import ExportError, export_draft
from .statutes import ArticleSource

MAX_LISTED = 200
MAX_OFFICER = 64
EXPORT_FORMATS = ("docx", "hwpx", "json")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "hwpx": "application/hwp+zip",
    "json": "application/json",
}
SAVED, APPROVED, EXPORTED, DELETED = "rfp_draft_save", "rfp_draft_approve", "rfp_draft_export", "rfp_draft_delete"
APPROVAL_CLEARED = (f"승인된 초안을 수정했으므로 승인이 취소되었습니다: 다시 '{AI_DRAFT_MARK}' 상태입니다. "
                    "검토 후 다시 승인하세요.")
IMPORTED_APPROVAL_DROPPED = (f"파일에 있던 승인 기록은 가져오지 않았습니다: '{AI_DRAFT_MARK}' 상태로 저장했습니다. "
                             "검토 후 이 서버에서 승인하세요.")
STATUS_LABELS = {"draft": AI_DRAFT_MARK, "approved": "검토 승인"}


class ExportFailed(ServiceError):
    status = 500
    code = "export_failed"
    english = "The draft could not be exported"


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    filename: str  # Korean, for Content-Disposition's filename*
    ascii_filename: str
    media_type: str


class DraftStore:
    def __init__(self, db: Database, audit: AuditLog, articles: ArticleSource,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.audit = audit
        #: The indexed law every citation of a saved draft is checked against.
        self.articles = articles
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    # --- saving, listing, reopening, deleting ---------------------------------------------------

    def create(self, user: Principal, draft: RfpDraft, *, imported: bool = False) -> dict:
        """Saves a new draft (from the drafting pipeline, or read from JSON with
        `imported`): its IDs renumbered, findings recomputed and citations checked against
        the index first. It starts unreviewed whatever it carried."""
        notices = []
        if imported and draft.review.approved_by:
            notices.append(IMPORTED_APPROVAL_DROPPED)
        draft.review = ReviewStatus()
        dangling = edits.drop_dangling_related(draft)
        if dangling:
            notices.append(f"초안에 없는 관련 요구사항을 뺐습니다: {', '.join(dangling)}")
        edits.renumber(draft)
        redraft.refresh_findings(draft)
        removed = redraft.verify_citations(draft, self.articles)
        edits.check_invariants(draft)
        now = self.clock()
        with self.db.session() as s:
            row = SavedRfpDraft(owner=user.username, created_at=now, updated_at=now, proposal=None,
                                **_columns(draft))
            s.add(row)
            s.flush()
            reply = self._view(row, draft)
        self.audit.record(user.username, SAVED, f"제안요청서 초안 #{reply['id']} 저장", assistant="rfp")
        if removed:
            notices.append(f"색인에 없는 조문 인용을 삭제했습니다: {', '.join(removed)}")
        return {**reply, "notices": notices, "removed_citations_now": removed}

    def list(self, user: Principal) -> list[dict]:
        """The user's drafts, last changed first; an admin sees everyone's, with the owner."""
        query = select(SavedRfpDraft).order_by(SavedRfpDraft.updated_at.desc(), SavedRfpDraft.id.desc())
        if not user.is_admin:
            query = query.where(SavedRfpDraft.owner == user.username)
        with self.db.session() as s:
            return [_summary(row) for row in s.scalars(query.limit(MAX_LISTED))]

    def get(self, user: Principal, number: int) -> dict:
        with self.db.session() as s:
            row = self._row(s, user, number)
            return self._view(row, RfpDraft.from_dict(row.draft))

    def draft(self, user: Principal, number: int) -> RfpDraft:
        with self.db.session() as s:
            return RfpDraft.from_dict(self._row(s, user, number).draft)

    def delete(self, user: Principal, number: int) -> None:
        with self.db.session() as s:
            s.delete(self._row(s, user, number))
        self.audit.record(user.username, DELETED, f"제안요청서 초안 #{number} 삭제", assistant="rfp")

    # --- editing ---------------------------------------------------------------------------------

    def edit_section(self, user: Principal, number: int, section: str, paragraphs: Any) -> dict:
        def change(draft: RfpDraft) -> dict:
            return {"section": asdict(edits.set_paragraphs(draft, section, paragraphs))}

        return self._change(user, number, change)

    def add_requirement(self, user: Principal, number: int, fields: Any) -> dict:
        def change(draft: RfpDraft) -> dict:
            requirement, renamed = edits.add_requirement(draft, fields)
            return self._requirements_changed(draft, requirement.id, renamed)

        return self._change(user, number, change)

    def edit_requirement(self, user: Principal, number: int, requirement_id: str, fields: Any) -> dict:
        def change(draft: RfpDraft) -> dict:
            requirement, renamed = edits.update_requirement(draft, requirement_id, fields)
            return self._requirements_changed(draft, requirement.id, renamed)

        return self._change(user, number, change)

    def delete_requirement(self, user: Principal, number: int, requirement_id: str) -> dict:
        def change(draft: RfpDraft) -> dict:
            return self._requirements_changed(draft, None, edits.delete_requirement(draft, requirement_id))

        return self._change(user, number, change)

    def _requirements_changed(self, draft: RfpDraft, requirement_id: str | None,
                              renamed: dict[str, str | None]) -> dict:
        redraft.refresh_findings(draft)
        rebuilt = redraft.rebuild_requirement_sections(draft, self.articles)
        return {"requirement_id": requirement_id, "renamed_ids": renamed, "rebuilt_sections": rebuilt}

    # --- regenerating one section ------------------------------------------------------------

    def propose_section(self, user: Principal, number: int, section: str,
                        writer: SectionWriter | None = None) -> dict:
        """Writes `section` again and keeps it as the draft's proposal (replacing an earlier
        one); the draft's text is not changed. Returns the proposal with its diff."""
        draft = self.draft(user, number)
        fresh, removed = redraft.rebuild_section(draft, section, self.articles, writer)
        proposal = {"section": fresh.number, "title": fresh.title, "level": fresh.level,
                    "paragraphs": fresh.paragraphs, "citations": [asdict(c) for c in fresh.citations],
                    "truncated": fresh.truncated, "removed_citations": removed,
                    "generator": writer.name if writer is not None else "extractive",
                    "created_at": self.clock().isoformat()}
        with self.db.session() as s:
            row = self._row(s, user, number, lock=True)
            current = RfpDraft.from_dict(row.draft)
            edits.find_section(current, section)  # still there
            row.proposal = proposal
            return self._proposal_view(current, proposal)

    def proposal(self, user: Principal, number: int) -> dict:
        with self.db.session() as s:
            row = self._row(s, user, number)
            if row.proposal is None:
                raise NotFound(f"초안 #{number}의 재생성 제안")
            return self._proposal_view(RfpDraft.from_dict(row.draft), row.proposal)

    def apply_proposal(self, user: Principal, number: int) -> dict:
        def change(draft: RfpDraft, proposal: dict | None) -> dict:
            if proposal is None:
                raise InputError("proposal", f"초안 #{number}에 적용할 재생성 제안이 없습니다: 먼저 절을 다시 생성하세요")
            fresh = Section(proposal["section"], proposal["title"], proposal["level"], list(proposal["paragraphs"]),
                            [LawCitation(**c) for c in proposal["citations"]], proposal["truncated"])
            section = redraft.apply_section(draft, fresh, proposal["removed_citations"])
            return {"section": asdict(section), "applied": True}

        return self._change(user, number, change, with_proposal=True)

    def discard_proposal(self, user: Principal, number: int) -> dict:
        with self.db.session() as s:
            row = self._row(s, user, number, lock=True)
            if row.proposal is None:
                raise NotFound(f"초안 #{number}의 재생성 제안")
            section = row.proposal["section"]
            row.proposal = None
        return {"id": number, "discarded": section}

    # --- approval and export ---------------------------------------------------------------------

    def approve(self, user: Principal, number: int, officer: Any) -> dict:
        """Records who approved the draft and when; its exports then carry the approval
        instead of the AI-draft mark."""
        if not isinstance(officer, str) or not officer.strip():
            raise InputError("officer", "승인하는 담당자의 이름(officer)을 적어 주세요")
        officer = " ".join(officer.split())
        if len(officer) > MAX_OFFICER:
            raise InputError("officer", f"담당자 이름은 {MAX_OFFICER}자 이내로 적어 주세요")
        at = self.clock().astimezone().isoformat(timespec="seconds")
        with self.db.session() as s:
            row = self._row(s, user, number, lock=True)
            draft = RfpDraft.from_dict(row.draft)
            draft.review = ReviewStatus(ai_generated=True, approved_by=officer, approved_at=at)
            self._write(row, draft)
            reply = self._view(row, draft)
        self.audit.record(user.username, APPROVED, f"제안요청서 초안 #{number} 승인 (승인자: {officer})",
                          assistant="rfp")
        return reply

    def export(self, user: Principal, number: int, fmt: Any) -> ExportedFile:
        if fmt not in EXPORT_FORMATS:
            raise InputError("format", f"지원하지 않는 내보내기 형식입니다: {fmt!r} ({', '.join(EXPORT_FORMATS)} 중 하나)")
        draft = self.draft(user, number)
        with tempfile.TemporaryDirectory(prefix="rfp-export-") as folder:
            try:
                path = export_draft(draft, Path(folder) / f"draft.{fmt}")
            except ExportError as exc:
                raise ExportFailed(f"초안 #{number}을(를) {fmt}로 내보내지 못했습니다: {exc.reason}") from None
            content = path.read_bytes()
        self.audit.record(user.username, EXPORTED, f"제안요청서 초안 #{number} 내보내기 ({fmt})", assistant="rfp")
        suffix = "" if draft.review.approved_by else "_AI초안"
        return ExportedFile(content, f"{_file_stem(draft.input.project_name)}_제안요청서{suffix}.{fmt}",
                            f"rfp-draft-{number}.{fmt}", MEDIA_TYPES[fmt])

    # --- the one way a draft changes -------------------------------------------------------------

    def _change(self, user: Principal, number: int, change: Callable[..., dict], *,
                with_proposal: bool = False) -> dict:
        """Reads the draft, applies `change`, checks it and writes it, all in one
        transaction; clears the approval and drops a pending proposal."""
        with self.db.session() as s:
            row = self._row(s, user, number, lock=True)
            draft = RfpDraft.from_dict(row.draft)
            was_approved = bool(draft.review.approved_by)
            result = change(draft, row.proposal) if with_proposal else change(draft)
            edits.check_invariants(draft)
            draft.review = ReviewStatus()
            row.proposal = None
            self._write(row, draft)
            view = self._view(row, draft)
        notices = [APPROVAL_CLEARED] if was_approved else []
        return {**view, **result, "approval_cleared": was_approved, "notices": notices}

    def _write(self, row: SavedRfpDraft, draft: RfpDraft) -> None:
        for name, value in _columns(draft).items():
            setattr(row, name, value)
        row.updated_at = self.clock()

    def _row(self, session: Session, user: Principal, number: int, *, lock: bool = False) -> SavedRfpDraft:
        # with_for_update: two officers' edits on PostgreSQL queue rather than overwrite.
        row = session.get(SavedRfpDraft, number, with_for_update=lock)
        # Another officer's draft is answered as missing: its existence is theirs too.
        if row is None or (row.owner != user.username and not user.is_admin):
            raise NotFound(f"제안요청서 초안 #{number}")
        return row

    def _view(self, row: SavedRfpDraft, draft: RfpDraft) -> dict:
        return {**_summary(row), "draft": draft.to_dict(), "has_proposal": row.proposal is not None}

    def _proposal_view(self, draft: RfpDraft, proposal: dict) -> dict:
        current = edits.find_section(draft, proposal["section"])
        label = f"{current.number} {current.title}"
        return {"proposal": proposal, "current": current.paragraphs,
                "diff": edits.paragraph_diff(current.paragraphs, proposal["paragraphs"], label)}


def _columns(draft: RfpDraft) -> dict[str, Any]:
    return {"title": draft.input.project_name[:300], "agency": draft.input.agency[:200],
            "budget_krw": draft.input.budget_krw, "status": "approved" if draft.review.approved_by else "draft",
            "draft": draft.to_dict()}


def _summary(row: SavedRfpDraft) -> dict:
    review = row.draft.get("review") or {}
    return {"id": row.id, "owner": row.owner, "title": row.title, "agency": row.agency,
            "budget_krw": row.budget_krw, "status": row.status, "status_label": review.get("label", AI_DRAFT_MARK),
            "approved_by": review.get("approved_by"), "approved_at": review.get("approved_at"),
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat()}


def _file_stem(name: str) -> str:
    """The project name as a file name: no path or reserved characters, at most 80."""
    stem = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in name).strip(" ._")
    return " ".join(stem.split())[:80] or "제안요청서"
