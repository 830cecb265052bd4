"""The documents of each collection: what is indexed and how far, uploads (stored under
`uploads_dir/<assistant>/`, the folder ingest.corpus reads for assistants that accept
uploads), deletion, re-indexing, the original files and the passages behind citations.

Who may use it: admins upload, delete and re-index; anyone who may read a collection
lists its documents, opens its files and reads its passages, but only those of the
access groups they belong to (the retriever enforces that for passages). Corpus files
are read-only here: only uploaded documents can be deleted."""

from __future__ import annotations

import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from sqlalchemy import select, update

from api.db import Database, UploadJob
from api.errors import Forbidden, InputError, NotFound
from api.services.accounts import ROLES, AccountService, Principal
from api.services.audit import AuditLog
from api.services.deletions import DocumentDeletions, inside
from api.services.ingest_worker import IngestWorker, upload_root
from ingest.readers import SUPPORTED_EXTENSIONS
from ingest.readers.safety import check_file, safe_source_name
from rag.assistants import Assistants
from rag.config import Settings
from appcontext import AppContext
from rag.errors import DocumentError, UnsafeDocument, UnsupportedFormat
from rag.retrieval.results import RetrievedChunk
from rag.store.base import PointFilter

MIB = 1024 * 1024
_COPY_BYTES = MIB
_MAX_NAME_BYTES = 240  # ext4 allows 255 per name; leave room for editors' temp suffixes
# Refused although Linux allows them: the same folder is often shared with Windows PCs.
_WINDOWS_RESERVED = set('<>:"|?*')
_ACCESS = re.compile(r"^[\w.@:-]{1,64}$")
_FORMATS = "PDF, HWP, HWPX, DOCX, MD, TXT"
_MEDIA_TYPES = {".pdf": "application/pdf", ".md": "text/plain; charset=utf-8",
                ".markdown": "text/plain; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".hwpx": "application/hwp+zip", ".hwp": "application/x-hwp"}
_RECENT_JOBS = 200
PUBLIC = "public"
_ROLE_LABELS = {"admin": "관리자", "staff": "직원", "evaluator": "평가자"}


def safe_upload_name(name: str) -> str:
    """The relative name an uploaded file is stored and cited under. Raises a
    DocumentError naming the file for traversal, absolute paths, control characters,
    names of only dots, hidden names and unsupported extensions; Korean names are kept."""
    source = safe_source_name(name)
    for part in source.split("/"):
        if set(part.strip()) <= {"."}:
            raise UnsafeDocument(name, "점(.)으로만 된 이름은 쓸 수 없습니다")
        if part.startswith("."):
            # The corpus walk skips hidden names, so such a file would vanish on restart.
            raise UnsafeDocument(name, "점(.)으로 시작하는 이름은 쓸 수 없습니다")
        if _WINDOWS_RESERVED & set(part):
            raise UnsafeDocument(name, "파일 이름에 < > : \" | ? * 문자를 쓸 수 없습니다")
        if len(part.encode("utf-8")) > _MAX_NAME_BYTES:
            raise UnsafeDocument(name, f"파일 이름이 너무 깁니다 ({_MAX_NAME_BYTES}바이트 이내)")
    suffix = Path(source).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFormat(name, f"지원하지 않는 파일 형식입니다 ({suffix or '확장자 없음'}). 지원 형식: {_FORMATS}")
    return source


class DocumentService:
    def __init__(self, settings: Settings, assistants: Assistants, collections: Iterable[str],
                 context: AppContext, db: Database, audit: AuditLog, accounts: AccountService,
                 worker: IngestWorker, deletions: DocumentDeletions) -> None:
        self.settings = settings
        self.assistants = assistants
        self.collection_names = tuple(collections)
        self.context = context
        self.db = db
        self.audit = audit
        self.accounts = accounts
        self.worker = worker
        self.deletions = deletions
        self.staging = worker.staging

    # -- collections -----------------------------------------------------------------------

    def collections(self, user: Principal) -> list[dict]:
        readers = self.accounts.readers() if user.is_admin else {}
        out = []
        for name in self.collection_names:
            if not user.scope.can_read(name):
                continue
            # Only what this user may read is counted: the size of a group's documents is
            # itself something a user outside the group should not learn.
            visible = [v for v in self.context.state.document_status(name).values() if user.scope.sees(v[0])]
            done, total = sum(v[1] for v in visible), sum(v[2] for v in visible)
            item = {"name": name, "title": self._title(name), "documents": len(visible), "chunks": total,
                    "embedded": _share(done, total), "accepts_uploads": self._upload_root(name) is not None}
            if user.is_admin:
                item["readers"] = readers.get(name, [])
                item["reindex"] = self.worker.reindex_status.get(name)
            out.append(item)
        return out

    def list_documents(self, user: Principal, collection: str) -> dict:
        collection = self._readable(user, collection)
        records = self.context.state.documents(collection)
        status = self.context.state.document_status(collection)
        root = self._upload_root(collection)
        root_key = str(root.resolve()) if root else None
        latest = self._latest_jobs(collection)
        rows = []
        for source, record in sorted(records.items()):
            access, embedded, chunks = status.get(source, ("public", 0, record.n_chunks or 0))
            if not self._may_see(user, access):
                continue
            origin = "upload" if record.root == root_key else "corpus"
            job = latest.pop(source, None) if origin == "upload" else None
            row = {"source": source, "title": record.title or Path(source).stem, "format": record.format,
                   "chunks": chunks, "embedded": _share(embedded, chunks), "access": access, "origin": origin,
                   "deletable": origin == "upload" and user.is_admin,
                   "access_editable": origin == "upload" and user.is_admin,
                   "status": "indexed" if record.content_hash else "indexing", "error": None,
                   "job_id": job.id if job else None, "warnings": record.warnings,
                   "file_url": self._file_url(collection, source)}
            if job is not None and job.status in ("queued", "running"):
                row["status"] = job.status
            elif job is not None and job.status == "failed" and user.is_admin:
                # The new version failed; the one indexed before stays searchable.
                row["error"] = job.message
            rows.append(row)
        # Uploads not indexed (yet): the administrators' to-do list, not the readers'.
        for filename, job in sorted(latest.items()) if user.is_admin else ():
            if job.status in ("done", "deleted"):
                continue
            # Deletable in every state: a failed upload is removed from this list, a
            # waiting or running one is cancelled.
            rows.append({"source": filename, "title": Path(filename).stem, "format": Path(filename).suffix[1:].lower(),
                         "chunks": 0, "embedded": 0.0, "access": job.access, "origin": "upload", "deletable": True,
                         "access_editable": False,
                         "status": job.status, "error": job.message if job.status == "failed" else None,
                         "job_id": job.id, "warnings": [], "file_url": None})
        done, total = self.context.state.progress(collection)
        return {"collection": collection, "title": self._title(collection), "accepts_uploads": root is not None,
                "chunks": total, "embedded": _share(done, total), "documents": rows}

    # -- uploads -----------------------------------------------------------------------------

    def check_upload(self, user: Principal, collection: str) -> str:
        """Whether `user` may upload to `collection` at all: checked before the body is read."""
        collection = self._known(collection)
        self._require_admin(user, "문서 업로드")
        if self._upload_root(collection) is None:
            raise InputError("collection", f"'{collection}' 컬렉션은 문서 업로드를 받지 않습니다 (코퍼스 문서만 색인)")
        return collection

    def upload_many(self, user: Principal, collection: str, files: list[tuple[str, BinaryIO | bytes | None]],
                    access: str = "public") -> list[dict]:
        """One job per file; a bad file gets a failed job naming it and the rest go on
        (data None: the file passed the size limit while it streamed in)."""
        if not files:
            raise InputError("files", "올릴 파일을 하나 이상 고르세요")
        collection = self.check_upload(user, collection)
        access = _check_access(access)
        return [self._upload_one(user, collection, name, data, access) for name, data in files]

    def upload(self, user: Principal, collection: str, filename: str, data: BinaryIO | bytes | None,
               access: str = "public") -> dict:
        """Store one file in staging, check it and queue its ingestion. Returns the job as
        {"id", "filename", "status", "message"}; a file that cannot be taken (too large,
        unsafe name, bad content) gets a failed job naming it. `data` None: the file
        passed the size limit while it streamed in and nothing of it was kept."""
        return self._upload_one(user, self.check_upload(user, collection), filename, data, _check_access(access))

    def _upload_one(self, user: Principal, collection: str, filename: str, data: BinaryIO | bytes | None,
                    access: str) -> dict:
        """`upload` for a caller that has checked the collection, the role and `access`."""
        root = self._upload_root(collection)
        assert root is not None  # check_upload refused collections without uploads
        shown = _printable(filename)[:255]
        staged: Path | None = None
        try:
            source = safe_upload_name(filename)
            if data is None:
                raise DocumentError(source, self._too_large_reason())
            staged = self._stage(data, source)
            check_file(staged, source, staged.suffix.lower(), self.context.ingest.limits)
            record = self.context.state.documents(collection).get(source)
            if record is not None and record.root != str(root.resolve()):
                raise DocumentError(source, "같은 이름의 코퍼스 문서가 이미 있습니다 — 파일 이름을 바꿔 올려 주세요")
        except DocumentError as exc:
            if staged is not None:
                shutil.rmtree(staged.parent, ignore_errors=True)
            message = f"{shown}: {exc.reason}"
            job = self._new_job(collection, shown, "", access, user.username, "failed", message)
            self.audit.record(user.username, "upload_failed", message, collection=collection, documents=[shown])
            return job
        except BaseException:
            if staged is not None:
                shutil.rmtree(staged.parent, ignore_errors=True)
            raise
        job = self._new_job(collection, source, str(staged), access, user.username, "queued", "색인 대기 중")
        self.audit.record(user.username, "upload", f"{source} → {collection} (접근 그룹 {access})",
                          collection=collection, documents=[source])
        self.worker.submit_upload(job["id"])
        return job

    def _too_large_reason(self) -> str:
        return f"파일이 너무 큽니다 (한도 {self.settings.server.max_upload_mb} MB)"

    def _stage(self, data: BinaryIO | bytes, source: str) -> Path:
        limit = self.settings.server.max_upload_mb * MIB
        too_large = DocumentError(source, self._too_large_reason())
        if isinstance(data, (bytes, bytearray)) and len(data) > limit:
            raise too_large
        # Kept under its own base name: readers fall back to the file name for a title.
        folder = self.staging / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(source).name
        written = 0
        try:
            with path.open("wb") as out:
                if isinstance(data, (bytes, bytearray)):
                    out.write(data)
                else:
                    while block := data.read(_COPY_BYTES):
                        written += len(block)
                        if written > limit:  # counted while copying, never after the whole file
                            raise too_large
                        out.write(block)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return path

    def _new_job(self, collection: str, filename: str, stored: str, access: str, username: str, status: str,
                 message: str) -> dict:
        with self.db.session() as s:
            job = UploadJob(collection=collection, filename=filename, stored_path=stored, access=access,
                            status=status, message=message, uploaded_by=username,
                            progress=1.0 if status == "failed" else 0.0,
                            finished_at=datetime.now().astimezone() if status == "failed" else None)
            s.add(job)
            s.flush()
            return {"id": job.id, "filename": filename, "status": status, "message": message}

    # -- jobs --------------------------------------------------------------------------------

    def jobs(self, user: Principal, collection: str | None = None, limit: int = 100) -> list[dict]:
        query = select(UploadJob).order_by(UploadJob.id.desc()).limit(max(1, min(limit, 500)))
        if collection:
            query = query.where(UploadJob.collection == self._known(collection))
        if not user.is_admin:
            query = query.where(UploadJob.uploaded_by == user.username)
        with self.db.session() as s:
            return [self._with_embedding(_job_view(j)) for j in s.scalars(query)]

    def job(self, user: Principal, job_id: int) -> dict:
        with self.db.session() as s:
            job = s.get(UploadJob, job_id)
            if job is None or not (user.is_admin or job.uploaded_by == user.username):
                raise NotFound(f"작업 {job_id}")
            return self._with_embedding(_job_view(job))

    def _with_embedding(self, view: dict) -> dict:
        """A finished upload's document is searchable; its dense vectors fill in behind,
        and `embedded` (0..1) tells how far."""
        if view["status"] == "done":
            status = self.context.state.document_status(view["collection"]).get(view["filename"])
            view["embedded"] = _share(status[1], status[2]) if status else None
        return view

    def _latest_jobs(self, collection: str) -> dict[str, UploadJob]:
        query = (select(UploadJob).where(UploadJob.collection == collection)
                 .order_by(UploadJob.id.desc()).limit(_RECENT_JOBS))
        latest: dict[str, UploadJob] = {}
        with self.db.session() as s:
            for job in s.scalars(query):
                latest.setdefault(job.filename, job)
        return latest

    # -- delete and re-index -------------------------------------------------------------------

    def delete(self, user: Principal, collection: str, source: str) -> dict:
        """Delete an uploaded document, or a failed or waiting upload of one: from the
        index, the upload folder and the job list, winning over a run indexing it now."""
        collection = self._known(collection)
        self._require_admin(user, "문서 삭제")
        record = self.context.state.documents(collection).get(source)
        root = self._upload_root(collection)
        if record is not None and (root is None or record.root != str(root.resolve())):
            raise Forbidden(f"'{source}'은(는) 코퍼스 문서라 삭제할 수 없습니다 — 업로드한 문서만 삭제할 수 있습니다")
        if record is None and not self.deletions.jobs_to_end(collection, source):
            raise NotFound(f"문서 '{source}'")
        self.deletions.delete(collection, source, user.username)
        self.audit.record(user.username, "delete", f"{source} ← {collection}", collection=collection,
                          documents=[source])
        return {"collection": collection, "source": source, "deleted": True}

    def set_access(self, user: Principal, collection: str, source: str, access: str) -> dict:
        """Change who may read an uploaded document: its points, its row and any upload
        of it still waiting get the new group at once."""
        collection = self._known(collection)
        self._require_admin(user, "접근 그룹 변경")
        access = _check_access(access)
        record = self.context.state.documents(collection).get(source)
        root = self._upload_root(collection)
        if record is None:
            raise NotFound(f"문서 '{source}'")
        if root is None or record.root != str(root.resolve()):
            raise Forbidden(f"'{source}'은(는) 코퍼스 문서라 접근 그룹을 바꿀 수 없습니다 — 매니페스트에서 정합니다")
        with self.worker.document_lock:
            with self.db.session() as s:  # a new version waiting in line gets the same group
                s.execute(update(UploadJob)
                          .where(UploadJob.collection == collection, UploadJob.filename == source,
                                 UploadJob.status.in_(("queued", "running")))
                          .values(access=access))
            if not self.context.ingest.set_access(collection, source, access):
                raise NotFound(f"문서 '{source}'")
        self.audit.record(user.username, "set_access", f"{source} → {access}", collection=collection,
                          documents=[source])
        return {"collection": collection, "source": source, "access": access}

    def access_groups(self, user: Principal) -> dict:
        """The access groups an upload can be given: everyone, each role, and every group
        that a user belongs to or a document already has."""
        self._require_admin(user, "접근 그룹 목록")
        used: set[str] = set(self.accounts.groups())
        for name in self.collection_names:
            used.update(access for access, _, _ in self.context.state.document_status(name).values())
        used -= {PUBLIC, *(f"role:{r}" for r in ROLES)}
        options = [{"value": PUBLIC, "label": "모든 사용자 (public)"}]
        options += [{"value": f"role:{r}", "label": f"역할: {_ROLE_LABELS.get(r, r)} (role:{r})"} for r in ROLES]
        options += [{"value": g, "label": f"그룹: {g}"} for g in sorted(used)]
        return {"groups": options}

    def reindex(self, user: Principal, collection: str) -> dict:
        collection = self._known(collection)
        self._require_admin(user, "다시 색인")
        self.worker.submit_reindex(collection)
        self.audit.record(user.username, "reindex", collection, collection=collection)
        return {"collection": collection, "status": "queued", "message": "다시 색인을 시작합니다"}

    # -- files and passages --------------------------------------------------------------------

    def file(self, user: Principal, collection: str, source: str) -> tuple[Path, str]:
        """The original file behind `source` and its media type, for its readers."""
        collection = self._readable(user, collection)
        record = self.context.state.documents(collection).get(source)
        status = self.context.state.document_status(collection).get(source)
        if record is None or status is None or not self._may_see(user, status[0]):
            raise NotFound(f"문서 '{source}'")
        path = self._file_path(collection, source, record.root)
        if path is None:
            raise NotFound(f"문서 파일 '{source}'")
        self.audit.record(user.username, "download", source, collection=collection, documents=[source])
        return path, _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")

    def passage(self, user: Principal, collection: str, chunk_id: str) -> dict:
        """A cited passage with its page: refused (AccessDenied) outside the user's
        collections and not found outside their access groups, by the retriever."""
        collection = self._known(collection)
        try:
            chunk_id = str(uuid.UUID(chunk_id))
        except ValueError:
            raise NotFound(f"근거 문단 '{chunk_id[:64]}'") from None
        retriever = self.context.retriever
        # Any version (a citation may be of the previous one); `access=None` is narrowed
        # by the scope to "public" and the user's groups, never left open.
        found = retriever.fetch(collection, ids=[chunk_id], flt=PointFilter(versions=None, access=None),
                                scope=user.scope)
        if not found:
            raise NotFound(f"근거 문단 '{chunk_id}'")
        chunk = found[0]
        page_text, highlight = None, None
        if chunk.page is not None:
            same = retriever.fetch(collection, flt=PointFilter(sources=(chunk.source,), versions=None, access=None),
                                   scope=user.scope, limit=20_000)
            page_text = _page_text(chunk, same)
            start = page_text.find(chunk.text)
            if start >= 0:
                highlight = {"start": start, "end": start + len(chunk.text)}
        record = self.context.state.documents(collection).get(chunk.source)
        file_url = (self._file_url(collection, chunk.source)
                    if record and self._file_path(collection, chunk.source, record.root) else None)
        self.audit.record(user.username, "view_passage", chunk.citation, collection=collection,
                          documents=[chunk.source])
        return {"collection": collection, "chunk_id": chunk.id, "label": chunk.citation, "title": chunk.title,
                "locator": chunk.locator, "text": chunk.text, "effective_date": chunk.metadata.get("시행일자"),
                "version": chunk.version, "source": chunk.source, "page": chunk.page, "page_text": page_text,
                "highlight": highlight, "heading_path": list(chunk.heading_path), "file_url": file_url}

    # -- helpers -------------------------------------------------------------------------------

    def _known(self, collection: str) -> str:
        if collection not in self.collection_names:
            raise NotFound(f"컬렉션 '{collection[:64]}'")
        return collection

    def _readable(self, user: Principal, collection: str) -> str:
        collection = self._known(collection)
        if not user.scope.can_read(collection):
            raise Forbidden(f"'{collection}' 컬렉션을 읽을 권한이 없습니다")
        return collection

    @staticmethod
    def _require_admin(user: Principal, what: str) -> None:
        if not user.is_admin:
            raise Forbidden(f"{what}은(는) 관리자만 할 수 있습니다")

    @staticmethod
    def _may_see(user: Principal, access: str) -> bool:
        return user.scope.sees(access)

    def _title(self, collection: str) -> str:
        titles = [m.title for m in self.assistants.values() if m.collection == collection]
        return " · ".join(sorted(titles)) or collection

    def _upload_root(self, collection: str) -> Path | None:
        return upload_root(self.settings.uploads_dir, self.assistants, collection)

    def _file_path(self, collection: str, source: str, root: str) -> Path | None:
        """The file of `source` if its root is a corpus root or this collection's upload
        folder and it resolves inside that root (no symlink or '..' leaves it)."""
        allowed = {r.resolve() for r in self.settings.corpus_roots}
        uploads = self._upload_root(collection)
        if uploads is not None:
            allowed.add(uploads.resolve())
        base = Path(root)
        if base not in allowed:
            return None
        return inside(base, source)

    @staticmethod
    def _file_url(collection: str, source: str) -> str:
        return f"/api/collections/{quote(collection)}/file?source={quote(source, safe='')}"


def _check_access(access: str | None) -> str:
    access = (access or PUBLIC).strip() or PUBLIC
    if not _ACCESS.match(access):
        raise InputError("access", "접근 그룹은 64자 이내의 글자, 숫자, . _ - @ : 로 적어 주세요")
    if access.startswith("role:") and access[5:] not in ROLES:
        raise InputError("access", f"역할은 {', '.join(f'role:{r}' for r in ROLES)} 중 하나여야 합니다")
    return access


def _printable(name: str) -> str:
    # Control characters (NUL, right-to-left overrides) are shown as escapes, never stored.
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in name) or "(빈 이름)"


def _page_text(chunk: RetrievedChunk, same_source: list[RetrievedChunk]) -> str:
    parts = sorted((c for c in same_source if c.page == chunk.page),
                   key=lambda c: int(c.metadata.get("ordinal", 0)))
    return "\n".join(c.text for c in parts) or chunk.text


def _share(done: int, total: int) -> float:
    return round(done / total, 3) if total else 0.0


def _job_view(job: UploadJob) -> dict:
    return {"id": job.id, "collection": job.collection, "filename": job.filename, "status": job.status,
            "progress": round(job.progress or 0.0, 3), "message": job.message, "chunks": job.chunks,
            "access": job.access, "uploaded_by": job.uploaded_by, "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}
