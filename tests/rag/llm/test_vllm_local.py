"""The in-process vLLM backend on a stand-in `vllm` module (the real one needs a GPU)."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from typing import Any

import pytest

from rag.errors import LLMError
from rag.llm.base import ChatMessage, GenerationParams, complete


@dataclass
class _Output:
    text: str


@dataclass
class _Result:
    outputs: list[_Output]


class _Tokenizer:
    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return list(range(len(text)))


class _FakeVLLMEngine:
    """Stands in for `vllm.LLM`: records each chat() call; answers `reply` or raises `failure`."""

    def __init__(self, model: str, **engine_args: Any) -> None:
        self.model = model
        self.reply = "답변입니다 [1]"
        self.failure: Exception | None = None
        self.calls: list[Any] = []

    def get_tokenizer(self) -> _Tokenizer:
        return _Tokenizer()

    def chat(self, conversation, sampling, use_tqdm: bool = True) -> list[_Result]:
        self.calls.append(conversation)
        if self.failure is not None:
            raise self.failure
        return [_Result([_Output(self.reply)])]


@pytest.fixture
def fake_vllm(monkeypatch):
    module = types.ModuleType("vllm")
    module.LLM = _FakeVLLMEngine
    module.SamplingParams = lambda **kwargs: kwargs
    monkeypatch.setitem(sys.modules, "vllm", module)
    return module


def test_one_conversation_is_answered_in_one_piece(fake_vllm):
    from rag.llm.vllm_local import VLLMLocalLLM

    llm = VLLMLocalLLM("qwen")
    messages = [ChatMessage("system", "규칙"), ChatMessage("user", "질문")]

    assert list(llm.stream(messages, GenerationParams(max_tokens=16))) == ["답변입니다 [1]"]
    # One conversation, not a batch of one: vLLM's chat() takes either.
    assert llm._llm.calls == [[m.as_dict() for m in messages]]
    assert llm.count_tokens("가나다") == 3


def test_a_generation_failure_is_an_llm_error(fake_vllm):
    from rag.llm.vllm_local import VLLMLocalLLM

    llm = VLLMLocalLLM("qwen")
    llm._llm.failure = RuntimeError("CUDA out of memory")

    with pytest.raises(LLMError, match="vLLM 생성 오류: CUDA out of memory"):
        complete(llm, [ChatMessage("user", "질문")])
