"""The optional llama-cpp-python runtime: a clear message where it is not installed
(CI installs only the wheels); the real model, where it is, in a slow smoke test."""

from __future__ import annotations

import time

import pytest

from rag.config import load_settings
from rag.errors import LLMUnavailable
from rag.llm import llamacpp
from rag.llm.base import ChatMessage, GenerationParams
from rag.llm.factory import build_llm


@pytest.mark.skipif(llamacpp.available(), reason="llama-cpp-python is installed here")
def test_missing_runtime_names_the_extra(tmp_path):
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 64)
    settings = load_settings("test", data_dir=tmp_path, llm={"mode": "llamacpp", "model_path": str(gguf)})
    with pytest.raises(LLMUnavailable, match=r"seoul-assist\[llamacpp\]"):
        build_llm(settings)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(not llamacpp.available(), reason="llama-cpp-python is not installed (optional extra)")
def test_real_model_answers_from_the_passage(tmp_path):
    settings = load_settings("local", data_dir=tmp_path, llm={"mode": "llamacpp"})
    settings.llm.model_path = None
    from rag.llm.model_assets import ensure_model

    settings.llm.model_path = ensure_model(load_settings("local").cache_dir)
    llm = build_llm(settings)
    messages = [ChatMessage("system", "문서에 근거해 한국어로 한 문장으로 답하십시오."),
                ChatMessage("user", "[1] 샘플법 제3조\n원장은 녹화된 영상을 60일 이상 보관하여야 한다.\n\n"
                                    "[질문]\n영상은 며칠 보관하나요?")]
    started = time.perf_counter()
    pieces = list(llm.stream(messages, GenerationParams(max_tokens=40)))
    answer = "".join(pieces)
    assert "60" in answer, answer
    assert time.perf_counter() - started < 600
    assert llm.count_tokens("어린이집") > 0
