"""Choose the vector store named by the settings (as rag/llm/factory.py does for models):
Qdrant's in-process engine by default, a Qdrant server by URL. Heavy imports happen here."""

from __future__ import annotations

from rag.config import Settings

from .base import VectorStore


def build_store(settings: Settings) -> VectorStore:
    cfg = settings.store
    match cfg.mode:
        case "server":
            from .server import ServerStore

            return ServerStore(cfg.url or "http://localhost:6333", cfg.api_key, cfg.prefix)
        case _:
            from .edge import EdgeStore

            return EdgeStore(settings.index_dir)
