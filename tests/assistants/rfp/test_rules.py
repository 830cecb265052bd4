"""Rules computed from the inputs, each with the sentence of its article; the numbers come
from the article text (change the text, the rule follows); what the index lacks is removed
and reported, never cited."""

from __future__ import annotations

import re

from assistants.rfp.drafting import draft_rfp, invented_citations
from assistants.rfp.inputs import parse_input
from assistants.rfp.rules import compute_rules, estimated_price
from assistants.rfp.statutes import EGOV_DECREE, SW_ACT, sentence_with
from assistants.rfp.thresholds import BUILTIN, read_thresholds

from .conftest import articles, form


def facts(table=None, **values):
    return compute_rules(parse_input(form(**values)).input, table or articles()).facts


def test_the_suite_rule_facts_with_their_value_types():
    got = {k: f.value for k, f in facts().items()}
    assert got["large_enterprise_restriction_applies"] is None
    assert got["chaebol_group_restricted_regardless_of_amount"] is True
    assert got["subcontract_cap_percent_of_sw_amount_excl_goods"] == 50
    assert got["defect_liability_years"] == 1
    assert got["preferred_contract_method"] == "협상에 의한 계약 또는 경쟁적 대화에 의한 계약(우선 적용)"
    assert got["must_state_task_change_procedure_in_notice"] is True
    assert got["bidder_may_propose_work_location"] is True
    assert got["info_system_audit_budget_ge_500m"] is False
    assert got["technical_price_ratio"] is None


def test_each_fact_quotes_the_sentence_of_its_article():
    fact = facts()["chaebol_group_restricted_regardless_of_amount"]
    assert [(c.law, c.article) for c in fact.citations] == [(SW_ACT, "제48조")]
    assert "사업금액에 관계없이 입찰참여를 제한하여야 한다" in fact.citations[0].quote and fact.citations[0].chunk_id


def test_undecidable_values_are_marked_with_the_delegating_article():
    fact = facts()["large_enterprise_restriction_applies"]
    assert fact.value is None and "[확인 필요:" in fact.text and fact.citations[0].article == "제48조"


def test_thresholds_are_read_from_the_article_text():
    assert read_thresholds(articles()).values == BUILTIN
    changed = facts(articles(audit=3, cap=40, defect=2), budget_krw=400_000_000)
    assert changed["info_system_audit_budget_ge_500m"].value is True  # 4억 ≥ the text's 3억
    assert changed["subcontract_cap_percent_of_sw_amount_excl_goods"].value == 40
    assert changed["defect_liability_years"].value == 2


def test_audit_compares_the_total_budget_and_asks_for_review():
    assert facts(budget_krw=500_000_000)["info_system_audit_budget_ge_500m"].value is True
    assert facts(budget_krw=499_999_999)["info_system_audit_budget_ge_500m"].value is False
    assert "검토" in facts(budget_krw=500_000_000)["info_system_audit_budget_ge_500m"].text
    case = {"project_name": "시스템 구축", "agency": "OO공단", "summary": "- 구축", "budget_krw": None, "origin": "x"}
    assert compute_rules(parse_input(case).input, articles()).facts["info_system_audit_budget_ge_500m"].value is None


def test_work_location_does_not_apply_to_maintenance():
    assert facts(project_type="유지관리·운영")["bidder_may_propose_work_location"].value is None


def test_estimated_price_removes_vat_and_decides_the_local_notice_period():
    inp = parse_input(form(budget_krw=110_000_000)).input
    assert estimated_price(inp) == 100_000_000
    assert facts(budget_krw=110_000_000)["bid_notice_days"].value == 20  # 1억 이상 10억 미만
    assert facts(budget_krw=109_000_000)["bid_notice_days"].value == 10  # 추정가격 99,090,909원
    assert facts(budget_krw=109_000_000, vat_included=False)["bid_notice_days"].value == 20
    assert facts(budget_krw=1_100_000_000)["bid_notice_days"].value == 40


def test_the_contract_act_follows_the_agency_type():
    local = facts()
    national = facts(agency_type="국가기관", agency="행정안전부")
    assert local["contract_act"].value == "지방계약법" and national["contract_act"].value == "국가계약법"
    assert "지방자치단체" in local["negotiated_contract_stated_in_notice"].citations[0].law
    assert "국가를" in national["negotiated_contract_stated_in_notice"].citations[0].law
    assert national["bid_notice_days"].value == 40


def test_long_term_contract_over_one_year():
    assert facts(period_months=13)["long_term_contract_required"].value is True
    assert facts(period_months=12)["long_term_contract_required"].value is False


def test_an_article_missing_from_the_index_is_removed_and_reported():
    table = articles(without=((EGOV_DECREE, "제71조"),))
    draft = draft_rfp(parse_input(form()).input, table)
    assert "전자정부법 시행령 제71조" in draft.removed_citations
    assert invented_citations(draft) == 0
    assert all(c.article != "제71조" for s in draft.sections for c in s.citations)
    audit = next(p for s in draft.sections if s.number == "Ⅶ-5" for p in s.paragraphs if p.startswith("정보시스템 감리"))
    assert not re.search(r"\[\d+\]", audit)  # its markers went with the citations


def test_a_sentence_ends_at_da_outside_brackets_only():
    text = "① 물품(상용소프트웨어를 포함한다. 이하 같다) 구매금액을 제외한 금액의 100분의 50을 초과할 수 없다. 다른 문장이다."
    assert sentence_with(text, "100분의 50").startswith("① 물품(상용")
