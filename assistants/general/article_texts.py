"""The text of a cited article as the index holds it, so a tool's basis quotes the statute
the chat also cites (same source, same in-force date) instead of a copy in the code."""

from __future__ import annotations

import logging

from rag.documents import join_pieces, statute_plain
from rag.errors import SeoulAssistError
from rag.retrieval.retriever import HybridRetriever
from rag.store.base import PointFilter

log = logging.getLogger(__name__)


class IndexedArticles:
    """`(law, article) → (text, 시행일자)` from `collection`: the article's chunks in the
    version in force, public ones only (statutes are public). None when not indexed."""

    def __init__(self, retriever: HybridRetriever, collection: str) -> None:
        self._retriever = retriever
        self._collection = collection

    def __call__(self, law: str, article: str) -> tuple[str, str | None] | None:
        try:
            chunks = self._retriever.fetch(self._collection, flt=PointFilter(laws=(law,)), limit=5000)
        except SeoulAssistError as exc:  # no index yet, or the store is unavailable: cite by label only
            log.info("조문 본문을 색인에서 찾지 못함 (%s %s): %s", law, article, exc)
            return None
        parts = sorted((c for c in chunks if c.locator == article), key=lambda c: c.metadata.get("ordinal", 0))
        if not parts:
            return None
        text = join_pieces([c.text for c in parts])
        return statute_plain(text), parts[0].metadata.get("시행일자")

