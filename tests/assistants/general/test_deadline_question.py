"""Reading a chat question for the 처리기한: whether it asks, the received date and time,
the 처리기간, and what is missing or unreadable (assistants/general/deadline_question.py),
and the text the chat tool makes of the result (chat_tools.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from assistants.general.chat_tools import DeadlineTool
from assistants.general.deadline_question import asks_for_deadline, read_deadline_question

TODAY = date(2027, 1, 5)  # an injected clock: "2월 12일" is in 2027


def read(question: str):
    found = read_deadline_question(question, TODAY)
    assert found is not None, question
    return found


@pytest.mark.parametrize("question, received", [
    ("2026년 2월 12일 오후 3시에 접수한 민원의 처리기간이 7일이면 처리기한은 언제인가요?", datetime(2026, 2, 12, 15)),
    ("2월 12일 접수, 처리기간 3일이면 언제까지 처리해야 하나요?", date(2027, 2, 12)),
    ("2026. 2. 12. 15:00에 접수한 민원, 처리기간 7일이면 처리기한은?", datetime(2026, 2, 12, 15)),
    ("2026-02-12 접수, 처리기간 7일이면 처리기한은?", date(2026, 2, 12)),
    ("2026-02-12T09:30 접수, 처리기간 7일이면 처리기한은?", datetime(2026, 2, 12, 9, 30)),
    ("2026년 2월 12일 15시에 접수했고 처리기간이 2주면 처리기한은?", datetime(2026, 2, 12, 15)),
    ("2026년 2월 12일 오전 10시 30분 접수, 처리기간 1개월이면 처리기한은?", datetime(2026, 2, 12, 10, 30)),
    ("2026년 2월 12일 오후 3시 반 접수, 처리기간 즉시일 때 처리기한은?", datetime(2026, 2, 12, 15, 30)),
    ("2026년 2월 12일 오후 12시 접수, 처리기간 즉시일 때 처리기한은?", datetime(2026, 2, 12, 12)),
])
def test_dates_and_times(question: str, received):
    assert read(question).received == received


@pytest.mark.parametrize("question, period", [
    ("2026년 2월 12일 오후 3시에 접수한 민원의 처리기간이 7일이면 처리기한은 언제인가요?", ("7일", "일", 7)),
    ("2월 12일 접수, 처리기간 3일이면 언제까지 처리해야 하나요?", ("3일", "일", 3)),
    ("2026년 2월 12일 15시에 접수했고 처리기간이 2주면 처리기한은?", ("2주", "주", 2)),
    ("2026년 2월 12일 접수, 처리기간 1개월이면 처리기한은?", ("1개월", "월", 1)),
    ("2026년 2월 12일 접수, 처리기간이 즉시인 민원의 처리기한은?", ("즉시", "즉시", 3)),
    # The period the question ties to 처리기간 wins over another number of days.
    ("5일 전에 부탁받은 민원인데 2026년 2월 12일 접수, 처리기간 10일이면 처리기한은?", ("10일", "일", 10)),
    # "12일에 접수" is a day of the month, not a period.
    ("12일에 접수한 민원의 처리기한은 언제인가요?", None),
])
def test_periods(question: str, period):
    found = read(question).period
    assert (None if found is None else (found.text, found.unit, found.amount)) == period


def test_the_day_of_the_date_is_not_read_as_the_period():
    found = read("2026년 2월 12일에 접수한 민원의 처리기한은 언제인가요?")
    assert (found.received, found.period) == (date(2026, 2, 12), None)
    assert found.missing == "처리기간을 알려 주시면 처리기한을 계산해 드립니다 (예: 즉시, 3일, 7일, 2주, 1개월)."


def test_what_is_missing_is_said():
    assert read("민원 처리기간은 어떻게 계산하나요?").missing.startswith(
        "접수일과 처리기간을 알려 주시면 처리기한을 계산해 드립니다")
    assert read("처리기간이 7일인 민원의 처리기한은?").missing.startswith(
        "접수일을 알려 주시면 처리기간 7일의 처리기한을 계산해 드립니다")
    assert read("2026년 2월 12일 접수, 처리기간 7일이면 처리기한은?").missing is None


@pytest.mark.parametrize("question, field, message", [
    ("2월 30일 접수, 처리기간 7일이면 처리기한은?", "received", "접수일 '2월 30일'은(는) 없는 날짜입니다"),
    ("2026년 2월 12일 25시 접수, 처리기간 7일이면 처리기한은?", "received", "접수 시각 '25시'을(를) 읽을 수 없습니다"),
    ("2026년 2월 12일 접수, 처리기간 -3일이면 처리기한은?", "period", "처리기간은 1 이상이어야 합니다: '-3일'"),
    ("2026년 2월 12일 접수, 처리기간 9999일이면 처리기한은?", "period", "처리기간 '9999일'이(가) 너무 깁니다"),
])
def test_unreadable_input_is_an_error_naming_the_field(question: str, field: str, message: str):
    error = read(question).error
    assert error is not None and error.field == field and error.message.startswith(message)


@pytest.mark.parametrize("question", [
    "어린이집 CCTV 영상은 며칠 동안 보관해야 하나요?",
    "정보공개 청구를 받으면 며칠 안에 공개 여부를 결정해야 하나요?",
    "공문서에 날짜와 시각은 어떻게 표기하나요?",
    "2026년 2월 12일에 시행된 법령은 무엇인가요?",
    # "까지" after a count asks how many times, not when: the extension, not the deadline.
    "업무가 많다는 이유로 민원 처리기간을 연장해도 되나요? 연장은 몇 번까지 되나요?",
    "민원 처리기간 연장은 몇 회까지 할 수 있어요?",
])
def test_other_questions_do_not_ask_for_a_deadline(question: str):
    assert not asks_for_deadline(question)
    assert read_deadline_question(question, TODAY) is None


def test_the_tool_text_and_citations():
    tool = DeadlineTool(today=lambda: TODAY)
    result = tool.run(tool.applies("2026년 2월 12일 오후 3시에 접수한 민원의 처리기간이 7일이면 처리기한은 언제인가요?"))
    assert result.answers_question
    lines = result.text.splitlines()
    assert lines[0] == "처리기한: 2026. 2. 25.(수) (2026. 2. 12.(목) 15:00 접수, 처리기간 7일, 일 단위 계산)"
    assert lines[1].startswith("산입하지 않은 날: 2026. 2. 14.(토) 토요일, 2026. 2. 15.(일) 일요일, "
                               "2026. 2. 16.(월) 공휴일(설날 전날)")
    assert "첫날은 접수일 2026. 2. 12.(목)입니다." in lines
    assert [r.label for r in result.cite[:2]] == ["민원 처리에 관한 법률 제19조", "민원 처리에 관한 법률 시행령 제19조"]


def test_the_tool_counts_the_hours_and_the_settings_holidays():
    question = "2026년 2월 12일 오후 3시 접수, 처리기간 3일이면 처리기한은?"
    assert DeadlineTool().run(read(question)).text.startswith("처리기한: 2026. 2. 20.(금) 15:00 (")
    # A 임시공휴일 from the settings (general.extra_holidays) is not counted either.
    shifted = DeadlineTool(extra_holidays=[date(2026, 2, 19)]).run(read(question))
    assert shifted.text.startswith("처리기한: 2026. 2. 23.(월) 15:00 (")
    assert "2026. 2. 19.(목) 공휴일(임시공휴일)" in shifted.text


def test_the_tool_says_what_is_missing_without_citing():
    result = DeadlineTool().run(read("민원 처리기간은 어떻게 계산하나요?"))
    assert not result.answers_question and result.cite == ()
    assert result.text.startswith("접수일과 처리기간을 알려 주시면")


@pytest.mark.parametrize("question, excluded, period", [
    ("2026년 2월 12일 접수, 처리기간 7일, 보완 기간 2월 13일부터 16일까지는 빼고 처리기한은 언제?",
     ("2026-02-13..2026-02-16",), "7일"),
    ("2026. 2. 12. 접수, 처리기간 10일, 2026. 2. 13.~2026. 2. 16. 보완 요구 기간 제외하면 처리기한은?",
     ("2026-02-13..2026-02-16",), "10일"),
    ("2026년 2월 12일 오후 3시 접수 처리기간 3일, 2월 13일 하루 보정 기간 제외하면 처리기한은?",
     ("2026-02-13..2026-02-13",), "3일"),
    ("2026년 2월 12일 접수, 처리기간 14일, 보완 2월 16일부터 2월 17일까지, 현지조사 3월 2일부터 3월 3일까지 "
     "산입하지 않으면 처리기한은?", ("2026-02-16..2026-02-17", "2026-03-02..2026-03-03"), "14일"),
])
def test_periods_not_counted_are_read_after_the_receipt(question: str, excluded: tuple[str, ...], period: str):
    found = read(question)
    assert found.excluded == excluded
    assert found.period is not None and found.period.text == period  # "16일까지" is not the period


def test_a_later_date_without_an_exclusion_word_drops_no_day():
    found = read("2026년 2월 12일 접수, 처리기간 7일인데 2월 20일에 방문하면 처리기한은?")
    assert found.excluded == () and found.period.text == "7일"


def test_an_impossible_exclusion_date_is_named():
    found = read("2026년 2월 12일 접수, 처리기간 7일, 보완 기간 2월 30일 제외하면 처리기한은?")
    assert found.error is not None and found.error.field == "exclude"
    assert "2월 30일" in found.error.message
    text = DeadlineTool(today=lambda: TODAY).run(found).text
    assert text == "처리기한을 계산하지 못했습니다: 제외 기간의 날짜 '2월 30일'은(는) 없는 날짜입니다."


def test_the_chat_tool_counts_without_the_excluded_days():
    tool = DeadlineTool(today=lambda: TODAY)
    plain = tool.run(read("2026년 3월 3일 접수, 처리기간 7일이면 처리기한은?"))
    assert plain.text.startswith("처리기한: 2026. 3. 11.(수)")
    excluded = tool.run(read("2026년 3월 3일 접수, 처리기간 7일, 보완 기간 3월 4일부터 5일까지 제외하면 처리기한은?"))
    # Two working days not counted: the end moves two working days on (13일 금요일).
    assert excluded.text.startswith("처리기한: 2026. 3. 13.(금)")
    assert "2026. 3. 4.(수)" in excluded.text and "2026. 3. 5.(목)" in excluded.text
    assert any(ref.article == "제20조" for ref in excluded.cite)
