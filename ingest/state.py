"""What has been ingested, in SQLite: documents with their content hash, their chunks,
and the embedding cache keyed by (model, chunk hash) so no text is embedded twice.

A document row is written only after its points are in the store and flushed; a crash
before that leaves the old row (or none), so the next run redoes that document."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL, source TEXT NOT NULL, root TEXT NOT NULL,
    content_hash TEXT NOT NULL, title TEXT, format TEXT, n_chunks INTEGER,
    warnings TEXT, access TEXT, updated_at REAL,
    PRIMARY KEY (collection, source));
CREATE TABLE IF NOT EXISTS chunks (
    collection TEXT NOT NULL, point_id TEXT NOT NULL, source TEXT NOT NULL,
    content_hash TEXT NOT NULL, text TEXT NOT NULL, embedded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (collection, point_id));
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks (collection, embedded);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks (collection, source);
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL, content_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model, content_hash));
"""


@dataclass(frozen=True)
class DocumentRecord:
    collection: str
    source: str
    root: str
    content_hash: str
    title: str
    format: str
    n_chunks: int
    warnings: list[str]


@dataclass(frozen=True)
class ChunkRecord:
    point_id: str
    content_hash: str
    text: str


class IngestState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    def documents(self, collection: str, root: str | None = None) -> dict[str, DocumentRecord]:
        sql = "SELECT collection, source, root, content_hash, title, format, n_chunks, warnings FROM documents WHERE collection=?"
        args: tuple = (collection,)
        if root is not None:
            sql, args = sql + " AND root=?", (collection, root)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return {r[1]: DocumentRecord(*r[:7], json.loads(r[7] or "[]")) for r in rows}

    def chunk_ids(self, collection: str, source: str) -> set[str]:
        with self._lock:
            rows = self._db.execute("SELECT point_id FROM chunks WHERE collection=? AND source=?",
                                    (collection, source)).fetchall()
        return {r[0] for r in rows}

    def commit_document(self, record: DocumentRecord, chunks: list[tuple[str, str, str, bool]], access: str) -> None:
        """Replace the document's row and chunk rows in one transaction.
        `chunks` holds (point_id, content_hash, embedding_text, embedded)."""
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM chunks WHERE collection=? AND source=?", (record.collection, record.source))
            self._db.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?)",
                [(record.collection, pid, record.source, h, text, int(done)) for pid, h, text, done in chunks])
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
                (record.collection, record.source, record.root, record.content_hash, record.title, record.format,
                 record.n_chunks, json.dumps(record.warnings, ensure_ascii=False), access, time.time()))

    def mark_pending(self, collection: str, source: str, root: str) -> None:
        """Record that `source` is being (re)written: a crash from here until
        `commit_document` leaves an empty hash, so the next run redoes or removes it."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO documents (collection, source, root, content_hash, updated_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(collection, source) DO UPDATE SET content_hash='', root=excluded.root",
                (collection, source, root, "", time.time()))

    def forget_document(self, collection: str, source: str) -> None:
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM chunks WHERE collection=? AND source=?", (collection, source))
            self._db.execute("DELETE FROM documents WHERE collection=? AND source=?", (collection, source))

    def set_access(self, collection: str, source: str, access: str) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE documents SET access=? WHERE collection=? AND source=?",
                             (access, collection, source))

    def document_status(self, collection: str) -> dict[str, tuple[str, int, int]]:
        """Per source: (access group, embedded chunks, all chunks), for document lists."""
        with self._lock:
            rows = self._db.execute(
                "SELECT d.source, COALESCE(d.access, 'public'), COALESCE(SUM(c.embedded), 0), COUNT(c.point_id) "
                "FROM documents d LEFT JOIN chunks c ON c.collection = d.collection AND c.source = d.source "
                "WHERE d.collection=? GROUP BY d.source, d.access", (collection,)).fetchall()
        return {r[0]: (r[1], int(r[2]), int(r[3])) for r in rows}

    def pending_chunks(self, collection: str, limit: int) -> list[ChunkRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT point_id, content_hash, text FROM chunks WHERE collection=? AND embedded=0 LIMIT ?",
                (collection, limit)).fetchall()
        return [ChunkRecord(*r) for r in rows]

    def chunk_texts(self, collection: str) -> list[tuple[str, str, str]]:
        """(point_id, source, embedding text) of every chunk, for baselines and tools."""
        with self._lock:
            return self._db.execute("SELECT point_id, source, text FROM chunks WHERE collection=? ORDER BY rowid",
                                    (collection,)).fetchall()

    def mark_embedded(self, collection: str, point_ids: list[str]) -> None:
        with self._lock, self._db:
            self._db.executemany("UPDATE chunks SET embedded=1 WHERE collection=? AND point_id=?",
                                 [(collection, pid) for pid in point_ids])

    def progress(self, collection: str) -> tuple[int, int]:
        """(embedded chunks, all chunks) of a collection."""
        with self._lock:
            row = self._db.execute("SELECT COALESCE(SUM(embedded),0), COUNT(*) FROM chunks WHERE collection=?",
                                   (collection,)).fetchone()
        return int(row[0]), int(row[1])

    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(hashes), 500):
                part = hashes[start:start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT content_hash, vector FROM embeddings WHERE model=? AND content_hash IN ({marks})",
                    (model, *part)).fetchall()
                found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return found

    def cache_vectors(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?,?,?)",
                                 [(model, h, np.asarray(v, np.float32).tobytes()) for h, v in items.items()])
