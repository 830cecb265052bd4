"""Answer metrics over (case, answer) pairs: token F1 against the reference answer,
citation precision/recall, invented citations, abstention, latency percentiles.

Every summary is computed from `Scored` cases, which a live answer (`scored`) and a
stored cases.jsonl record (`scored_record`) both give, so a resumed run's metrics are
the same arithmetic over its records.

A case whose answer is None failed (the stream reported an error): it counts as neither
answered nor abstained, so errors can only lower the scores. Ratios whose denominator is
empty are None (JSON null), never 0, so that "nothing to measure" is not read as "bad"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rag.answer.types import Answer, Citation, Passage

from .hits import hits
from .metrics import percentile
from .suites import QACase

TOKEN_F1_NOTE = "Kiwi 형태소 F1 (오프라인 지표)"


class TermAnalyzer(Protocol):
    def terms(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Outcome:
    """One case of a run: the suite case and the final answer (None on error)."""

    case: QACase
    answer: Answer | None


@dataclass(frozen=True)
class Scored:
    """What the summaries need of one case."""

    answerable: bool
    #: None: not scored (unanswerable, or no reference answer).
    token_f1: float | None
    answered: bool
    abstained: bool
    #: Per citation: does its passage hit the evidence?
    citation_hits: tuple[bool, ...]
    invented: int


def scored(outcome: Outcome, analyzer: TermAnalyzer | None = None) -> Scored:
    """Token F1 is computed only with an analyzer (the other summaries do not need one)."""
    case, answer = outcome.case, outcome.answer
    f1 = None
    if analyzer is not None and case.answerable and case.reference_answer.strip():
        f1 = token_f1(answer.text if answer else "", case.reference_answer, analyzer)
    hit_flags = tuple(citation_hits(answer, case)) if answer is not None else ()
    return Scored(case.answerable, f1, is_answered(answer), is_abstained(answer), hit_flags,
                  invented_citations(answer))


def scored_record(record: dict) -> Scored:
    """The same from a cases.jsonl record (see eval.answer_runner.case_record): a record
    with an error had no answer."""
    failed = record.get("error") is not None
    abstained = bool(record.get("abstained")) and not failed
    return Scored(bool(record["answerable"]), record.get("token_f1"), not failed and not abstained, abstained,
                  tuple(bool(c.get("hit")) for c in record.get("citations") or []),
                  int(record.get("invented_citations") or 0))


@dataclass(frozen=True)
class Timing:
    """Milliseconds from the call to each event of one streamed answer (None: never came)."""

    extractive_ms: float | None
    first_token_ms: float | None
    total_ms: float | None


# --- correctness -------------------------------------------------------------------------

def token_f1(prediction: str, reference: str, analyzer: TermAnalyzer) -> float:
    """SQuAD-style F1 over content morphemes (multiset overlap). Korean agglutinates, so
    whitespace tokens would count 보육교사가 and 보육교사는 as different words."""
    predicted = analyzer.terms(prediction)
    expected = analyzer.terms(reference)
    if not predicted or not expected:
        return 1.0 if predicted == expected else 0.0
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision = common / len(predicted)
    recall = common / len(expected)
    return 2 * precision * recall / (precision + recall)


def answer_summary(outcomes: Sequence[Outcome], analyzer: TermAnalyzer) -> dict:
    return answer_block([scored(o, analyzer) for o in outcomes])


def answer_block(items: Sequence[Scored]) -> dict:
    """Mean token F1 over answerable cases with a reference answer; an abstention or an
    error scores what its text (or nothing) shares with the reference."""
    scores = [s.token_f1 for s in items if s.token_f1 is not None]
    return {"token_f1": _ratio(sum(scores), len(scores)), "token_f1_note": TOKEN_F1_NOTE, "n": len(scores)}


# --- citations ---------------------------------------------------------------------------

def is_abstained(answer: Answer | None) -> bool:
    return answer is not None and (answer.abstained or answer.mode == "abstained")


def is_answered(answer: Answer | None) -> bool:
    return answer is not None and not is_abstained(answer)


def cited_passage(answer: Answer, citation: Citation) -> Passage | None:
    """The retrieved passage a citation points at, by chunk id (None: not retrieved)."""
    for passage in answer.passages:
        if passage.chunk.id == citation.chunk_id:
            return passage
    return None


def citation_hits(answer: Answer, case: QACase) -> list[bool]:
    """Per citation: does its passage hit the case's evidence? A citation of something
    not retrieved has no text to check, so it never hits."""
    result = []
    for citation in answer.citations:
        passage = cited_passage(answer, citation)
        result.append(passage is not None and hits(passage.chunk.source, passage.chunk.text, case.evidence))
    return result


def invented_citations(answer: Answer | None) -> int:
    """Markers the service already dropped as invented, plus any citation that still
    points outside the retrieved passages (a service bug: both must stay 0)."""
    if answer is None:
        return 0
    return answer.invented_citations + sum(1 for c in answer.citations if cited_passage(answer, c) is None)


def citation_summary(outcomes: Sequence[Outcome]) -> dict:
    return citation_block([scored(o) for o in outcomes])


def citation_block(items: Sequence[Scored]) -> dict:
    """precision: share of citations (answered, answerable cases) whose passage hits the
    evidence, a lower bound since evidence lists are not exhaustive. recall: share of
    answered, answerable cases with at least one hitting citation; recall_all divides by
    every answerable case, so abstaining cannot raise it."""
    answerable = [s for s in items if s.answerable]
    answered = [s for s in answerable if s.answered]
    per_case = [s.citation_hits for s in answered]
    cited = sum(len(h) for h in per_case)
    hit_citations = sum(sum(h) for h in per_case)
    covered = sum(1 for h in per_case if any(h))
    summary = {
        "precision": _ratio(hit_citations, cited),
        "recall": _ratio(covered, len(answered)),
        "recall_all": _ratio(covered, len(answerable)),
        "invented": sum(s.invented for s in items),
        "n_answered": len(answered), "n_citations": cited,
    }
    notes = []
    if not cited:
        notes.append("인용이 하나도 없어 정밀도를 계산할 수 없습니다")
    if not answered:
        notes.append("답변한 답변 가능 문항이 없어 재현율을 계산할 수 없습니다")
    if not answerable:
        notes.append("답변 가능 문항이 없습니다")
    if notes:
        summary["note"] = "; ".join(notes)
    return summary


# --- abstention --------------------------------------------------------------------------

def abstention_summary(outcomes: Sequence[Outcome]) -> dict:
    return abstention_block([scored(o) for o in outcomes])


def abstention_block(items: Sequence[Scored]) -> dict:
    """Abstaining is the positive class, `answerable: false` the truth."""
    positive = sum(1 for s in items if not s.answerable)
    abstained = sum(1 for s in items if s.abstained)
    correct = sum(1 for s in items if not s.answerable and s.abstained)
    precision = _ratio(correct, abstained)
    recall = _ratio(correct, positive)
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    # accuracy: share of cases where the choice between answering and abstaining was
    # right; unlike F1 it is defined for a group without unanswerable cases.
    right = sum(1 for s in items if (s.abstained if not s.answerable else s.answered))
    summary = {"precision": precision, "recall": recall, "f1": f1, "accuracy": _ratio(right, len(items)),
               "n_positive": positive, "n_abstained": abstained}
    notes = []
    if not abstained:
        notes.append("답변을 거절한 문항이 없어 정밀도를 계산할 수 없습니다")
    if not positive:
        notes.append("답변 불가(answerable: false) 문항이 없어 재현율을 계산할 수 없습니다")
    if notes:
        summary["note"] = "; ".join(notes)
    return summary


# --- latency -----------------------------------------------------------------------------

def latency_summary(timings: Sequence[Timing], generating: bool) -> dict[str, float]:
    """Time to first token and total. Without generation the extractive answer is the
    first thing a reader sees; with it, TTFT is the first generated token (the final
    answer's time when no token came, e.g. an abstention), and the extractive time is
    reported beside it."""
    extractive = [t.extractive_ms for t in timings if t.extractive_ms is not None]
    first = [v for t in timings if (v := ttft_ms(t, generating)) is not None]
    total = [t.total_ms for t in timings if t.total_ms is not None]
    summary = {"ttft_p50": _p(first, 50), "ttft_p95": _p(first, 95)}
    if generating:
        summary.update(ttft_extractive_p50=_p(extractive, 50), ttft_extractive_p95=_p(extractive, 95))
    summary.update(total_p50=_p(total, 50), total_p95=_p(total, 95))
    return summary


def ttft_ms(timing: Timing, generating: bool) -> float | None:
    if not generating:
        return timing.extractive_ms
    return timing.first_token_ms if timing.first_token_ms is not None else timing.total_ms


def _p(values: Sequence[float], q: float) -> float:
    return round(percentile(values, q), 2)


def _ratio(numerator: float, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None
