""""얼마" asks for a quantity whose unit the thing asked about decides: money only when
the question names money, a rate for a -률/-율 word, otherwise a number in any unit."""

from __future__ import annotations

import pytest

from ingest.discovery import discover
from rag.answer.abstention import NO_QUANTITY, reason_to_abstain
from rag.answer.question import ANY_UNIT, analyse_question
from rag.answer.service import AnswerService
from rag.answer.types import Passage
from appcontext import AppContext
from tests.conftest import write_text

from .conftest import passage

RULES = """---
제목: 청사관리규정
---

# 청사관리규정

##### 제5조 (제설)

적설량이 5센티미터 이상이면 청사 제설 작업을 시작한다.

##### 제6조 (주차 요금)

민원인 주차 요금은 1시간에 1,000원으로 한다.
"""


def units(question: str) -> frozenset[str]:
    """The units an answer to ``question`` must state."""
    from rag.retrieval.korean import KoreanAnalyzer

    return analyse_question(question, KoreanAnalyzer.shared()).units


def test_the_unit_of_얼마_follows_what_is_asked_about():
    assert units("청사 제설 작업은 적설량이 얼마일 때 시작하나요?") == {ANY_UNIT}
    assert units("혈압 기준은 얼마인가요?") == {ANY_UNIT}
    # Money words, by their ending or as such: 원 (or a rate) answers.
    for question in ("과태료가 얼마인가요?", "보육료는 얼마인가요?", "하루 일비로 얼마를 받나요?",
                     "보조금은 얼마까지 받나요?", "육아휴직 수당은 얼마인가요?", "과태료 금액은?"):
        assert units(question) == {"원", "%"}, question
    assert units("지체상금률은 하루 얼마인가요?") == {"%"}
    # A period or a head count decides the unit though "얼마" says nothing of it.
    assert "원" not in units("보관 기간은 얼마인가요?") and "일" in units("보관 기간은 얼마인가요?")
    assert units("정원은 얼마인가요?") == {"명"}
    # A money word without "얼마" asks no amount: "언제" asks a date.
    assert "원" not in units("수수료는 언제 내나요?")


def test_any_unit_is_stated_by_a_number_with_a_unit_but_not_by_a_reference(analyzer):
    snow = [Passage(1, passage(1, "제5조", "청사관리규정", "적설량이 5센티미터 이상이면 제설 작업을 시작한다.").chunk)]
    delegated = [Passage(1, passage(1, "제5조", "청사관리규정", "적설량에 따른 제설 기준은 별표 2와 같다.").chunk)]
    question = analyse_question("적설량이 얼마일 때 제설하나요?", analyzer)
    assert reason_to_abstain(question, snow, "… [1]") is None
    assert reason_to_abstain(question, delegated, "… [1]") == NO_QUANTITY


@pytest.fixture
def rules(ctx: AppContext, tmp_path) -> AnswerService:
    root = tmp_path / "corpus"
    write_text(root, "statutes/general/청사관리규정/규정.md", RULES)
    files, _ = discover(root)
    ctx.ingest.ingest("general", root, files, progress=False)
    ctx.ingest.embed_pending("general", progress=False)
    return AnswerService(ctx.retriever, ctx.analyzer, ctx.settings)


def ask(svc: AnswerService, question: str):
    return list(svc.stream(question, assistant="general", collection="general", use_llm=False))[-1].answer


def test_snowfall_in_centimetres_answers_how_much_snow(rules):
    answer = ask(rules, "청사 제설 작업은 적설량이 얼마일 때 시작하나요?")
    assert not answer.abstained, answer.notice
    assert "5센티미터" in answer.text and answer.citations[0].locator.startswith("제5조")


def test_what_the_documents_do_not_quantify_still_abstains(rules):
    money = ask(rules, "청사 제설 작업 비용은 얼마인가요?")  # 1,000원 is the parking fee
    assert money.abstained and "금액이나 비율" in money.notice
    other = ask(rules, "청사 제설 작업은 기온이 얼마일 때 시작하나요?")  # 5센티미터 is the snowfall
    assert other.abstained and "‘기온’의 수치를 밝힌" in other.notice
