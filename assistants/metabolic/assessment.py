"""One participant's 검진 결과 분류 by the programme's criteria: the five risk factors, the
group, the 재검진 schedule, the SMS plan, who makes the 건강관리계획 (or gives the 검사결과
안내), referrals, and for every rule used the value, the threshold and where the guide says
it. Computed by code; nothing here asks a language model, and nothing is stored.

A classification, not a diagnosis: every result carries `notice`."""

from __future__ import annotations

from collections.abc import Mapping

from .criteria import FACTORS, MEASURE_LABELS, MEDICATIONS, Criteria, FactorRule
from .guide_text import Citation
from .validation import Checked, Problem, RecordInvalid, check_record, record_id

NOTICE = "이 결과는 검진 결과 분류이며, 최종 진단은 의사가 합니다."
KIND = "검진 결과 분류"
_SURVEY_DISEASES = {"HTN": "고혈압", "DM": "당뇨병", "DYSLIP": "이상지질혈증"}
_DOCTOR_RULE = ("(필요시) 만성질환 및 합병증 관리를 위한 의사진료 권고: 질환 및 합병증이 의심되거나 "
                "약물치료가 필요한 경우 의료기관 방문을 권고")


def assess(record: Mapping, criteria: Criteria, survey: Mapping | None = None, *, position: int = 1) -> dict:
    """The result for one record (see the README's metabolic section for the keys). A record
    with impossible values gets `errors` (each naming its field) instead of a classification."""
    rid = record_id(record, position)
    try:
        checked = check_record(record, criteria.eligibility)
    except RecordInvalid as exc:
        return {"id": rid, "kind": KIND, "errors": [p.to_dict() for p in exc.problems], "notice": NOTICE}
    warnings = list(checked.warnings)
    medications = _medications(checked, survey, warnings)
    basis: list[dict] = []
    if len(checked.readings.get("sys", ())) > 1 or len(checked.readings.get("dia", ())) > 1:
        basis.append(_bp_average_basis(checked, criteria.bp_average))
    risk_factors: dict[str, bool | None] = {}
    undetermined: dict[str, str] = {}
    for factor in FACTORS:
        risk_factors[factor], reason, entries = _factor(criteria.factors[factor], checked, medications)
        basis.extend(entries)
        if reason:
            undetermined[factor] = reason
    count = sum(1 for v in risk_factors.values() if v)
    group, group_entry = _group(criteria, count, sum(1 for v in risk_factors.values() if v is None), medications)
    basis.append(group_entry)
    if group is None:
        undetermined["group"] = group_entry["reason"]
    elif group == "대사증후군" and checked.new_registration is None:
        warnings.append(Problem("new_registration", "신규 등록 여부가 없어 재등록자로 보았습니다: 신규 등록자인 "
                                                    "대사증후군은 3·6·9·12개월에 재검진합니다"))
    new = bool(checked.new_registration)
    recheck, recheck_entry = _recheck(criteria, group, new)
    sms, care_plan = _sms(criteria, group, new), _care_plan(criteria, group)
    if group is not None:
        basis.extend([recheck_entry, {"rule": "sms", "label": "군별 SMS 발송", "value": group,
                                      "result": sms, "citation": criteria.sms.citation.to_dict()},
                      {"rule": "care_plan", "label": "건강관리계획 수립·검사결과 안내 수행인력", "value": group,
                       "result": care_plan, "citation": criteria.care_plans.citation.to_dict()}])
    referrals = _mental_health_referrals(criteria, survey, warnings) + _doctor_referrals(criteria, checked)
    return {
        "id": rid,
        "kind": KIND,
        "referrals": referrals,
        "risk_factors": risk_factors,
        "risk_factor_count": count,
        "undetermined": undetermined,
        "group": group,
        "recheck_months": recheck,
        "sms": sms,
        "care_plan": care_plan,
        "medications": list(medications),
        "basis": basis,
        "counselling": [],  # filled by counselling.py where the guides are indexed
        "counselling_summary": None,  # an LLM's verified summary (summary.py), on request
        "choices": list(criteria.choices),
        "criteria_source": dict(criteria.source),
        "warnings": [p.to_dict() for p in warnings],
        "notice": NOTICE,
    }


# --- risk factors -----------------------------------------------------------------------------

