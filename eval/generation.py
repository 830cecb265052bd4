"""Where generators (the RFP drafter first) plug into the harness. A scorer takes one
generation case and returns the fields of its cases.jsonl record (the draft, the rule
facts it got right, ...). An assistant's scorer is the `score` function of its own
`assistants/<name>/scorer.py` (or one registered in code, as tests do). Assistants without a
scorer have their generation cases counted as skipped, so a suite with `*_cases.jsonl`
files still runs today."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .suites import GenerationCase

if TYPE_CHECKING:
    from appcontext import AppContext

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
    """n: generation cases in the run; scored: those with a record; the rest were skipped."""
    scored_ids = {r["id"] for r in records}
    skipped = sum(1 for c in cases if c.id not in scored_ids)
    summary: dict[str, Any] = {"n": len(cases), "scored": len(cases) - skipped, "skipped": skipped}
    if skipped:
        summary["note"] = SKIP_NOTE
    return summary
