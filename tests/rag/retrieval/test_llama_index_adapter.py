import importlib
import sys
from pathlib import Path

import pytest
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import get_response_synthesizer
from llama_index.core.llms import MockLLM

from ingest.discovery import discover
from rag.config import load_settings
from appcontext import AppContext
from rag.retrieval.llama_index_adapter import LlamaIndexRetriever

SAMPLES = Path(__file__).resolve().parents[3] / "corpora" / "samples"


def test_llama_index_query_engine_runs_on_the_hybrid_retriever(tmp_path):
    ctx = AppContext(load_settings("test", data_dir=str(tmp_path)))
    try:
        files, _ = discover(SAMPLES, ["statutes/admin"])
        ctx.ingest.ingest("general", SAMPLES, files, progress=False)
        ctx.ingest.embed_pending("general", progress=False)
        retriever = LlamaIndexRetriever(ctx.retriever, "general", k=2)

        nodes = retriever.retrieve("민원 처리기간을 연장할 수 있나요?")
        assert nodes[0].node.metadata["citation"] == "샘플 행정업무 지침 제4조"
        assert "연장" in nodes[0].node.get_content()

        engine = RetrieverQueryEngine(retriever, get_response_synthesizer(llm=MockLLM(), response_mode="compact"))
        response = engine.query("민원 처리기간을 연장할 수 있나요?")
        assert response.source_nodes[0].node.metadata["locator"] == "제4조"
    finally:
        ctx.close()


@pytest.mark.parametrize("module", ["rag.retrieval.llama_index_adapter", "rag.embedding.llama_index_adapter"])
def test_without_the_extra_the_adapter_says_which_to_install(monkeypatch, module):
    # None in sys.modules makes `import llama_index…` fail as if it were not installed.
    for name in [n for n in sys.modules if n == "llama_index" or n.startswith("llama_index.")] + ["llama_index"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, module, raising=False)

    with pytest.raises(ImportError, match=r"llama-index-core가 설치되어 있지 않습니다: pip install 'seoul-assist\[llamaindex\]'"):
        importlib.import_module(module)
