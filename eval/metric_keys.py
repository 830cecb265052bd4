"""The dotted keys of metrics.json that gates and comparisons speak about, and which way
each one is better. One table, so `--fail-under`, `--max-drop` and the comparison's
"better/worse" marks never disagree about a metric's direction."""

from __future__ import annotations

import difflib
from typing import Literal

Direction = Literal["higher", "lower", "neutral"]

_RANKS = ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10")

KNOWN_METRICS: dict[str, Direction] = {
    **{f"retrieval.{name}": "higher" for name in _RANKS},
    **{f"retrieval_passages.{name}": "higher" for name in _RANKS},
    "answer.token_f1": "higher",
    "answer.correctness": "higher",
    "answer.faithfulness": "higher",
    "citation.precision": "higher",
    "citation.recall": "higher",
    "citation.recall_all": "higher",
    "citation.invented": "lower",
    "abstention.precision": "higher",
    "abstention.recall": "higher",
    "abstention.f1": "higher",
    **{f"latency_ms.{name}_{q}": "lower"
       for name in ("search", "ttft", "ttft_extractive", "total") for q in ("p50", "p95")},
    "errors": "lower",
    # Case counts and answer lengths say how much, not how well.
    "n": "neutral",
    "n_total": "neutral",
    **{f"tokens.output_{name}": "neutral" for name in ("p50", "p95", "mean", "total")},
}

# Breakdowns repeat the whole metrics block under a name: by_assistant.childcare.citation.recall.
BREAKDOWNS = ("by_assistant", "by_category", "by_suite")


def base_key(key: str) -> str:
    """The catalogue key behind a breakdown key (by_assistant.X.retrieval.hit@5 →
    retrieval.hit@5); other keys are returned as they are."""
    parts = key.split(".")
    if len(parts) > 2 and parts[0] in BREAKDOWNS:
        return ".".join(parts[2:])
    return key


def direction(key: str) -> Direction | None:
    """Which way the metric is better; None for a key the catalogue does not know."""
    return KNOWN_METRICS.get(base_key(key))


def lookup(metrics: dict, key: str) -> tuple[bool, float | None]:
    """(present, value) of a dotted key. Present-but-null is (True, None): "nothing to
    measure" must stay apart from "no such key"."""
    node: object = metrics
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    if node is None:
        return True, None
    if isinstance(node, bool) or not isinstance(node, int | float):
        return False, None
    return True, float(node)


def suggestion(key: str) -> str | None:
    matches = difflib.get_close_matches(base_key(key), list(KNOWN_METRICS), n=1, cutoff=0.6)
    return matches[0] if matches else None
