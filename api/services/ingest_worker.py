"""One background thread that ingests what the administrators ask for, one job at a time:
uploaded files (rows of `UploadJob`, so they survive a restart), re-indexing a collection
and filling in dense vectors behind both.

One thread, because on the 2-core reference machine two ingestions at once only make
both slower, and the language model needs the cores more: when both run on this CPU,
embedding pauses while an answer is being generated. Start-up indexing hands its dense
vectors to this worker too (api/services/startup.py).

Who may use it: the document service queues work here after checking the caller's role."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from api.db import Database, UploadJob
from api.services.metrics import ServerMetrics
from ingest.corpus import ingest_corpora
from ingest.discovery import FoundFile
from appcontext import AppContext
from rag.assistants import Assistants

log = logging.getLogger(__name__)

TaskKind = Literal["upload", "reindex", "embed"]
#: How long a deferred embedding waits before it looks at the generation queue again.
_RETRY_S = 1.0


@dataclass(frozen=True)
class Task:
    kind: TaskKind
    #: The UploadJob id for uploads, the collection otherwise.
    key: int | str


def upload_root(uploads_dir: Path, assistants: Assistants, collection: str) -> Path | None:
    """The folder whose files form `collection`'s uploads: the one ingest.corpus reads."""
    for spec in sorted(assistants.values(), key=lambda m: m.name):
        if spec.collection == collection and spec.accepts_uploads:
            return uploads_dir / spec.name
    return None


class _PauseWhenGenerating(threading.Event):
    """A stop signal for `embed_pending` that is also set while an answer is generated,
    so embedding yields the cores between batches and resumes on the next turn."""

    def __init__(self, stop: threading.Event, generating: Callable[[], bool]) -> None:
        super().__init__()
        self._stop, self._generating = stop, generating

    def is_set(self) -> bool:
        return super().is_set() or self._stop.is_set() or self._generating()


