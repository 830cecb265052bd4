"""Where generators (the RFP drafter first) plug into the harness. A scorer takes one
generation case and returns the fields of its cases.jsonl record (the draft, the rule
facts it got right, ...). An assistant's scorer is the `score` function of its own
`assistants/<name>/scorer.py` (or one registered in code, as tests do). Assistants without a
scorer have their generation cases counted as skipped, so a suite with `*_cases.jsonl`
files still runs today. A scorer skips a case it cannot score (an input file the run's
corpus lacks, say) by returning `{"skipped": "<Korean reason>"}`: counted as skipped, the
reason in the run's generation note, never a failure.

A scorer module may also define `METRICS`, a tuple of eval.case_metrics.CaseMetric over its
records (`cases="generation"`): the metric table includes them (`scorer_metrics`), so
metrics.json, the report, `eval compare` and the gates show them like any other metric."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .suites import GenerationCase

if TYPE_CHECKING:
    from appcontext import AppContext

    from .case_metrics import CaseMetric

GenerationScorer = Callable[["AppContext", GenerationCase], dict[str, Any]]

SKIP_NOTE = "RFP 생성기가 아직 없어 건너뜀"

_SCORERS: dict[str, GenerationScorer] = {}


def register_scorer(assistant: str, scorer: GenerationScorer) -> None:
    _SCORERS[assistant] = scorer


def unregister_scorer(assistant: str) -> None:
    _SCORERS.pop(assistant, None)


def scorer_for(assistant: str, package: str = "assistants") -> GenerationScorer | None:
    """A registered scorer, else `score` in `<package>/<assistant>/scorer.py`."""
    if assistant in _SCORERS:
        return _SCORERS[assistant]
    module = f"{package}.{assistant}.scorer"
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only the scorer module itself (or its folder) may be missing; a scorer that
        # fails to import something it needs is an error to see.
        if exc.name in (module, f"{package}.{assistant}", package):
            return None
        raise
    return getattr(found, "score", None)


def generation_record(ctx: "AppContext", case: GenerationCase, scorer: GenerationScorer) -> dict[str, Any]:
    """The scorer's fields under the identifying ones (which it cannot overwrite)."""
    fields = scorer(ctx, case)
    return {**fields, "kind": "generation", "id": case.id, "suite": case.suite, "assistant": case.assistant,
            "category": case.category, "failure": fields.get("failure")}


def generation_summary(cases: Sequence[GenerationCase], records: Sequence[dict]) -> dict[str, Any]:
    """n: generation cases in the run; scored: those with a record that was not skipped;
    the rest were skipped, and the note says why (each reason once)."""
    by_id = {r["id"]: r for r in records}
    reasons: list[str] = []
    for case in cases:
        record = by_id.get(case.id)
        reason = SKIP_NOTE if record is None else record.get("skipped")
        if reason:
            reasons.append(str(reason))
    summary: dict[str, Any] = {"n": len(cases), "scored": len(cases) - len(reasons), "skipped": len(reasons)}
    if reasons:
        summary["note"] = "; ".join(dict.fromkeys(reasons))
    return summary


def scorer_metrics(package: str = "assistants") -> tuple["CaseMetric", ...]:
    """The `METRICS` of every scorer module in the package's assistant folders."""
    return _scorer_metrics(package)


@cache
def _scorer_metrics(package: str) -> tuple["CaseMetric", ...]:
    try:
        root = importlib.import_module(package)
    except ModuleNotFoundError:
        return ()
    folders = sorted({path.parent.name for base in getattr(root, "__path__", [])
                      for path in Path(base).glob("*/scorer.py")})
    metrics: list[CaseMetric] = []
    for name in folders:
        module = importlib.import_module(f"{package}.{name}.scorer")
        metrics.extend(getattr(module, "METRICS", ()))
    return tuple(metrics)
