"""Retrieval metrics over first-hit ranks (binary relevance, one relevant rank per case)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    return _mean([1.0 if r is not None and r <= k else 0.0 for r in ranks])


def mrr_at(ranks: Sequence[int | None], k: int) -> float:
    return _mean([1.0 / r if r is not None and r <= k else 0.0 for r in ranks])


def ndcg_at(ranks: Sequence[int | None], k: int) -> float:
    """With one relevant position the ideal DCG is 1, so nDCG = 1 / log2(rank + 1)."""
    return _mean([1.0 / math.log2(r + 1) if r is not None and r <= k else 0.0 for r in ranks])


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


def retrieval_summary(ranks: Sequence[int | None]) -> dict[str, float]:
    return {"hit@1": hit_at(ranks, 1), "hit@5": hit_at(ranks, 5), "hit@10": hit_at(ranks, 10),
            "mrr@10": mrr_at(ranks, 10), "ndcg@10": ndcg_at(ranks, 10)}


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
