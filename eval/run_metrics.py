"""metrics.json of an answer run, from its cases.jsonl records alone (so a resumed run,
or `eval report` on a stored one, gets exactly what a straight run gets).

The measured blocks (retrieval, answer, citation, abstention, latency, tokens) are
computed for the whole run and again per assistant, category and suite."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .answer_metrics import Timing, abstention_block, answer_block, citation_block, latency_summary, scored_record
from .metrics import percentile, retrieval_summary

NO_CATEGORY = "(분류 없음)"
#: Per-case judge scores a judge may add to a record (their means land in "answer").
JUDGE_SCORES = ("correctness", "faithfulness")


def qa_records(records: Sequence[dict]) -> list[dict]:
    """Question-answer records (generation records carry kind "generation")."""
    return [r for r in records if r.get("kind", "qa") == "qa"]


def measure(records: Sequence[dict], generating: bool) -> dict[str, Any]:
    """The measured blocks over question-answer records."""
    answerable = [r for r in records if r["answerable"]]
    search_ms = [r["search_ms"] for r in records if r.get("search_ms") is not None]
    items = [scored_record(r) for r in records]
    return {
        "n": len(answerable), "n_total": len(records),
        "retrieval": retrieval_summary([r.get("rank") for r in answerable]),
        # The same ranks over the few passages the answer was given (hit@10 = hit@5 there).
        "retrieval_passages": retrieval_summary([r.get("passage_rank") for r in answerable]),
        "latency_ms": {"search_p50": round(percentile(search_ms, 50), 2),
                       "search_p95": round(percentile(search_ms, 95), 2),
                       **latency_summary([timing_of(r, generating) for r in records], generating)},
        "answer": {**answer_block(items), **judge_means(records)},
        "citation": citation_block(items),
        "abstention": abstention_block(items),
        "tokens": token_summary(records),
        "errors": sum(1 for r in records if r.get("error") is not None),
    }


def breakdown(records: Sequence[dict], key: Callable[[dict], str], generating: bool) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return {name: measure(group, generating) for name, group in sorted(groups.items())}


def breakdowns(records: Sequence[dict], generating: bool) -> dict[str, dict]:
    return {
        "by_assistant": breakdown(records, lambda r: r.get("assistant") or "", generating),
        "by_category": breakdown(records, lambda r: r.get("category") or NO_CATEGORY, generating),
        "by_suite": breakdown(records, lambda r: r.get("suite") or "", generating),
    }


def timing_of(record: dict, generating: bool) -> Timing:
    """The stored ttft_ms is the first token's time when generating (ttft_ms in
    answer_metrics), so this Timing gives back the same TTFT and total."""
    return Timing(record.get("ttft_extractive_ms"), record.get("ttft_ms") if generating else None,
                  record.get("total_ms"))


def token_summary(records: Sequence[dict]) -> dict[str, Any]:
    """Output tokens of the model per answer (0 for answers it did not generate), by
    the model's own count_tokens; failed cases are left out."""
    counts = [int(r.get("output_tokens") or 0) for r in records if r.get("error") is None]
    return {"output_p50": percentile(counts, 50), "output_p95": percentile(counts, 95),
            "output_mean": round(sum(counts) / len(counts), 1) if counts else 0.0,
            "output_total": sum(counts), "n": len(counts)}


def judge_value(record: dict, name: str) -> float | None:
    """A judge's score of one case: the record's own `correctness` / `faithfulness` field
    (a number, or a verdict dict with "score"), else the same under "judge"."""
    value = record.get(name)
    if value is None and isinstance(record.get("judge"), dict):
        value = record["judge"].get(name)
    if isinstance(value, dict):
        value = value.get("score")
    return float(value) if isinstance(value, bool | int | float) else None


def judge_means(records: Sequence[dict]) -> dict[str, Any]:
    """Means of the judge's per-case scores over the cases it scored, only when some
    record has them, or when the run was judged (its records carry a `judge` block,
    eval.judging): then a group with no scored case says null, as other ratios do."""
    out: dict[str, Any] = {}
    judged = any(isinstance(r.get("judge"), dict) for r in records)
    for name in JUDGE_SCORES:
        values = [v for r in records if (v := judge_value(r, name)) is not None]
        if values or judged:
            out[name] = round(sum(values) / len(values), 4) if values else None
            out[f"n_{name}"] = len(values)
    return out


def llm_names(records: Sequence[dict]) -> str:
    return ", ".join(sorted({r["llm"] for r in records if r.get("error") is None and r.get("llm")}))
