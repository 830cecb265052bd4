"""In-process vLLM (`vllm.LLM`) on a GPU machine (the `gpu` extra): the answer model
without a separate server, e.g. for an evaluation run.

vLLM's offline API does not stream, so `stream` yields the whole answer as one piece.
vLLM is imported only when this backend is built and is never a requirement of the suite."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rag.errors import LLMError, LLMUnavailable

from .base import ChatMessage, GenerationParams

MISSING = "vLLM이 설치되어 있지 않습니다: pip install 'seoul-assist[gpu]'"


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as exc:  # also a vLLM whose CUDA libraries do not load
        raise LLMUnavailable(f"{MISSING} ({exc})") from exc
    return vllm


class VLLMLocalLLM:
    def __init__(self, model: str, *, context_window: int = 4096, name: str | None = None, seed: int = 0,
                 **engine_args: Any) -> None:
        vllm = _import_vllm()
        self._vllm = vllm
        self.name = name or f"vllm-local:{model}"
        self.context_window = context_window
        try:
            self._llm = vllm.LLM(model=model, max_model_len=context_window, seed=seed, **engine_args)
        except Exception as exc:
            raise LLMUnavailable(f"vLLM으로 모델을 불러올 수 없습니다 ({model}): {exc}") from exc
        self._tokenizer = self._llm.get_tokenizer()

    def sampling_params(self, params: GenerationParams) -> Any:
        kwargs: dict[str, Any] = {"max_tokens": params.max_tokens, "temperature": params.temperature,
                                  "seed": params.seed, "stop": list(params.stop) or None}
        if params.json_schema is not None:
            kwargs.update(_structured_output(params.json_schema))
        return self._vllm.SamplingParams(**kwargs)

    def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[str]:
        try:
            outputs = self._llm.chat([m.as_dict() for m in messages], self.sampling_params(params), use_tqdm=False)
        except Exception as exc:
            raise LLMError(f"vLLM 생성 오류: {exc}") from exc
        yield outputs[0].outputs[0].text

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))


def _structured_output(schema: dict[str, Any]) -> dict[str, Any]:
    """Guided JSON in the spelling of the installed vLLM: `structured_outputs` since
    0.11, `guided_decoding=GuidedDecodingParams(json=…)` before."""
    try:
        from vllm.sampling_params import StructuredOutputsParams

        return {"structured_outputs": StructuredOutputsParams(json=schema)}
    except ImportError:
        from vllm.sampling_params import GuidedDecodingParams

        return {"guided_decoding": GuidedDecodingParams(json=schema)}
