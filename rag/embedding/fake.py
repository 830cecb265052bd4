"""A deterministic embedder for tests: hashed bag of character bigrams. It is no model,
but texts that share words land near each other, so ranking tests mean something."""

from __future__ import annotations

import hashlib

import numpy as np

from .base import normalise


class FakeEmbedder:
    name = "fake-bigram-v1"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls = 0  # number of embed_passages calls, for cache tests
        self.embedded_texts = 0
        self.passages: list[str] = []  # every passage text embedded, in order
        self.queries: list[str] = []  # every query text embedded, in order

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.embedded_texts += len(texts)
        self.passages.extend(texts)
        return normalise(np.stack([self._vector(t) for t in texts])) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return normalise(self._vector(text)[None, :])[0]

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        compact = "".join(text.split())
        for i in range(len(compact) - 1):
            digest = hashlib.blake2b(compact[i:i + 2].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "big") % self.dim] += 1.0
        vector[0] += 1e-3  # never all-zero, so an empty text still normalises
        return vector
