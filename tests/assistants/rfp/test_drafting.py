"""Drafting section by section: every section of a public SW RFP, progress per section,
facts and requirements in them, missing values as [확인 필요], prose by a model checked
against the inputs, unfinished sections marked."""

from __future__ import annotations

from assistants.rfp.draft import RfpDraft
from assistants.rfp.drafting import OUTLINE, draft_rfp, invented_citations
from assistants.rfp.inputs import parse_input
from assistants.rfp.prose import GroundedSectionWriter
from rag.llm.fake import FakeLLM
from rag.retrieval.korean import KoreanAnalyzer

from .conftest import articles, form


def draft(writer=None, progress=None, **values) -> RfpDraft:
    parsed = parse_input(form(**values))
    return draft_rfp(parsed.input, articles(), assumptions=parsed.assumptions, writer=writer, progress=progress)


def test_every_section_is_present_and_non_empty_in_order():
    result = draft()
    assert [(s.number, s.title) for s in result.sections] == [(n, t) for n, t, _ in OUTLINE]
    assert all(s.paragraphs for s in result.sections)
    assert result.generator == "extractive" and result.review.ai_generated


def test_progress_is_reported_per_section_with_the_total():
    seen = []
    draft(progress=lambda done, total, title: seen.append((done, total, title)))
    assert [d for d, _, _ in seen] == list(range(1, len(OUTLINE) + 1))
    assert {t for _, t, _ in seen} == {len(OUTLINE)} and seen[-1][2] == "붙임 서식"


def test_sections_cite_the_rules_with_markers():
    result = draft()
    contract = next(s for s in result.sections if s.number == "Ⅶ-6")
    assert any("1년 이내" in p and p.endswith("[1]") for p in contract.paragraphs)
    assert contract.citations[0].article == "제60조"
    assert invented_citations(result) == 0 and result.removed_citations == []


def test_requirements_appear_in_the_table_and_the_details():
    result = draft()
    table = " ".join(next(s for s in result.sections if s.number == "Ⅳ-1").paragraphs)
    details = " ".join(next(s for s in result.sections if s.number == "Ⅳ-2").paragraphs)
    for requirement in result.requirements:
        assert requirement.id in table and requirement.id in details


def test_missing_values_are_marked_never_invented():
    result = draft(period_months=None, summary="- 좌석 예약 기능을 만든다.")
    period = " ".join(next(s for s in result.sections if s.number == "Ⅰ-4").paragraphs)
    assert "[확인 필요: 사업 기간]" in period
    assert any("사업 기간" in a for a in result.assumptions)
    assert result.rule_facts["long_term_contract_required"].value is None


def test_a_model_writes_the_prose_sections_checked_against_the_inputs():
    analyzer = KoreanAnalyzer.shared()
    # With nothing queued the fake model repeats passage [1] (the 사업 개요) with its marker.
    result = draft(writer=GroundedSectionWriter(FakeLLM(), analyzer, "제안요청서 도우미"))
    background = next(s for s in result.sections if s.number == "Ⅰ-2")
    assert result.generator == "fake"
    assert any("열람실 좌석 예약" in p for p in background.paragraphs) and not background.truncated
    legal = next(s for s in result.sections if s.number == "Ⅶ-1")
    assert legal.citations  # legal sections stay the code's


def test_a_section_cut_off_by_the_token_limit_is_marked():
    analyzer = KoreanAnalyzer.shared()
    llm = FakeLLM(lambda messages: "사업 범위: 열람실 좌석 예약, 이용자 출입 인증 [1] 그리고 좌석 배정 통계를 만들고")
    result = draft(writer=GroundedSectionWriter(llm, analyzer, "도우미"))
    assert any(s.truncated for s in result.sections)


def test_unverifiable_prose_keeps_the_extractive_text():
    analyzer = KoreanAnalyzer.shared()
    llm = FakeLLM(lambda messages: "이 사업은 2019년 국무회의에서 결정된 국가 전략 과제입니다.")
    extractive, with_model = draft(), draft(writer=GroundedSectionWriter(llm, analyzer, "도우미"))
    for number in ("Ⅰ-2", "Ⅱ", "Ⅲ-1", "Ⅰ-6"):
        got = next(s for s in with_model.sections if s.number == number).paragraphs
        assert got == next(s for s in extractive.sections if s.number == number).paragraphs
        assert not any("국무회의" in p for p in got)


def test_the_draft_round_trips_through_json():
    result = draft()
    assert RfpDraft.from_dict(result.to_dict()).to_dict() == result.to_dict()


def test_an_article_the_model_names_that_is_not_indexed_is_removed_and_reported():
    analyzer = KoreanAnalyzer.shared()
    reply = ("열람실 좌석 예약이 필요합니다 [1]. 소프트웨어 진흥법 제99조에 따라 좌석 배정 통계를 냅니다 [1]. "
             "소프트웨어 진흥법 제60조의 하자담보를 따릅니다 [1].")
    result = draft(writer=GroundedSectionWriter(FakeLLM(lambda messages: reply), analyzer, "도우미"))
    prose = " ".join(p for s in result.sections if s.number in ("Ⅰ-2", "Ⅱ", "Ⅲ-1", "Ⅰ-6") for p in s.paragraphs)
    assert "소프트웨어 진흥법 제99조" in result.removed_citations and "제99조" not in prose
    assert "[1]" not in prose  # the model's markers point at the inputs, not at articles
    assert "소프트웨어 진흥법 제60조" not in result.removed_citations
