"""Score fusion as pure functions, so the arithmetic is tested with exact numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def rrf(rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None) -> dict[str, float]:
    """Reciprocal rank fusion: sum of weight / (k + rank), rank starting at 1."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return scores


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """Scale to [0, 1]; equal scores all become 1.0 (they are equally good)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-12:
        return {key: 1.0 for key in scores}
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def weighted(sparse: Mapping[str, float], dense: Mapping[str, float], dense_weight: float) -> dict[str, float]:
    """Convex mix of min-max-scaled sparse and dense scores over the union of candidates;
    a candidate missing from one side scores 0 there."""
    s, d = min_max(sparse), min_max(dense)
    return {key: (1 - dense_weight) * s.get(key, 0.0) + dense_weight * d.get(key, 0.0)
            for key in set(s) | set(d)}
