"""assess(): the five factors exactly at their thresholds, the group (medication decides
약물치료군), undetermined factors, two blood-pressure readings, the lipid-drug choice, the
schedule, SMS and staff, referrals (PHQ-9, values in a disease's range), and the notice."""

from __future__ import annotations

import json

import pytest

from assistants.metabolic.assessment import NOTICE, assess
from assistants.metabolic.criteria import builtin_criteria

from .conftest import man, survey, woman

CRITERIA = builtin_criteria()
KEYS = {"id", "kind", "referrals", "risk_factors", "risk_factor_count", "undetermined", "group", "recheck_months",
        "sms", "care_plan", "medications", "basis", "counselling", "counselling_summary", "choices", "criteria_source", "warnings",
        "notice"}


def factors(record: dict, survey_: dict | None = None) -> dict:
    return assess(record, CRITERIA, survey_)["risk_factors"]


@pytest.mark.parametrize("record, factor, expected", [
    (man(waist=90), "waist", True), (man(waist=89.9), "waist", False),
    (woman(waist=85), "waist", True), (woman(waist=84.9), "waist", False),
    (man(sys=130), "bp", True), (man(sys=129), "bp", False),
    (man(dia=85), "bp", True), (man(dia=84), "bp", False),
    (man(fbg=100), "glucose", True), (man(fbg=99.9), "glucose", False),
    (man(tg=150), "tg", True), (man(tg=149), "tg", False),
    (man(hdl=40), "hdl", False), (man(hdl=39.9), "hdl", True),
    (woman(hdl=50), "hdl", False), (woman(hdl=49), "hdl", True),
    # A man's cut-off is not a woman's and the other way round.
    (woman(waist=88), "waist", True), (man(waist=88), "waist", False), (man(hdl=45), "hdl", False),
])
def test_thresholds_are_exact(record, factor, expected):
    assert factors(record)[factor] is expected


def test_result_has_the_issue_keys_and_json_types():
    result = assess(man(), CRITERIA)
    assert set(result) == KEYS
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result
    assert result["counselling"] == [] and result["counselling_summary"] is None  # filled by counselling.py
    assert result["notice"] == NOTICE
    assert "진단" not in json.dumps({k: v for k, v in result.items() if k not in ("notice", "basis", "choices")},
                                  ensure_ascii=False)


@pytest.mark.parametrize("record, group, count, months", [
    (man(), "정상군", 0, [12]),
    (man(waist=95), "건강주의군", 1, [6, 12]),
    (man(waist=95, tg=160), "건강주의군", 2, [6, 12]),
    (man(waist=95, tg=160, fbg=100), "대사증후군", 3, [6, 12]),
    (man(waist=95, tg=160, fbg=100, new_registration=True), "대사증후군", 3, [3, 6, 9, 12]),
    (man(medications=["고혈압"]), "약물치료군", 1, [6, 12]),
    (man(waist=95, tg=160, fbg=100, medications=["당뇨병"], new_registration=True), "약물치료군", 3, [6, 12]),
])
def test_group_and_recheck(record, group, count, months):
    result = assess(record, CRITERIA)
    assert (result["group"], result["risk_factor_count"], result["recheck_months"]) == (group, count, months)


def test_sms_plan_and_staff_follow_the_group():
    new_metabolic = assess(man(waist=95, tg=160, fbg=100, new_registration=True), CRITERIA)
    assert {k: new_metabolic["sms"][k] for k in ("health_management_per_month", "awareness_per_month",
                                                 "visit_reminders")} == {"health_management_per_month": 8,
                                                                         "awareness_per_month": 1,
                                                                         "visit_reminders": 4}
    assert new_metabolic["care_plan"] == {"service": "건강관리계획 수립", "staff": "의사 (간호사)"}
    normal = assess(man(), CRITERIA)
    assert (normal["sms"]["health_management_per_month"], normal["sms"]["awareness_per_month"],
            normal["sms"]["visit_reminders"]) == (2, None, 1)
    assert normal["care_plan"] == {"service": "검사결과 안내", "staff": "의사, 간호사"}
    rules = {b["rule"]: b["citation"] for b in normal["basis"] if "citation" in b}
    assert rules["group"]["heading"].endswith("다. 군판정")
    assert "재검진" in rules["recheck"]["heading"] and "SMS" in rules["sms"]["heading"]


def test_lipid_drug_counts_toward_tg_and_hdl_and_the_choice_is_stated():
    result = assess(man(medications=["이상지질혈증"]), CRITERIA)
    assert result["risk_factors"]["tg"] is True and result["risk_factors"]["hdl"] is True
    assert result["risk_factors"]["bp"] is False and result["risk_factor_count"] == 2
    choice = next(c for c in result["choices"] if "이상지질혈증 약" in c["topic"])
    assert "표 8" in choice["source"] and "표 2-8" in choice["not_followed"]
    hypertension = assess(man(medications=["고혈압"]), CRITERIA)["risk_factors"]
    assert (hypertension["bp"], hypertension["tg"], hypertension["hdl"]) == (True, False, False)


