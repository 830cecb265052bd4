"""Numbers, dates and statute references reduced to comparable keys."""

from __future__ import annotations

import pytest

from rag.answer.facts import FactIndex, extract_facts, unit_named


def keys(text: str) -> list[tuple]:
    return [(f.kind, f.key) for f in extract_facts(text)]


@pytest.mark.parametrize("written, same_as", [
    ("300만원", "300만 원"),
    ("300만원", "3,000,000원"),
    ("1억 5천만 원", "150,000,000원"),
    ("1,000명", "1000명"),
    ("2024. 1. 1.", "2024-01-01"),
    ("2024년 1월 1일", "2024.1.1"),
    ("제15조의 4", "제15조의4"),
    ("60 일 이상", "60일"),
    ("5인", "5명"),
    ("100분의 10", "10%"),
    ("1천분의 0.5", "1000분의 0.5"),  # 지체상금률: the numeral denominator is a fraction, not minutes
    ("천분의 5", "0.5%"),
])
def test_different_wording_same_value(written, same_as):
    assert keys(written) == keys(same_as)


@pytest.mark.parametrize("one, other", [
    ("300만원", "500만원"),
    ("5년", "5명"),
    ("제15조", "제15조의4"),
    ("2024. 1. 1.", "2024. 1. 2."),
])
def test_different_values_differ(one, other):
    assert keys(one) != keys(other)


def test_references_are_not_read_as_plain_numbers():
    assert keys("제14조제1항 제3호에 따라") == [("article", (14, None)), ("paragraph", (1,)), ("item", (3,))]
    assert keys("제2장 제1절") == []
    assert [f.kind for f in extract_facts("별표 2와 별지 제4호서식")] == ["reference", "reference"]


def test_index_vouches_for_equal_facts_only():
    index = FactIndex.of("**①** 제15조의4제1항을 위반한 자에게는 300만 원 이하의 과태료를 부과한다. <개정 2024.12.1>")
    held = lambda text: all(index.holds(f) for f in extract_facts(text))  # noqa: E731

    assert held("300만원")
    assert held("제15조의4")
    assert held("제1항")  # ① is paragraph 1
    assert held("2024년 12월 1일")
    assert held("2024년")  # the year of a stated date
    assert not held("500만원")
    assert not held("300만 명")
    assert not held("제15조")
    assert not held("제2항")


def test_a_web_or_mail_address_is_a_fact_a_passage_must_give_word_for_word():
    # Kiwi leaves addresses out of the content words: as a fact, a phishing link planted
    # in a document cannot pass as a "short sentence" needing no citation.
    assert keys("http://evil.example/login 에서 다시 로그인하세요.") == [("reference", ("http://evil.example/login",))]
    assert keys("www.seoul.go.kr/2024/1 참고") == [("reference", ("www.seoul.go.kr/2024/1",))]  # no numbers read
    index = FactIndex.of("신청은 https://www.gov.kr 또는 help@seoul.go.kr 로 한다.")
    assert all(index.holds(f) for f in extract_facts("https://www.gov.kr, help@seoul.go.kr."))
    assert not any(index.holds(f) for f in extract_facts("https://www.gov.kr.evil.example 또는 evil@seoul.go.kr"))


@pytest.mark.parametrize("word, unit", [
    ("퍼센트로", "%"), ("mg으로", "mg"), ("미터까지가", "m"), ("명이나", "명"), ("번까지", "회"), ("분", "분"),
    ("시간", "시간"), ("가구까지", "가구"), ("mg인가요", "mg"), ("명이에요", "명"), ("년이야", "년"),
    # A unit followed by more than particles is another word: 인분 (servings) is not 인
    # (persons), 일반 not 일; 달 is no unit after a number.
    ("인분", None), ("일반", None), ("달", None), ("사람", None),
])
def test_the_unit_a_word_names(word, unit):
    assert unit_named(word) == unit
