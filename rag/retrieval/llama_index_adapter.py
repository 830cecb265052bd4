"""The hybrid retriever as a llama-index `BaseRetriever`, so llama-index query engines
and tools run on our index (RetrieverQueryEngine, RouterRetriever, …). Needs the
`llamaindex` extra; the server never imports this module."""

from __future__ import annotations

from rag.optional import missing_extra

try:
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
except ImportError as exc:
    raise missing_extra("llama-index-core", "llamaindex") from exc

from rag.store.base import PointFilter

from .retriever import HybridRetriever


class LlamaIndexRetriever(BaseRetriever):
    def __init__(self, retriever: HybridRetriever, collection: str, k: int = 5,
                 flt: PointFilter | None = None) -> None:
        super().__init__()
        self._retriever, self._collection, self._k, self._flt = retriever, collection, k, flt

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        chunks = self._retriever.search(query_bundle.query_str, self._collection, k=self._k, flt=self._flt)
        return [NodeWithScore(node=TextNode(id_=c.id, text=c.text, metadata={
            "source": c.source, "title": c.title, "locator": c.locator, "citation": c.citation,
            "version": c.version, **({"page": c.page} if c.page is not None else {}),
        }), score=c.score) for c in chunks]
