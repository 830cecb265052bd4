"""A Qdrant server or cluster through qdrant-client (`store.url` in the settings).
Collections are named `<prefix><name>` with the same schema as the embedded store."""

from __future__ import annotations

import numpy as np

from rag.errors import StoreError
from rag.retrieval.sparse import SparseVector

from .base import DENSE, KEYWORD_FIELDS, SPARSE, ANY, Fusion, Hit, PointFilter, StoredPoint


def _client_module():
    try:
        from qdrant_client import QdrantClient, models
    except ImportError as exc:  # pragma: no cover - install hint
        raise StoreError("qdrant-client가 설치되어 있지 않습니다: pip install qdrant-client") from exc
    return QdrantClient, models


class ServerStore:
    def __init__(self, url: str, api_key: str | None = None, prefix: str = "seoul_assist_",
                 timeout_s: int = 30) -> None:
        client_cls, self._m = _client_module()
        self._client = client_cls(url=url, api_key=api_key, timeout=timeout_s)
        self._prefix = prefix
        try:
            self._client.get_collections()
        except Exception as exc:
            raise StoreError(f"Qdrant 서버에 연결할 수 없습니다 ({url}): {exc}") from exc

    def collection(self, name: str, dim: int) -> "ServerCollection":
        full = self._prefix + name
        m = self._m
        if not self._client.collection_exists(full):
            self._client.create_collection(
                full,
                vectors_config={DENSE: m.VectorParams(size=dim, distance=m.Distance.COSINE)},
                sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
            )
            for field_name in KEYWORD_FIELDS:
                self._client.create_payload_index(full, field_name, m.PayloadSchemaType.KEYWORD)
        return ServerCollection(name, full, self._client, m)

    def drop(self, name: str) -> None:
        self._client.delete_collection(self._prefix + name)

    def close(self) -> None:
        self._client.close()


class ServerCollection:
    def __init__(self, name: str, full_name: str, client, models) -> None:
        self.name, self._full, self._c, self._m = name, full_name, client, models

    def upsert(self, points: list[StoredPoint]) -> None:
        m = self._m
        structs = []
        for p in points:
            vector: dict = {SPARSE: m.SparseVector(indices=p.sparse.indices, values=p.sparse.values)}
            if p.dense is not None:
                vector[DENSE] = p.dense.tolist()
            structs.append(m.PointStruct(id=p.id, vector=vector, payload=p.payload))
        if structs:
            self._c.upsert(self._full, structs, wait=True)

    def set_dense(self, ids: list[str], vectors: np.ndarray) -> None:
        m = self._m
        updates = [m.PointVectors(id=i, vector={DENSE: v.tolist()}) for i, v in zip(ids, vectors)]
        if updates:
            self._c.update_vectors(self._full, updates, wait=True)

    def delete(self, flt: PointFilter) -> None:
        self._c.delete(self._full, points_selector=self._m.FilterSelector(filter=self._filter(flt)), wait=True)

    def set_payload(self, flt: PointFilter, values: dict) -> None:
        self._c.set_payload(self._full, payload=values, points=self._m.FilterSelector(filter=self._filter(flt)),
                            wait=True)

    def delete_ids(self, ids: list[str]) -> None:
        if ids:
            self._c.delete(self._full, points_selector=self._m.PointIdsList(points=list(ids)), wait=True)

    def count(self, flt: PointFilter = ANY) -> int:
        return self._c.count(self._full, count_filter=self._filter(flt), exact=True).count

    def ids(self, flt: PointFilter = ANY) -> list[str]:
        out, offset = [], None
        while True:
            records, offset = self._c.scroll(self._full, scroll_filter=self._filter(flt), limit=1000,
                                             offset=offset, with_payload=False, with_vectors=False)
            out.extend(str(r.id) for r in records)
            if offset is None:
                return out

    def fetch(self, flt: PointFilter, ids: list[str] | None = None, limit: int = 1000) -> list[Hit]:
        if ids is not None and not ids:
            return []
        out, offset = [], None
        while len(out) < limit:
            records, offset = self._c.scroll(self._full, scroll_filter=self._filter(flt, ids),
                                             limit=min(1000, limit - len(out)), offset=offset,
                                             with_payload=True, with_vectors=False)
            out.extend(Hit(str(r.id), 0.0, r.payload or {}) for r in records)
            if offset is None:
                break
        return out

    def search_sparse(self, vector: SparseVector, flt: PointFilter, limit: int) -> list[Hit]:
        if not vector:
            return []
        return self._query(self._sparse(vector), SPARSE, flt, limit)

    def search_dense(self, vector: np.ndarray, flt: PointFilter, limit: int) -> list[Hit]:
        return self._query(vector.tolist(), DENSE, flt, limit)

    def search_hybrid(self, sparse: SparseVector, dense: np.ndarray, flt: PointFilter,
                      limit: int, prefetch: int, fusion: Fusion = "rrf") -> list[Hit]:
        m = self._m
        condition = self._filter(flt)
        prefetches = [m.Prefetch(query=dense.tolist(), using=DENSE, limit=prefetch, filter=condition)]
        if sparse:
            prefetches.append(m.Prefetch(query=self._sparse(sparse), using=SPARSE, limit=prefetch, filter=condition))
        method = m.FusionQuery(fusion=m.Fusion.RRF if fusion == "rrf" else m.Fusion.DBSF)
        result = self._c.query_points(self._full, prefetch=prefetches, query=method, query_filter=condition,
                                      limit=limit, with_payload=True)
        return [Hit(str(p.id), p.score, p.payload or {}) for p in result.points]

    def dense_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        records = self._c.retrieve(self._full, ids=list(ids), with_payload=False, with_vectors=[DENSE])
        return {str(r.id): np.asarray(r.vector[DENSE], dtype=np.float32)
                for r in records if isinstance(r.vector, dict) and DENSE in r.vector}

    def flush(self) -> None:
        """Writes are acknowledged with wait=True, so nothing is pending."""

    def optimize(self) -> None:
        """The server's own optimizer indexes in the background."""

    def _query(self, query, using: str, flt: PointFilter, limit: int) -> list[Hit]:
        result = self._c.query_points(self._full, query=query, using=using, query_filter=self._filter(flt),
                                      limit=limit, with_payload=True)
        return [Hit(str(p.id), p.score, p.payload or {}) for p in result.points]

    def _sparse(self, vector: SparseVector):
        return self._m.SparseVector(indices=vector.indices, values=vector.values)

    def _filter(self, flt: PointFilter, ids: list[str] | None = None):
        m = self._m
        must: list = [m.FieldCondition(key=k, match=m.MatchAny(any=list(v))) for k, v in flt.as_conditions().items()]
        if ids is not None:
            must.append(m.HasIdCondition(has_id=list(ids)))
        must_not: list = []
        if flt.has_dense is True:
            must.append(m.HasVectorCondition(has_vector=DENSE))
        elif flt.has_dense is False:
            must_not.append(m.HasVectorCondition(has_vector=DENSE))
        return m.Filter(must=must or None, must_not=must_not or None) if must or must_not else None
