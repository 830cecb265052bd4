"""Drafting an RFP section by section: Ⅰ 사업 안내 … Ⅶ 제안 안내 사항 and 붙임 서식, as
real Korean public SW RFPs have them. Every section sees the global facts (사업명, 예산,
기간, 기관, the rule facts) and the sections written before it; `progress` is called as
each one is done.

Without a model (`extractive`) the sections are filled from templates, the inputs, the
rule facts with their quoted articles and the requirement blocks. With a model, the prose
sections (배경, 현황, 목표 시스템, 기대효과) are written by it through the core's grounded
generation, each sentence checked against the inputs and articles it may cite; a section
the model left unfinished (its token limit) is marked `truncated`, and one with nothing
verified keeps the extractive text. Legal statements are always the code's.

Every article cited anywhere is checked against the index at the end: one that is not
there is removed and listed in `removed_citations`."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .attachments import AttachedRequirement
from .checker import check
from .draft import CATEGORIES, LawCitation, Requirement, RfpDraft, RfpInput, RuleFact, Section, needs_check
from .requirements import ProjectTerms, build_requirements, project_terms, summary_parts
from .rules import RuleSet, compute_rules, contract_act
from .similar import ExampleNotice, ExampleSource, as_similar
from .statutes import SHORT_NAMES, ArticleSource, is_indexed

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, section title)

#: The sections, in order: (number, title, level). Level-1 parts with sub-sections open
#: with one line saying what follows.
OUTLINE: tuple[tuple[str, str, int], ...] = (
    ("Ⅰ", "사업 안내", 1), ("Ⅰ-1", "사업 개요", 2), ("Ⅰ-2", "추진 배경 및 필요성", 2), ("Ⅰ-3", "사업 범위", 2),
    ("Ⅰ-4", "사업 기간", 2), ("Ⅰ-5", "사업 예산", 2), ("Ⅰ-6", "기대효과", 2),
    ("Ⅱ", "현황 및 문제점", 1),
    ("Ⅲ", "사업 추진 방안", 1), ("Ⅲ-1", "목표 시스템", 2), ("Ⅲ-2", "추진 일정", 2),
    ("Ⅳ", "제안 요청 내용", 1), ("Ⅳ-1", "요구사항 총괄표", 2), ("Ⅳ-2", "상세 요구사항", 2),
    ("Ⅴ", "제안서 작성 요령", 1),
    ("Ⅵ", "제안서 평가 방법", 1),
    ("Ⅶ", "제안 안내 사항", 1), ("Ⅶ-1", "입찰 및 계약 방법", 2), ("Ⅶ-2", "일정", 2), ("Ⅶ-3", "제출 서류", 2),
    ("Ⅶ-4", "유의사항", 2), ("Ⅶ-5", "소프트웨어 진흥법 준수사항", 2), ("Ⅶ-6", "계약 조건", 2),
    ("붙임", "서식", 1),
)
#: Sections a model may write (prose from the inputs); the rest are the code's.
PROSE_SECTIONS = frozenset({"Ⅰ-2", "Ⅱ", "Ⅲ-1", "Ⅰ-6"})


@dataclass
class DraftContext:
    """What every section sees: the inputs, the rule facts, the requirements, the examples
    and the sections already written."""

    input: RfpInput
    rules: RuleSet
    terms: ProjectTerms
    requirements: list[Requirement]
    examples: list[tuple[ExampleNotice, float]]
    done: list[Section] = field(default_factory=list)

    def fact(self, key: str) -> RuleFact:
        return self.rules.facts[key]


class SectionWriter:
    """A model's prose for one section, or None to keep the extractive text (the model
    failed, or nothing it wrote could be verified)."""

    name = "extractive"
    #: The model's whole output of the last `write` (shown or not): the articles it named
    #: are checked against the index even where its sentences were not kept.
    last_output: str = ""

    def write(self, number: str, title: str, ctx: DraftContext, extractive: list[str]) -> tuple[list[str], bool] | None:
        """(paragraphs, truncated) or None."""
        return None


def draft_rfp(inp: RfpInput, articles: ArticleSource, *, assumptions: Sequence[str] = (),
              examples: ExampleSource | None = None, writer: SectionWriter | None = None,
              progress: Progress | None = None, reused: Sequence[AttachedRequirement] = ()) -> RfpDraft:
    """`reused`: requirements read from the officer's attachments (attachments.py)."""
    writer = writer or SectionWriter()
    rules = compute_rules(inp, articles)
    terms = project_terms(inp)
    found = examples.similar(f"{inp.project_name}\n{inp.summary}", exclude_notice=inp.notice_no,
                                      exclude_project=(inp.project_name, inp.agency)) if examples else []
    requirements = check(build_requirements(inp, terms, [notice for notice, _ in found], reused), terms.words, terms.system)
    ctx = DraftContext(inp, rules, terms, requirements, found)
    removed: list[str] = []  # articles the model named that the index does not hold
    total = len(OUTLINE)
    for index, (number, title, level) in enumerate(OUTLINE, start=1):
        section = _BUILDERS[number](ctx, Section(number, title, level))
        if number in PROSE_SECTIONS and writer.name != "extractive":
            writer.last_output = ""
            written = writer.write(number, title, ctx, section.paragraphs)
            checked = _model_articles_checked(written[0] if written else [], writer.last_output, articles, removed)
            if written is not None and checked:  # else nothing verified: the extractive text stays
                section.paragraphs, section.truncated = checked, written[1]
        ctx.done.append(section)
        if progress:
            progress(index, total, f"{number} {title}")
    draft = RfpDraft(input=inp, sections=ctx.done, requirements=requirements, rule_facts=rules.facts,
                     similar=as_similar(found), assumptions=[*assumptions, *rules.assumptions], generator=writer.name,
                     removed_citations=removed)
    remove_unindexed_citations(draft, articles)
    return draft


