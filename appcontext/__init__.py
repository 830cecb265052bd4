"""Builds the expensive shared objects once (store, Kiwi, embedder, retriever) from the
settings; the CLI, the API and the evaluation harness all take one of these.

It lives outside `rag/` because it wires the core to ingestion (`ingest/`), and the core
imports neither ingestion nor the apps (tests/test_architecture.py, the import-linter contract)."""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from rag.assistants import Assistants, load_assistants
from rag.config import Settings
from rag.embedding.base import Embedder
from rag.retrieval.korean import KoreanAnalyzer
from rag.retrieval.retriever import HybridRetriever
from rag.store.base import Collection, VectorStore
from rag.store.factory import build_store

if TYPE_CHECKING:
    from rag.answer.service import AnswerService
    from rag.llm.base import LLM
    from ingest.pipeline import IngestService
    from ingest.state import IngestState

log = logging.getLogger(__name__)


class AppContext:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._lock = threading.Lock()

    @cached_property
    def store(self) -> VectorStore:
        return build_store(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            return self._embedder
        from rag.embedding.factory import build_embedder

        return build_embedder(self.settings)

    @cached_property
    def analyzer(self) -> KoreanAnalyzer:
        return KoreanAnalyzer.shared()

    @cached_property
    def state(self) -> "IngestState":
        from ingest.state import IngestState

        return IngestState(self.settings.state_path)

    def collection(self, name: str) -> Collection:
        with self._lock:
            return self.store.collection(name, self.embedder.dim)

    @cached_property
    def ingest(self) -> "IngestService":
        from ingest.pipeline import IngestService
        from ingest.readers.safety import ReadLimits

        cfg = self.settings.ingest
        return IngestService(self.state, self.collection, self.embedder, self.analyzer,
                             limits=ReadLimits(max_file_bytes=cfg.max_file_mb * 1024 * 1024),
                             max_chunk_chars=cfg.max_chunk_chars, embed_batch_size=cfg.embed_batch_size)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.collection, self.embedder, self.settings.retrieval, self.analyzer)

    def llm(self) -> "LLM | None":
        """The configured language model, built on first use (None: extractive answers only).
        Raises LLMUnavailable when the configured one cannot run here."""
        from rag.llm.factory import build_llm

        return build_llm(self.settings)

    @cached_property
    def assistants(self) -> Assistants:
        """The one registry the server, the CLI and the harness answer for."""
        return load_assistants(self.settings.assistants_dir)

    @cached_property
    def answers(self) -> "AnswerService":
        from rag.answer.appendices import appendix_indexed_in
        from rag.answer.service import AnswerService

        def appendix_indexed(collection: str):
            check = None

            def indexed(law: str, label: str) -> bool:
                nonlocal check
                if check is None:  # read once per answer, and only when an article names a 별표
                    # An uploaded 별표 names its law and number in its title or file name.
                    records = self.state.documents(collection).values()
                    check = appendix_indexed_in([f"{r.title} {r.source}" for r in records])
                return check(law, label)

            return indexed

        from rag.answer.abstention import (E5_SMALL_OFF_TOPIC_FLOOR, E5_SMALL_QUOTE_FLOOR, AbstentionPolicy,
                                           dense_floor_for)

        from .answer_tools import AssistantTools

        off_topic = dense_floor_for(self.settings.answer.off_topic_quote_floor, self.embedder.name,
                                    E5_SMALL_OFF_TOPIC_FLOOR)
        quote_floor = dense_floor_for(self.settings.answer.quote_dense_floor, self.embedder.name, E5_SMALL_QUOTE_FLOOR)
        return AnswerService(self.retriever, self.analyzer, self.settings, llm=self.llm, assistants=self.assistants,
                             appendix_indexed=appendix_indexed, tools=AssistantTools(self.settings),
                             policy=AbstentionPolicy(quote_floor=quote_floor, off_topic_quote_floor=off_topic))

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "state" in self.__dict__:
            self.state.close()
