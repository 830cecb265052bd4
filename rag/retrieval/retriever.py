"""Hybrid Korean retrieval: Kiwi-BM25 sparse + e5 dense from Qdrant, fused, filtered
and re-ranked.

Fusion modes (settings.retrieval.fusion):
- `dbsf` (default) / `rrf`: prefetch both and fuse inside Qdrant. DBSF (scores scaled
  by their distribution) had the best hit@5 and MRR on both dev suites;
- `weighted`: re-rank the union of both candidate lists by a mix of the scaled BM25
  score and the exact cosine of every candidate (also those only BM25 found). It
  lost to DBSF (benchmarks/retrieval_quality.py), so it is an option, not the default.
Chunks without a dense vector yet (embedding still running) are found by BM25 alone.
The first few fused hits are then re-ordered by how close the question is to each
chunk's title (title_rerank.py), and a law's state/local twin is put last when the
question names the other side (jurisdiction.py); `dense` and `sparse` modes stay pure,
as baselines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag.config.settings import RetrievalSettings
from rag.embedding.base import Embedder
from rag.embedding.query_cache import QueryVectors
from rag.access import AccessScope
from rag.store.base import Collection, PointFilter

from .expansion import Thesaurus
from .fusion import weighted
from .jurisdiction import prefer_side
from .korean import KoreanAnalyzer
from .results import RetrievedChunk
from .sparse import Bm25Encoder
from .title_rerank import TitleReranker

log = logging.getLogger(__name__)

EXPANSION_WEIGHT = 0.6
# Recent questions' vectors: the answer layer reads the question's vector again right
# after the search (AnswerService's quote check); a chat turn's retry asks the same text.
QUERY_VECTORS = 256


@dataclass(frozen=True)
class SearchTimings:
    analyse_ms: float
    embed_ms: float
    search_ms: float
    rerank_ms: float = 0.0


class HybridRetriever:
    """Searches one collection. Build it once; it is thread-safe for reads."""

    def __init__(self, collection_for: Callable[[str], Collection], embedder: Embedder | None,
                 settings: RetrievalSettings, analyzer: KoreanAnalyzer | None = None,
                 encoder: Bm25Encoder | None = None, thesaurus: Thesaurus | None = None) -> None:
        self._collection_for = collection_for
        self.embedder = embedder
        self.settings = settings
        self.analyzer = analyzer or KoreanAnalyzer.shared()
        self.encoder = encoder or Bm25Encoder()
        self.thesaurus = thesaurus if thesaurus is not None else (Thesaurus.load() if settings.expansion else None)
        self.last_timings: SearchTimings | None = None
        self._query_vector = QueryVectors(embedder, QUERY_VECTORS) if embedder is not None else None
        self.titles = (TitleReranker(embedder, settings.title_rerank_depth, settings.title_weight,
                                     settings.title_question_weight)
                       if embedder is not None and settings.title_rerank_depth > 0 else None)

    def search(self, query: str, collection: str, k: int | None = None,
               flt: PointFilter | None = None, mode: str | None = None,
               scope: AccessScope | None = None) -> list[RetrievedChunk]:
        """Top-k chunks for `query`. `mode` overrides the fusion setting: sparse, dense,
        rrf, dbsf or weighted. With a `scope`, a collection outside it raises AccessDenied
        and `flt` is narrowed to the scope's groups."""
        k = k or self.settings.top_k
        if scope is not None:
            scope.check(collection)
            flt = scope.narrow(flt)
        flt = flt or PointFilter()
        mode = mode or self.settings.fusion
        target = self._collection_for(collection)
        t0 = time.perf_counter()
        expansion = self.thesaurus.expand(query) if self.thesaurus else None
        terms = self.analyzer.terms(query)
        extra = [t for t in self.analyzer.terms(expansion.text) if t not in terms] if expansion and expansion.terms else []
        sparse = self.encoder.encode_query(terms + extra, {t: EXPANSION_WEIGHT for t in extra})
        t1 = time.perf_counter()
        dense = None
        if mode != "sparse" and self.embedder is not None:
            # The thesaurus feeds BM25 only: appending its terms to the dense query lowered
            # metabolic_paraphrased hit@5 from 0.783 to 0.750 (benchmarks/retrieval_quality.py).
            dense = self.query_vector(query)
        t2 = time.perf_counter()
        hits = self._search(target, mode, sparse, dense, flt, k)
        t3 = time.perf_counter()
        if self.titles is not None and dense is not None and mode != "dense":
            hits = self.titles.rerank(dense, hits)
        if self.settings.prefer_side and mode not in ("dense", "sparse"):
            hits = prefer_side(query, hits)
        self.last_timings = SearchTimings((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000,
                                          (time.perf_counter() - t3) * 1000)
        return hits

    def query_vector(self, text: str) -> np.ndarray | None:
        """The embedder's vector of ``text`` as a query (None without an embedder),
        computed once for a recent text: the one the search used costs nothing."""
        return self._query_vector(text) if self._query_vector is not None else None

    def fetch(self, collection: str, *, ids: list[str] | None = None, flt: PointFilter | None = None,
              scope: AccessScope | None = None, limit: int = 1000) -> list[RetrievedChunk]:
        """Chunks by id, or every chunk meeting `flt`, without a query (a cited passage and
        the rest of its page). Same rule as `search`: with a `scope`, a collection outside
        it raises AccessDenied and `flt` is narrowed to the scope's groups."""
        if scope is not None:
            scope.check(collection)
            flt = scope.narrow(flt)
        flt = flt or PointFilter()
        return _chunks(self._collection_for(collection).fetch(flt, ids, limit))

    def _search(self, target: Collection, mode: str, sparse, dense, flt: PointFilter, k: int) -> list[RetrievedChunk]:
        prefetch = max(self.settings.prefetch, k)
        if dense is None or mode == "sparse":
            return _chunks(target.search_sparse(sparse, flt, k))
        if mode == "dense":
            return _chunks(target.search_dense(dense, flt, k))
        if mode in ("rrf", "dbsf"):
            return _chunks(target.search_hybrid(sparse, dense, flt, k, prefetch, fusion=mode))
        return self._weighted(target, sparse, dense, flt, k, prefetch)

    def _weighted(self, target: Collection, sparse, dense: np.ndarray, flt: PointFilter, k: int,
                  prefetch: int) -> list[RetrievedChunk]:
        sparse_hits = target.search_sparse(sparse, flt, prefetch)
        dense_hits = target.search_dense(dense, flt, prefetch)
        payloads = {h.id: h.payload for h in [*dense_hits, *sparse_hits]}
        cosine = {h.id: h.score for h in dense_hits}
        missing = [pid for pid in payloads if pid not in cosine]
        if missing:
            for pid, vector in target.dense_vectors(missing).items():
                cosine[pid] = float(vector @ dense)
        fused = weighted({h.id: h.score for h in sparse_hits}, cosine, self.settings.dense_weight)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        return [RetrievedChunk.from_payload(pid, score, payloads[pid]) for pid, score in ranked]


def _chunks(hits) -> list[RetrievedChunk]:
    return [RetrievedChunk.from_payload(h.id, h.score, h.payload) for h in hits]