def remove_unindexed_citations(draft: RfpDraft, articles: ArticleSource) -> None:
    """Every article cited (sections and rule facts) must be in the index: one that is not,
    or whose sentence was not found, is taken out and listed in `removed_citations`."""
    removed: list[str] = list(draft.removed_citations)

    def keep(citation: LawCitation) -> bool:
        ok = citation.chunk_id is not None and is_indexed(articles, citation)
        if not ok and citation.label not in removed:
            removed.append(citation.label)
        return ok

    for fact in draft.rule_facts.values():
        fact.citations = [c for c in fact.citations if keep(c)]
    for section in draft.sections:
        kept = [c for c in section.citations if keep(c)]
        if len(kept) != len(section.citations):
            section.paragraphs = _renumber(section.paragraphs, section.citations, kept)
            section.citations = kept
    draft.removed_citations = removed


_NAMED_ARTICLE = re.compile(r"「?([가-힣][가-힣 ]*?(?:법률|법|령|규칙))」?\s*(?:시행령|시행규칙)?\s*(제\d+조(?:의\d+)?)")


def _model_articles_checked(paragraphs: list[str], generated: str, articles: ArticleSource,
                            removed: list[str]) -> list[str]:
    """A model's prose keeps no [n] marker (its passages are the officer's inputs, not
    articles); every article it named (in all it wrote, shown or not) that is not indexed is
    listed in `removed`, and a sentence naming one is taken out."""
    for match in _NAMED_ARTICLE.finditer(generated):
        label = f"{match.group(1).strip()} {match.group(2)}"
        if not _indexed_anywhere(articles, match.group(0), match.group(1).strip(), match.group(2)) \
                and label not in removed:
            removed.append(label)
    kept = []
    for paragraph in paragraphs:
        sentences = re.split(r"(?<=[.다])\s+", re.sub(r"\s*\[\d+\]", "", paragraph))
        good = []
        for sentence in sentences:
            missing = [f"{m.group(1).strip()} {m.group(2)}" for m in _NAMED_ARTICLE.finditer(sentence)
                       if not _indexed_anywhere(articles, m.group(0), m.group(1).strip(), m.group(2))]
            if missing:
                removed.extend(label for label in missing if label not in removed)
            else:
                good.append(sentence)
        if good:
            kept.append(" ".join(good) + " (출처: 입력한 사업 정보)")
    return kept


def _indexed_anywhere(articles: ArticleSource, named: str, law: str, article: str) -> bool:
    full = SHORT_NAMES.get(law, law)
    laws = [full]
    if "시행령" in named:
        laws = [f"{full} 시행령"]
    elif "시행규칙" in named:
        laws = [f"{full} 시행규칙"]
    return any(articles.parts(name, article) for name in laws)


