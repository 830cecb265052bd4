"""Score fusion as pure functions, so the arithmetic is tested with exact numbers. (RRF and
DBSF run inside Qdrant; only the weighted mix is computed here.)"""

from __future__ import annotations

from collections.abc import Mapping


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
