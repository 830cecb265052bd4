"""The legal rules of an RFP, computed by code from the inputs (never by a model), each a
``RuleFact`` with the key the suites' ``rule_facts`` use and the article sentence it rests
on, quoted from the index. Values the indexed law does not decide (the 대기업 참여 제한
amount, set by a 고시 that is not indexed; the 기술:가격 비율) are None with a
``[확인 필요: …]`` text naming the article that delegates them.

Which contract act applies follows the agency type: 지방자치단체 → 지방계약법, the others
→ 국가계약법 (공공기관's own 계약사무규칙 follow it). The rules apply to 국가기관등
(소프트웨어 진흥법 시행령 제21조): stated as an assumption, not checked per agency."""

from __future__ import annotations

from dataclasses import dataclass, field

from .draft import RfpInput, RuleFact, needs_check
from .statutes import (EGOV_DECREE, LOCAL_DECREE, LOCAL_RULE, NATIONAL_DECREE, SW_ACT, SW_DECREE, ArticleSource,
                       cite)
from .thresholds import EOK, read_thresholds

PREFERRED_METHOD = "협상에 의한 계약 또는 경쟁적 대화에 의한 계약(우선 적용)"
NATIONAL_ACT, LOCAL_ACT = "국가계약법", "지방계약법"
VAT_DIVISOR = 1.1  # 추정금액 = 추정가격 + 부가가치세 (지방계약법 시행규칙 제2조제2호)


@dataclass
class RuleSet:
    facts: dict[str, RuleFact]
    assumptions: list[str] = field(default_factory=list)


def contract_act(inp: RfpInput) -> str:
    return LOCAL_ACT if inp.agency_type == "지방자치단체" else NATIONAL_ACT


def estimated_price(inp: RfpInput) -> int | None:
    """추정가격 (VAT excluded) from the budget: a VAT-inclusive budget ÷ 1.1."""
    if inp.budget_krw is None:
        return None
    return round(inp.budget_krw / VAT_DIVISOR) if inp.vat_included else inp.budget_krw


