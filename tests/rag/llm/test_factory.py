"""build_llm per mode; backends that cannot run here raise LLMUnavailable."""

from __future__ import annotations

import importlib.util

import pytest

from rag.config import load_settings
from rag.errors import ConfigError, LLMUnavailable
from rag.llm.base import ChatMessage, complete
from rag.llm.factory import build_llm
from rag.llm.fake import FakeLLM
from rag.llm.openai_compat import DEFAULT_VLLM_URL, OpenAICompatLLM
from tests.fakes.openai_server import FakeOpenAIServer

vllm_missing = pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed")


def settings_for(tmp_path, **llm):
    return load_settings("test", data_dir=str(tmp_path), llm=llm)


def test_extractive_means_no_model(tmp_path):
    assert build_llm(settings_for(tmp_path, mode="extractive")) is None


def test_the_test_profile_uses_the_fake(settings):
    llm = build_llm(settings)

    assert isinstance(llm, FakeLLM) and llm.context_window == settings.llm.context_window


def test_openai_mode_talks_to_the_configured_server(tmp_path):
    with FakeOpenAIServer() as server:
        server.replies.append("답 [1]")
        llm = build_llm(settings_for(tmp_path, mode="openai", base_url=server.url, model="kure",
                                     api_key="k", guided_json=False))

        assert isinstance(llm, OpenAICompatLLM) and llm.name == "openai:kure"
        assert complete(llm, [ChatMessage("user", "질문")]) == "답 [1]"
        assert server.chat_requests[0]["body"]["model"] == "kure"
        assert server.chat_requests[0]["auth"] == "Bearer k"


def test_openai_mode_requires_a_base_url(tmp_path):
    with pytest.raises(ConfigError, match="base_url"):
        build_llm(settings_for(tmp_path, mode="openai"))


def test_vllm_mode_defaults_to_the_local_server(tmp_path):
    llm = build_llm(settings_for(tmp_path, mode="vllm"))

    assert isinstance(llm, OpenAICompatLLM) and llm.base_url == DEFAULT_VLLM_URL


def test_embedded_mode_with_a_missing_model_file_is_unavailable(tmp_path):
    with pytest.raises(LLMUnavailable, match="열 수 없습니다"):
        build_llm(settings_for(tmp_path, mode="embedded", model_path=str(tmp_path / "없음.gguf")))


def test_embedded_mode_refuses_a_file_that_is_not_gguf(tmp_path):
    (tmp_path / "model.gguf").write_bytes(b"PK\x03\x04 not a model")

    with pytest.raises(LLMUnavailable, match="GGUF"):
        build_llm(settings_for(tmp_path, mode="embedded", model_path=str(tmp_path / "model.gguf")))


@vllm_missing
def test_vllm_local_without_vllm_is_unavailable(tmp_path):
    with pytest.raises(LLMUnavailable, match=r"pip install 'seoul-assist\[gpu\]'"):
        build_llm(settings_for(tmp_path, mode="vllm-local"))


@vllm_missing
def test_vllm_local_class_without_vllm_is_unavailable():
    from rag.llm.vllm_local import VLLMLocalLLM

    with pytest.raises(LLMUnavailable, match="vLLM이 설치되어 있지 않습니다"):
        VLLMLocalLLM("Qwen/Qwen2.5-7B-Instruct")
