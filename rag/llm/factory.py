"""Choose the language model named by the settings; heavy imports happen only here.

`build_llm` returns None for `extractive` (answers quote the passages, no generation) and
raises LLMUnavailable when the chosen model cannot run here (xllamacpp, the model parts
or vLLM missing): callers fall back to extractive answers and say why."""

from __future__ import annotations

from rag.config import Settings
from rag.errors import ConfigError

from .base import LLM


def build_llm(settings: Settings) -> LLM | None:
    cfg = settings.llm
    match cfg.mode:
        case "extractive":
            return None
        case "fake":
            from .fake import FakeLLM

            return FakeLLM(context_window=cfg.context_window)
        case "openai" | "vllm":
            from .openai_compat import DEFAULT_VLLM_URL, OpenAICompatLLM

            base_url = cfg.base_url or (DEFAULT_VLLM_URL if cfg.mode == "vllm" else None)
            if not base_url:
                raise ConfigError("llm.mode=openai 에는 llm.base_url 이 필요합니다 "
                                  "(예: SEOUL_ASSIST_LLM__BASE_URL=http://서버:8000/v1)")
            return OpenAICompatLLM(base_url, cfg.model, cfg.api_key, timeout_s=cfg.timeout_s,
                                   connect_timeout_s=cfg.connect_timeout_s, retries=cfg.retries,
                                   context_window=cfg.context_window, name=f"{cfg.mode}:{cfg.model}",
                                   guided_json=cfg.guided_json,
                                   # vLLM counts with the served model's tokenizer at /tokenize.
                                   server_tokenize=cfg.mode == "vllm")
        case "embedded":
            from .embedded import EmbeddedLLM

            return EmbeddedLLM.from_settings(settings)
        case "llamacpp":
            from .llamacpp import LlamaCppLLM

            return LlamaCppLLM.from_settings(settings)
        case "vllm-local":
            from .vllm_local import VLLMLocalLLM

            return VLLMLocalLLM(str(cfg.model_path or cfg.model), context_window=cfg.context_window)
    raise ConfigError(f"알 수 없는 llm.mode: {cfg.mode}")