def compute_rules(inp: RfpInput, source: ArticleSource) -> RuleSet:
    read = read_thresholds(source)
    t = read.values
    local = contract_act(inp) == LOCAL_ACT
    decree = LOCAL_DECREE if local else NATIONAL_DECREE
    maintenance = inp.project_type == "유지관리·운영"
    facts: list[RuleFact] = []
    add = facts.append
    c = lambda law, article, anchor: cite(source, law, article, anchor)  # noqa: E731

    add(RuleFact("preferred_contract_method", PREFERRED_METHOD,
                 "계약은 협상에 의한 계약 또는 경쟁적 대화에 의한 계약 방식을 우선 적용합니다.",
                 [c(SW_ACT, "제49조", "대통령령으로 정하는 방식을 우선적으로 적용"),
                  c(SW_DECREE, "제44조", "지방자치단체를 당사자로 하는 계약에 관한 법률 시행령」 제43조 또는 제44조"
                    if local else "국가를 당사자로 하는 계약에 관한 법률 시행령」 제43조 또는 제43조의3")]))
    add(RuleFact("negotiated_contract_stated_in_notice", True,
                 "협상에 의한 계약으로 발주하는 경우 입찰공고에 협상에 의한 계약이라는 뜻을 명시합니다.",
                 [c(decree, "제43조", "입찰공고를 할 때 협상에 의한 계약이라는 뜻을 명시" if local
                    else "입찰공고시 협상에 의한 계약이라는 뜻을 명시")]))
    add(RuleFact("rfp_briefing_in_notice", True,
                 "제안요청서 설명회를 여는 경우 그 장소와 일시를 입찰공고에 적습니다: "
                 f"{needs_check('제안요청서 설명회 장소·일시 (열지 않으면 삭제)')}",
                 [c(decree, "제36조", "제안요청서에 대한 설명을")]))
    add(RuleFact("large_enterprise_restriction_applies", None,
                 "대기업인 소프트웨어사업자의 참여 제한 여부는 과학기술정보통신부장관이 고시하는 사업금액에 따라 정해지며, "
                 f"그 고시는 색인에 없어 판정하지 않았습니다: {needs_check('대기업 참여제한 고시 금액과 이 사업의 해당 여부')}",
                 [c(SW_ACT, "제48조", "과학기술정보통신부장관이 정하여 고시하는 사업금액 미만의 사업에 대해서는")]))
    add(RuleFact("chaebol_group_restricted_regardless_of_amount", True,
                 "상호출자제한기업집단에 속하는 회사는 사업금액에 관계없이 입찰참여가 제한됩니다 "
                 "(제48조제3항 각 호의 예외 제외).",
                 [c(SW_ACT, "제48조", "사업금액에 관계없이 입찰참여를 제한하여야 한다")]))
    add(RuleFact("subcontract_cap_percent_of_sw_amount_excl_goods", t.subcontract_cap_percent,
                 f"계약상대자는 물품 구매금액을 제외한 소프트웨어사업금액의 {t.subcontract_cap_percent}%를 초과하여 "
                 "하도급할 수 없으며, 하도급하려면 미리 발주기관의 승인을 받아야 합니다.",
                 [c(SW_ACT, "제51조", f"100분의 {t.subcontract_cap_percent}을 초과하여 하도급할 수 없다"),
                  c(SW_ACT, "제51조", "미리 국가기관등의 장으로부터 승인을 받아야 한다")]))
    add(RuleFact("defect_liability_years", t.defect_liability_years,
                 f"계약상대자는 사업 종료일(최종 산출물 인도일)부터 {t.defect_liability_years}년 이내에 발생한 하자에 대하여 "
                 "담보책임을 집니다.",
                 [c(SW_ACT, "제60조", f"{t.defect_liability_years}년 이내에 발생한 하자에 대하여 담보책임이 있다")]))
    add(RuleFact("must_state_task_change_procedure_in_notice", True,
                 "입찰공고에 사업자가 과업심의위원회의 개최를 요청할 수 있다는 사실 등 과업 변경 절차를 명시합니다.",
                 [c(SW_DECREE, "제47조", "과업 변경 절차에 관한 사항을 명시해야 한다")]))
    location_cite = [c(SW_ACT, "제49조", "사업수행 장소를 제안할 수 있도록 하여야 한다")]
    if maintenance:
        add(RuleFact("bidder_may_propose_work_location", None,
                     "유지·관리 사업은 사업수행 장소 제안 규정의 적용에서 제외됩니다: 수행 장소는 발주기관이 정합니다 "
                     f"{needs_check('사업수행 장소')}.", location_cite))
    else:
        add(RuleFact("bidder_may_propose_work_location", True,
                     "제안사는 사업수행 장소를 제안할 수 있으며, 발주기관은 정보 보안 등 장소 요건을 제시합니다.",
                     location_cite))
    audit_cites = [c(EGOV_DECREE, "제71조", f"정보시스템 구축사업으로서 사업비가 {t.audit_budget_krw // EOK}억원 이상인 경우"),
                   c(EGOV_DECREE, "제71조", "하드웨어ㆍ소프트웨어의 단순한 구입비용을 제외한 금액")]
    if inp.budget_krw is None:
        add(RuleFact("info_system_audit_budget_ge_500m", None,
                     f"정보시스템 감리 대상 여부는 사업비로 정해집니다: {needs_check('사업 예산')}", audit_cites))
    else:
        over = inp.budget_krw >= t.audit_budget_krw
        add(RuleFact("info_system_audit_budget_ge_500m", over,
                     f"총사업비 {inp.budget_krw:,}원은 감리 기준 {t.audit_budget_krw // EOK}억원 "
                     f"{'이상' if over else '미만'}입니다. 사업비는 하드웨어·소프트웨어 단순 구입비용을 제외한 금액이므로 "
                     f"정보시스템 감리 대상 여부는 검토가 필요합니다{'' if _is_build(inp) else ' (정보시스템 구축사업이 아닌 경우 제71조제1항제3호에 따라 판단)'}: "
                     f"{needs_check('감리 대상 여부 (구입비 비중)')}", audit_cites))
    period_cites = [c(SW_ACT, "제45조", "적정 사업기간을 산정하여야 하며, 그 내용을 계약에 반영하여야 한다"),
                    c(SW_ACT, "제45조", f"적정 사업기간이 {t.long_term_years}년을 초과하는 경우에는")]
    if inp.period_months is None:
        add(RuleFact("long_term_contract_required", None,
                     f"적정 사업기간을 산정하여 계약에 반영합니다: {needs_check('사업 기간')}. "
                     f"{t.long_term_years}년을 넘으면 장기계속계약을 체결합니다.", period_cites))
    else:
        long_term = inp.period_months > 12 * t.long_term_years
        add(RuleFact("long_term_contract_required", long_term,
                     f"적정 사업기간을 {inp.period_months}개월로 산정하여 계약에 반영합니다. "
                     + ("1년을 초과하므로 장기계속계약을 체결하고 회계연도 예산의 범위에서 이행합니다."
                        if long_term else f"{t.long_term_years}년 이내이므로 장기계속계약 대상이 아닙니다."), period_cites))
    add(RuleFact("detailed_requirements_required", True,
                 "제안사가 과업 규모를 산정할 수 있도록 요구사항을 상세하게 작성·공개합니다(Ⅳ 제안 요청 내용).",
                 [c(SW_ACT, "제44조", "소프트웨어사업자가 과업 규모를 산정할 수 있도록")]))
    estimated = estimated_price(inp)
    price_cites = [c(LOCAL_RULE, "제2조", "추정가격에 「부가가치세법」에 따른 부가가치세")] if inp.vat_included else []
    add(RuleFact("estimated_price_krw", estimated,
                 (f"추정가격은 {estimated:,}원입니다"
                  + (" (부가가치세 포함 예산 ÷ 1.1)." if inp.vat_included else " (예산이 부가가치세 제외 금액).")
                  if estimated is not None else f"추정가격: {needs_check('사업 예산')}"), price_cites))
    add(_notice_period(inp, estimated, local, t, c))
    add(RuleFact("contract_act", contract_act(inp),
                 f"기관 유형({inp.agency_type})에 따라 {'지방자치단체를 당사자로 하는 계약에 관한 법률' if local else '국가를 당사자로 하는 계약에 관한 법률'}"
                 "을 적용합니다.", []))
    exempt = inp.project_type == "구매"
    add(RuleFact("sw_impact_assessment_deadline_days", None if exempt else t.impact_days,
                 ("상용소프트웨어의 구매·설치 및 유지·관리 사업은 소프트웨어사업 영향평가 대상에서 제외됩니다: "
                  f"{needs_check('상용소프트웨어 구매 사업 해당 여부')}" if exempt else
                  f"소프트웨어사업 영향평가는 입찰공고일 {t.impact_days}일 전(긴급한 경우 {t.impact_urgent_days}일 전)까지 "
                  "실시하고, 그 결과를 입찰공고일 5일 전까지 공시합니다."),
                 [c(SW_ACT, "제43조", "소프트웨어사업 영향평가를 하여야 한다"),
                  c(SW_DECREE, "제35조", "상용소프트웨어의 구매ㆍ설치 및 유지ㆍ관리 사업" if exempt
                    else "소프트웨어사업을 발주하려는 경우"),
                  c(SW_DECREE, "제36조", "입찰공고일 5일 전까지")]))
    add(RuleFact("proposal_compensation_possible", True,
                 "낙찰자로 결정되지 않은 자 중 제안서 평가에서 우수한 평가를 받은 자에게 예산의 범위에서 제안서 작성비용의 "
                 f"일부를 보상할 수 있습니다: {needs_check('제안서 보상 여부와 금액')}",
                 [c(SW_ACT, "제52조", "제안서 작성비용의 일부를 보상할 수 있다")]))
    add(RuleFact("deliverable_export_allowed", True,
                 "계약상대자가 지식재산권 행사를 위해 산출물 반출을 요청하면 국가 안보 사유가 없는 한 승인합니다.",
                 [c(SW_ACT, "제59조", "소프트웨어 산출물의 반출을 요청하는 경우")]))
    add(RuleFact("technical_price_ratio", None,
                 "기술능력 평가와 가격 평가의 배점 비율은 계약체결기준(고시)에 따릅니다: "
                 f"{needs_check('기술:가격 평가 비율 (예규·고시 확인)')}",
                 [c(decree, "제43조", "행정안전부장관이 정한 기준에 따라" if local
                    else "재정경제부장관이 정하는 계약체결기준에 따라")]))

    assumptions = ["소프트웨어 진흥법의 발주 규정은 '국가기관등'(시행령 제21조)에 적용됩니다: 발주기관이 이에 해당하는지 "
                   "확인하세요."]
    if read.missing:
        assumptions.append("다음 기준은 색인에서 읽지 못해 내장 값을 썼습니다: " + ", ".join(read.missing))
    return RuleSet({f.key: f for f in facts}, assumptions)