def invented_citations(draft: RfpDraft) -> int:
    """Citations still in the draft that point at no indexed chunk (must be 0)."""
    cited = [c for s in draft.sections for c in s.citations] + [c for f in draft.rule_facts.values() for c in f.citations]
    return sum(1 for c in cited if not c.chunk_id)


# --- the sections ----------------------------------------------------------------------------

def _add(section: Section, text: str, citations: Sequence[LawCitation] = ()) -> None:
    """A paragraph ending with the [n] markers of its citations (each article once per section)."""
    marks = []
    for citation in citations:
        for i, have in enumerate(section.citations, start=1):
            if (have.law, have.article, have.quote) == (citation.law, citation.article, citation.quote):
                marks.append(i)
                break
        else:
            section.citations.append(citation)
            marks.append(len(section.citations))
    suffix = "".join(f"[{m}]" for m in dict.fromkeys(marks))
    section.paragraphs.append(f"{text} {suffix}".rstrip() if suffix else text)


def _fact(section: Section, ctx: DraftContext, key: str, prefix: str = "") -> None:
    fact = ctx.fact(key)
    _add(section, f"{prefix}{fact.text}", fact.citations)


def _money(krw: int | None) -> str:
    return f"{krw:,}원" if krw is not None else needs_check("사업 예산")


def _chapter(intro: str) -> Callable[[DraftContext, Section], Section]:
    def build(ctx: DraftContext, section: Section) -> Section:
        _add(section, intro.format(name=ctx.input.project_name))
        return section
    return build


def _overview(ctx: DraftContext, s: Section) -> Section:
    inp = ctx.input
    period = f"계약일로부터 {inp.period_months}개월" if inp.period_months else needs_check("사업 기간")
    _add(s, f"사 업 명: {inp.project_name}")
    _add(s, f"발주기관: {inp.agency} ({inp.agency_type})")
    _add(s, f"사업 유형: {inp.project_type}")
    _add(s, f"사업 기간: {period}")
    _add(s, f"사업 예산: {_money(inp.budget_krw)}{' (부가가치세 포함)' if inp.vat_included and inp.budget_krw else ''}")
    _add(s, f"계약 방법: 협상에 의한 계약 ({contract_act(inp)} 적용)", ctx.fact("negotiated_contract_stated_in_notice").citations)
    overview = summary_parts(inp.summary)["overview"]
    if overview:
        _add(s, f"사업 내용: {overview[0]}")
    return s


def _background(ctx: DraftContext, s: Section) -> Section:
    parts = summary_parts(ctx.input.summary)
    lines = parts["background"] or parts["goals"] or [f"{ctx.terms.system} 사업의 추진 배경: {needs_check('추진 배경')}"]
    for line in lines:
        _add(s, line)
    return s


def _scope(ctx: DraftContext, s: Section) -> Section:
    for requirement in ctx.requirements:
        if requirement.category in ("SFR", "SMR", "CSR"):
            _add(s, f"{requirement.name} ({requirement.id})")
    _add(s, f"세부 범위는 Ⅳ 제안 요청 내용의 요구사항 {len(ctx.requirements)}건으로 정합니다.")
    return s


def _period(ctx: DraftContext, s: Section) -> Section:
    inp = ctx.input
    _add(s, f"계약일로부터 {inp.period_months}개월" if inp.period_months else f"사업 기간: {needs_check('사업 기간')}")
    _fact(s, ctx, "long_term_contract_required")
    return s


def _budget(ctx: DraftContext, s: Section) -> Section:
    inp = ctx.input
    _add(s, f"총 사업 예산: {_money(inp.budget_krw)}" + (" (부가가치세 포함)" if inp.vat_included and inp.budget_krw else ""))
    _fact(s, ctx, "estimated_price_krw")
    return s


def _effects(ctx: DraftContext, s: Section) -> Section:
    effects = summary_parts(ctx.input.summary)["effects"]
    for line in effects or [f"{ctx.terms.system} 구축에 따른 기대효과: {needs_check('정량·정성 기대효과')}"]:
        _add(s, line)
    _example_wording(ctx, s, "effects", "기대효과")
    return s


def _example_wording(ctx: DraftContext, s: Section, kind: str, what: str) -> None:
    """The closest similar notice's own wording of `what`, named by 공고번호 and 사업명, as
    an example for the officer to adapt (not a statement about this project)."""
    for notice, _ in ctx.examples:
        lines = notice.wording(kind, limit=2)
        if lines:
            _add(s, f"참고 — 유사 사업 {notice.label}의 {what} 문안: " + " / ".join(f"“{line}”" for line in lines)
                 + f" (이 사업에 맞게 {ctx.terms.system} 기준으로 고쳐 쓰세요)")
            return


