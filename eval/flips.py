"""Flipped cases: the cases whose outcome changed between two runs of the same suite.
Aggregate deltas say whether a version is better; flips say where it got better or
worse, which is what one reads before deciding what to fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from .case_metrics import answerable, cites_evidence, failed

ANSWER_CHARS = 160
HIT_K = 5


@dataclass(frozen=True)
class Change:
    kind: str  # retrieval_hit@5 | citation_hit | abstention | error | failure
    before: object
    after: object
    better: bool | None  # None: a change with no better side (one failure kind for another)
    label: str


@dataclass(frozen=True)
class Flip:
    id: str
    suite: str | None
    assistant: str
    question: str
    answerable: bool
    answer_a: str
    answer_b: str
    changes: list[Change] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """better | worse | mixed: the direction of all its changes taken together."""
        sides = {c.better for c in self.changes if c.better is not None}
        if sides == {True}:
            return "better"
        if sides == {False}:
            return "worse"
        return "mixed"

    def to_dict(self) -> dict:
        return {**asdict(self), "verdict": self.verdict}


_ORDER = {"worse": 0, "mixed": 1, "better": 2}


def find_flips(pairs: Sequence[tuple[dict, dict]]) -> list[Flip]:
    """The changed cases among (record in A, record in B) pairs of the same case,
    regressions first, then mixed, then improvements."""
    flips = []
    for a, b in pairs:
        changes = case_changes(a, b)
        if changes:
            flips.append(Flip(str(b.get("id")), b.get("suite"), str(b.get("assistant", "")),
                              str(b.get("question", "")), answerable(b), _clip(a.get("answer")),
                              _clip(b.get("answer")), changes))
    return sorted(flips, key=lambda f: _ORDER[f.verdict])


def case_changes(a: dict, b: dict) -> list[Change]:
    """Only what both records can speak about: a retrieval-only run has no answer, so
    against an answer run only its ranks are compared."""
    found = (_retrieval(a, b), _citation(a, b), _error(a, b), _abstention(a, b), _failure(a, b))
    return [c for c in found if c is not None]


def _retrieval(a: dict, b: dict) -> Change | None:
    if not (answerable(b) and "rank" in a and "rank" in b):
        return None
    before, after = _hit(a.get("rank")), _hit(b.get("rank"))
    if before == after:
        return None
    ranks = f"{_rank(a.get('rank'))} → {_rank(b.get('rank'))}"
    word = "얻음" if after else "잃음"
    return Change(f"retrieval_hit@{HIT_K}", a.get("rank"), b.get("rank"), after,
                  f"검색 hit@{HIT_K} {word} ({ranks})")


def _citation(a: dict, b: dict) -> Change | None:
    if not (answerable(b) and "citations" in a and "citations" in b):
        return None
    before, after = cites_evidence(a), cites_evidence(b)
    if before == after:
        return None
    return Change("citation_hit", before, after, after, f"근거 인용 {'얻음' if after else '잃음'}")


def _error(a: dict, b: dict) -> Change | None:
    if not ("error" in a and "error" in b) or failed(a) == failed(b):
        return None
    if failed(b):
        return Change("error", None, b["error"], False, f"오류 발생: {_clip(b['error'], 80)}")
    return Change("error", a["error"], None, True, "오류 해소")


def _abstention(a: dict, b: dict) -> Change | None:
    # An error is neither answering nor abstaining; the error change already tells that story.
    if not ("abstained" in a and "abstained" in b) or failed(a) or failed(b):
        return None
    before, after = bool(a.get("abstained")), bool(b.get("abstained"))
    if before == after:
        return None
    label = "답변 → 거절" if after else "거절 → 답변"
    right = "(답변 불가 문항)" if not answerable(b) else "(답변 가능 문항)"
    return Change("abstention", before, after, after != answerable(b), f"{label} {right}")


def _failure(a: dict, b: dict) -> Change | None:
    if not ("failure" in a and "failure" in b) or a.get("failure") == b.get("failure"):
        return None
    before, after = a.get("failure"), b.get("failure")
    better = True if not after else False if not before else None
    return Change("failure", before, after, better, f"실패 유형 {_text(before)} → {_text(after)}")


def _hit(rank: object) -> bool:
    return isinstance(rank, int) and rank <= HIT_K


def _rank(rank: object) -> str:
    return f"{rank}위" if isinstance(rank, int) else "없음"


def _text(value: object) -> str:
    return "없음" if not value else str(value)


def _clip(text: object, limit: int = ANSWER_CHARS) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"