def _notice_period(inp: RfpInput, estimated: int | None, local: bool, t, c) -> RuleFact:
    if local:
        cites = [c(LOCAL_DECREE, "제35조", "제안서 제출 마감일의 전날부터 기산하여 다음 각 호의 어느 하나에 해당하는 기간 전에 공고하여야 한다"),
                 c(LOCAL_DECREE, "제35조", f"{t.local_urgent_days}일 전까지 공고할 수 있다")]
        if estimated is None:
            return RuleFact("bid_notice_days", None, f"입찰공고 기간은 추정가격으로 정해집니다: {needs_check('사업 예산')}", cites)
        days = t.local_days(estimated)
        return RuleFact("bid_notice_days", days,
                        f"협상에 의한 계약이므로 제안서 제출 마감일 전날부터 기산하여 {days}일 전에 공고합니다(추정가격 "
                        f"{estimated:,}원). 긴급한 경우 등은 {t.local_urgent_days}일 전까지 공고할 수 있습니다.", cites)
    cites = [c(NATIONAL_DECREE, "제35조", f"제안서 제출마감일의 전날부터 기산하여 {t.national_negotiated_days}일 전에 공고하여야 한다")]
    return RuleFact("bid_notice_days", t.national_negotiated_days,
                    f"협상에 의한 계약이므로 제안서 제출마감일 전날부터 기산하여 {t.national_negotiated_days}일 전에 공고합니다. "
                    f"추정가격이 고시금액 미만이거나 긴급한 경우 등은 {t.national_short_days}일 전까지 공고할 수 있습니다: "
                    f"{needs_check('고시금액과 추정가격 비교')}", cites)


def _is_build(inp: RfpInput) -> bool:
    return inp.project_type in ("신규 구축", "고도화")
