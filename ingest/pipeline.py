"""Incremental, crash-safe ingestion.

Phase 1 (searchable): read → chunk → Kiwi terms → BM25 sparse points, upserted with any
dense vectors already in the cache. Phase 2 (`embed_pending`): dense vectors fill in
behind, in batches, cached by chunk hash. Point ids are derived from (source, ordinal),
so redoing a document after a crash overwrites its points instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rag.documents import Chunk
from rag.embedding.base import Embedder
from rag.embedding.passage_text import PASSAGE_FORM, dense_passage_text
from rag.errors import DocumentError, SeoulAssistError
from rag.retrieval.korean import KoreanAnalyzer
from rag.retrieval.sparse import Bm25Encoder
from rag.store.base import Collection, PointFilter, StoredPoint

from .chunking import chunk_document
from .discovery import FoundFile
from .readers import read_document
from .readers.notices import NOTICE_KEYS
from .readers.safety import ReadLimits, check_file
from .state import DocumentRecord, IngestState

log = logging.getLogger(__name__)

# Points are flushed and their rows committed every this many documents: fewer fsyncs,
# and at most this many documents are redone after a crash.
COMMIT_EVERY = 16
# Why a file failed when a reader raised something unplanned (a reader bug, or damage no
# check foresaw); the caller puts the file's name in front.
UNREADABLE = "파일을 읽을 수 없습니다 — 손상되었거나 지원하지 않는 형식입니다"
# Bump when readers or chunking start storing something new about a document (READ_FORM
# "2": statute articles carry the 별표 they refer to; "3": also those written "별표 1의
# 자격기준"; "4": a statute list continued in the next chunk repeats its lead there):
# unchanged files are read again once, their dense vectors come back from the cache
# (keyed by passage text).
READ_FORM = "4"
# Chunks analysed and upserted at a time: a 3,000-section upload reports its progress
# and can be cancelled between batches instead of only when it is done.
UPSERT_BATCH = 256

#: Told how far a document has come: (stage, done, total) with stage "parsed" (done 0,
#: total = its chunks) or "indexed" (chunks searchable so far).
ProgressHook = Callable[[str, int, int], None]


class _Cancelled(Exception):
    """The caller withdrew the document (it was deleted) while it was being indexed."""


@dataclass
class IngestReport:
    collection: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Withdrawn while being indexed (`cancelled` said so): nothing of them is left.
    cancelled: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    def merge(self, other: "IngestReport") -> None:
        for name in ("added", "updated", "unchanged", "removed", "failed", "cancelled", "warnings"):
            getattr(self, name).extend(getattr(other, name))
        self.chunks += other.chunks
        self.seconds += other.seconds


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class IngestService:
    """Ingests files into one collection at a time; shared by the CLI, the API and the harness."""

    def __init__(self, state: IngestState, collection_for: Callable[[str], Collection],
                 embedder: Embedder, analyzer: KoreanAnalyzer | None = None,
                 encoder: Bm25Encoder | None = None, limits: ReadLimits | None = None,
                 max_chunk_chars: int = 900, embed_batch_size: int = 32) -> None:
        self.state = state
        self._collection_for = collection_for
        self.embedder = embedder
        self.analyzer = analyzer or KoreanAnalyzer.shared()
        self.encoder = encoder or Bm25Encoder()
        self.limits = limits or ReadLimits()
        self.max_chunk_chars = max_chunk_chars
        self.embed_batch_size = embed_batch_size
        self._write_lock = threading.Lock()

    # ---- phase 1 -------------------------------------------------------------------
    def ingest(self, collection: str, root: Path, files: list[FoundFile], *, remove_missing: bool = True,
               access: str | None = "public", progress: bool = True, on_progress: ProgressHook | None = None,
               cancelled: Callable[[], bool] | None = None) -> IngestReport:
        """Bring `collection` in line with `files`: add new, replace changed, skip unchanged
        and (with `remove_missing`) remove documents of the same root that are gone.
        `access=None` keeps each document's recorded group (new ones: "public"): re-reading
        uploads must never widen who may see a restricted document. `cancelled` is asked
        between batches of chunks; once it says yes, the document being indexed is removed
        whole (its old version too: only a deletion cancels) and the rest are skipped."""
        started = time.perf_counter()
        report = IngestReport(collection)
        root_key = str(root.resolve())
        known = self.state.documents(collection, root=root_key)
        recorded = self.state.document_status(collection) if access is None else {}
        target = self._collection_for(collection)
        batch: list[tuple[DocumentRecord, list[Chunk], list[bool], str]] = []
        with self._write_lock:
            for found in tqdm(files, desc=f"색인 {collection}", unit="문서", disable=not progress, leave=False):
                if cancelled is not None and cancelled():
                    report.cancelled.append(found.source)
                    continue
                group = access if access is not None else recorded.get(found.source, ("public",))[0]
                try:
                    self._ingest_one(target, collection, root_key, found, known, report, batch, group,
                                     on_progress, cancelled)
                except _Cancelled:
                    self._commit(target, batch)
                    self._drop_source(target, collection, found.source)
                    report.cancelled.append(found.source)
                    continue
                if len(batch) >= COMMIT_EVERY:
                    self._commit(target, batch)
            self._commit(target, batch)
            if remove_missing:
                seen = {f.source for f in files}
                for source in sorted(set(known) - seen):
                    self._drop_source(target, collection, source)
                    report.removed.append(source)
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_one(self, target: Collection, collection: str, root_key: str, found: FoundFile,
                    known: dict[str, DocumentRecord], report: IngestReport, batch: list, access: str,
                    on_progress: ProgressHook | None = None, cancelled: Callable[[], bool] | None = None) -> None:
        try:
            # Size and type first: hashing a 10 GB upload only to refuse it wastes minutes.
            check_file(found.path, found.source, found.path.suffix.lower(), self.limits)
            # The passage form is part of it: after an upgrade that changes what the
            # embedder sees, unchanged files are re-read so their vectors follow.
            digest = f"{file_hash(found.path)}:{PASSAGE_FORM}:{READ_FORM}"
            previous = known.get(found.source)
            if previous and previous.content_hash == digest:
                report.unchanged.append(found.source)
                return
            doc = read_document(found.path, found.source, self.limits)
            chunks = chunk_document(doc, self.max_chunk_chars)
            if not chunks:
                raise DocumentError(found.source, "색인할 텍스트가 없습니다")
        except SeoulAssistError as exc:
            report.failed.append((found.source, getattr(exc, "reason", str(exc))))
            return
        except Exception:  # a reader bug must not stop the batch
            log.exception("unexpected error reading %s", found.source)
            # The exception's own text is a library's English (or worse, internals): logged above.
            report.failed.append((found.source, UNREADABLE))
            return
        if on_progress is not None:
            on_progress("parsed", 0, len(chunks))
        if cancelled is not None and cancelled():
            raise _Cancelled(found.source)
        self.state.mark_pending(collection, found.source, root_key)
        embedded = self._upsert(target, chunks, access, on_progress, cancelled)
        stale = self.state.chunk_ids(collection, found.source) - {c.point_id for c in chunks}
        if stale:  # the new version is shorter: its extra old chunks must go
            target.delete_ids(sorted(stale))
        record = DocumentRecord(collection, found.source, root_key, digest, doc.title, doc.format, len(chunks),
                                doc.warnings)
        batch.append((record, chunks, embedded, access))
        (report.updated if previous else report.added).append(found.source)
        report.warnings.extend(f"{found.source}: {w}" for w in doc.warnings)
        report.chunks += len(chunks)

    def _upsert(self, target: Collection, chunks: list[Chunk], access: str,
                on_progress: ProgressHook | None = None, cancelled: Callable[[], bool] | None = None) -> list[bool]:
        cached = self.state.cached_vectors(self.embedder.name, [c.content_hash for c in chunks])
        for start in range(0, len(chunks), UPSERT_BATCH):
            if start and cancelled is not None and cancelled():
                raise _Cancelled(chunks[0].source)
            part = chunks[start:start + UPSERT_BATCH]
            terms = self.analyzer.terms_many([c.embedding_text for c in part])
            target.upsert([StoredPoint(id=chunk.point_id, sparse=self.encoder.encode_document(chunk_terms),
                                       payload=_payload(chunk, access), dense=cached.get(chunk.content_hash))
                           for chunk, chunk_terms in zip(part, terms)])
            if on_progress is not None:
                on_progress("indexed", start + len(part), len(chunks))
        return [c.content_hash in cached for c in chunks]

    def _commit(self, target: Collection, batch: list) -> None:
        if not batch:
            return
        target.flush()
        for record, chunks, embedded, access in batch:
            rows = [(c.point_id, c.content_hash, c.embedding_text, done) for c, done in zip(chunks, embedded)]
            self.state.commit_document(record, rows, access)
        batch.clear()

    def remove(self, collection: str, source: str) -> bool:
        # Looked up under the lock: an ingest of `source` that was under way has either
        # committed its row by then or not started it.
        with self._write_lock:
            if source not in self.state.documents(collection):
                return False
            self._drop_source(self._collection_for(collection), collection, source)
        return True

    def set_access(self, collection: str, source: str, access: str) -> bool:
        """Give every point of `source` (all versions) and its row the access group
        `access`; False when the document is not indexed."""
        with self._write_lock:
            if source not in self.state.documents(collection):
                return False
            target = self._collection_for(collection)
            target.set_payload(PointFilter(sources=(source,), versions=None, access=None), {"access": access})
            target.flush()
            self.state.set_access(collection, source, access)
        return True

    def _drop_source(self, target: Collection, collection: str, source: str) -> None:
        """Points first, then the row: a crash in between leaves a row that the next run removes again."""
        target.delete(PointFilter(sources=(source,), versions=None, access=None))
        target.flush()
        self.state.forget_document(collection, source)

    # ---- phase 2 -------------------------------------------------------------------
    def embed_pending(self, collection: str, *, progress: bool = True,
                      stop: threading.Event | None = None) -> int:
        """Fill in dense vectors for chunks that lack them. Returns how many were set."""
        target = self._collection_for(collection)
        done, total = self.state.progress(collection)
        bar = tqdm(total=total - done, desc=f"임베딩 {collection}", unit="청크", disable=not progress, leave=False)
        count = 0
        while not (stop and stop.is_set()):
            pending = self.state.pending_chunks(collection, self.embed_batch_size * 8)
            if not pending:
                break
            vectors = self._vectors_for(pending, stop)
            # Stopped part-way: what was embedded is stored now, the rest stays pending.
            pending = [c for c in pending if c.content_hash in vectors]
            if not pending:
                break
            with self._write_lock:
                target.set_dense([c.point_id for c in pending], np.stack([vectors[c.content_hash] for c in pending]))
                target.flush()
                self.state.mark_embedded(collection, [c.point_id for c in pending])
            count += len(pending)
            bar.update(len(pending))
        bar.close()
        if count and not (stop and stop.is_set()):
            with self._write_lock:
                target.optimize()
        return count

    def _vectors_for(self, pending, stop: threading.Event | None = None) -> dict[str, np.ndarray]:
        """Vectors by content hash, from the cache or embedded a batch at a time. ``stop``
        is looked at between batches: a server shutting down, or an answer waiting for the
        CPU, waits for one batch (seconds), not for the whole round (a minute on 2 cores)."""
        texts = {c.content_hash: dense_passage_text(c.text) for c in pending}
        vectors = self.state.cached_vectors(self.embedder.name, list(texts))
        missing = sorted((h for h in texts if h not in vectors), key=lambda h: len(texts[h]))
        for start in range(0, len(missing), self.embed_batch_size):
            if stop is not None and stop.is_set():
                break
            part = missing[start:start + self.embed_batch_size]
            embedded = self.embedder.embed_passages([texts[h] for h in part])
            fresh = dict(zip(part, embedded))
            self.state.cache_vectors(self.embedder.name, fresh)
            vectors.update(fresh)
        return vectors


def _payload(chunk: Chunk, access: str) -> dict:
    meta = chunk.metadata
    payload = {
        "source": chunk.source, "title": chunk.title, "locator": chunk.locator, "text": chunk.text,
        "heading_path": list(chunk.heading_path), "ordinal": chunk.ordinal,
        "version": str(meta.get("version", "current")), "law": str(meta.get("제목", chunk.title)),
        "access": access,
    }
    if chunk.page is not None:
        payload["page"] = chunk.page
    if chunk.appendices:
        payload["appendices"] = [a.to_dict() for a in chunk.appendices]
    for key in ("법령구분", "시행일자", "상태", *NOTICE_KEYS):
        if key in meta:
            payload[key] = meta[key]
    return payload

