"""What an exported RFP draft shows, in order, independent of the file format: headings,
paragraphs and tables (``draft_blocks``), and how the document is marked as an AI draft or
as approved (``draft_marking``). The DOCX and HWPX writers only render these blocks, so both
formats carry the same content and the same marking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

from .draft import CATEGORIES, LawCitation, Requirement, RfpDraft, RuleFact, Section, needs_check

# Characters XML 1.0 cannot hold (model output sometimes has them): both writers would
# refuse the whole document for one stray control character.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

REVIEW_NOTES_HEADING = "[참고] 초안 검토 자료"
SUMMARY_TABLE_HEADER = ("분류", "요구사항 고유번호", "요구사항 명칭", "출처")
RULE_TABLE_HEADER = ("항목", "판단", "내용", "근거 조문")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "body"  # body | banner | title | note


@dataclass(frozen=True)
class Table:
    """A table whose first row (``header``) repeats on every page it spans."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[int, ...]  # relative column widths

    @property
    def all_rows(self) -> list[tuple[str, ...]]:
        return [self.header, *self.rows]


Block = Union[Heading, Paragraph, Table]


@dataclass(frozen=True)
class DraftMarking:
    """The AI-draft or approval marking an export carries in its banner, page header and
    document properties."""

    banner: str
    page_header: str
    title: str
    subject: str
    keywords: str
    comments: str
    author: str
    approved: bool


def clean(text: Any) -> str:
    return _XML_INVALID.sub("", str(text))


def draft_marking(draft: RfpDraft) -> DraftMarking:
    review = draft.review
    label = review.label
    approved = bool(review.approved_by)
    title = clean(f"{draft.input.project_name} 제안요청서")
    if approved:
        banner = (f"【{label}】 AI가 작성한 초안을 {review.approved_by} 님이 {review.approved_at}에 "
                  "검토·승인했습니다.")
        keywords = "제안요청서; AI 생성; 검토 승인"
        comments = (f"AI 생성 문서 ({draft.generator}). {review.approved_by} 검토 승인 "
                    f"({review.approved_at}).")
    else:
        banner = (f"【{label}】 이 문서는 AI가 작성한 초안으로 담당자의 검토·승인 전입니다. "
                  "[확인 필요: …] 표시는 입력에 없어 직접 확인해야 하는 값입니다.")
        keywords = "제안요청서; AI 생성; 검토 전"
        comments = f"AI 생성 초안 ({draft.generator}), 검토 전 — 담당자 검토·승인 후 사용하십시오."
    return DraftMarking(
        banner=clean(banner), page_header=clean(f"{label} · {title}"), title=title, subject=clean(label),
        keywords=keywords, comments=clean(comments), author=clean(f"seoul-assist AI ({draft.generator})"),
        approved=approved,
    )


def draft_blocks(draft: RfpDraft) -> list[Block]:
    """The whole draft in reading order: banner, title, the sections (with their 근거 and,
    where the draft has them, the requirement tables), then the review notes."""
    marking = draft_marking(draft)
    blocks: list[Block] = [Paragraph(marking.banner, "banner"), Paragraph(marking.title, "title")]
    blocks.extend(_input_lines(draft))
    summary_at, details_at = _requirement_places(draft.sections)
    for index, section in enumerate(draft.sections):
        blocks.extend(_section_blocks(section))
        if index == summary_at:
            blocks.extend(_summary_blocks(draft.requirements))
        if index == details_at:
            blocks.extend(_detail_blocks(draft.requirements))
    if summary_at is None and draft.requirements:
        blocks.append(Heading(1, "제안 요청 내용 (요구사항)"))
        blocks.append(Heading(2, "요구사항 총괄표"))
        blocks.extend(_summary_blocks(draft.requirements))
        blocks.append(Heading(2, "상세 요구사항"))
        blocks.extend(_detail_blocks(draft.requirements))
    blocks.extend(_review_notes(draft))
    return blocks


def _input_lines(draft: RfpDraft) -> list[Block]:
    given = draft.input
    budget = f"{given.budget_krw:,}원 ({'부가세 포함' if given.vat_included else '부가세 별도'})" \
        if given.budget_krw else needs_check("사업 예산")
    period = f"{given.period_months}개월" if given.period_months else needs_check("사업 기간")
    facts = [
        ("발주기관", given.agency or needs_check("발주기관")),
        ("기관 유형", given.agency_type or needs_check("기관 유형")),
        ("사업 유형", given.project_type or needs_check("사업 유형")),
        ("사업 예산", budget),
        ("사업 기간", period),
    ]
    return [Paragraph(clean(" · ".join(f"{name}: {value}" for name, value in facts)), "note")]


