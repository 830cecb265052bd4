"""llama-index's default pipeline as the baseline: whole files as Documents,
SentenceSplitter (defaults) and VectorStoreIndex (in-memory SimpleVectorStore) with the
same embedder as ours. Persisted under var/bench so the quality benchmark reuses what
the ingest benchmark built."""

from __future__ import annotations

import time
from pathlib import Path

from llama_index.core import Document, Settings as LlamaSettings, StorageContext, VectorStoreIndex, load_index_from_storage
from llama_index.core.node_parser import SentenceSplitter

from ingest.discovery import discover
from rag.assistants import Assistants, AssistantSpec
from rag.embedding.base import Embedder
from rag.embedding.llama_index_adapter import LlamaIndexEmbedding


def documents_for(corpus: Path, spec: AssistantSpec) -> list[Document]:
    files, _ = discover(corpus, list(spec.folders))
    return [Document(text=f.path.read_text(encoding="utf-8"), metadata={"source": f.source},
                     excluded_embed_metadata_keys=["source"])
            for f in files if f.path.suffix == ".md"]


def build(corpus: Path, assistants: Assistants, embedder: Embedder, persist_dir: Path) -> dict:
    """Build one index per collection; returns timings."""
    LlamaSettings.embed_model = LlamaIndexEmbedding(embedder)
    started = time.perf_counter()
    nodes_total = 0
    for spec in assistants.values():
        docs = documents_for(corpus, spec)
        index = VectorStoreIndex.from_documents(docs, transformations=[SentenceSplitter()], show_progress=False)
        nodes_total += len(index.docstore.docs)
        index.storage_context.persist(str(persist_dir / spec.collection))
    return {"seconds": time.perf_counter() - started, "nodes": nodes_total}


def load(persist_dir: Path, collection: str, embedder: Embedder) -> VectorStoreIndex | None:
    path = persist_dir / collection
    if not (path / "docstore.json").exists():
        return None
    LlamaSettings.embed_model = LlamaIndexEmbedding(embedder)
    return load_index_from_storage(StorageContext.from_defaults(persist_dir=str(path)))
