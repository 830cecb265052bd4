"""Why a case failed, in a few Korean words for the report and cases.jsonl.

Kinds (stable codes, for filters): error, retrieval (no evidence in the top 10),
passages (found in the top 10 but not among the passages the answer saw),
abstained_answerable, answered_unanswerable, citation (answered without citing a
passage that holds the evidence). A case may fail for several; the first named is the
likeliest cause."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .suites import QACase

KIND_LABELS = {
    "error": "오류",
    "retrieval": "검색 실패",
    "passages": "답변 구절 밖",
    "abstained_answerable": "답할 수 있는데 답변 거절",
    "answered_unanswerable": "답할 수 없는데 답변함",
    "citation": "인용 근거 불일치",
    # A generation case's scorer (the metabolic classification) names its wrong fields.
    "classification": "분류 불일치",
}


@dataclass(frozen=True)
class Failure:
    kinds: tuple[str, ...]
    reason: str


def diagnose(case: QACase, *, error: str | None, abstained: bool, rank: int | None, passage_rank: int | None,
             citation_hits: Sequence[bool], k: int = 10) -> Failure | None:
    """None when the case went right: answered with a hitting citation, or abstained on
    an unanswerable question."""
    return _diagnose(case.answerable, _evidence_word(case) if case.evidence else None, error=error,
                     abstained=abstained, rank=rank, passage_rank=passage_rank, citation_hits=citation_hits, k=k)


def diagnose_record(record: dict, k: int = 10) -> Failure | None:
    """The same for a record written before records said why (no evidence at hand: an
    answerable case is taken to have some)."""
    if record.get("kind", "qa") != "qa":
        return None
    answerable = bool(record.get("answerable"))
    return _diagnose(answerable, "근거" if answerable else None, error=record.get("error"),
                     abstained=bool(record.get("abstained")), rank=record.get("rank"),
                     passage_rank=record.get("passage_rank"),
                     citation_hits=[bool(c.get("hit")) for c in record.get("citations") or []], k=k)


def retrieval_failure(case: QACase, rank: int | None, k: int = 10) -> str | None:
    """The reason of a retrieval-only case, None when its evidence was found."""
    if case.answerable and case.evidence and rank is None:
        return _retrieval_reason(_evidence_word(case), k)
    return None


def _diagnose(answerable: bool, evidence: str | None, *, error: str | None, abstained: bool, rank: int | None,
              passage_rank: int | None, citation_hits: Sequence[bool], k: int) -> Failure | None:
    if error:
        return Failure(("error",), f"오류: {error}")
    kinds: list[str] = []
    reasons: list[str] = []
    if answerable and evidence:
        if rank is None and passage_rank is None:
            kinds.append("retrieval")
            reasons.append(_retrieval_reason(evidence, k))
        elif passage_rank is None:
            kinds.append("passages")
            reasons.append(f"근거가 검색 {rank}위에 있으나 답변에 쓴 구절 밖")
    if answerable and abstained:
        kinds.append("abstained_answerable")
        reasons.append("답할 수 있는데 답변 거절")
    elif not answerable and not abstained:
        kinds.append("answered_unanswerable")
        reasons.append("답할 수 없는데 답변함")
    elif answerable and evidence and not any(citation_hits):
        kinds.append("citation")
        reasons.append("인용 근거 불일치" if citation_hits else "인용 없음")
    if not kinds:
        return None
    return Failure(tuple(kinds), "; ".join(reasons))


def _evidence_word(case: QACase) -> str:
    # Statute evidence is an article (조문); FAQs and guides are passages (구절).
    return "근거 조문" if all(e.source.startswith("statutes/") for e in case.evidence) else "근거 구절"


def _retrieval_reason(evidence: str, k: int) -> str:
    # 근거 조문이 / 근거 구절이 / 근거가: the particle follows the last syllable.
    particle = "가" if evidence == "근거" else "이"
    return f"검색 실패 ({evidence}{particle} 상위 {k}위 밖)"
