"""What one live answer measures, for its cases.jsonl record (eval.answer_runner.case_record):
token F1 against the reference answer, which citations hit the evidence, invented
citations, whether it abstained, and when its first words came. The metrics over a run's
records are the table in eval.case_metrics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from rag.answer.types import Answer, Citation, Passage

from .hits import hits
from .suites import QACase


class TermAnalyzer(Protocol):
    def terms(self, text: str) -> list[str]: ...


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


# --- citations ---------------------------------------------------------------------------

def is_abstained(answer: Answer | None) -> bool:
    return answer is not None and (answer.abstained or answer.mode == "abstained")


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


# --- latency -----------------------------------------------------------------------------

def ttft_ms(timing: Timing, generating: bool) -> float | None:
    """The time to first token a record stores. Without generation the extractive answer
    is the first thing a reader sees; with it, the first generated token (the final
    answer's time when no token came, e.g. an abstention)."""
    if not generating:
        return timing.extractive_ms
    return timing.first_token_ms if timing.first_token_ms is not None else timing.total_ms
