"""The dotted keys of metrics.json that gates and comparisons speak about, and which way
each one is better: read from the metric table (eval.case_metrics), so `--fail-under`,
`--max-drop` and the comparison's "better/worse" marks never disagree with metrics.json
about a metric or its direction."""

from __future__ import annotations

import difflib

from .case_metrics import Direction, metric_table

__all__ = ["BREAKDOWNS", "Direction", "base_key", "direction", "known_metrics", "lookup", "suggestion"]

# Breakdowns repeat the whole metrics block under a name: by_assistant.childcare.citation.recall.
BREAKDOWNS = ("by_assistant", "by_category", "by_suite")


def known_metrics() -> dict[str, Direction]:
    """Every metric key and its direction; counts and token numbers are "neutral" (they
    say how much, not how well)."""
    return {metric.key: metric.direction for metric in metric_table()}


def base_key(key: str) -> str:
    """The catalogue key behind a breakdown key (by_assistant.X.retrieval.hit@5 →
    retrieval.hit@5); other keys are returned as they are."""
    parts = key.split(".")
    if len(parts) > 2 and parts[0] in BREAKDOWNS:
        return ".".join(parts[2:])
    return key


def direction(key: str) -> Direction | None:
    """Which way the metric is better; None for a key the catalogue does not know."""
    return known_metrics().get(base_key(key))


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
    matches = difflib.get_close_matches(base_key(key), list(known_metrics()), n=1, cutoff=0.6)
    return matches[0] if matches else None
