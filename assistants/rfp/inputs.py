"""Reading the drafter's inputs from a form, the API, the CLI or a JSON file into an
``RfpInput``, with the assumptions made for what was not given.

Two shapes are accepted: the form's (``project_name``, ``agency``, ``agency_type``,
``budget_krw``, ``vat_included``, ``period_months``, ``project_type``, ``summary`` …, Korean
keys too) and a suite case line (``rfp_cases.jsonl``: project_name, budget_krw, agency,
summary, notice_no), taken as it is. A case may lack a budget (the notice gave none); a form
may not. Whatever is defaulted or inferred is stated in ``assumptions`` so the officer checks
it; a value that is wrong is refused with a Korean message naming the field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rag.errors import SeoulAssistError

from .draft import AGENCY_TYPES, PROJECT_TYPES, RfpInput, needs_check

MAX_SUMMARY_CHARS = 20_000
MAX_PERIOD_MONTHS = 120  # 10 years
MAX_BUDGET_KRW = 10**13  # 10조원: above that a typo, not an IT project

#: Other names a form or file may use for a field.
ALIASES: dict[str, tuple[str, ...]] = {
    "project_name": ("project_name", "name", "사업명"),
    "agency": ("agency", "발주기관", "발주 기관"),
    "agency_type": ("agency_type", "기관유형", "기관 유형"),
    "budget_krw": ("budget_krw", "budget", "사업예산", "사업 예산", "사업 금액"),
    "vat_included": ("vat_included", "vat", "부가세포함"),
    "period_months": ("period_months", "period", "사업기간", "사업 기간"),
    "project_type": ("project_type", "사업유형", "사업 유형"),
    "summary": ("summary", "사업개요", "사업 개요", "사업 요약"),
    "current_issues": ("current_issues", "현황및문제점", "현황 및 문제점"),
    "deliverables": ("deliverables", "산출물"),
    "notice_no": ("notice_no", "공고번호", "공고 번호"),
}
FIELD_NAMES = {"project_name": "사업명", "agency": "발주기관", "agency_type": "기관 유형", "budget_krw": "사업 예산",
               "vat_included": "부가세 포함 여부", "period_months": "사업 기간", "project_type": "사업 유형",
               "summary": "사업 개요", "current_issues": "현황 및 문제점", "deliverables": "산출물",
               "notice_no": "공고번호"}

# 지방자치단체 and the 지방공사·공단 they own contract under 지방계약법 (지방공기업법 제64조의2).
_LOCAL_GOVERNMENT = re.compile(r"(특별시|광역시|특별자치시|특별자치도|[가-힣]+도\s+[가-힣]+[시군]|[가-힣]+[시군구]$"
                               r"|교육청$|[가-힣]+구청$|[가-힣]+시청$|[가-힣]+군청$)")
_LOCAL_ENTERPRISE = re.compile(r"(도시관리공사|도시공사|도시관광공사|시설관리공단|시설공단|환경공단)$")
_PUBLIC_BODY = re.compile(r"(공사|공단|진흥원|재단|연구원|연구소|원$|위원회|은행|협회|센터|박물관|의료원|병원|대학|학교|산학협력단)")


class RfpInputError(SeoulAssistError):
    """An input the drafter cannot use; ``field`` names it (the form's key)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class ParsedInput:
    input: RfpInput
    assumptions: list[str]


def is_case_line(data: dict[str, Any]) -> bool:
    """A suite case (rfp_cases.jsonl) rather than a form: it may lack the budget."""
    return "rule_facts" in data or "origin" in data or "budget_raw" in data or data.get("assistant") == "rfp"


def parse_input(data: Any, *, require_budget: bool | None = None) -> ParsedInput:
    """The inputs of one draft. ``require_budget``: None decides by the shape (a case line
    may lack it, a form may not)."""
    if not isinstance(data, dict):
        raise RfpInputError("input", "입력은 JSON 객체여야 합니다 (사업명, 발주기관, 사업 예산, 사업 개요 …)")
    values = _canonical(data)
    if require_budget is None:
        require_budget = not is_case_line(data)
    assumptions: list[str] = []

    name = _text(values, "project_name", required=True, limit=300)
    agency = _text(values, "agency", required=True, limit=200)
    summary = _text(values, "summary", required=True, limit=MAX_SUMMARY_CHARS)
    budget = _budget(values.get("budget_krw"), required=require_budget)
    if budget is None:
        assumptions.append(f"사업 예산이 주어지지 않았습니다: 예산에 따라 정해지는 사항(감리 대상, 입찰공고 기간)은 "
                           f"{needs_check('사업 예산')}으로 남깁니다.")
    vat = values.get("vat_included", True)
    if not isinstance(vat, bool):
        raise RfpInputError("vat_included", "부가세 포함 여부는 true 또는 false로 주세요")
    if "vat_included" not in values and budget is not None:
        assumptions.append("사업 예산은 부가가치세를 포함한 금액으로 보았습니다 (추정가격 = 예산 ÷ 1.1).")
    period = _period(values.get("period_months"))
    if period is None:
        assumptions.append(f"사업 기간이 주어지지 않았습니다: {needs_check('사업 기간(개월)')}")
    agency_type = values.get("agency_type")
    if agency_type is None or agency_type == "":
        agency_type = infer_agency_type(agency)
        assumptions.append(f"기관 유형이 주어지지 않아 기관명으로 '{agency_type}'(으)로 보았습니다: "
                           f"적용 계약법(국가계약법/지방계약법)이 달라지므로 확인하세요.")
    elif agency_type not in AGENCY_TYPES:
        raise RfpInputError("agency_type", f"알 수 없는 기관 유형입니다: {agency_type!r} (가능: {', '.join(AGENCY_TYPES)})")
    project_type = values.get("project_type")
    if project_type is None or project_type == "":
        project_type = infer_project_type(name)
        assumptions.append(f"사업 유형이 주어지지 않아 사업명으로 '{project_type}'(으)로 보았습니다.")
    elif project_type not in PROJECT_TYPES:
        raise RfpInputError("project_type",
                            f"알 수 없는 사업 유형입니다: {project_type!r} (가능: {', '.join(PROJECT_TYPES)})")
    deliverables = values.get("deliverables") or []
    if isinstance(deliverables, str):
        deliverables = [line.strip() for line in deliverables.splitlines() if line.strip()]
    if not isinstance(deliverables, list) or not all(isinstance(d, str) for d in deliverables):
        raise RfpInputError("deliverables", "산출물은 문자열 목록으로 주세요")
    notice = values.get("notice_no")
    return ParsedInput(RfpInput(
        project_name=name, agency=agency, agency_type=agency_type, budget_krw=budget, vat_included=vat,
        period_months=period, project_type=project_type, summary=summary,
        current_issues=_text(values, "current_issues", required=False, limit=MAX_SUMMARY_CHARS),
        deliverables=deliverables, notice_no=str(notice) if notice not in (None, "") else None,
    ), assumptions)


def parse_budget_text(text: str) -> int:
    """The CLI's --budget: digits with optional commas and 원 ("130,000,000원")."""
    cleaned = text.replace(",", "").replace("원", "").strip()
    if not cleaned.isdigit():
        raise RfpInputError("budget_krw", f"사업 예산은 원 단위 숫자로 주세요 (예: 130000000): {text!r}")
    return _budget(int(cleaned), required=True)  # type: ignore[return-value]


def infer_agency_type(agency: str) -> str:
    name = agency.strip()
    if _LOCAL_ENTERPRISE.search(name):
        return "공공기관"
    if _LOCAL_GOVERNMENT.search(name) and not _PUBLIC_BODY.search(name):
        return "지방자치단체"
    if re.search(r"(부|처|청|위원회)$", name) and not _PUBLIC_BODY.search(name[:-3] or "-"):
        return "국가기관"
    return "공공기관" if _PUBLIC_BODY.search(name) else "기타"


_MAINTENANCE = ("유지보수", "유지관리", "유지·보수", "유지ㆍ보수", "유지 및 보수", "유지·관리", "유지ㆍ관리", "운영")
_CONSULTING = ("ISP", "ISMP", "정보화전략계획", "지능정보화전략계획", "컨설팅", "타당성", "F/S", "BPR")
_UPGRADE = ("고도화", "개선", "개량", "재구축", "재개발", "보완", "전환")
_BUILD = ("구축", "개발", "도입")
_PURCHASE = ("구매", "공급", "임차")


def infer_project_type(name: str) -> str:
    """By the words of the 사업명, as notices name their projects: a name that also says
    구축·개발·고도화 is not a 유지관리·운영 project even where it names an 운영 system."""
    has = lambda words: any(w in name for w in words)  # noqa: E731
    if has(_CONSULTING):
        return "ISP·컨설팅"
    if has(_UPGRADE):
        return "고도화"
    if has(_BUILD):
        return "신규 구축"
    if has(_MAINTENANCE):
        return "유지관리·운영"
    if has(_PURCHASE):
        return "구매"
    return "신규 구축"


# --- one field each ------------------------------------------------------------------------

def _canonical(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, names in ALIASES.items():
        for name in names:
            if name in data:
                out[key] = data[name]
                break
    return out


def _text(values: dict[str, Any], key: str, *, required: bool, limit: int) -> str:
    value = values.get(key)
    label = FIELD_NAMES[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RfpInputError(key, f"{label}이(가) 비어 있습니다")
        return ""
    if not isinstance(value, str):
        raise RfpInputError(key, f"{label}은(는) 문자열이어야 합니다")
    if len(value) > limit:
        raise RfpInputError(key, f"{label}이(가) 너무 깁니다 ({len(value):,}자): {limit:,}자 이내로 줄여 주세요")
    return value.strip()


def _budget(value: Any, *, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise RfpInputError("budget_krw", "사업 예산(원)이 없습니다")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RfpInputError("budget_krw", f"사업 예산은 원 단위 숫자여야 합니다 (문자열 {value!r}은 받지 않습니다)")
    if value != value or value <= 0:  # NaN, zero or negative
        raise RfpInputError("budget_krw", f"사업 예산은 0보다 커야 합니다: {value}")
    if value > MAX_BUDGET_KRW:
        raise RfpInputError("budget_krw", f"사업 예산이 너무 큽니다: {value:,.0f}원")
    if isinstance(value, float) and not value.is_integer():
        raise RfpInputError("budget_krw", f"사업 예산은 원 단위 정수여야 합니다: {value}")
    return int(value)


def _period(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not value.is_integer()):
        raise RfpInputError("period_months", f"사업 기간은 개월 수(정수)로 주세요: {value!r}")
    if not 1 <= value <= MAX_PERIOD_MONTHS:
        raise RfpInputError("period_months",
                            f"사업 기간은 1개월 이상 {MAX_PERIOD_MONTHS}개월(10년) 이하여야 합니다: {value}")
    return int(value)
