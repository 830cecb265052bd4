"""Query vectors kept in memory, so one text is embedded once per process: an article
title recurs across questions, and the answer layer reads again the question vector
the retriever has just computed (AnswerService's quote check)."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from .base import Embedder


class QueryVectors:
    """``embedder.embed_query`` memoised, the least recently used text dropped first once
    ``size`` texts are held. Thread-safe; two threads asking the same new text at once
    may both embed it (embedding is the slow part and must not run under the lock)."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self.embedder = embedder
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                return vector
        vector = self.embedder.embed_query(text)
        vector.setflags(write=False)  # shared by every caller: none may change it in place
        with self._lock:
            self._vectors[text] = vector
            if len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return vector

    def __len__(self) -> int:
        return len(self._vectors)
