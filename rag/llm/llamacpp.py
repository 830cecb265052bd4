"""The optional faster CPU runtime: llama-cpp-python, built from source on the machine
that runs it (`pip install 'seoul-assist[llamacpp]'`, about 12 minutes on 2 cores).

Same GGUF as the embedded default (`rag.llm.embedded`). A native build uses the CPU's
own instruction set, and on the 2-core reference machine read prompts about twice as
fast as the prebuilt xllamacpp wheel, which is what the first token waits for. It stays
an option: the default install must work from wheels alone, with no compiler.

Some llama.cpp builds crash in the first decode on CPUs with AMX when the extra CPU
buffer types are used; they are turned off (``use_extra_bufts=False``) where this
llama-cpp-python version has the switch.

The model is loaded once per process. llama-cpp-python keeps the tokens of the last
prompt and evaluates only what follows their common prefix, so the fixed system prompt
is not re-read between questions. One generation at a time per model (a lock): two
would only split the same cores."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.errors import LLMError, LLMUnavailable

from .base import ChatMessage, GenerationParams, chat_request
from .embedded import usable_cores

if TYPE_CHECKING:
    from rag.config import Settings

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'seoul-assist[llamacpp]' (llama-cpp-python를 이 컴퓨터에서 빌드합니다, 약 12분)"

_models: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_models_lock = threading.Lock()


def available() -> bool:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def _load(path: Path, threads: int, n_ctx: int) -> tuple[Any, threading.Lock]:
    key = (str(path.resolve()), threads, n_ctx)
    with _models_lock:
        if key not in _models:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMUnavailable(f"llama-cpp-python이 설치되어 있지 않습니다: {INSTALL_HINT}") from exc
            options: dict[str, Any] = {"model_path": str(path), "n_ctx": n_ctx, "n_threads": threads,
                                       "n_threads_batch": threads, "verbose": False}
            log.info("llama-cpp-python으로 언어 모델을 불러옵니다: %s (스레드 %d)", path.name, threads)
            try:
                with _no_extra_buffer_types():
                    _models[key] = (Llama(**options), threading.Lock())
            except Exception as exc:  # llama.cpp reports a bad file as ValueError/RuntimeError
                raise LLMUnavailable(f"언어 모델을 불러올 수 없습니다 ({path}): {exc}") from exc
        return _models[key]


@contextmanager
def _no_extra_buffer_types() -> Iterator[None]:
    """Load with ``use_extra_bufts = False``. llama-cpp-python 0.3.36 has the field in its
    model parameters but no constructor argument for it, and builds the parameters from
    ``llama_model_default_params()``; wrapping that function for the duration of the load
    (under ``_models_lock``) is the one place to set it."""
    import llama_cpp.llama_cpp as low

    original = low.llama_model_default_params

    def defaults() -> Any:
        params = original()
        if hasattr(params, "use_extra_bufts"):
            params.use_extra_bufts = False
        return params

    low.llama_model_default_params = defaults
    try:
        yield
    finally:
        low.llama_model_default_params = original


class LlamaCppLLM:
    def __init__(self, model_path: Path, *, threads: int | None = None, context_window: int = 4096) -> None:
        cores = usable_cores()
        self.threads = min(threads or cores, cores)
        self.context_window = context_window
        self.name = f"llamacpp:{Path(model_path).stem}"
        self._model, self._lock = _load(Path(model_path), self.threads, context_window)
        self._count = lru_cache(maxsize=4096)(self._count_uncached)

    @classmethod
    def from_settings(cls, settings: "Settings") -> "LlamaCppLLM":
        from .model_assets import ensure_model

        cfg = settings.llm
        path = cfg.model_path or ensure_model(settings.cache_dir)
        return cls(path, threads=cfg.threads, context_window=cfg.context_window)

    def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[str]:
        options = chat_request(messages, params)
        if params.json_schema is not None:
            # llama-cpp-python's own form of a schema-constrained reply.
            options["response_format"] = {"type": "json_object", "schema": params.json_schema}
        return self._generate(options)

    def _generate(self, options: dict[str, Any]) -> Iterator[str]:
        with self._lock:
            try:
                for chunk in self._model.create_chat_completion(**options):
                    piece = (chunk["choices"][0].get("delta") or {}).get("content") or ""
                    if piece:
                        yield piece
            except (RuntimeError, ValueError, KeyError, IndexError) as exc:
                raise LLMError(f"llama-cpp-python 생성 오류: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def _count_uncached(self, text: str) -> int:
        return len(self._model.tokenize(text.encode("utf-8"), add_bos=False, special=False))
