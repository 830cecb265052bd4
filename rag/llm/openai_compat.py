"""Any OpenAI-compatible `/chat/completions` endpoint (vLLM, llama.cpp's server, a
ministry gateway), streamed over SSE.

A request is retried with exponential backoff on connection errors, timeouts, 5xx/429 and
malformed chunks, but only while nothing has reached the caller: once a token was
yielded, a retry would repeat text the user already sees, so a failure then raises
LLMError at once. The read timeout bounds the wait for every chunk, so a stalled stream
ends in an error instead of a hang."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from functools import lru_cache
from typing import Any

import httpx

from rag.errors import LLMError

from .base import ChatMessage, GenerationParams, chat_request
from .tokens import estimate_tokens

log = logging.getLogger(__name__)

DEFAULT_VLLM_URL = "http://localhost:8000/v1"


class _Retryable(Exception):
    """A failure before the first token; `kind` selects the final Korean message."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


class OpenAICompatLLM:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, *,
                 timeout_s: float = 120.0, connect_timeout_s: float = 5.0, retries: int = 2,
                 context_window: int = 4096, name: str | None = None, backoff_s: float = 0.5,
                 guided_json: bool = True, server_tokenize: bool = False) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = name or f"openai:{model}"
        self.context_window = context_window
        self._timeout_s = timeout_s
        self._attempts = max(1, retries + 1)
        self._backoff_s = backoff_s
        # vLLM reads guided_json; strict OpenAI endpoints reject unknown fields.
        self._guided_json = guided_json
        self._server_tokenize = server_tokenize
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s))
        self._count_on_server = lru_cache(maxsize=4096)(self._tokenize_on_server)

    def close(self) -> None:
        self._client.close()

    def request_body(self, messages: Sequence[ChatMessage], params: GenerationParams) -> dict[str, Any]:
        body = chat_request(messages, params, model=self.model)
        if params.json_schema is not None and self._guided_json:
            # vLLM's own field, for versions whose response_format ignores the schema.
            body["guided_json"] = params.json_schema
        body.update(params.extra)
        return body

    def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[str]:
        body = self.request_body(messages, params)
        url = f"{self.base_url}/chat/completions"
        last: _Retryable | None = None
        for attempt in range(self._attempts):
            if attempt:
                time.sleep(min(self._backoff_s * 2 ** (attempt - 1), 10.0))
            yielded = False
            try:
                # closing(): a caller that stops reading also closes the HTTP response,
                # which makes the server stop generating.
                with closing(self._attempt(url, body)) as pieces:
                    for piece in pieces:
                        yielded = True
                        yield piece
                return
            except _Retryable as exc:
                if yielded:
                    raise LLMError(f"언어 모델 서버({self.base_url})의 응답이 도중에 끊겼습니다: {exc.detail}") from exc
                last = exc
                log.warning("언어 모델 요청 실패 (%d/%d): %s %s", attempt + 1, self._attempts, exc.kind, exc.detail)
        assert last is not None
        raise LLMError(self._final_message(last)) from last

    def _attempt(self, url: str, body: dict[str, Any]) -> Iterator[str]:
        """One request; every failure is a _Retryable except a refused request (4xx)."""
        finished = False
        try:
            with self._client.stream("POST", url, json=body) as response:
                if response.status_code >= 500 or response.status_code == 429:
                    response.read()
                    raise _Retryable("status", f"{response.status_code} {response.text[:200]}")
                if response.status_code >= 400:
                    response.read()
                    raise LLMError(f"언어 모델 서버({self.base_url})가 요청을 거부했습니다 "
                                   f"({response.status_code}): {response.text[:300]}")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, ": ping" comments, event names
                    data = line[5:].strip()
                    if data == "[DONE]":
                        finished = True
                        break
                    piece, done = _parse_chunk(data)
                    finished = finished or done
                    if piece:
                        yield piece
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Retryable("connect", str(exc)) from exc
        except httpx.TransportError as exc:
            if finished:
                return  # the answer was complete (finish_reason came); only the tail was lost
            if isinstance(exc, httpx.TimeoutException):
                raise _Retryable("timeout", f"{self._timeout_s:g}초 동안 응답 없음") from exc
            # dropped connection, truncated chunked body
            raise _Retryable("transport", str(exc) or type(exc).__name__) from exc
        if not finished:
            raise _Retryable("transport", "응답이 끝 표시([DONE]) 없이 끝났습니다")

    def _final_message(self, exc: _Retryable) -> str:
        tries = f"{self._attempts}회 시도"
        where = f"언어 모델 서버({self.base_url})"
        match exc.kind:
            case "connect":
                return f"{where}에 연결할 수 없습니다 ({tries})"
            case "timeout":
                return f"{where}가 {self._timeout_s:g}초 안에 응답하지 않았습니다 ({tries})"
            case "status":
                return f"{where} 오류 {exc.detail} ({tries})"
            case "malformed":
                return f"{where}의 응답을 해석할 수 없습니다 ({tries}): {exc.detail}"
        return f"{where}의 응답이 끊겼습니다 ({tries}): {exc.detail}"

    def count_tokens(self, text: str) -> int:
        if self._server_tokenize:
            count = self._count_on_server(text)
            if count is not None:
                return count
        return estimate_tokens(text)

    def _tokenize_on_server(self, text: str) -> int | None:
        """vLLM's `POST /tokenize` (beside /v1, not under it); switched off for good at
        the first failure, so a server without it costs one request."""
        root = self.base_url.removesuffix("/v1")
        try:
            response = self._client.post(f"{root}/tokenize", json={"model": self.model, "prompt": text},
                                         timeout=self._client.timeout.connect or 5.0)
            response.raise_for_status()
            data = response.json()
            return int(data["count"]) if "count" in data else len(data["tokens"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.info("토큰 수를 서버에서 셀 수 없어 추정치를 씁니다: %s", exc)
            self._server_tokenize = False
            return None


def _parse_chunk(data: str) -> tuple[str, bool]:
    """(text piece, finished) of one SSE data payload."""
    try:
        chunk = json.loads(data)
    except ValueError as exc:
        raise _Retryable("malformed", f"JSON이 아닌 조각: {data[:80]!r}") from exc
    if not isinstance(chunk, dict):
        raise _Retryable("malformed", f"예상하지 못한 조각: {data[:80]!r}")
    if "error" in chunk:  # vLLM reports errors inside a 200 stream
        error = chunk["error"]
        raise _Retryable("status", str(error.get("message", error) if isinstance(error, dict) else error))
    choices = chunk.get("choices") or []
    if not choices:
        return "", False  # usage-only chunks
    choice = choices[0]
    delta = choice.get("delta") or {}
    content = delta.get("content") or ""
    if not isinstance(content, str):
        raise _Retryable("malformed", f"예상하지 못한 조각: {data[:80]!r}")
    return content, choice.get("finish_reason") is not None