def _current(ctx: DraftContext, s: Section) -> Section:
    inp = ctx.input
    issues = [inp.current_issues] if inp.current_issues else summary_parts(inp.summary)["issues"]
    for line in issues or [f"{ctx.terms.system}의 현황 및 문제점: {needs_check('현행 시스템 현황과 문제점')}"]:
        _add(s, line)
    return s


def _target(ctx: DraftContext, s: Section) -> Section:
    goals = summary_parts(ctx.input.summary)["goals"]
    _add(s, f"목표 시스템: {ctx.terms.system}")
    for line in goals:
        _add(s, f"추진 목표: {line}")
    _add(s, f"목표 시스템 구성도: {needs_check('목표 시스템 구성도')}")
    _example_wording(ctx, s, "goals", "구축 목표")
    return s


def _schedule(ctx: DraftContext, s: Section) -> Section:
    months = ctx.input.period_months
    if months:
        analysis, build = max(1, round(months * 0.2)), max(1, round(months * 0.6))
        _add(s, f"분석·설계: 착수 후 {analysis}개월 / 구현: {build}개월 / 시험·이행·안정화: {max(1, months - analysis - build)}개월 "
                "(제안사가 세부 일정을 제안)")
    else:
        _add(s, f"추진 일정: {needs_check('사업 기간')}에 맞춰 제안사가 단계별 일정을 제안")
    return s


def _requirements_table(ctx: DraftContext, s: Section) -> Section:
    _fact(s, ctx, "detailed_requirements_required")
    counts: dict[str, int] = {}
    for requirement in ctx.requirements:
        counts[requirement.category] = counts.get(requirement.category, 0) + 1
    _add(s, " / ".join(f"{CATEGORIES[c]}({c}) {n}건" for c, n in counts.items()) + f" — 총 {len(ctx.requirements)}건")
    for requirement in ctx.requirements:
        _add(s, f"{requirement.id} | {CATEGORIES[requirement.category]} | {requirement.name}")
    return s


def _requirements_detail(ctx: DraftContext, s: Section) -> Section:
    for r in ctx.requirements:
        _add(s, f"{r.id} {r.name}: {r.definition} 세부내용: {'; '.join(r.details)}. 산출정보: {', '.join(r.outputs)}."
                + (f" 관련 요구사항: {', '.join(r.related)}." if r.related else "") + f" 출처: {r.source}.")
    if ctx.examples:
        _add(s, "참고한 유사 사업: " + "; ".join(n.label for n, _ in ctx.examples))
    return s


def _writing_guide(ctx: DraftContext, s: Section) -> Section:
    _add(s, "제안서는 Ⅳ 제안 요청 내용의 요구사항 고유번호별로 이행 방안을 작성하고, 요구사항 대비표를 첨부합니다.")
    _add(s, "제안서 구성: Ⅰ 제안 개요 / Ⅱ 제안사 일반 / Ⅲ 기술 부문 / Ⅳ 사업관리 부문 / Ⅴ 지원 부문")
    _add(s, f"분량과 형식: {needs_check('제안서 분량·부수·제출 형식')}")
    return s


def _evaluation(ctx: DraftContext, s: Section) -> Section:
    _add(s, "제안서평가위원회가 기술능력을 평가하고, 기술능력 평가 점수와 가격 평가 점수를 합산하여 협상적격자를 정한 뒤 "
            "협상 순위에 따라 협상합니다.")
    _fact(s, ctx, "technical_price_ratio")
    _fact(s, ctx, "proposal_compensation_possible", "제안서 보상: ")
    return s


def _bidding(ctx: DraftContext, s: Section) -> Section:
    _fact(s, ctx, "preferred_contract_method")
    _fact(s, ctx, "negotiated_contract_stated_in_notice")
    _fact(s, ctx, "large_enterprise_restriction_applies", "입찰 참가 자격: ")
    _fact(s, ctx, "chaebol_group_restricted_regardless_of_amount")
    _fact(s, ctx, "must_state_task_change_procedure_in_notice")
    return s


