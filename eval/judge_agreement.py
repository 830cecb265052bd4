"""How often a judge agrees with hand labels: correctness (0 / 0.5 / 1) and faithful
(true / false) on a small set written by the team (eval/data/judge_labels.jsonl).

A judge that cannot be read on an item (None) counts as disagreeing there, so a judge
that fails often cannot look good by skipping the hard items; Cohen's kappa, which
needs both labels, is computed over the items the judge answered."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rag.errors import SuiteError

from .judge import JudgeScores

DEFAULT_LABELS = Path(__file__).resolve().parent / "data" / "judge_labels.jsonl"
CORRECTNESS_VALUES = (0.0, 0.5, 1.0)


class Scorer(Protocol):
    def score(self, question: str, answer: str, reference: str, contexts: Sequence[str]) -> JudgeScores: ...


@dataclass(frozen=True)
class LabelledItem:
    id: str
    question: str
    reference_answer: str
    answer: str
    contexts: tuple[str, ...]
    correctness: float
    faithful: bool
    #: What is right or wrong with the answer (correct, paraphrase, wrong_number, …).
    kind: str = ""


def load_labels(path: Path = DEFAULT_LABELS) -> list[LabelledItem]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = LabelledItem(
                id=str(raw["id"]), question=raw["question"], reference_answer=raw["reference_answer"],
                answer=raw["answer"], contexts=tuple(raw["contexts"]), correctness=float(raw["correctness"]),
                faithful=bool(raw["faithful"]), kind=str(raw.get("kind", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise SuiteError(f"{path}:{number}: 판정 레이블 형식이 틀렸습니다 ({exc})") from exc
        if item.correctness not in CORRECTNESS_VALUES or not isinstance(raw["faithful"], bool):
            raise SuiteError(f"{path}:{number}: correctness는 0/0.5/1, faithful은 true/false여야 합니다")
        items.append(item)
    return items


def agreement(judge: Scorer, items: Sequence[LabelledItem], *, faithful_threshold: float = 1.0,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Agreement of `judge` with the labels of `items`. The judge calls an answer
    faithful when its faithfulness score reaches `faithful_threshold` (1.0: every claim
    supported, the labels' definition). Returns n, correctness_agreement (exact),
    correctness_within_half, faithfulness_agreement, cohen_kappa (faithfulness, None when
    undefined), unparsed (items with a score missing), seconds and per_item."""
    per_item = []
    exact = within_half = faithful_same = unparsed = 0
    judged_pairs: list[tuple[bool, bool]] = []
    started = time.perf_counter()
    for done, item in enumerate(items, start=1):
        t0 = time.perf_counter()
        scores = judge.score(item.question, item.answer, item.reference_answer, item.contexts)
        seconds = time.perf_counter() - t0
        judged_faithful = None if scores.faithfulness is None else scores.faithfulness >= faithful_threshold - 1e-9
        if scores.correctness is None or scores.faithfulness is None:
            unparsed += 1
        if scores.correctness is not None:
            exact += scores.correctness == item.correctness
            within_half += abs(scores.correctness - item.correctness) <= 0.5
        if judged_faithful is not None:
            faithful_same += judged_faithful == item.faithful
            judged_pairs.append((judged_faithful, item.faithful))
        per_item.append({"id": item.id, "kind": item.kind,
                         "label": {"correctness": item.correctness, "faithful": item.faithful},
                         "judge": {"correctness": scores.correctness, "faithfulness": scores.faithfulness,
                                   "faithful": judged_faithful},
                         "reasons": scores.reasons, "raw": scores.raw, "seconds": round(seconds, 2)})
        if progress is not None:
            progress(done, len(items))
    n = len(items)
    return {
        "n": n,
        "correctness_agreement": _ratio(exact, n),
        "correctness_within_half": _ratio(within_half, n),
        "faithfulness_agreement": _ratio(faithful_same, n),
        "cohen_kappa": cohen_kappa([j for j, _ in judged_pairs], [label for _, label in judged_pairs]),
        "unparsed": unparsed,
        "faithful_threshold": faithful_threshold,
        "seconds": round(time.perf_counter() - started, 1),
        "per_item": per_item,
    }


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    """Agreement beyond chance of two yes/no raters; None when chance agreement is
    certain (both always say the same single answer) or there is nothing to compare."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    yes_a, yes_b = sum(a) / n, sum(b) / n
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    if expected >= 1.0:
        return None
    return round((observed - expected) / (1 - expected), 4)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None
