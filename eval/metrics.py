"""Retrieval numbers over bare first-hit ranks, for benchmarks that have ranks rather
than cases.jsonl records: the "retrieval" block of metrics.json, from the same table
(eval.case_metrics), and its nearest-rank percentile."""

from __future__ import annotations

from collections.abc import Sequence

from .case_metrics import percentile
from .run_metrics import measure

__all__ = ["percentile", "retrieval_summary"]


def retrieval_summary(ranks: Sequence[int | None]) -> dict[str, float]:
    """hit@1/5/10, MRR@10 and nDCG@10 of answerable cases with these ranks (None: not found)."""
    return measure([{"answerable": True, "rank": rank} for rank in ranks], False, "retrieval")["retrieval"]
