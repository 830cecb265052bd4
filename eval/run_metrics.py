"""metrics.json's measured blocks from cases.jsonl records alone (so a resumed run, or
`eval report` on a stored one, gets exactly what a straight run gets): every metric of
the table in eval.case_metrics that such a run writes, nested by its dotted key, for the
whole run and again per assistant, category and suite.

Records may mix question-answer and generation records (`kind`): each metric reads only
its own kind (`CaseMetric.cases`). A group holding generation records only (the metabolic
classification suite's) has no question-answer metrics, and a group with no metric at all
is left out of the breakdowns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .case_metrics import RunKind, metric_table
from .case_metrics import judge_value as judge_value  # the dashboard reads judge scores from here

__all__ = ["NO_CATEGORY", "breakdown", "breakdowns", "generation_records", "judge_value", "llm_names", "measure",
           "qa_records"]

NO_CATEGORY = "(분류 없음)"


def qa_records(records: Sequence[dict]) -> list[dict]:
    """Question-answer records (generation records carry kind "generation")."""
    return [r for r in records if r.get("kind", "qa") == "qa"]


def generation_records(records: Sequence[dict]) -> list[dict]:
    return [r for r in records if r.get("kind", "qa") == "generation"]


def measure(records: Sequence[dict], generating: bool, kind: RunKind = "answers") -> dict[str, Any]:
    """The measured blocks over the records of a run of this kind, in the table's order.
    A block whose metric is undefined (null) says why in its `note`."""
    by_kind = {"qa": qa_records(records), "generation": generation_records(records), "all": list(records)}
    # Generation records alone: no question was asked, so no question metric (not zeros).
    skip_qa = not by_kind["qa"] and bool(by_kind["generation"])
    out: dict[str, Any] = {}
    why: dict[tuple[str, ...], list[str]] = {}
    for metric in metric_table():
        mine = by_kind[metric.cases]
        if (metric.cases == "qa" and skip_qa) or not metric.written(mine, kind, generating) or (
                metric.cases == "all" and skip_qa and not metric.available(mine)):
            continue
        *block, name = metric.key.split(".")
        value = metric.stored(mine)
        place = _block(out, block)
        place[name] = value
        if metric.note:
            place[f"{name}_note"] = metric.note
        if value is None and metric.why_empty:
            why.setdefault(tuple(block), []).append(metric.why_empty)
    for block, notes in why.items():
        _block(out, list(block))["note"] = "; ".join(notes)
    return out


def breakdown(records: Sequence[dict], key: Callable[[dict], str], generating: bool,
              kind: RunKind = "answers") -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    measured = {name: measure(group, generating, kind) for name, group in sorted(groups.items())}
    return {name: block for name, block in measured.items() if block}


def breakdowns(records: Sequence[dict], generating: bool, kind: RunKind = "answers") -> dict[str, dict]:
    return {
        "by_assistant": breakdown(records, lambda r: r.get("assistant") or "", generating, kind),
        "by_category": breakdown(records, lambda r: r.get("category") or NO_CATEGORY, generating, kind),
        "by_suite": breakdown(records, lambda r: r.get("suite") or "", generating, kind),
    }


def llm_names(records: Sequence[dict]) -> str:
    return ", ".join(sorted({r["llm"] for r in records if r.get("error") is None and r.get("llm")}))


def _block(out: dict[str, Any], path: list[str]) -> dict[str, Any]:
    for part in path:
        out = out.setdefault(part, {})
    return out
