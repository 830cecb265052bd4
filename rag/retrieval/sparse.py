"""BM25 as sparse vectors: documents carry the saturated, length-normalised term
frequency; Qdrant's IDF modifier supplies the inverse document frequency at query time,
so adding documents never requires re-encoding the others."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]

    def __bool__(self) -> bool:
        return bool(self.indices)


def term_index(term: str) -> int:
    """A stable 31-bit id per term. Stable across processes (unlike hash()), so an index
    written yesterday is queried with the same ids today."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class Bm25Encoder:
    """k1 and b as in Robertson's BM25; `avg_len` is the expected chunk length in terms
    (a fixed estimate: exact corpus statistics would change every point on each ingest)."""

    k1: float = 1.2
    b: float = 0.75
    avg_len: float = 90.0

    def encode_document(self, terms: list[str]) -> SparseVector:
        counts = Counter(terms)
        norm = self.k1 * (1 - self.b + self.b * len(terms) / self.avg_len)
        return _vector({t: tf * (self.k1 + 1) / (tf + norm) for t, tf in counts.items()})

    def encode_query(self, terms: list[str], weights: dict[str, float] | None = None) -> SparseVector:
        """Each distinct query term counts once; `weights` lowers expansion terms."""
        weights = weights or {}
        return _vector({t: weights.get(t, 1.0) for t in dict.fromkeys(terms)})


def _vector(weights: dict[str, float]) -> SparseVector:
    merged: dict[int, float] = {}
    for term, weight in weights.items():
        index = term_index(term)
        merged[index] = max(merged.get(index, 0.0), weight)
    indices = sorted(merged)
    return SparseVector(indices=indices, values=[merged[i] for i in indices])