def _requirement_places(sections: list[Section]) -> tuple[int | None, int | None]:
    """Indexes of the sections after which the 총괄표 and the requirement blocks go."""
    summary = next((i for i, s in enumerate(sections) if "총괄" in s.title), None)
    details = next((i for i, s in enumerate(sections) if "상세" in s.title and "요구" in s.title), None)
    if summary is None:
        return None, None
    return summary, details if details is not None else summary


def _heading_text(section: Section) -> str:
    return clean(f"{section.number} {section.title}".strip())


def _section_blocks(section: Section) -> list[Block]:
    blocks: list[Block] = [Heading(max(1, section.level), _heading_text(section))]
    blocks.extend(Paragraph(clean(text)) for text in section.paragraphs if text.strip())
    if section.truncated:
        blocks.append(Paragraph(needs_check("이 절은 생성 길이 한도에서 잘렸습니다 — 끝부분을 보완하십시오"), "note"))
    if section.citations:
        blocks.append(Paragraph("근거", "note"))
        blocks.extend(Paragraph(_citation_line(n, c), "note") for n, c in enumerate(section.citations, start=1))
    return blocks


def _citation_line(number: int, citation: LawCitation) -> str:
    quote = f" — “{citation.quote}”" if citation.quote else ""
    return clean(f"[{number}] {citation.label}{quote}")


def _summary_blocks(requirements: list[Requirement]) -> list[Block]:
    if not requirements:
        return [Paragraph(needs_check("요구사항이 아직 없습니다"), "note")]
    rows = [(_category_label(r.category), r.id, r.name, r.source) for r in requirements]
    # 분류 wide enough for "기능 요구사항 (SFR)" on one line of an A4 page.
    return [Table(SUMMARY_TABLE_HEADER, [tuple(clean(v) for v in row) for row in rows], (4, 2, 5, 3))]


def _detail_blocks(requirements: list[Requirement]) -> list[Block]:
    return [_requirement_table(r) for r in requirements]


def _category_label(category: str) -> str:
    name = CATEGORIES.get(category)
    return f"{name} ({category})" if name else category


def _lines(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _requirement_table(requirement: Requirement) -> Table:
    """One requirement block as real RFPs lay it out: the ID row on top (repeated when the
    block spans pages, so a continued page still says which requirement it is)."""
    rows = [
        ("요구사항 분류", _category_label(requirement.category)),
        ("요구사항 명칭", requirement.name),
        ("요구사항 정의", requirement.definition),
        ("세부내용", _lines(requirement.details)),
        ("산출정보", _lines(requirement.outputs)),
        ("관련 요구사항", ", ".join(requirement.related)),
        ("출처", requirement.source),
    ]
    if requirement.findings:
        rows.append(("점검 결과", "\n".join(f"- {f.message}" + (f" ({f.text})" if f.text else "")
                                          for f in requirement.findings)))
    return Table(("요구사항 고유번호", clean(requirement.id)),
                 [(name, clean(value)) for name, value in rows], (1, 4))


def _rule_value(fact: RuleFact) -> str:
    if fact.value is None:
        return needs_check("판정 불가")
    if fact.value is True:
        return "해당"
    if fact.value is False:
        return "해당 없음"
    return str(fact.value)


def _review_notes(draft: RfpDraft) -> list[Block]:
    blocks: list[Block] = [Heading(1, REVIEW_NOTES_HEADING), Heading(2, "법령 적용 사항 (코드 계산·조문 인용)")]
    if draft.rule_facts:
        rows = [(key, _rule_value(fact), fact.text, "; ".join(c.label for c in fact.citations))
                for key, fact in draft.rule_facts.items()]
        blocks.append(Table(RULE_TABLE_HEADER, [tuple(clean(v) for v in row) for row in rows], (3, 2, 6, 3)))
    else:
        blocks.append(Paragraph(needs_check("계산된 법령 적용 사항이 없습니다"), "note"))
    if draft.assumptions:
        blocks.append(Heading(2, "확인할 가정"))
        blocks.extend(Paragraph(clean(f"- {a}")) for a in draft.assumptions)
    if draft.similar:
        blocks.append(Heading(2, "참고한 유사 사업"))
        blocks.extend(Paragraph(clean(f"- {s.notice_no} {s.project_name}" + (f" ({s.agency})" if s.agency else "")))
                      for s in draft.similar)
    if draft.removed_citations:
        blocks.append(Heading(2, "색인에 없어 삭제한 인용"))
        blocks.extend(Paragraph(clean(f"- {c}")) for c in draft.removed_citations)
    blocks.append(Heading(2, "초안 정보"))
    blocks.append(Paragraph(clean(f"작성: {draft.generator} · 상태: {draft.review.label}")))
    return blocks
