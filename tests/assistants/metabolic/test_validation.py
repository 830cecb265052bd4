"""Impossible values are refused with a Korean message naming the field; in a batch the bad
record is reported by its id and the others are classified."""

from __future__ import annotations

import pytest

from assistants.metabolic.assessment import assess
from assistants.metabolic.criteria import builtin_criteria
from assistants.metabolic.service import assess_all

from .conftest import man

CRITERIA = builtin_criteria()


def errors(record) -> dict[str, str]:
    result = assess(record, CRITERIA)
    assert "group" not in result, result
    return {e["field"]: e["message"] for e in result["errors"]}


@pytest.mark.parametrize("values, field, words", [
    ({"waist": 0}, "waist", "허리둘레 0cm은(는) 있을 수 없는 값"),
    ({"waist": 300}, "waist", "허용 범위 40~250cm"),
    ({"sys": 400}, "sys", "수축기혈압 400mmHg"),
    ({"sys": 120, "dia": 125}, "dia", "이완기혈압 125mmHg가 수축기혈압 120mmHg 이상"),
    ({"hdl": -5}, "hdl", "HDL콜레스테롤 -5mg/dL"),
    ({"fbg": "백이십"}, "fbg", "공복혈당에 숫자가 아닌 값 '백이십'"),
    ({"tg": True}, "tg", "숫자가 아닌 값"),
    ({"sex": "X"}, "sex", "알 수 없는 성별 'X'"),
    ({"sex": None}, "sex", "성별이 없습니다"),
    ({"age": 150}, "age", "나이 150세"),
    ({"age": "스물"}, "age", "숫자가 아닌 값"),
    ({"medications": ["감기약"]}, "medications", "알 수 없는 약 '감기약'"),
    ({"new_registration": "네"}, "new_registration", "true 또는 false"),
    ({"sys": [130, 132, 128], "dia": [80, 80, 80]}, "sys", "한 번 또는 두 번"),
    ({"sys": [130, 132], "dia": [80]}, "dia", "같은 횟수"),
    ({"sys2": 130}, "sys2", "\"sys\": [첫째, 둘째]"),
])
def test_impossible_values_are_errors_naming_the_field(values, field, words):
    found = errors(man(**values))
    assert field in found, found
    assert found[field].startswith(f"{field}: ")
    assert words in found[field]


def test_every_problem_of_a_record_is_listed():
    assert set(errors(man(waist=0, sys=400, hdl=-1))) == {"waist", "sys", "hdl"}


@pytest.mark.parametrize("values", [
    {"sex": "M"}, {"sex": "F"}, {"sex": "여성"}, {"waist": "92.5"}, {"sys": [130, 128], "dia": [84, 82]},
    {"medications": "고혈압, 당뇨"}, {"age": 20}, {"age": 69},
])
def test_accepted_forms(values):
    result = assess(man(**values), CRITERIA)
    assert "errors" not in result, result
    assert not any(w["field"] == "age" for w in result["warnings"])


@pytest.mark.parametrize("age", [19, 70])
def test_age_outside_20_to_69_names_the_eligibility(age):
    result = assess(man(age=age), CRITERIA)
    warning = next(w["message"] for w in result["warnings"] if w["field"] == "age")
    assert f"만 {age}세는 사업 대상(만 20~69세" in warning


def test_a_bad_record_in_a_batch_is_reported_by_id_and_the_rest_are_classified():
    results = assess_all([man(id="A"), man(id="B", waist=0), "not a record", man(id="C", waist=95)], CRITERIA)
    assert [r["id"] for r in results] == ["A", "B", "#3", "C"]
    assert [r.get("group") for r in results] == ["정상군", None, None, "건강주의군"]
    assert results[1]["errors"][0]["field"] == "waist"
    assert results[2]["errors"][0]["field"] == "record"