def test_missing_value_is_null_with_the_reason_and_the_group_waits_when_it_could_change():
    result = assess(man(fbg=None, waist=95, tg=160), CRITERIA)
    assert result["risk_factors"]["glucose"] is None
    assert "공복혈당(fbg)" in result["undetermined"]["glucose"]
    assert result["group"] is None and result["recheck_months"] == []
    assert "group" in result["undetermined"]
    # One unknown factor cannot move a single-factor participant out of 건강주의군.
    settled = assess(man(fbg=None, waist=95), CRITERIA)
    assert (settled["risk_factors"]["glucose"], settled["group"]) == (None, "건강주의군")
    # Systolic alone over the line decides the factor even with diastolic missing.
    assert factors(man(sys=135, dia=None))["bp"] is True
    assert factors(man(sys=120, dia=None))["bp"] is None


def test_two_blood_pressure_readings_are_averaged():
    result = assess(man(sys=[129, 130], dia=[80, 80]), CRITERIA)
    assert result["risk_factors"]["bp"] is False  # 129.5 < 130
    average = next(b for b in result["basis"] if b["rule"] == "bp_average")
    assert average["value"] == {"sys": 129.5, "dia": 80}
    assert average["readings"] == {"sys": [129, 130], "dia": [80, 80]}
    assert average["citation"]["heading"].endswith("4) 혈압 측정")
    assert factors(man(sys=[128, 132], dia=[80, 80]))["bp"] is True


def test_basis_gives_value_threshold_and_table_8_for_each_factor():
    result = assess(woman(waist=86, hdl=49), CRITERIA)
    waist = next(b for b in result["basis"] if b["rule"] == "waist")
    assert (waist["value"], waist["threshold"], waist["result"]) == (86, "허리둘레 ≥ 85 cm (여)", True)
    assert waist["citation"]["table"] == "표 8"
    hdl = next(b for b in result["basis"] if b["rule"] == "hdl")
    assert hdl["threshold"] == "HDL콜레스테롤 < 50 mg/dL (여)"


def test_medications_come_from_the_survey_when_the_record_has_none():
    record = man()
    del record["medications"]
    taking = survey(diseases=[{"disease_code": "HTN", "disease_name": "고혈압", "taking_medication": True},
                              {"disease_code": "DM", "disease_name": "당뇨병", "taking_medication": False}])
    result = assess(record, CRITERIA, taking)
    assert result["medications"] == ["고혈압"] and result["group"] == "약물치료군"
    alone = assess(record, CRITERIA)
    assert alone["group"] == "정상군"
    assert any(w["field"] == "medications" for w in alone["warnings"])


def test_phq9_referrals_always_show_the_contacts():
    result = assess(man(), CRITERIA, survey(q1=3, q2=3, q3=2, q4=2))
    depression = result["referrals"][0]
    assert depression["kind"] == "우울 상담창구 안내" and "10점 이상" in depression["reason"]
    assert depression["always_show"] is True
    assert "지역 정신건강복지센터(자치구)" in depression["contacts"]
    suicide = assess(man(), CRITERIA, survey(q9=1))["referrals"]
    assert [r["kind"] for r in suicide] == ["자살 위험 상담창구 안내"]
    assert "자살예방센터(중앙, 광역, 성북)" in suicide[0]["contacts"]
    assert assess(man(), CRITERIA, survey(q1=3, q2=3, q3=3))["referrals"] == []  # 9 < 10, item 9 unanswered


def test_values_in_a_disease_range_ask_for_a_doctor_with_the_table():
    result = assess(man(fbg=126, sys=[140, 142], dia=[80, 82], ldl=159), CRITERIA)
    doctor = {r["disease_range"]: r for r in result["referrals"] if r["kind"] == "의사 진료 권고"}
    assert set(doctor) == {"당뇨병", "고혈압(1기 이상)"}
    assert doctor["당뇨병"]["citation"]["table"] == "표 10"
    assert "의료기관 진료를 권합니다" in doctor["당뇨병"]["reason"]
    assert assess(man(fbg=125, sys=139, dia=89), CRITERIA)["referrals"] == []


def test_age_outside_the_programme_is_a_warning_and_the_record_is_still_classified():
    result = assess(man(age=72, waist=95), CRITERIA)
    assert result["group"] == "건강주의군"
    assert any(w["field"] == "age" and "만 20~69세" in w["message"] for w in result["warnings"])
