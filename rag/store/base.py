"""One store interface over Qdrant, embedded (qdrant-edge) or a server (qdrant-client).

Schema, the same on both: named vectors `dense` (cosine) and `sparse` (BM25 term
weights, IDF modifier); payload keyword fields `source`, `version`, `access`, `law`.
A point may lack `dense` until the background embedder fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from rag.retrieval.sparse import SparseVector

DENSE = "dense"
SPARSE = "sparse"
KEYWORD_FIELDS = ("source", "version", "access", "law")

Fusion = Literal["rrf", "dbsf"]


@dataclass(frozen=True)
class StoredPoint:
    id: str
    sparse: SparseVector
    payload: dict[str, Any]
    dense: np.ndarray | None = None


@dataclass(frozen=True)
class PointFilter:
    """Conditions every returned point must meet; None means "any". By default only the
    version in force and documents open to everyone ("public"); a user's groups widen
    `access` (see `for_groups`)."""

    sources: tuple[str, ...] | None = None
    versions: tuple[str, ...] | None = ("current",)
    access: tuple[str, ...] | None = ("public",)
    laws: tuple[str, ...] | None = None
    has_dense: bool | None = None

    def as_conditions(self) -> dict[str, tuple[str, ...]]:
        pairs = {"source": self.sources, "version": self.versions, "access": self.access, "law": self.laws}
        return {k: v for k, v in pairs.items() if v is not None}


    @classmethod
    def for_groups(cls, groups: tuple[str, ...] = (), include_previous: bool = False) -> "PointFilter":
        return cls(versions=None if include_previous else ("current",), access=("public", *groups))


# Maintenance views (ingest, counts): every point, whatever its version or access group.
ANY = PointFilter(versions=None, access=None)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


class Collection(Protocol):
    """One collection (one assistant's index)."""

    name: str

    def upsert(self, points: list[StoredPoint]) -> None: ...

    def set_dense(self, ids: list[str], vectors: np.ndarray) -> None: ...

    def delete(self, flt: PointFilter) -> None: ...

    def set_payload(self, flt: PointFilter, values: dict[str, Any]) -> None:
        """Set `values` in the payload of every point meeting `flt` (other keys kept)."""
        ...

    def delete_ids(self, ids: list[str]) -> None: ...

    def count(self, flt: PointFilter = ANY) -> int: ...

    def ids(self, flt: PointFilter = ANY) -> list[str]: ...

    def fetch(self, flt: PointFilter, ids: list[str] | None = None, limit: int = 1000) -> list[Hit]:
        """Points meeting `flt` (and, when given, among `ids`) with their payloads, score 0:
        how a passage is looked up by id without a query, under the same access filter."""
        ...

    def search_sparse(self, vector: SparseVector, flt: PointFilter, limit: int) -> list[Hit]: ...

    def search_dense(self, vector: np.ndarray, flt: PointFilter, limit: int) -> list[Hit]: ...

    def search_hybrid(self, sparse: SparseVector, dense: np.ndarray, flt: PointFilter,
                      limit: int, prefetch: int, fusion: Fusion = "rrf") -> list[Hit]: ...

    def dense_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored dense vectors of the given points (points without one are left out)."""
        ...

    def flush(self) -> None: ...

    def optimize(self) -> None:
        """Build the vector indexes (HNSW) after bulk writes; until then search scans."""
        ...


class VectorStore(Protocol):
    def collection(self, name: str, dim: int) -> Collection:
        """Open the collection, creating it with the schema above if it is new."""
        ...

    def drop(self, name: str) -> None: ...

    def close(self) -> None: ...
