"""민원 처리기간 계산: worked examples checked by hand against the 2026 calendar.

2026-02-12 is a Thursday; 설날 연휴 is 02-16..02-18 (Mon–Wed); 삼일절 falls on Sunday 03-01
with its 대체공휴일 on 03-02; 노동절 (05-01) is a 공휴일 from 2026; 지방선거일 is 06-03."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from assistants.general.deadline import DeadlineInputError, cite_articles, compute_deadline
from assistants.general.workdays import WorkCalendar


def skipped(result) -> dict[str, str]:
    return {s.date.isoformat(): s.reason for s in result.skipped}


def labels(result) -> list[str]:
    return [b.label for b in result.basis]


# --- 6일 이상: 일 단위, 첫날 산입 (법 제19조②) ---

def test_seven_days_skip_weekends_and_the_lunar_new_year():
    # 02-12(1) 02-13(2) | 14 토 15 일 16·17·18 설날 | 19(3) 20(4) | 21 토 22 일 | 23(5) 24(6) 25(7)
    result = compute_deadline("2026-02-12", "7일")
    assert result.unit == "일"
    assert result.due == date(2026, 2, 25)
    assert skipped(result) == {
        "2026-02-14": "토요일", "2026-02-15": "일요일", "2026-02-16": "공휴일(설날 전날)",
        "2026-02-17": "공휴일(설날)", "2026-02-18": "공휴일(설날 다음날)", "2026-02-21": "토요일",
        "2026-02-22": "일요일"}
    assert labels(result) == ["민원 처리에 관한 법률 제19조제2항", "관공서의 공휴일에 관한 규정 제2조·제3조"]
    assert result.to_dict()["due"] == "2026-02-25"


def test_six_days_is_the_first_period_counted_in_days():
    # 03-03 Tue(1) 04(2) 05(3) 06(4) | 07 토 08 일 | 09(5) 10(6)
    result = compute_deadline("2026-03-03T16:00", "6일")
    assert (result.unit, result.due) == ("일", date(2026, 3, 10))


def test_received_on_a_saturday_counts_from_the_next_working_day():
    # 02-14 토, 15 일, 16~18 설날 → first day 02-19(1) 20(2) | 21·22 | 23(3) … 27(7)
    result = compute_deadline("2026-02-14", "7일")
    assert result.due == date(2026, 2, 27)
    assert skipped(result)["2026-02-14"] == "토요일"
    assert any("2026-02-14: 토요일" in note and "2026-02-19" in note for note in result.notes)


def test_an_excluded_period_is_not_counted():
    # 시행령 제20조: 02-13 (보완 기간) excluded → 02-12(1) 19(2) 20(3) 23(4) 24(5) 25(6) 26(7)
    result = compute_deadline("2026-02-12", "7일", ["2026-02-13..2026-02-13"])
    assert result.due == date(2026, 2, 26)
    assert skipped(result)["2026-02-13"] == "제외 기간"
    assert "민원 처리에 관한 법률 시행령 제20조" in labels(result)
    assert "행정절차법 시행령 제11조" in labels(result)


# --- 5일 이하: 시간 단위 (법 제19조①), 즉시 (시행령 제19조) ---

def test_three_days_are_24_working_hours_from_the_time_of_receipt():
    # 02-12 15–18 (3h) · 02-13 (8h → 11) · 설날 연휴 · 02-19 (8h → 19) · 02-20 09–12, 13–15 (5h → 24)
    result = compute_deadline("2026-02-12T15:00", "3일")
    assert result.unit == "시간"
    assert result.due == datetime(2026, 2, 20, 15, 0)
    assert result.counted_hours == 24
    assert result.to_dict()["due"] == "2026-02-20T15:00"
    assert "2026-02-17" in skipped(result)
    assert labels(result)[:2] == ["민원 처리에 관한 법률 제19조제1항", "지방공무원 복무규정 제2조제2항"]


def test_five_days_are_still_counted_in_hours():
    # 40h from Tue 03-03 09:00: 03-03..06 (32h) · weekend · 03-09 09:00–18:00 (8h)
    result = compute_deadline("2026-03-03T09:00", "5일")
    assert (result.unit, result.due) == ("시간", datetime(2026, 3, 9, 18, 0))


def test_immediately_is_three_working_hours_over_the_lunch_break():
    # 10:30–12:00 (1.5h) + 13:00–14:30 (1.5h)
    result = compute_deadline("2026-02-12T10:30", "즉시")
    assert (result.unit, result.due) == ("시간", datetime(2026, 2, 12, 14, 30))
    assert labels(result)[0] == "민원 처리에 관한 법률 시행령 제19조"
    assert compute_deadline("2026-02-12T15:00", "즉시").due == datetime(2026, 2, 12, 18, 0)


def test_receipt_after_working_hours_counts_from_the_next_working_hour():
    result = compute_deadline("2026-02-12T19:30", "즉시")
    assert result.due == datetime(2026, 2, 13, 12, 0)
    assert any("19:30" in note and "2026-02-13 09:00" in note for note in result.notes)


def test_receipt_on_a_holiday_in_hours_starts_on_the_next_working_day():
    # 설날 02-17 → 02-19 09:00 + 8h = 02-19 18:00
    result = compute_deadline("2026-02-17T11:00", "1일")
    assert result.due == datetime(2026, 2, 19, 18, 0)
    assert any("2026-02-17: 공휴일(설날)" in note for note in result.notes)


def test_a_date_without_a_time_counts_from_the_start_of_work():
    result = compute_deadline("2026-02-12", "3일")
    assert result.due == datetime(2026, 2, 19, 18, 0)
    assert any("09:00" in note for note in result.notes)


def test_an_excluded_day_in_hours():
    # 02-12 3h · 02-13 8h (11) · 02-19 excluded · 02-20 8h (19) · 02-23 09–12, 13–15 (24)
    result = compute_deadline("2026-02-12T15:00", "3일", ["2026-02-19"])
    assert result.due == datetime(2026, 2, 23, 15, 0)


# --- 주·월·연: 민법 제159조~제161조 (법 제19조③) ---

def test_two_weeks_end_the_day_before_the_same_weekday():
    result = compute_deadline("2026-02-12", "2주")
    assert (result.unit, result.due) == ("주", date(2026, 2, 25))
    assert labels(result) == ["민원 처리에 관한 법률 제19조제3항", "민법 제159조", "민법 제160조", "민법 제161조"]


def test_a_month_ends_the_day_before_the_same_date():
    assert compute_deadline("2026-03-03", "1개월").due == date(2026, 4, 2)


def test_a_month_without_the_date_ends_on_its_last_day_then_moves_past_weekend_and_holidays():
    # 01-31 + 1개월: February has no 31st → 02-28 (토) → 03-01 (일, 삼일절) → 03-02 (대체공휴일) → 03-03
    result = compute_deadline("2026-01-31", "1개월")
    assert result.due == date(2026, 3, 3)
    assert set(skipped(result)) == {"2026-02-28", "2026-03-01", "2026-03-02"}


def test_a_year_from_a_leap_day():
    assert compute_deadline("2024-02-29", "1년").due == date(2025, 2, 28)


def test_excluded_days_lengthen_a_calendar_period():
    # 2주 → 02-25; 02-13..14 excluded → 02-27
    assert compute_deadline("2026-02-12", "2주", ["2026-02-13..2026-02-14"]).due == date(2026, 2, 27)


# --- 공휴일 ---

def test_the_public_holiday_calendar():
    work = WorkCalendar()
    assert work.off_reason(date(2026, 3, 2)) == "공휴일(삼일절 대체 휴일)"
    assert work.off_reason(date(2026, 5, 25)) == "공휴일(부처님오신날 대체 휴일)"
    assert work.off_reason(date(2026, 6, 3)) == "공휴일(지방선거일)"
    assert work.off_reason(date(2026, 9, 24)) == "공휴일(추석 전날)"
    assert work.off_reason(date(2026, 10, 5)) == "공휴일(개천절 대체 휴일)"
    assert work.off_reason(date(2026, 5, 1)) == "공휴일(노동절)"
    # 근로자의 날 was no 관공서 공휴일 before the 2026 amendment.
    assert work.is_workday(date(2025, 5, 1))
    assert work.is_workday(date(2026, 2, 19))


def test_extra_holidays_from_the_settings_are_skipped():
    # 02-19 임시공휴일 → 7일 from 02-12 ends one working day later (02-26).
    result = compute_deadline("2026-02-12", "7일", extra_holidays=[date(2026, 2, 19)])
    assert result.due == date(2026, 2, 26)
    assert skipped(result)["2026-02-19"] == "공휴일(임시공휴일)"


# --- bad input ---

@pytest.mark.parametrize("period", ["칠일", "-3일", "0일", "3", "", "3일반", "99999일"])
def test_a_bad_period_names_the_field(period):
    with pytest.raises(DeadlineInputError) as err:
        compute_deadline("2026-02-12", period)
    assert err.value.field == "period"
    assert str(err.value).startswith("period: ")


@pytest.mark.parametrize("received", ["2026-13-01", "어제", "", "2026-02-30", "12/02/2026", "1800-01-01"])
def test_a_bad_received_date_names_the_field(received):
    with pytest.raises(DeadlineInputError) as err:
        compute_deadline(received, "7일")
    assert err.value.field == "received"


@pytest.mark.parametrize("exclude", ["2026-02-14..2026-02-13", "2월13일", "2026-02-13..", "..2026-02-13"])
def test_a_bad_exclusion_names_the_field(exclude):
    with pytest.raises(DeadlineInputError) as err:
        compute_deadline("2026-02-12", "7일", [exclude])
    assert err.value.field == "exclude"


def test_other_date_forms_are_read():
    assert compute_deadline("2026. 2. 12.", "7일").due == date(2026, 2, 25)
    assert compute_deadline("2026-02-12 15:00", "3일").due == datetime(2026, 2, 20, 15, 0)
    # 06:00 UTC is 15:00 in Seoul.
    assert compute_deadline("2026-02-12T06:00Z", "3일").due == datetime(2026, 2, 20, 15, 0)


# --- basis texts ---

def test_the_basis_quotes_the_indexed_articles_where_found():
    indexed = {("민원 처리에 관한 법률", "제19조"): ("제19조 (처리기간의 계산) …", "2025-01-01")}
    result = cite_articles(compute_deadline("2026-02-12", "7일"), lambda law, article: indexed.get((law, article)))
    basis = result.to_dict()["basis"]
    assert basis[0] == {"label": "민원 처리에 관한 법률 제19조제2항", "summary": basis[0]["summary"],
                        "text": "제19조 (처리기간의 계산) …", "effective_date": "2025-01-01"}
    assert "text" not in basis[1]


def test_an_exclusion_outside_the_period_changes_nothing_and_says_so():
    result = compute_deadline("2026-02-12T10:00", "즉시", ["2026-02-13"])
    assert result.due == datetime(2026, 2, 12, 14, 0)
    assert "민원 처리에 관한 법률 시행령 제20조" not in labels(result)
    assert any("영향이 없습니다" in note for note in result.notes)
