"""Search an assistant's collection without answering: ranked passages with locators.
Who may use it: signed-in users on collections they may read; the retriever enforces
the scope, the audit log records what was shown."""

from __future__ import annotations

from api.errors import InputError
from api.services.accounts import Principal
from api.services.audit import AuditLog
from api.services.chat import ChatService
from rag.retrieval.results import RetrievedChunk
from rag.retrieval.retriever import HybridRetriever
from rag.store.base import PointFilter

MAX_K = 50


class SearchService:
    def __init__(self, retriever: HybridRetriever, chat: ChatService, audit: AuditLog) -> None:
        self.retriever = retriever
        self.chat = chat
        self.audit = audit

    def search(self, user: Principal, assistant: str, query: str, k: int = 10) -> list[RetrievedChunk]:
        if not 1 <= k <= MAX_K:
            raise InputError("k", f"k는 1~{MAX_K} 사이여야 합니다")
        spec = self.chat.prepare(user, assistant, query)
        hits = self.retriever.search(query.strip(), spec.collection, k=k,
                                     flt=PointFilter(access=None), scope=user.scope)
        self.audit.record(user.username, "search", query, assistant=assistant, collection=spec.collection,
                          documents=[h.citation for h in hits])
        return hits
