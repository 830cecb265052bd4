"""Our embedder as a llama-index `BaseEmbedding` (used by the llama-index baseline and
by anyone composing llama-index pipelines on top of the core). Needs the `llamaindex`
extra; the server never imports this module."""

from __future__ import annotations

from typing import Any

from pydantic import PrivateAttr

from rag.optional import missing_extra

try:
    from llama_index.core.base.embeddings.base import BaseEmbedding
except ImportError as exc:
    raise missing_extra("llama-index-core", "llamaindex") from exc

from .base import Embedder


class LlamaIndexEmbedding(BaseEmbedding):
    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, embed_batch_size=32, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_passages(list(texts)).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