def _factor(rule: FactorRule, checked: Checked, medications: tuple[str, ...]) -> tuple[bool | None, str | None, list]:
    """(present, why undetermined, basis entries). A medication that counts makes the factor
    present whatever the values; otherwise any limit met does; a missing value leaves it
    undetermined only when no other limit of the factor is met."""
    citation = rule.citation.to_dict()
    entries: list[dict] = []
    on_medication = bool(rule.medication and rule.medication in medications)
    if on_medication:
        entries.append({"rule": rule.factor, "label": rule.label, "value": f"{rule.medication} 약 복용",
                        "threshold": "약물투여 중인 상태", "result": True, "criterion": rule.text, "citation": citation})
    missing = []
    met_any = False
    for limit in rule.limits:
        value = checked.values.get(limit.measure)
        if value is None:
            missing.append(MEASURE_LABELS[limit.measure] + f"({limit.measure})")
            continue
        met = limit.met(value, checked.sex)
        met_any = met_any or met
        entries.append({"rule": rule.factor, "label": rule.label, "measure": limit.measure, "value": _round(value),
                        "unit": limit.unit, "threshold": limit.describe(checked.sex) + (f" ({checked.sex})" if limit.male != limit.female else ""),
                        "result": met, "criterion": rule.text, "citation": citation})
    if on_medication or met_any:
        return True, None, entries
    if missing:
        return None, f"{', '.join(missing)} 값이 없어 판정할 수 없습니다", entries
    return False, None, entries


def _medications(checked: Checked, survey: Mapping | None, warnings: list[Problem]) -> tuple[str, ...]:
    if checked.medications is not None:
        return checked.medications
    from_survey = _survey_medications(survey)
    if from_survey is not None:
        return from_survey
    warnings.append(Problem("medications", "복용 약 정보가 없어 고혈압·당뇨병·이상지질혈증 약을 복용하지 않는 것으로 "
                                           "보았습니다: 복용 중이면 약물치료군입니다"))
    return ()


def _survey_medications(survey: Mapping | None) -> tuple[str, ...] | None:
    diseases = survey.get("diseases") if isinstance(survey, Mapping) else None
    if not isinstance(diseases, list):
        return None
    taking = []
    for disease in diseases:
        if not isinstance(disease, Mapping) or disease.get("taking_medication") is not True:
            continue
        name = disease.get("disease_name") if disease.get("disease_name") in MEDICATIONS else \
            _SURVEY_DISEASES.get(str(disease.get("disease_code")))
        if name and name not in taking:
            taking.append(name)
    return tuple(taking)


def _bp_average_basis(checked: Checked, citation: Citation) -> dict:
    return {"rule": "bp_average", "label": "혈압 두 번 측정 평균",
            "value": {k: _round(checked.values[k]) for k in ("sys", "dia") if checked.values.get(k) is not None},
            "readings": {k: list(v) for k, v in checked.readings.items() if v},
            "result": "두 측정값의 평균을 기준과 비교", "citation": citation.to_dict()}


# --- group and what follows from it ----------------------------------------------------------

def group_for(criteria: Criteria, count: int, medications: tuple[str, ...]) -> str:
    rules = criteria.groups
    if any(m in rules.medications for m in medications):
        return "약물치료군"
    if count >= rules.metabolic_min:
        return "대사증후군"
    if rules.attention[0] <= count <= rules.attention[1]:
        return "건강주의군"
    return "정상군"


def _group(criteria: Criteria, count: int, unknown: int, medications: tuple[str, ...]) -> tuple[str | None, dict]:
    """The group, or None when the factors that could not be judged might change it."""
    rules = criteria.groups
    low, high = group_for(criteria, count, medications), group_for(criteria, count + unknown, medications)
    entry = {"rule": "group", "label": "군판정", "value": count,
             "medications": [m for m in medications if m in rules.medications],
             "citation": rules.citation.to_dict()}
    if low != high:
        reason = (f"판정할 수 없는 위험요인이 {unknown}개 있어 {low}인지 {high}인지 정할 수 없습니다: "
                  "빠진 검사값을 넣어 주세요")
        return None, {**entry, "result": None, "reason": reason}
    return low, {**entry, "result": low, "criterion": rules.texts.get(low, "")}