class IngestWorker:
    def __init__(self, db: Database, context: AppContext, assistants: Assistants, uploads_dir: Path,
                 corpus_roots: list[Path], metrics: ServerMetrics, *,
                 generating: Callable[[], bool] = lambda: False, ready: Callable[[], bool] = lambda: True) -> None:
        self.db = db
        self.context = context
        self.assistants = assistants
        self.uploads_dir = uploads_dir
        self.corpus_roots = corpus_roots
        self.metrics = metrics
        # Outside every assistant's folder and hidden, so the corpus walk never sees a
        # file that is still being checked or indexed.
        self.staging = uploads_dir / ".incoming"
        #: True while an answer is being generated on the cores embedding would take.
        self._generating = generating
        # The start-up pass over the corpus reads the upload folders too and drops what it
        # did not find there; a file moved in meanwhile could be dropped, so wait for it.
        self._ready = ready
        self._cond = threading.Condition()
        self._tasks: deque[Task] = deque()
        self._current: Task | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Held while an upload's result is put in place and while a deletion is carried
        #: out, so that one of them sees the other's end state, never a half of it.
        self.document_lock = threading.RLock()
        #: Set when the upload being indexed now is deleted: the pipeline stops between
        #: batches of chunks instead of indexing a document nobody may see any more.
        self._cancel = threading.Event()
        self._indexing: tuple[str, str] | None = None
        #: Latest re-index per collection: {"status", "message", "at"} (not persisted: the
        #: start-up indexing does the same work after a restart).
        self.reindex_status: dict[str, dict] = {}

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread (again after `stop`), first putting back in line the uploads
        a previous run left queued or running."""
        if self._thread is not None and self._thread.is_alive():
            if not self._stop.is_set():
                return
            self._thread.join()  # stopped but still finishing a file: let it end first
        self._stop.clear()
        prune_empty_staging(self.staging)
        with self._cond:
            self._tasks = deque(t for t in self._tasks if t.kind != "upload")
            for job_id in self._requeue_unfinished():
                self._tasks.append(Task("upload", job_id))
            self._update_gauge()
        self._thread = threading.Thread(target=self._run, name="ingest-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            # A file being read cannot be interrupted; the next start redoes its job if
            # it is still marked running.
            self._thread.join(timeout_s)
            self._thread = None

    def _requeue_unfinished(self) -> list[int]:
        with self.db.session() as s:
            jobs = s.scalars(select(UploadJob).where(UploadJob.status.in_(("queued", "running")))
                             .order_by(UploadJob.id)).all()
            for job in jobs:
                if job.status == "running":
                    job.status, job.progress = "queued", 0.0
                    job.message = "서버가 다시 시작되어 다시 대기 중입니다"
            return [job.id for job in jobs]

    # -- queueing ------------------------------------------------------------------------

    def submit_upload(self, job_id: int) -> None:
        self._submit(Task("upload", job_id))

    def submit_reindex(self, collection: str) -> None:
        self.reindex_status[collection] = {"status": "queued", "message": "다시 색인 대기 중", "at": _now_iso()}
        self._submit(Task("reindex", collection))

    def submit_embed(self, collection: str) -> None:
        self._submit(Task("embed", collection))

    def cancel_upload(self, collection: str, source: str) -> None:
        """Stop indexing `source` if that is what runs now (its job is marked deleted by the caller)."""
        with self._cond:
            if self._indexing == (collection, source):
                self._cancel.set()

    def _submit(self, task: Task) -> None:
        with self._cond:
            if task.kind != "upload" and task in self._tasks:
                return
            self._tasks.append(task)
            self._update_gauge()
            self._cond.notify_all()

    def pending(self) -> int:
        """Tasks waiting or running (uploads, re-indexing and embedding together)."""
        with self._cond:
            return len(self._tasks) + (self._current is not None)

    def wait_idle(self, timeout_s: float = 60.0, *, include_embedding: bool = True) -> bool:
        """Block until nothing is queued or running (for the CLI and tests)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while time.monotonic() < deadline:
                busy = [t for t in (*self._tasks, self._current)
                        if t is not None and (include_embedding or t.kind != "embed")]
                if not busy:
                    return True
                self._cond.wait(0.1)
        return False

    def _update_gauge(self) -> None:
        uploads = sum(1 for t in (*self._tasks, self._current) if t is not None and t.kind == "upload")
        self.metrics.ingest_queue.set(uploads)

    # -- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._ready():
                self._stop.wait(0.5)
                continue
            with self._cond:
                while not self._tasks and not self._stop.is_set():
                    self._cond.wait(1.0)
                if self._stop.is_set():
                    break
                task = self._tasks.popleft()
                self._current = task
                self._update_gauge()
            try:
                if task.kind == "upload":
                    self._upload(int(task.key))
                elif task.kind == "reindex":
                    self._reindex(str(task.key))
                else:
                    self._embed(task)
            except Exception:  # one bad job must not stop the worker
                log.exception("수집 작업 실패: %s", task)
            finally:
                with self._cond:
                    self._current = None
                    self._update_gauge()
                    self._cond.notify_all()

    def _upload(self, job_id: int) -> None:
        with self.db.session() as s:
            job = s.get(UploadJob, job_id)
            if job is None or job.status not in ("queued", "running"):
                return
            job.status, job.progress, job.message = "running", 0.05, "파일을 읽는 중"
            collection, filename, access = job.collection, job.filename, job.access
            staged = Path(job.stored_path)
        root = upload_root(self.uploads_dir, self.assistants, collection)
        if root is None:
            self._finish(job_id, "failed", f"{filename}: 이 컬렉션은 더 이상 업로드를 받지 않습니다")
            return
        if not staged.is_file():
            record = self.context.state.documents(collection).get(filename)
            if record is not None and record.content_hash and (root / filename).is_file():
                # Stopped after the file was moved into place, before the row said so.
                self._finish(job_id, "done", f"색인 완료: 청크 {record.n_chunks}개", chunks=record.n_chunks,
                             stored_path=str(root / filename))
            else:
                self._finish(job_id, "failed", f"{filename}: 올린 파일을 찾을 수 없습니다 — 다시 올려 주세요")
            return
        root.mkdir(parents=True, exist_ok=True)
        with self._cond:
            self._cancel.clear()
            self._indexing = (collection, filename)
        try:
            # Read from the staging copy under its final name: the upload folder only ever
            # holds files that were indexed, so a failed upload leaves the previous version
            # both on disk and in the index.
            report = self.context.ingest.ingest(collection, root, [FoundFile(staged, filename)],
                                                remove_missing=False, access=access, progress=False,
                                                on_progress=_JobProgress(self.db, job_id),
                                                cancelled=self._cancel.is_set)
        finally:
            with self._cond:
                self._indexing = None
        with self.document_lock:
            if report.cancelled or _status(self.db, job_id) != "running":
                # Deleted while it was indexed: what this run wrote goes as well, and the
                # file never reaches the upload folder, so a restart cannot bring it back.
                self.context.ingest.remove(collection, filename)
                discard_staged(staged, self.staging)
                return
            if report.failed:
                reason = "; ".join(r for _, r in report.failed)
                discard_staged(staged, self.staging)
                self._finish(job_id, "failed", f"{filename}: {reason}")
                return
            final = root / filename
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
            discard_staged(staged, self.staging)
            record = self.context.state.documents(collection).get(filename)
            chunks = record.n_chunks if record else report.chunks
            note = ("변경 없음 (이미 같은 내용이 색인되어 있습니다)" if report.unchanged
                    else f"색인 완료: 청크 {chunks}개 — 의미 검색 벡터는 뒤에서 채웁니다")
            if report.warnings:
                note += " — 경고: " + "; ".join(report.warnings[:3])
            self._finish(job_id, "done", note, chunks=chunks, stored_path=str(final))
        self.submit_embed(collection)

    def _finish(self, job_id: int, status: str, message: str, *, chunks: int = 0,
                stored_path: str | None = None) -> None:
        with self.db.session() as s:
            job = s.get(UploadJob, job_id)
            if job is None or job.status == "deleted":  # a deletion has the last word
                return
            job.status, job.message, job.chunks = status, message[:4000], chunks
            job.progress = 1.0
            job.finished_at = datetime.now(timezone.utc)
            if stored_path is not None:
                job.stored_path = stored_path
        if status == "failed":
            log.warning("업로드 색인 실패 (작업 %s): %s", job_id, message)

    def _reindex(self, collection: str) -> None:
        self.reindex_status[collection] = {"status": "running", "message": "다시 색인하는 중", "at": _now_iso()}
        assistants = [name for name, m in self.assistants.items() if m.collection == collection]
        try:
            reports = ingest_corpora(self.context.ingest, self.assistants, self.corpus_roots,
                                     uploads_dir=self.uploads_dir, assistants=assistants, progress=False)
        except Exception as exc:
            log.exception("다시 색인 실패: %s", collection)
            self.reindex_status[collection] = {"status": "failed", "message": f"다시 색인 실패: {exc}",
                                               "at": _now_iso()}
            return
        report = reports.get(collection)
        summary = "다시 색인 완료"
        if report is not None:
            summary += (f": 추가 {len(report.added)}, 변경 {len(report.updated)}, 삭제 {len(report.removed)}, "
                        f"실패 {len(report.failed)}")
            if report.failed:
                summary += " — " + "; ".join(f"{source}: {reason}" for source, reason in report.failed[:5])
        self.reindex_status[collection] = {"status": "done", "message": summary, "at": _now_iso()}
        self.submit_embed(collection)

    def _embed(self, task: Task) -> None:
        collection = str(task.key)
        if not self._generating():
            self.context.ingest.embed_pending(collection, progress=False,
                                              stop=_PauseWhenGenerating(self._stop, self._generating))
        done, total = self.context.state.progress(collection)
        if done < total and not self._stop.is_set():
            # Interrupted by an answer: go to the back of the line, so uploads queued in
            # the meantime become searchable first, and look again in a moment.
            self._submit(task)
            self._stop.wait(_RETRY_S)


