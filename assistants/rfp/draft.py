"""What an RFP draft is: the inputs it was made from, its sections, its requirement
blocks, the legal rules computed from the inputs (each with its articles), the similar past
notices used as examples, and its review status. One shape for the drafting pipeline, the
exports (DOCX, HWPX, JSON), the page, the saved drafts and the evaluation scorer.

A draft is AI-generated and unreviewed until a named officer approves it
(``ReviewStatus``); every view and export shows which. Missing inputs are never invented:
they become ``[확인 필요: …]`` fields (``NEEDS_CHECK``) and are listed in ``assumptions``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

AgencyType = Literal["국가기관", "지방자치단체", "공공기관", "기타"]
ProjectType = Literal["신규 구축", "고도화", "유지관리·운영", "ISP·컨설팅", "구매"]
AGENCY_TYPES: tuple[str, ...] = ("국가기관", "지방자치단체", "공공기관", "기타")
PROJECT_TYPES: tuple[str, ...] = ("신규 구축", "고도화", "유지관리·운영", "ISP·컨설팅", "구매")

#: Requirement categories and their Korean names, as public SW RFPs use them.
CATEGORIES: dict[str, str] = {
    "ECR": "시스템 장비 구성 요구사항", "SFR": "기능 요구사항", "PER": "성능 요구사항",
    "SIR": "인터페이스 요구사항", "DAR": "데이터 요구사항", "TER": "테스트 요구사항",
    "SER": "보안 요구사항", "QUR": "품질 요구사항", "COR": "제약사항", "PMR": "프로젝트 관리 요구사항",
    "PSR": "프로젝트 지원 요구사항", "CSR": "컨설팅 요구사항", "CUR": "컨설팅 산출물 요구사항",
    "MAR": "유지관리 요구사항", "SMR": "운영 요구사항",
}

AI_DRAFT_MARK = "AI 생성 초안 · 검토 전"


def needs_check(what: str) -> str:
    """The visible field for a fact the inputs do not give: "[확인 필요: 사업 기간]"."""
    return f"[확인 필요: {what}]"


@dataclass
class RfpInput:
    project_name: str
    agency: str
    agency_type: str | None = None  # one of AGENCY_TYPES; None: not given (an assumption is stated)
    budget_krw: int | None = None
    vat_included: bool = True
    period_months: int | None = None
    project_type: str | None = None  # one of PROJECT_TYPES
    summary: str = ""
    current_issues: str = ""
    deliverables: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # file names of attachments read
    notice_no: str | None = None  # the case's own notice (excluded from similar examples)


@dataclass
class LawCitation:
    """An article a statement rests on. ``chunk_id`` is the indexed chunk that holds it
    (None: not found in the index — such a citation is reported and removed)."""

    law: str
    article: str
    quote: str = ""
    chunk_id: str | None = None
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.law} {self.article}"


@dataclass
class RuleFact:
    """A rule that follows from the inputs, computed by code: ``key`` as the suites'
    ``rule_facts`` name it, ``value`` (None: cannot be decided from what is indexed —
    then ``text`` says what to check), the sentence the draft states, its articles."""

    key: str
    value: Any
    text: str
    citations: list[LawCitation] = field(default_factory=list)


@dataclass
class Finding:
    """A requirement checker's finding: ``rule`` (vague_word, several_duties,
    unmeasurable, duplicate_id, malformed_id, not_specific), the text it concerns, why."""

    rule: str
    message: str
    text: str = ""


@dataclass
class Requirement:
    category: str  # a key of CATEGORIES
    id: str  # "SFR-001": unique, sequential per category
    name: str
    definition: str
    details: list[str] = field(default_factory=list)  # 세부내용
    outputs: list[str] = field(default_factory=list)  # 산출정보
    related: list[str] = field(default_factory=list)  # 관련 요구사항 ids
    source: str = ""  # 출처: "사업 개요", "유사 사업 20241001798 …", an article
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Section:
    """A numbered part of the draft ("Ⅶ-2 입찰 및 계약 방법"): paragraphs of text in which
    ``[n]`` marks refer to ``citations``; ``truncated`` when generation hit its limit."""

    number: str
    title: str
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)
    citations: list[LawCitation] = field(default_factory=list)
    truncated: bool = False


@dataclass
class SimilarNotice:
    notice_no: str
    project_name: str
    agency: str = ""
    score: float = 0.0


@dataclass
class ReviewStatus:
    ai_generated: bool = True
    approved_by: str | None = None
    approved_at: str | None = None  # ISO date-time

    @property
    def label(self) -> str:
        if self.approved_by:
            return f"AI 생성 · {self.approved_by} 검토 승인 ({self.approved_at})"
        return AI_DRAFT_MARK


@dataclass
class RfpDraft:
    input: RfpInput
    sections: list[Section] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    rule_facts: dict[str, RuleFact] = field(default_factory=dict)
    similar: list[SimilarNotice] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    review: ReviewStatus = field(default_factory=ReviewStatus)
    generator: str = "extractive"  # the answering mode or model that wrote the prose
    removed_citations: list[str] = field(default_factory=list)  # articles not in the index, removed

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["review"]["label"] = self.review.label
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RfpDraft":
        def cites(items) -> list[LawCitation]:
            return [LawCitation(**c) for c in items or ()]

        review = {k: v for k, v in (data.get("review") or {}).items() if k != "label"}
        return cls(
            input=RfpInput(**data["input"]),
            sections=[Section(**{**s, "citations": cites(s.get("citations"))}) for s in data.get("sections") or ()],
            requirements=[Requirement(**{**r, "findings": [Finding(**f) for f in r.get("findings") or ()]})
                          for r in data.get("requirements") or ()],
            rule_facts={k: RuleFact(**{**f, "citations": cites(f.get("citations"))})
                        for k, f in (data.get("rule_facts") or {}).items()},
            similar=[SimilarNotice(**s) for s in data.get("similar") or ()],
            assumptions=list(data.get("assumptions") or ()),
            review=ReviewStatus(**review),
            generator=data.get("generator", "extractive"),
            removed_citations=list(data.get("removed_citations") or ()),
        )
