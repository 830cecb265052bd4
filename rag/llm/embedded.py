"""The packaged Qwen2.5-Coder-1.5B-Instruct (or any GGUF) run in-process by xllamacpp,
llama.cpp's server compiled into a Python extension.

The model is loaded once per process and shared (loading takes seconds and 2 GB).
xllamacpp always starts llama.cpp's HTTP server beside its Python API; it is bound to
127.0.0.1 and locked with a random API key, and is used only to reach the model's own
tokenizer (`/tokenize`). Generation goes through `Server.handle_chat_completions`,
whose callbacks run on a worker thread and feed a queue the caller reads from.

One slot (`n_parallel = 1`) with `cache_prompt`: the slot keeps the KV cache of the last
prompt, so the next request re-evaluates only what follows the shared system prompt.
On a 2-core machine parallel slots would only split the same cores."""

from __future__ import annotations

import logging
import math
import os
import queue
import secrets
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from rag.errors import LLMError, LLMUnavailable

from .base import ChatMessage, GenerationParams, chat_request
from .tokens import estimate_tokens

if TYPE_CHECKING:
    from rag.config import Settings

log = logging.getLogger(__name__)

XLLAMACPP_PIN = "xllamacpp==2026.10.11549"
# Prompt tokens per second assumed when waiting for the first token: well under the
# ≈ 20-74 tok/s measured on the 2-core reference machine, so a busy machine is not
# mistaken for a hung one.
_SLOW_PROMPT_TOK_S = 10.0