def _timeline(ctx: DraftContext, s: Section) -> Section:
    _fact(s, ctx, "bid_notice_days", "입찰공고: ")
    _fact(s, ctx, "rfp_briefing_in_notice")
    _fact(s, ctx, "sw_impact_assessment_deadline_days", "소프트웨어사업 영향평가: ")
    _add(s, f"제안서 제출 마감·평가 일정: {needs_check('제안서 제출 마감일시와 평가 일정')}")
    return s


def _documents(ctx: DraftContext, s: Section) -> Section:
    _add(s, "제안서 본문, 요약본, 가격 제안서(별도 밀봉), 입찰참가신청서, 서약서 및 붙임 서식의 서류를 제출합니다.")
    _add(s, f"제출 부수와 방법: {needs_check('제출 부수·방법(전자제출 여부)')}")
    return s


def _notes(ctx: DraftContext, s: Section) -> Section:
    _add(s, "제안서의 내용은 계약서에 준하는 효력을 가지며, 허위 기재가 확인되면 평가 대상에서 제외합니다.")
    _add(s, "과업 내용을 변경하는 경우 과업심의위원회의 심의를 거치며, 사업자는 그 개최를 요청할 수 있습니다.",
         ctx.fact("must_state_task_change_procedure_in_notice").citations)
    return s


def _sw_act(ctx: DraftContext, s: Section) -> Section:
    _fact(s, ctx, "bidder_may_propose_work_location", "사업수행 장소: ")
    _fact(s, ctx, "subcontract_cap_percent_of_sw_amount_excl_goods", "하도급: ")
    _fact(s, ctx, "info_system_audit_budget_ge_500m", "정보시스템 감리: ")
    _fact(s, ctx, "deliverable_export_allowed", "산출물 반출: ")
    return s


def _contract(ctx: DraftContext, s: Section) -> Section:
    _fact(s, ctx, "defect_liability_years", "하자담보책임: ")
    _fact(s, ctx, "long_term_contract_required", "계약 기간: ")
    _add(s, f"계약보증금·지체상금: {needs_check('계약보증금률과 지체상금률')}")
    return s


def _forms(ctx: DraftContext, s: Section) -> Section:
    for form in ("서식 1 입찰참가신청서", "서식 2 제안서 표지", "서식 3 요구사항 대비표", "서식 4 하도급 계획서",
                 "서식 5 보안 서약서", "서식 6 사업수행 장소 제안서"):
        _add(s, form)
    return s


_BUILDERS: dict[str, Callable[[DraftContext, Section], Section]] = {
    "Ⅰ": _chapter("{name}의 개요, 추진 배경, 범위, 기간, 예산과 기대효과입니다."), "Ⅰ-1": _overview, "Ⅰ-2": _background,
    "Ⅰ-3": _scope, "Ⅰ-4": _period, "Ⅰ-5": _budget, "Ⅰ-6": _effects, "Ⅱ": _current,
    "Ⅲ": _chapter("{name}의 목표 시스템과 추진 일정입니다."), "Ⅲ-1": _target, "Ⅲ-2": _schedule,
    "Ⅳ": _chapter("제안사가 과업 규모를 산정할 수 있도록 요구사항을 분류별로 제시합니다."), "Ⅳ-1": _requirements_table,
    "Ⅳ-2": _requirements_detail, "Ⅴ": _writing_guide, "Ⅵ": _evaluation,
    "Ⅶ": _chapter("입찰과 계약, 일정, 제출 서류, 유의사항, 소프트웨어 진흥법 준수사항과 계약 조건입니다."),
    "Ⅶ-1": _bidding, "Ⅶ-2": _timeline, "Ⅶ-3": _documents, "Ⅶ-4": _notes, "Ⅶ-5": _sw_act, "Ⅶ-6": _contract,
    "붙임": _forms,
}


def _renumber(paragraphs: list[str], before: list[LawCitation], after: list[LawCitation]) -> list[str]:
    mapping = {i: after.index(c) + 1 for i, c in enumerate(before, start=1) if c in after}

    def swap(match: "re.Match[str]") -> str:
        n = int(match.group(1))
        return f"[{mapping[n]}]" if n in mapping else ""

    return [re.sub(r"\[(\d+)\]", swap, p).rstrip() for p in paragraphs]


def timed_draft(*args, **kwargs) -> tuple[RfpDraft, float]:
    """The draft and the milliseconds it took."""
    started = time.perf_counter()
    draft = draft_rfp(*args, **kwargs)
    return draft, round((time.perf_counter() - started) * 1000, 1)
