"""Korean amount readings, both ways, in the style of 시행규칙 제2조제2항's example."""

from __future__ import annotations

import pytest

from assistants.general.korean_numbers import korean_reading, parse_korean_amount


@pytest.mark.parametrize(("value", "reading"), [
    (113_560, "일십일만삼천오백육십"),  # the rule's own example
    (0, "영"),
    (1, "일"),
    (10, "일십"),
    (1_000, "일천"),
    (10_000, "일만"),
    (50_000, "오만"),
    (1_000_005, "일백만오"),
    (30_000_000, "삼천만"),
    (120_000_000, "일억이천만"),
    (113_560_000, "일억일천삼백오십육만"),
    (100_000_000_010, "일천억일십"),
    (2_000_000_000_000, "이조"),
])
def test_reading_and_back(value: int, reading: str) -> None:
    assert korean_reading(value) == reading
    assert parse_korean_amount(reading) == value


@pytest.mark.parametrize(("written", "value"), [
    ("금일십일만삼천오백육십원", 113_560),
    ("금 일십일만 삼천오백육십 원", 113_560),
    ("십일만삼천오백육십", 113_560),  # 일 before 십 left out, as many write it
    ("만원", 10_000),
    ("금오천원정", 5_000),
    ("3만", 30_000),
    ("3천만", 30_000_000),
    ("1억 2,000만", 120_000_000),
    ("1,000천", 1_000_000),  # budget tables' 천원 unit
    ("113,560", 113_560),
])
def test_parse_written_forms(written: str, value: int) -> None:
    assert parse_korean_amount(written) == value


@pytest.mark.parametrize("written", ["", "금원", "일일십", "십백", "만억", "오천원이", "1,00", "부가세 포함"])
def test_parse_refuses_what_is_not_a_number(written: str) -> None:
    assert parse_korean_amount(written) is None


def test_every_value_reads_back_to_itself() -> None:
    for value in [*range(0, 2_000), *range(9_990, 10_020), 99_999_999, 100_000_001, 10**16 + 7]:
        assert parse_korean_amount(korean_reading(value)) == value


def test_negative_is_refused() -> None:
    with pytest.raises(ValueError):
        korean_reading(-1)