def usable_cores() -> int:
    """Cores this process may really use: its CPU affinity, capped by a cgroup quota
    (a container started with --cpus=2 still sees every host core in its affinity)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


class _Engine:
    """One loaded model: the xllamacpp server and a client for its loopback port."""

    def __init__(self, path: Path, threads: int, n_ctx: int, repack: bool) -> None:
        try:
            import xllamacpp
        except ImportError as exc:
            raise LLMUnavailable(f"xllamacpp가 설치되어 있지 않습니다: pip install '{XLLAMACPP_PIN}'") from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cache_prompt = True
        # Prompt states kept in RAM when the slot switches prompts; llama.cpp's 8 GiB
        # default is more than the whole machine can spare.
        params.cache_ram_mib = 256
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.no_extra_bufts = not repack
        api_key = secrets.token_urlsafe(24)
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.api_keys = [api_key]
        params.ui = False
        params.n_threads_http = 1
        params.verbosity = 3 if log.isEnabledFor(logging.DEBUG) else 0  # llama.cpp logs only on demand
        try:
            self.server = xllamacpp.Server(params)
        except Exception as exc:
            raise LLMUnavailable(f"내장 언어 모델을 불러올 수 없습니다 ({path}): {exc}") from exc
        self.api_key = api_key
        self.http = httpx.Client(base_url=self.server.listening_address,
                                 headers={"Authorization": f"Bearer {api_key}"}, timeout=30.0)

    def tokenize(self, text: str) -> int:
        response = self.http.post("/tokenize", json={"content": text, "add_special": False})
        response.raise_for_status()
        return len(response.json()["tokens"])


_engines: dict[tuple[str, int, int, bool], _Engine] = {}
_engines_lock = threading.Lock()


def _engine(path: Path, threads: int, n_ctx: int, repack: bool) -> _Engine:
    key = (str(path.resolve()), threads, n_ctx, repack)
    with _engines_lock:  # held while loading: a second caller waits instead of loading twice
        if key not in _engines:
            log.info("내장 언어 모델을 불러옵니다: %s (스레드 %d, 문맥 %d, 가중치 재배열 %s)", path.name, threads, n_ctx,
                     "켬" if repack else "끔")
            _engines[key] = _Engine(path, threads, n_ctx, repack)
        return _engines[key]


def cpu_has_avx2(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU advertises AVX2 (False where /proc/cpuinfo cannot be read)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return False
    return any(line.startswith("flags") and "avx2" in line.split() for line in text.splitlines())


def repack_weights(setting: bool | None, has_avx2: bool) -> bool:
    """Whether llama.cpp may repack the weights into its CPU "extra buffers". Its repacked
    Q4_K kernels are written for AVX2 and wider; on the AVX-only reference machine they
    read prompts more slowly: 33-38 tok/s against 43-51 tok/s without them (590-token
    prompt, 2 threads, same run), with generation unchanged at ≈ 12.5 tok/s. None: repack
    only where AVX2 is present."""
    return has_avx2 if setting is None else setting


class EmbeddedLLM:
    def __init__(self, model_path: Path, *, threads: int | None = None, context_window: int = 4096,
                 timeout_s: float = 120.0, name: str | None = None, repack: bool | None = None) -> None:
        model_path = Path(model_path)
        _check_gguf(model_path)
        cores = usable_cores()
        # Never more threads than cores: llama.cpp's threads spin while waiting for
        # each other, and an oversubscribed core made generation fall under 1 tok/s.
        self.threads = min(threads or cores, cores)
        self.context_window = context_window
        self.name = name or f"embedded:{model_path.stem}"
        self.model_path = model_path
        self._timeout_s = timeout_s
        self.repack = repack_weights(repack, cpu_has_avx2())
        self._engine = _engine(model_path, self.threads, context_window, self.repack)
        self._count = lru_cache(maxsize=4096)(self._count_uncached)

    @classmethod
    def from_settings(cls, settings: "Settings") -> "EmbeddedLLM":
        from .model_assets import ensure_model

        cfg = settings.llm
        path = cfg.model_path or ensure_model(settings.cache_dir)
        return cls(path, threads=cfg.threads, context_window=cfg.context_window, timeout_s=cfg.timeout_s,
                   repack=cfg.cpu_repack)

    def request_body(self, messages: Sequence[ChatMessage], params: GenerationParams) -> dict[str, Any]:
        # cache_prompt keeps the KV cache of the fixed system prompt between questions.
        body = chat_request(messages, params, cache_prompt=True)
        body.update(params.extra)
        return body

    def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[str]:
        body = self.request_body(messages, params)
        prompt_tokens = sum(self.count_tokens(m.content) for m in messages)
        first_wait = self._timeout_s + prompt_tokens / _SLOW_PROMPT_TOK_S
        return self._generate(body, first_wait)

    def _generate(self, body: dict[str, Any], first_wait: float) -> Iterator[str]:
        chunks: queue.Queue[tuple[str, Any]] = queue.Queue()
        cancel = threading.Event()

        def on_chunk(chunk: dict) -> bool:
            chunks.put(("chunk", chunk))
            return cancel.is_set()  # True tells llama.cpp to stop this request

        def run() -> None:
            try:
                self._engine.server.handle_chat_completions(body, on_chunk)
            except Exception as exc:  # bad request shapes raise here, not in a callback
                chunks.put(("error", exc))
            finally:
                chunks.put(("end", None))

        threading.Thread(target=run, name="embedded-llm", daemon=True).start()
        wait, finished = first_wait, False
        try:
            while True:
                try:
                    kind, item = chunks.get(timeout=wait)
                except queue.Empty:
                    raise LLMError(f"내장 언어 모델이 {wait:.0f}초 동안 응답하지 않았습니다") from None
                wait = self._timeout_s
                if kind == "end":
                    break
                if kind == "error":
                    raise LLMError(f"내장 언어 모델 요청 오류: {item}") from item
                piece, done = _parse(item)
                finished = finished or done
                if piece:
                    yield piece
        finally:
            cancel.set()
        if not finished:
            raise LLMError("내장 언어 모델의 응답이 도중에 끊겼습니다")

    def loopback_endpoint(self) -> tuple[str, str]:
        """The OpenAI-compatible URL (``…/v1``) and key of the model's own loopback server,
        for tools that need what the chat stream leaves out, such as token log-probabilities."""
        return f"{self._engine.server.listening_address.rstrip('/')}/v1", self._engine.api_key

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def _count_uncached(self, text: str) -> int:
        try:
            return self._engine.tokenize(text)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("내장 모델 토크나이저를 쓸 수 없어 추정치를 씁니다: %s", exc)
            return estimate_tokens(text)


def _parse(chunk: Any) -> tuple[str, bool]:
    if not isinstance(chunk, dict):
        raise LLMError(f"내장 언어 모델의 응답을 해석할 수 없습니다: {str(chunk)[:100]}")
    if "error" in chunk:
        error = chunk["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise LLMError(f"내장 언어 모델 오류: {message}")
    choices = chunk.get("choices") or []
    if not choices:
        return "", False
    choice = choices[0]
    content = (choice.get("delta") or {}).get("content") or (choice.get("message") or {}).get("content") or ""
    return content, choice.get("finish_reason") is not None


def _check_gguf(path: Path) -> None:
    """A clear message for a wrong path before llama.cpp tries (and logs) its own."""
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as exc:
        raise LLMUnavailable(f"언어 모델 파일을 열 수 없습니다: {path} ({exc.strerror})") from exc
    if magic != b"GGUF":
        raise LLMUnavailable(f"GGUF 형식의 언어 모델 파일이 아닙니다: {path}")
