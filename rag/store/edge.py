"""Qdrant's in-process engine (qdrant-edge-py): the embedded default. One shard per
collection under `root/<name>/`."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import numpy as np

from rag.errors import StoreError
from rag.retrieval.sparse import SparseVector

from .base import DENSE, KEYWORD_FIELDS, SPARSE, ANY, Fusion, Hit, PointFilter, StoredPoint

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _edge():
    try:
        import qdrant_edge
    except ImportError as exc:  # pragma: no cover - install hint
        raise StoreError("qdrant-edge-py가 설치되어 있지 않습니다: pip install qdrant-edge-py") from exc
    return qdrant_edge


class EdgeStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._open: dict[str, EdgeCollection] = {}
        self._lock = threading.Lock()

    def collection(self, name: str, dim: int) -> "EdgeCollection":
        if not _NAME.match(name):
            raise StoreError(f"컬렉션 이름이 올바르지 않습니다: {name!r} (영문, 숫자, _, - 만 사용)")
        with self._lock:
            if name not in self._open:
                self._open[name] = EdgeCollection(name, self.root / name, dim)
            return self._open[name]

    def drop(self, name: str) -> None:
        with self._lock:
            if name in self._open:
                self._open.pop(name).close()
            shutil.rmtree(self.root / name, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            for collection in self._open.values():
                collection.close()
            self._open.clear()


#: The embedded index admits one process at a time; the one holding it is nearly always
#: the server, and the CLI's search and ask are also served by its API.
INDEX_IN_USE = ("서버(seoul-assist serve)가 실행 중이라 인덱스를 열 수 없습니다 — 서버를 멈추거나 "
                "웹 UI/API(/api/search/…, /v1/chat/completions)를 쓰세요 (서버가 아니면 다른 "
                "seoul-assist 명령이 인덱스를 쓰고 있습니다)")


class EdgeCollection:
    def __init__(self, name: str, path: Path, dim: int) -> None:
        q = _edge()
        self.name, self._q = name, q
        config = q.EdgeConfig(
            vectors={DENSE: q.EdgeVectorParams(size=dim, distance=q.Distance.Cosine)},
            sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
        )
        try:
            if (path / "edge_config.json").exists() or any(path.glob("segments*")):
                self._shard = q.EdgeShard.load(str(path), config)
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._shard = q.EdgeShard.create(str(path), config)
                for field_name in KEYWORD_FIELDS:
                    self._shard.update(q.UpdateOperation.create_field_index(field_name, q.PayloadSchemaType.Keyword))
        except StoreError:
            raise
        except Exception as exc:
            if "WouldBlock" in str(exc):  # another process holds the index's write-ahead-log lock
                raise StoreError(f"{path}: {INDEX_IN_USE}") from exc
            raise StoreError(f"{path}: 인덱스를 열 수 없습니다 ({exc})") from exc

    def upsert(self, points: list[StoredPoint]) -> None:
        if not points:
            return
        q = self._q
        edge_points = []
        for p in points:
            vector: dict = {SPARSE: q.SparseVector(indices=p.sparse.indices, values=p.sparse.values)}
            if p.dense is not None:
                vector[DENSE] = [float(x) for x in p.dense]
            edge_points.append(q.Point(id=p.id, vector=vector, payload=p.payload))
        self._shard.update(q.UpdateOperation.upsert_points(edge_points))

    def set_dense(self, ids: list[str], vectors: np.ndarray) -> None:
        q = self._q
        updates = [q.PointVectors(id=i, vector={DENSE: v.tolist()}) for i, v in zip(ids, vectors)]
        if updates:
            self._shard.update(q.UpdateOperation.update_vectors(updates))

    def delete(self, flt: PointFilter) -> None:
        self._shard.update(self._q.UpdateOperation.delete_points_by_filter(self._filter(flt)))

    def delete_ids(self, ids: list[str]) -> None:
        if ids:
            self._shard.update(self._q.UpdateOperation.delete_points(list(ids)))

    def set_payload(self, flt: PointFilter, values: dict) -> None:
        self._shard.update(self._q.UpdateOperation.set_payload_by_filter(self._filter(flt), values))

    def count(self, flt: PointFilter = ANY) -> int:
        return self._shard.count(self._q.CountRequest(exact=True, filter=self._filter(flt)))

    def ids(self, flt: PointFilter = ANY) -> list[str]:
        out, offset = [], None
        while True:
            records, offset = self._shard.scroll(self._q.ScrollRequest(
                offset=offset, limit=1000, filter=self._filter(flt), with_payload=False, with_vector=False))
            out.extend(str(r.id) for r in records)
            if offset is None:
                return out

    def fetch(self, flt: PointFilter, ids: list[str] | None = None, limit: int = 1000) -> list[Hit]:
        if ids is not None and not ids:
            return []
        out, offset = [], None
        while len(out) < limit:
            records, offset = self._shard.scroll(self._q.ScrollRequest(
                offset=offset, limit=min(1000, limit - len(out)), filter=self._filter(flt, ids),
                with_payload=True, with_vector=False))
            out.extend(Hit(str(r.id), 0.0, r.payload or {}) for r in records)
            if offset is None:
                break
        return out

    def search_sparse(self, vector: SparseVector, flt: PointFilter, limit: int) -> list[Hit]:
        if not vector:
            return []
        return self._query(self._q.Query.Nearest(self._sparse(vector), using=SPARSE), flt, limit)

    def search_dense(self, vector: np.ndarray, flt: PointFilter, limit: int) -> list[Hit]:
        return self._query(self._q.Query.Nearest(vector.tolist(), using=DENSE), flt, limit)

    def search_hybrid(self, sparse: SparseVector, dense: np.ndarray, flt: PointFilter,
                      limit: int, prefetch: int, fusion: Fusion = "rrf") -> list[Hit]:
        q = self._q
        condition = self._filter(flt)
        prefetches = [q.Prefetch(limit=prefetch, query=q.Query.Nearest(dense.tolist(), using=DENSE), filter=condition)]
        if sparse:
            prefetches.append(q.Prefetch(limit=prefetch, query=q.Query.Nearest(self._sparse(sparse), using=SPARSE),
                                         filter=condition))
        method = q.Fusion.Rrf(k=60) if fusion == "rrf" else q.Fusion.Dbsf()
        request = q.QueryRequest(limit=limit, query=method, prefetches=prefetches, filter=condition, with_payload=True)
        return [Hit(str(p.id), p.score, p.payload or {}) for p in self._shard.query(request)]

    def dense_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        records = self._shard.retrieve(list(ids), with_payload=False, with_vector=[DENSE])
        out = {}
        for record in records:
            vector = (record.vector or {}).get(DENSE) if isinstance(record.vector, dict) else None
            if vector is not None:
                out[str(record.id)] = np.asarray(vector, dtype=np.float32)
        return out

    def flush(self) -> None:
        self._shard.flush()

    def optimize(self) -> None:
        # qdrant-edge runs no background optimizer: appended segments stay unindexed
        # (brute force) until asked.
        self._shard.optimize()
        self._shard.flush()

    def close(self) -> None:
        try:
            self._shard.flush()
            self._shard.close()
        except Exception:  # closing twice, or after a failed open
            pass

    def _query(self, query, flt: PointFilter, limit: int) -> list[Hit]:
        request = self._q.QueryRequest(limit=limit, query=query, filter=self._filter(flt), with_payload=True)
        return [Hit(str(p.id), p.score, p.payload or {}) for p in self._shard.query(request)]

    def _sparse(self, vector: SparseVector):
        return self._q.SparseVector(indices=vector.indices, values=vector.values)

    def _filter(self, flt: PointFilter, ids: list[str] | None = None):
        q = self._q
        must = [q.FieldCondition(key=k, match=q.MatchAny(any=list(v))) for k, v in flt.as_conditions().items()]
        if ids is not None:
            must.append(q.HasIdCondition(set(ids)))
        must_not = []
        if flt.has_dense is True:
            must.append(q.HasVectorCondition(DENSE))
        elif flt.has_dense is False:
            must_not.append(q.HasVectorCondition(DENSE))
        return q.Filter(must=must or None, must_not=must_not or None) if must or must_not else None
