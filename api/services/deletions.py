"""Deleting an uploaded document so that it stays deleted: an admin deletes a document
because it must not be served, so the deletion wins over any upload of it that is
queued or being indexed, removes the stored files, and survives a crash at any point.

How: one transaction records the deletion (`DocumentDeletion`) and marks the document's
upload jobs deleted; only then are the files removed and the points dropped, under the
ingest worker's document lock, and the record is removed last. A server stopped anywhere
in between finds the record on its next start and finishes the deletion before it
indexes anything (`finish_pending`). The worker, for its part, checks the job's status
under the same lock before it moves an indexed upload into place.

Who may use it: the document service, after checking that the caller is an admin."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import delete, select, update

from api.db import Database, DocumentDeletion, UploadJob
from api.services.ingest_worker import IngestWorker, discard_staged, upload_root
from appcontext import AppContext
from rag.assistants import Assistants

log = logging.getLogger(__name__)

#: Upload jobs a deletion ends: waiting, being indexed, or failed (listed as 실패 until deleted).
LIVE_OR_FAILED = ("queued", "running", "failed")
DELETED_MESSAGE = "문서가 삭제되어 취소되었습니다"


class DocumentDeletions:
    def __init__(self, db: Database, context: AppContext, worker: IngestWorker, uploads_dir: Path,
                 assistants: Assistants) -> None:
        self.db = db
        self.context = context
        self.worker = worker
        self.uploads_dir = uploads_dir
        self.assistants = assistants

    def jobs_to_end(self, collection: str, source: str) -> int:
        """How many upload jobs of `source` a deletion would end (queued, running, failed)."""
        with self.db.session() as s:
            return len(s.scalars(select(UploadJob.id).where(
                UploadJob.collection == collection, UploadJob.filename == source,
                UploadJob.status.in_(LIVE_OR_FAILED))).all())

    def delete(self, collection: str, source: str, username: str) -> None:
        """Record the deletion, stop an indexing run of `source`, then carry it out."""
        with self.db.session() as s:
            record = DocumentDeletion(collection=collection, source=source, requested_by=username)
            s.add(record)
            s.execute(update(UploadJob)
                      .where(UploadJob.collection == collection, UploadJob.filename == source,
                             UploadJob.status.in_(LIVE_OR_FAILED))
                      .values(status="deleted", progress=1.0, message=f"{source}: {DELETED_MESSAGE}"))
            s.flush()
            deletion_id = record.id
        self.worker.cancel_upload(collection, source)
        self._carry_out(deletion_id)

    def finish_pending(self) -> int:
        """Carry out deletions a stopped server left unfinished; before any indexing."""
        with self.db.session() as s:
            pending = [d.id for d in s.scalars(select(DocumentDeletion).order_by(DocumentDeletion.id))]
        for deletion_id in pending:
            self._carry_out(deletion_id)
        if pending:
            log.info("끝나지 않은 문서 삭제 %d건을 마쳤습니다", len(pending))
        return len(pending)

    def _carry_out(self, deletion_id: int) -> None:
        with self.worker.document_lock:
            with self.db.session() as s:
                deletion = s.get(DocumentDeletion, deletion_id)
                if deletion is None:
                    return
                collection, source = deletion.collection, deletion.source
                staged = [Path(p) for p in s.scalars(select(UploadJob.stored_path).where(
                    UploadJob.collection == collection, UploadJob.filename == source,
                    UploadJob.status == "deleted")) if p]
            # Files first: if the server stops before the points are dropped, the next
            # start finishes from here, and no file is left for a corpus walk to re-index.
            root = upload_root(self.uploads_dir, self.assistants, collection)
            if root is not None:
                final = inside(root.resolve(), source)
                if final is not None:
                    final.unlink(missing_ok=True)
                    _prune_empty(final.parent, root.resolve())
            for path in staged:
                discard_staged(path, self.worker.staging)
            self.context.ingest.remove(collection, source)
            with self.db.session() as s:
                s.execute(delete(DocumentDeletion).where(DocumentDeletion.id == deletion_id))


def inside(root: Path, source: str) -> Path | None:
    path = (root / source).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
