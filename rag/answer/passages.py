"""Choosing what the model reads: best passages first, duplicates dropped, within a
token budget that leaves room in the model's window for the prompt and the answer."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Sequence

from rag.retrieval.results import RetrievedChunk

from .types import Passage

_SPACE = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def select_passages(chunks: Sequence[RetrievedChunk], *, max_passages: int, token_budget: int,
                    count_tokens: Callable[[str], int]) -> list[Passage]:
    """Number the chosen chunks from 1 in rank order.

    A chunk whose text is contained in a better-ranked one (the same article indexed
    twice, or a 항 split repeated in its whole article) adds nothing and is dropped.
    When the best chunk alone is over budget it is cut to fit rather than dropped:
    an answer from part of the best passage beats one from worse passages."""
    chosen: list[RetrievedChunk] = []
    seen: list[str] = []
    used = 0
    for chunk in chunks:
        if len(chosen) >= max_passages:
            break
        key = _key(chunk.text)
        if not key or any(key in other or other in key for other in seen):
            continue
        cost = count_tokens(chunk.text)
        if used + cost > token_budget:
            if chosen:
                continue
            chunk = replace(chunk, text=_truncate(chunk.text, token_budget, count_tokens))
            cost = count_tokens(chunk.text)
        chosen.append(chunk)
        seen.append(key)
        used += cost
    return [Passage(i, c) for i, c in enumerate(chosen, start=1)]


def _truncate(text: str, budget: int, count_tokens: Callable[[str], int]) -> str:
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits
        mid = (lo + hi + 1) // 2
        if count_tokens(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]
