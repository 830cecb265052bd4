"""The analysed question: what it asks for (intent), the units an answer must state, what
an amount question asks the amount of (subject) and the words a definition would answer."""

from __future__ import annotations

import pytest

from rag.answer.question import ANY_UNIT, TIME_UNITS, analyse_question


@pytest.mark.parametrize("question, intents, units, subject", [
    # Money: "얼마" about a money word (by its ending or as such) or 금액 itself; a rate answers too.
    ("육아휴직 중인 지방공무원에게 매달 지급되는 육아휴직 수당은 얼마인가요?", {"money"}, {"원", "%"},
     ("육아", "휴직", "수당")),
    ("금연구역에서 담배 피우다 걸리면 과태료가 얼마까지인가요?", {"money"}, {"원", "%"}, ("과태료",)),
    ("출장을 가면 하루 일비로 얼마를 받나요?", {"money"}, {"원", "%"}, ("일비",)),
    ("산정할 때 FP당 단가는 얼마인가요?", {"money"}, {"원", "%"}, ("FP당", "단가")),
    ("과태료 금액은?", {"money"}, {"원", "%"}, ()),
    # A rate: a -률/-율 word.
    ("지체상금률은 하루 얼마인가요?", {"rate"}, {"%"}, ("지체상금률",)),
    # A period: 며칠, 기간, "얼마 주기로"; "얼마 동안" asks no amount, so no subject.
    ("어린이집 CCTV 영상은 며칠 동안 보관해야 하나요?", {"period"}, TIME_UNITS, ()),
    ("계획은 얼마 주기로 세우나요?", {"period"}, TIME_UNITS, ()),
    ("서류는 얼마 동안 보관하나요?", {"period"}, TIME_UNITS, ()),
    # A count of people or times, an age.
    ("보육교사 한 명당 영아 몇 명까지 맡나요?", {"count"}, {"명"}, ()),
    ("운영위원회는 1년에 몇 번 열어야 하나요?", {"count"}, {"회", "차"}, ()),
    ("입소할 수 있는 나이는?", {"age"}, {"세"}, ()),
    # The unit the word after 몇 names (the fact extractor's table, particles aside).
    ("니코틴 함량 상한이 몇 mg으로 정해져 있어요?", set(), {"mg"}, ()),
    ("봉급 인상률은 몇 퍼센트로 확정됐어?", {"rate"}, {"%"}, ()),
    ("복지포인트가 1년에 몇 점 나오나요?", set(), {"점"}, ()),
    ("휴게시간은 몇 분 줘야 해요?", {"period"}, TIME_UNITS, ()),
    # "인분" is not 인 (persons): no unit, so no quantity required.
    ("한 번에 먹은 양이 몇 인분인지 어떻게 적나요?", set(), set(), ()),
    # Any unit: "얼마" about something that is neither money nor a rate.
    ("청사 제설 작업은 적설량이 얼마일 때 시작하나요?", {"amount"}, {ANY_UNIT}, ("적설량",)),
    # No quantity: "얼마나 자주" is how often, a yes/no question asks nothing countable.
    ("얼마나 자주 점검하나요?", set(), set(), ()),
    ("어린이집에 CCTV를 설치해야 하나요?", set(), set(), ()),
])
def test_what_a_question_asks_for(analyzer, question, intents, units, subject):
    analysis = analyse_question(question, analyzer)

    assert analysis.intents == intents
    assert analysis.units == units
    assert analysis.subject == subject
    assert analysis.defined == ()


def test_the_subject_is_quoted_as_the_question_writes_it(analyzer):
    # Kiwi splits compounds ("처우 개선 비"); a reason shown to the user quotes the user.
    analysis = analyse_question("서울시 어린이집 보육교사 처우개선비는 한 달에 얼마씩 나와요?", analyzer)

    assert analysis.subject == ("서울시", "어린이집", "보육", "교사", "처우", "개선", "비")
    assert analysis.subject_text == "서울시 어린이집 보육교사 처우개선비"
    assert analyse_question("FP당 단가는 얼마인가요?", analyzer).subject_text == "FP당 단가"
    assert analyse_question("서류는 얼마 동안 보관하나요?", analyzer).subject_text == ""


# The words a definition may define: every content word of two syllables or more (a
# sentence defining any of them gets the bonus); one-syllable words match too much.
@pytest.mark.parametrize("question, defined", [
    ('참여가 제한되는 "대기업인 소프트웨어사업자"는 정확히 누구를 말하나요?', {"참여", "제한", "기업", "소프트웨어", "사업자"}),
    ("어떤 민원을 다수인관련민원으로 보나요?", {"민원", "다수"}),
    ("영유아의 정의는 무엇인가요?", {"영유아", "정의"}),
])
def test_a_definition_question_names_the_words_a_definition_answers(analyzer, question, defined):
    analysis = analyse_question(question, analyzer)

    assert analysis.intents == {"definition"} and analysis.units == set()
    assert {t.term for t in analysis.defined} == defined


def test_hinted_units_rank_sentences_where_no_unit_is_required(analyzer):
    # No amount is asked, but the sentence stating one in 원 is likelier the answer.
    fine = analyse_question("CCTV를 설치하지 않으면 과태료 처분을 받나요?", analyzer)
    assert fine.units == set() and "원" in fine.hinted_units
    # "얼마나 자주": no required unit, any number ranks first.
    often = analyse_question("어린이집 안전점검은 얼마나 자주 해야 하나요?", analyzer)
    assert often.units == set() and ANY_UNIT in often.hinted_units


def test_terms_leave_out_question_words_and_carry_the_forms_a_passage_may_use(analyzer):
    analysis = analyse_question("허리둘레는 줄자로 어디를 재나요?", analyzer)
    terms = {t.term: t for t in analysis.terms}

    assert set(terms) == {"허리", "둘레", "줄자", "재다"}  # not 어디: it asks, it names nothing
    assert "잰" in terms["재다"].forms  # a vowel stem fused with its ending: "줄자로 잰다"
    assert terms["재다"].short and terms["재다"].found_in("줄자로잰다", "줄자로 잰다")
    with_synonyms = analyse_question("CCTV 영상 보관", analyzer)
    without = analyse_question("CCTV 영상 보관", analyzer, synonyms=None)
    cctv = next(t for t in with_synonyms.terms if t.term == "cctv")
    assert "폐쇄회로텔레비전" in cctv.forms
    assert next(t for t in without.terms if t.term == "cctv").forms == ("cctv",)