class _JobProgress:
    """Writes the pipeline's progress on one upload into its job row, where the web UI
    polls it: reading 5 %, parsed 20 %, then the chunks made searchable up to 95 %."""

    def __init__(self, db: Database, job_id: int) -> None:
        self.db, self.job_id = db, job_id

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "parsed":
            share, message = 0.2, f"청크 {total:,}개로 나눔 — 검색 색인 중"
        else:
            share, message = 0.2 + 0.75 * done / max(total, 1), f"검색 색인 중: 청크 {done:,}/{total:,}"
        with self.db.session() as s:
            job = s.get(UploadJob, self.job_id)
            if job is not None and job.status == "running":
                job.progress, job.message = round(share, 3), message


def _status(db: Database, job_id: int) -> str | None:
    with db.session() as s:
        job = s.get(UploadJob, job_id)
        return job.status if job is not None else None


def discard_staged(path: Path, staging: Path) -> None:
    """Remove a staged upload and its folder (one folder per upload under `staging`);
    a path outside `staging` is left alone."""
    try:
        inside = path.resolve().is_relative_to(staging.resolve())
    except OSError:
        return
    if not inside:
        return
    path.unlink(missing_ok=True)
    folder = path.parent
    if folder.resolve() != staging.resolve():
        shutil.rmtree(folder, ignore_errors=True)


def prune_empty_staging(staging: Path) -> None:
    """Folders an interrupted upload left empty under `staging`."""
    if not staging.is_dir():
        return
    for folder in staging.iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()
