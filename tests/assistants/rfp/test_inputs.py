"""Inputs: the form's and the suite's shapes, defaults stated as assumptions, and bad input
refused with a Korean message naming the field."""

from __future__ import annotations

import pytest

from assistants.rfp.inputs import (RfpInputError, infer_agency_type, infer_project_type, parse_budget_text,
                                   parse_input)

from .conftest import form


def test_a_full_form_is_read_as_given():
    parsed = parse_input(form())
    assert (parsed.input.budget_krw, parsed.input.period_months, parsed.input.agency_type) == (330_000_000, 6, "지방자치단체")
    assert parsed.assumptions == []


def test_a_suite_case_line_is_accepted_as_is_with_its_defaults_stated():
    case = {"id": "rfp-case-x", "assistant": "rfp", "project_name": "산학협력단 정보시스템 운영 용역", "budget_krw": None,
            "agency": "OO대학교", "summary": "- 정보시스템을 운영한다.", "origin": "codeit-rfp100", "notice_no": None}
    parsed = parse_input(case)
    assert parsed.input.budget_krw is None and parsed.input.project_type == "유지관리·운영"
    text = " ".join(parsed.assumptions)
    for said in ("사업 예산", "사업 기간", "기관 유형", "사업 유형"):
        assert said in text


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"budget_krw": None}, "budget_krw", "없습니다"),
    ({"budget_krw": 0}, "budget_krw", "0보다"),
    ({"budget_krw": -5}, "budget_krw", "0보다"),
    ({"budget_krw": "1억원"}, "budget_krw", "숫자"),
    ({"agency_type": "민간기업"}, "agency_type", "알 수 없는 기관 유형"),
    ({"period_months": 0}, "period_months", "10년"),
    ({"period_months": 121}, "period_months", "10년"),
    ({"summary": "   "}, "summary", "비어"),
    ({"summary": "가" * 100_000}, "summary", "너무 깁니다"),
    ({"project_name": ""}, "project_name", "비어"),
    ({"project_type": "연구"}, "project_type", "알 수 없는 사업 유형"),
])
def test_bad_input_names_its_field_in_korean(change, field, words):
    with pytest.raises(RfpInputError) as caught:
        parse_input(form(**change))
    assert caught.value.field == field and words in caught.value.message


def test_the_cli_budget_takes_commas_and_won_but_not_words():
    assert parse_budget_text("130,000,000원") == 130_000_000
    with pytest.raises(RfpInputError, match="budget_krw"):
        parse_budget_text("일억")


def test_project_and_agency_types_follow_the_names():
    assert infer_project_type("2025년 통합접수시스템 운영") == "유지관리·운영"
    assert infer_project_type("다목적구장 홈페이지 및 회원 통합운영 관리 시스템 구축") == "신규 구축"
    assert infer_project_type("예약발매시스템 개량 ISMP 용역") == "ISP·컨설팅"
    assert infer_project_type("학사정보시스템 고도화") == "고도화"
    assert infer_agency_type("경기도 안양시") == "지방자치단체"
    assert infer_agency_type("서울특별시 여성가족재단") == "공공기관"