def _recheck(criteria: Criteria, group: str | None, new: bool) -> tuple[list[int], dict]:
    if group is None:
        return [], {}
    rules = criteria.recheck
    months = list(rules.new_metabolic if group == "대사증후군" and new else rules.months[group])
    value = f"{group} (신규 등록)" if group == "대사증후군" and new else group
    return months, {"rule": "recheck", "label": "재검진 횟수 및 주기", "value": value, "result": months,
                    "citation": rules.citation.to_dict()}


def _sms(criteria: Criteria, group: str | None, new: bool) -> dict | None:
    if group is None:
        return None
    plan = criteria.sms.plans[group]
    reminders = plan.visit_reminders_new if new and plan.visit_reminders_new else plan.visit_reminders
    return {"health_management_per_month": plan.health_management_per_month,
            "awareness_per_month": plan.awareness_per_month,
            "visit_reminders": reminders,
            "senders": dict(criteria.sms.senders),
            "senders_citation": criteria.sms.senders_citation.to_dict()}


def _care_plan(criteria: Criteria, group: str | None) -> dict | None:
    plan = criteria.care_plans.for_group(group) if group else None
    if plan is None:
        return None
    return {"service": plan.service, "staff": plan.staff}


# --- referrals --------------------------------------------------------------------------------

def phq9(survey: Mapping | None) -> tuple[int | None, int | None]:
    """(total, answer to item 9) from the survey's mental_health, None where not answered."""
    mental = survey.get("mental_health") if isinstance(survey, Mapping) else None
    if not isinstance(mental, Mapping):
        return None, None
    item9 = next((int(v) for k, v in mental.items() if k.startswith("phq9_q9") and isinstance(v, (int, float))
                  and not isinstance(v, bool)), None)
    total = mental.get("phq9_total_score")
    if not isinstance(total, (int, float)) or isinstance(total, bool):
        answered = [v for k, v in mental.items() if k.startswith("phq9_q") and isinstance(v, (int, float))
                    and not isinstance(v, bool)]
        total = sum(answered) if len(answered) == 9 else None
    return (int(total) if total is not None else None), item9


def _mental_health_referrals(criteria: Criteria, survey: Mapping | None, warnings: list[Problem]) -> list[dict]:
    rules = criteria.mental_health
    total, item9 = phq9(survey)
    if total is None and item9 is None:
        warnings.append(Problem("survey", "기초설문의 PHQ-9가 없어 우울·자살 위험을 확인하지 못했습니다"))
        return []
    referrals = []
    if item9 is not None and item9 > 0:
        referrals.append({"kind": "자살 위험 상담창구 안내", "reason": f"PHQ-9 {rules.suicide_item}번 항목(자살 생각)에 응답함",
                          "contacts": list(rules.contacts["자살"]), "always_show": True,
                          "note": "연계 상담을 원하지 않더라도 유사시 도움을 받을 수 있도록 상담창구를 안내합니다.",
                          "citation": rules.citation.to_dict()})
    if total is not None and total >= rules.depression_min:
        referrals.append({"kind": "우울 상담창구 안내", "reason": f"PHQ-9 총점 {total}점 ({rules.depression_min}점 이상)",
                          "contacts": list(rules.contacts["우울"]), "always_show": True,
                          "note": "연계 상담을 원하지 않더라도 유사시 도움을 받을 수 있도록 상담창구를 안내합니다.",
                          "citation": rules.citation.to_dict()})
    return referrals


def _doctor_referrals(criteria: Criteria, checked: Checked) -> list[dict]:
    by_disease: dict[str, dict] = {}
    for limit in criteria.disease_limits:
        value = checked.values.get(limit.measure)
        if value is None or not limit.met(value):
            continue
        entry = by_disease.setdefault(limit.disease, {
            "kind": "의사 진료 권고", "disease_range": limit.disease, "values": [],
            "reason": "", "rule": _DOCTOR_RULE, "citation": limit.citation.to_dict()})
        entry["values"].append({"measure": limit.measure, "value": _round(value), "unit": limit.unit,
                                "threshold": limit.describe()})
    for disease, entry in by_disease.items():
        shown = ", ".join(f"{MEASURE_LABELS.get(v['measure'], v['measure'])} {v['value']} {v['unit']} ({v['threshold']})"
                          for v in entry["values"])
        entry["reason"] = (f"{shown}: {entry['citation']['table']}의 {disease} 범위에 해당하는 수치입니다. "
                           "의료기관 진료를 권합니다.")
    return list(by_disease.values())


def _round(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 2)

