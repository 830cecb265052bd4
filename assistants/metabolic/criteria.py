"""The programme's criteria, read from the indexed 2025 서울특별시 대사증후군 관리사업 안내서:
표 8 (the five risk factors), the 군판정 table (four groups), the 재검진 table, the SMS table,
who makes the 건강관리계획 or gives the 검사결과 안내, the PHQ-9 referral rule and its
상담창구, the 만 20~69세 eligibility, the two-reading blood pressure and, from 표 9–11, the
values at which a doctor's visit is advised (고혈압 1기, 당뇨병, 이상지질혈증). Each value keeps
the citation (file, heading, 표 number) of the line it was read from, and the id of the
indexed chunk holding that line (표 8: the factor's own row), so the page opens the passage
itself; the built-in criteria have no chunk to point to and carry no chunk id.

Without the document in the index, `builtin_criteria()` stands in, and the result says so
(`criteria_source`); tests/assistants/metabolic/test_criteria_real.py fails when a value
here differs from the indexed table. Other criteria in the same corpus (NCEP-ATPⅢ's own
102/88 cm, IDF, the guidebook's tables) are never read: only 표 8 of this document."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rag.errors import SeoulAssistError
from rag.retrieval.retriever import HybridRetriever
from rag.store.base import PointFilter

from .guide_text import GUIDE_TITLE, Citation, Line, Table, find_line, find_table, guide_lines, tables

log = logging.getLogger(__name__)

FACTORS = ("waist", "bp", "glucose", "tg", "hdl")
GROUPS = ("대사증후군", "건강주의군", "약물치료군", "정상군")
MEDICATIONS = ("고혈압", "당뇨병", "이상지질혈증")
MEASURE_LABELS = {"waist": "허리둘레", "sys": "수축기혈압", "dia": "이완기혈압", "fbg": "공복혈당",
                  "tg": "중성지방", "hdl": "HDL콜레스테롤", "ldl": "LDL콜레스테롤", "tc": "총콜레스테롤"}

_SOURCE = f"metabolic/parsed/20250307_{GUIDE_TITLE}/part-04.md"
_CHAPTER = "제4장 관리사업 서비스 및 프로세스 메뉴얼 › Chapter 02 서울시 대사증후군 관리사업 프로세스별 세부내용"
_CHAPTER1 = "제4장 관리사업 서비스 및 프로세스 메뉴얼 › Chapter 01 서울시 대사증후군 관리사업 서비스 개요"


def _at(heading: str, table: str | None = None, source: str = _SOURCE) -> Citation:
    return Citation(source, GUIDE_TITLE, heading, table)


# --- the criteria's parts ------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    """One measured value against its cut-off: `value op cut-off` (op ≥ or <), by sex."""

    measure: str  # waist, sys, dia, fbg, tg, hdl
    op: str  # ">=" | "<"
    male: float
    female: float
    unit: str

    def cutoff(self, sex: str) -> float:
        return self.male if sex == "남" else self.female

    def met(self, value: float, sex: str) -> bool:
        cut = self.cutoff(sex)
        return value >= cut if self.op == ">=" else value < cut

    def describe(self, sex: str) -> str:
        sign = "≥" if self.op == ">=" else "<"
        return f"{MEASURE_LABELS[self.measure]} {sign} {_number(self.cutoff(sex))} {self.unit}"


@dataclass(frozen=True)
class FactorRule:
    factor: str
    label: str  # the 요인 as 표 8 names it
    limits: tuple[Limit, ...]  # any one met → the factor is present
    medication: str | None  # a medication (of MEDICATIONS) that counts as the factor present
    text: str  # the 기준 as written
    citation: Citation

    def values(self) -> tuple:
        return self.factor, self.limits, self.medication


@dataclass(frozen=True)
class GroupRules:
    metabolic_min: int  # 대사증후군: this many factors or more
    attention: tuple[int, int]  # 건강주의군: from–to factors
    normal: int  # 정상군: this many (0)
    medications: tuple[str, ...]  # 약물치료군: taking any of these, whatever the count
    texts: dict[str, str]
    citation: Citation

    def values(self) -> tuple:
        return self.metabolic_min, self.attention, self.normal, self.medications


@dataclass(frozen=True)
class Recheck:
    months: dict[str, tuple[int, ...]]
    new_metabolic: tuple[int, ...]  # 신규 등록자가 대사증후군 군판정을 받은 경우
    citation: Citation

    def values(self) -> tuple:
        return tuple(sorted(self.months.items())), self.new_metabolic


@dataclass(frozen=True)
class SmsPlan:
    health_management_per_month: int | None
    awareness_per_month: int | None
    visit_reminders: int | None
    visit_reminders_new: int | None  # 신규등록자


@dataclass(frozen=True)
class Sms:
    plans: dict[str, SmsPlan]
    senders: dict[str, str]  # SMS 종류 → 담당자
    citation: Citation
    senders_citation: Citation

    def values(self) -> tuple:
        return tuple(sorted(self.plans.items())), tuple(sorted(self.senders.items()))


@dataclass(frozen=True)
class CarePlan:
    service: str  # 건강관리계획 수립 | 검사결과 안내
    staff: str  # as the table writes it: 의사 (간호사)
    groups: tuple[str, ...]


@dataclass(frozen=True)
class CarePlans:
    plans: tuple[CarePlan, ...]
    citation: Citation

    def for_group(self, group: str) -> CarePlan | None:
        return next((p for p in self.plans if group in p.groups), None)

    def values(self) -> tuple:
        return self.plans


@dataclass(frozen=True)
class MentalHealth:
    """PHQ-9 total at or above `depression_min`, or any answer to item `suicide_item`:
    the 상담창구 are shown even when the participant wants no referral."""

    depression_min: int
    suicide_item: int
    contacts: dict[str, tuple[str, ...]]  # 우울 | 자살 → 상담창구
    citation: Citation

    def values(self) -> tuple:
        return self.depression_min, self.suicide_item, tuple(sorted(self.contacts.items()))


@dataclass(frozen=True)
class Eligibility:
    min_age: int
    max_age: int
    citation: Citation

    def values(self) -> tuple:
        return self.min_age, self.max_age


@dataclass(frozen=True)
class DiseaseLimit:
    """A value in the range the guide's 표 9–11 give for a disease: 의사 진료 권고."""

    measure: str
    op: str  # ">=" | "<="
    value: float
    unit: str
    disease: str
    citation: Citation

    def met(self, value: float) -> bool:
        return value >= self.value if self.op == ">=" else value <= self.value

    def describe(self) -> str:
        sign = "≥" if self.op == ">=" else "≤"
        return f"{MEASURE_LABELS.get(self.measure, self.measure)} {sign} {_number(self.value)} {self.unit}"


@dataclass(frozen=True)
class Criteria:
    factors: dict[str, FactorRule]
    groups: GroupRules
    recheck: Recheck
    sms: Sms
    care_plans: CarePlans
    mental_health: MentalHealth
    eligibility: Eligibility
    bp_average: Citation  # 혈압은 두 번 측정하여 평균값으로 함
    disease_limits: tuple[DiseaseLimit, ...]
    choices: tuple[dict, ...]
    source: dict = field(default_factory=dict)  # criteria_source in every result

    def values(self) -> dict:
        """Everything a result depends on, without citations: what the real-document test compares."""
        return {"factors": {k: v.values() for k, v in sorted(self.factors.items())},
                "groups": self.groups.values(), "recheck": self.recheck.values(), "sms": self.sms.values(),
                "care_plans": self.care_plans.values(), "mental_health": self.mental_health.values(),
                "eligibility": self.eligibility.values(),
                "disease_limits": tuple((d.measure, d.op, d.value, d.unit, d.disease) for d in self.disease_limits)}


# --- the choice where the guides differ ----------------------------------------------------

LIPID_DRUG_CHOICE = {
    "topic": "이상지질혈증 약 복용이 중성지방·HDL 위험요인에 들어가는지",
    "choice": "이상지질혈증 약을 복용 중이면 높은 중성지방과 낮은 HDL 콜레스테롤 두 위험요인 모두 있는 것으로 셉니다.",
    "source": (f"{GUIDE_TITLE} 표 8은 두 요인 모두 '치료하기 위해 약물투여 중인 상태'를 포함하고, "
               "2023 상담가이드북 표 3-1과 운동 상담 '대사증후군 위험요인 진단기준'도 두 요인 모두에 "
               "'이상지질혈증 치료제(관련 약제) 복용'을 넣습니다."),
    "not_followed": "2023 상담가이드북 표 2-8은 중성지방에 약 복용을 넣지 않습니다 (HDL에만 넣음).",
    "effect": "군은 약 복용만으로 약물치료군이므로 바뀌지 않고, 위험요인 개수와 항목 표시만 달라집니다.",
}
MEDICATION_SOURCE_CHOICE = {
    "topic": "복용 중인 약을 어디서 읽는지",
    "choice": ("기록의 medications(고혈압, 당뇨병, 이상지질혈증)를 씁니다. 기록에 없으면 기초설문의 질환별 "
               "'현재 약 복용(taking_medication)'이 예인 질환을 씁니다. 둘 다 없으면 복용하지 않는 것으로 봅니다."),
    "source": f"{GUIDE_TITLE} 군판정 표: '현재 약물(고혈압, 당뇨병, 이상지질혈증) 투여 중인 자'",
}
BP_AVERAGE_CHOICE = {
    "topic": "혈압을 두 번 잰 경우",
    "choice": "두 값의 평균(반올림하지 않음)을 기준과 비교합니다: 129와 130의 평균 129.5는 130 미만입니다.",
    "source": f"{GUIDE_TITLE} › 나. 검진 › 4) 혈압 측정: '혈압은 두 번 측정하여 평균값으로 함'",
}
CHOICES = (LIPID_DRUG_CHOICE, MEDICATION_SOURCE_CHOICE, BP_AVERAGE_CHOICE)

_FACTOR_MEDICATION = {"bp": "고혈압", "glucose": "당뇨병", "tg": "이상지질혈증", "hdl": "이상지질혈증"}


# --- the built-in table (the same values, for an index without the guide) -------------------

def builtin_criteria() -> Criteria:
    """The 2025 안내서's values as written in code, cited to where the guide states them."""
    t8 = _at(f"{_CHAPTER} › 다. 군판정", "표 8")
    factors = {
        "waist": FactorRule("waist", "복부비만", (Limit("waist", ">=", 90, 85, "cm"),), None,
                            "허리둘레≥90cm(남), ≥85cm(여)", t8),
        "glucose": FactorRule("glucose", "높은 혈당", (Limit("fbg", ">=", 100, 100, "mg/dL"),), "당뇨병",
                              "공복혈당≥100mg/dL 또는 혈당조절을 위해 약물투여 중인 상태", t8),
        "bp": FactorRule("bp", "높은 혈압", (Limit("sys", ">=", 130, 130, "mmHg"), Limit("dia", ">=", 85, 85, "mmHg")),
                         "고혈압", "수축기혈압≥130mmHg 또는 이완기혈압≥85mmHg 또는 고혈압 치료를 위해 약물투여 중인 상태", t8),
        "hdl": FactorRule("hdl", "낮은 고밀도지질단백질(HDL) 콜레스테롤", (Limit("hdl", "<", 40, 50, "mg/dL"),),
                          "이상지질혈증",
                          "HDL콜레스테롤<40mg/dL(남), <50mg/dL(여) 또는 HDL콜레스테롤을 치료하기 위해 약물투여 중인 상태", t8),
        "tg": FactorRule("tg", "높은 중성지방혈증", (Limit("tg", ">=", 150, 150, "mg/dL"),), "이상지질혈증",
                         "중성지방≥150mg/dL 또는 고중성지방혈증을 치료하기 위해 약물투여 중인 상태", t8),
    }
    groups = GroupRules(3, (1, 2), 0, MEDICATIONS, {
        "대사증후군": "대사증후군 위험요인 3개 이상인 자 (현재 약물 투여중인 자 제외)",
        "건강주의군": "대사증후군 위험요인 1-2개 인 자 (현재 약물 투여중인 자 제외)",
        "약물치료군": "대사증후군 위험요인 개수에 상관없이 현재 약물(고혈압, 당뇨병, 이상지질혈증) 투여 중인 자",
        "정상군": "대사증후군 위험요인 0개 인 자"}, _at(f"{_CHAPTER} › 다. 군판정"))
    recheck = Recheck({"대사증후군": (6, 12), "건강주의군": (6, 12), "약물치료군": (6, 12), "정상군": (12,)},
                      (3, 6, 9, 12), _at(f"{_CHAPTER} › 사. 추구관리 › 1) 재검진 및 개선정도 평가‧환류"))
    sms = Sms({"대사증후군": SmsPlan(8, 1, 2, 4), "건강주의군": SmsPlan(4, 1, 2, None),
               "약물치료군": SmsPlan(8, 1, 2, None), "정상군": SmsPlan(2, None, 1, None)},
              {"건강관리(영양·운동)": "영양사, 운동사", "건강인지": "건강매니저, 간호사", "방문일자 알림": "건강매니저, 간호사"},
              _at(f"{_CHAPTER} › 사. 추구관리 › 2) SMS 발송(건강관리‧인지 및 방문일자 알림) › 가) 군별 SMS 발송 운영 요약표"),
              _at(f"{_CHAPTER} › 사. 추구관리 › 2) SMS 발송(건강관리‧인지 및 방문일자 알림)"))
    plans = CarePlans((CarePlan("건강관리계획 수립", "의사 (간호사)", ("대사증후군", "건강주의군")),
                       CarePlan("검사결과 안내", "의사, 간호사", ("약물치료군", "정상군"))),
                      _at(f"{_CHAPTER1} › 나. 프로세스별 주요사항"))
    mental = MentalHealth(10, 9, {
        "우울": ("지역 정신건강복지센터(자치구)", "보건소 자살예방전담인력", "서울심리지원센터(서남, 동북, 동남)", "정신건강의학과"),
        "자살": ("보건소 자살예방전담인력", "자살예방센터(중앙, 광역, 성북)", "정신건강의학과")},
        _at(f"{_CHAPTER} › 라.  건강관리계획 수립(또는 검사결과 안내) › 1) 건강관리계획 수립 › 마) 보건소 내‧외 자원 연계 안내"))
    eligibility = Eligibility(20, 69, _at("제 1장 서울시 대사증후군 관리사업 개요 › 서울시 대사증후군 관리사업 개념도",
                                          source=_SOURCE.replace("part-04", "part-01")))
    bp = _at(f"{_CHAPTER} › 나. 검진 › 4) 혈압 측정")
    return Criteria(factors, groups, recheck, sms, plans, mental, eligibility, bp, disease_limits(), CHOICES,
                    {"from": "builtin", "document": GUIDE_TITLE,
                     "note": f"색인에 {GUIDE_TITLE}가 없어 코드에 적힌 같은 기준표를 썼습니다 (같은 쪽을 인용)."})


def disease_limits() -> tuple[DiseaseLimit, ...]:
    """표 9–11 (대한고혈압학회·대한의학회·한국지질·동맥경화학회 2022, as the guide quotes them):
    a value in a disease's range asks for 의사 진료 권고. The built-in copy, cited to where
    the guide states them; `_disease_limits` reads them from the index."""
    where = f"{_CHAPTER} › 라.  건강관리계획 수립(또는 검사결과 안내) › 1) 건강관리계획 수립 › 가) 포괄평가"
    t9, t10, t11 = _at(where, "표 9"), _at(where, "표 10"), _at(where, "표 11")
    return (DiseaseLimit("sys", ">=", 140, "mmHg", "고혈압(1기 이상)", t9),
            DiseaseLimit("dia", ">=", 90, "mmHg", "고혈압(1기 이상)", t9),
            DiseaseLimit("fbg", ">=", 126, "mg/dL", "당뇨병", t10),
            DiseaseLimit("tc", ">=", 240, "mg/dL", "이상지질혈증", t11),
            DiseaseLimit("ldl", ">=", 160, "mg/dL", "이상지질혈증", t11),
            DiseaseLimit("tg", ">=", 200, "mg/dL", "이상지질혈증", t11),
            DiseaseLimit("hdl", "<=", 40, "mg/dL", "이상지질혈증", t11))


# --- reading the indexed guide ---------------------------------------------------------------

class CriteriaNotFound(SeoulAssistError):
    """A part of the criteria is not where the guide should state it."""


def load_criteria(retriever: HybridRetriever, collection: str) -> Criteria:
    """The criteria read from `collection`'s chunks of the 2025 안내서; the built-in table
    (said so in `source`) where the guide is not indexed or a part cannot be read."""
    try:
        chunks = retriever.fetch(collection, flt=PointFilter(laws=(GUIDE_TITLE,)), limit=20000)
    except SeoulAssistError as exc:  # no index yet, or the store is unavailable
        log.info("대사증후군 기준표를 색인에서 읽지 못함: %s", exc)
        chunks = []
    if not chunks:
        return builtin_criteria()
    return criteria_from_lines(guide_lines(chunks))


def criteria_from_lines(lines: Sequence[Line]) -> Criteria:
    """Each part read from the guide's lines; a part that cannot be read is the built-in one,
    named in `source.builtin_parts`."""
    builtin = builtin_criteria()
    found = tables(lines)
    parts: dict[str, object] = {}
    missing: list[str] = []
    readers = {"factors": lambda: _factors(found), "groups": lambda: _groups(found),
               "recheck": lambda: _recheck(found), "sms": lambda: _sms(found),
               "care_plans": lambda: _care_plans(found), "mental_health": lambda: _mental_health(found, lines),
               "eligibility": lambda: _eligibility(lines), "bp_average": lambda: _bp_average(lines),
               "disease_limits": lambda: _disease_limits(found, lines)}
    for name, read in readers.items():
        try:
            parts[name] = read()
        except CriteriaNotFound as exc:
            log.warning("안내서에서 %s을(를) 읽지 못해 내장 기준을 씀: %s", name, exc)
            parts[name] = getattr(builtin, name)
            missing.append(name)
    note = (f"색인된 {GUIDE_TITLE}에서 읽은 기준입니다." if not missing else
            f"색인된 {GUIDE_TITLE}에서 읽었으나 일부({', '.join(missing)})는 찾지 못해 내장 기준을 썼습니다.")
    source = {"from": "indexed" if not missing else "indexed+builtin", "document": GUIDE_TITLE, "note": note}
    if missing:
        source["builtin_parts"] = missing
    return replace(builtin, **parts, source=source)


def _disease_limits(found: Sequence[Table], lines: Sequence[Line]) -> tuple[DiseaseLimit, ...]:
    """표 9–11: where each disease's range starts. 표 9's 고혈압 1기 column (수축기 and 이완기:
    the lower end of "140–159"), 표 10's 당뇨병 column for 공복혈당 ("≥ 126"), and for
    이상지질혈증 the sentence under 표 11 that defines it ("총콜레스테롤≥240, … HDL콜레스테롤≤40
    중 한 가지 이상에 해당될 때 이상지질혈증으로 정의함"): the table's 높음 column alone does
    not say which columns make the disease."""
    limits: list[DiseaseLimit] = []
    t9 = find_table(found, number="표 9")
    if t9 is None:
        raise CriteriaNotFound("표 9 (고혈압 진단기준)")
    column = _column(t9, "고혈압1기")
    for measure, label in (("sys", "수축기"), ("dia", "이완기")):
        row = _row(t9, label)
        limits.append(DiseaseLimit(measure, ">=", _lower_end(t9, row, column), "mmHg", "고혈압(1기 이상)",
                                   t9.cite(row=row)))
    t10 = find_table(found, number="표 10")
    if t10 is None:
        raise CriteriaNotFound("표 10 (당뇨병 진단기준)")
    row = _row(t10, "공복혈당")
    limits.append(DiseaseLimit("fbg", ">=", _lower_end(t10, row, _column(t10, "당뇨병")), "mg/dL", "당뇨병",
                               t10.cite(row=row)))
    t11 = find_table(found, number="표 11")
    defined = find_line(lines, r"이상지질혈증으로\s*정의")
    if t11 is None or defined is None:
        raise CriteriaNotFound("표 11 (이상지질혈증 분류기준)과 그 정의 문장")
    line, _ = defined
    citation = replace(t11.cite(), chunk_id=line.chunk_id)
    stated = {_LIPID_MEASURES[_squash_upper(name)]: (op, float(number))
              for name, op, number in _LIPID_LIMIT.findall(line.text)}
    for measure in ("tc", "ldl", "tg", "hdl"):
        if measure not in stated:
            raise CriteriaNotFound(f"표 11 아래 이상지질혈증 정의의 {MEASURE_LABELS[measure]}")
        op, number = stated[measure]
        limits.append(DiseaseLimit(measure, ">=" if op in ("≥", ">=") else "<=", number, "mg/dL", "이상지질혈증",
                                   citation))
    return tuple(limits)


_LIPID_LIMIT = re.compile(r"(총\s*콜레스테롤|LDL\s*콜레스테롤|중성지방|HDL\s*콜레스테롤)\s*(≥|≤|>=|<=)\s*(\d+(?:\.\d+)?)")
_LIPID_MEASURES = {"총콜레스테롤": "tc", "LDL콜레스테롤": "ldl", "중성지방": "tg", "HDL콜레스테롤": "hdl"}


def _squash_upper(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _column(table: Table, header: str) -> int:
    """The index of the column whose header is `header` (spaces ignored; "당뇨병" is not
    "당뇨병전단계")."""
    heads = [_squash_upper(cell) for cell in table.rows[0]] if table.rows else []
    wanted = _squash_upper(header)
    for index, head in enumerate(heads):
        if head == wanted or head.startswith(wanted + "("):
            return index
    raise CriteriaNotFound(f"{table.number}의 '{header}' 열")


def _row(table: Table, label: str) -> int:
    for index, row in enumerate(table.rows[1:], start=1):
        if row and _squash_upper(row[0]).startswith(_squash_upper(label)):
            return index
    raise CriteriaNotFound(f"{table.number}의 '{label}' 행")


def _lower_end(table: Table, row: int, column: int) -> float:
    """Where a range starts: "140–159" → 140, "≥ 126" → 126."""
    cells = table.rows[row]
    match = re.search(r"\d+(?:\.\d+)?", cells[column]) if column < len(cells) else None
    if match is None or re.match(r"\s*[<〈≤]", cells[column]):
        raise CriteriaNotFound(f"{table.number} {cells[0]} 행의 값")
    return float(match.group(0))


_LIMIT = re.compile(r"(?:(?P<name>수축기|이완기)[^\d≥<≤>]{0,6})?(?P<op>≥|>=|<|≤|>)\s*(?P<num>\d+(?:\.\d+)?)\s*"
                    r"(?P<unit>cm|mg/dL|mmHg)?\s*(?:\((?P<sex>남|여)\))?")


def _factors(found: Sequence[Table]) -> dict[str, FactorRule]:
    table = find_table(found, number="표 8")
    if table is None:
        raise CriteriaNotFound("표 8 (대사증후군 진단기준)")
    factors: dict[str, FactorRule] = {}
    for index, row in enumerate(table.rows[1:], start=1):
        if len(row) < 2:
            continue
        label, text = row[0], row[1].lstrip("- ").strip()
        factor = _factor_of(label + " " + text)
        if factor is None:
            continue
        # Cited to the chunk holding this factor's row: the one whose text states its threshold.
        factors[factor] = FactorRule(factor, label, _limits(factor, text),
                                     _FACTOR_MEDICATION.get(factor) if "약물" in text else None, text,
                                     table.cite(row=index))
    if set(factors) != set(FACTORS):
        raise CriteriaNotFound(f"표 8의 요인: {sorted(factors)}")
    return factors


def _factor_of(text: str) -> str | None:
    if "HDL" in text or "고밀도" in text:
        return "hdl"
    if "중성지방" in text:
        return "tg"
    if "허리둘레" in text or "복부비만" in text:
        return "waist"
    if "혈압" in text:
        return "bp"
    if "혈당" in text:
        return "glucose"
    return None


_MEASURE = {"waist": "waist", "glucose": "fbg", "tg": "tg", "hdl": "hdl"}
_UNIT = {"waist": "cm", "sys": "mmHg", "dia": "mmHg", "fbg": "mg/dL", "tg": "mg/dL", "hdl": "mg/dL"}


def _limits(factor: str, text: str) -> tuple[Limit, ...]:
    by_measure: dict[str, dict] = {}
    for match in _LIMIT.finditer(text):
        if factor == "bp":
            if not match.group("name"):
                continue
            measure = "sys" if match.group("name") == "수축기" else "dia"
        else:
            measure = _MEASURE[factor]
        op = {"≥": ">=", ">=": ">=", "<": "<"}.get(match.group("op"))
        if op is None:
            raise CriteriaNotFound(f"표 8 {factor}: '{match.group(0)}'")
        entry = by_measure.setdefault(measure, {"op": op})
        value = float(match.group("num"))
        sex = match.group("sex")
        if sex in (None, "남"):
            entry["male"] = value
        if sex in (None, "여"):
            entry["female"] = value
    limits = []
    for measure, entry in by_measure.items():
        if "male" not in entry or "female" not in entry:
            raise CriteriaNotFound(f"표 8 {factor}: 남녀 기준")
        limits.append(Limit(measure, entry["op"], entry["male"], entry["female"], _UNIT[measure]))
    if not limits:
        raise CriteriaNotFound(f"표 8 {factor}: 기준값")
    return tuple(limits)


def _groups(found: Sequence[Table]) -> GroupRules:
    table = find_table(found, header=("군 분류", "기준"), contains=("약물치료군", "정상군"))
    if table is None:
        raise CriteriaNotFound("군판정 표")
    texts = {row[0].replace(" ", ""): row[1].lstrip("- ").strip() for row in table.body() if len(row) >= 2}
    if not set(GROUPS) <= set(texts):
        raise CriteriaNotFound(f"군판정 표의 군: {sorted(texts)}")
    metabolic = re.search(r"(\d+)\s*개\s*이상", texts["대사증후군"])
    attention = re.search(r"(\d+)\s*[-~–]\s*(\d+)\s*개", texts["건강주의군"])
    normal = re.search(r"(\d+)\s*개", texts["정상군"])
    drugs = re.search(r"약물\s*\(([^)]*)\)", texts["약물치료군"])
    if not (metabolic and attention and normal and drugs):
        raise CriteriaNotFound("군판정 표의 위험요인 개수")
    medications = tuple(m.strip() for m in drugs.group(1).split(","))
    return GroupRules(int(metabolic.group(1)), (int(attention.group(1)), int(attention.group(2))),
                      int(normal.group(1)), medications, {g: texts[g] for g in GROUPS}, table.cite())


def _months(text: str) -> tuple[int, ...]:
    return tuple(int(m) for m in re.findall(r"(\d+)\s*개월", text))


def _recheck(found: Sequence[Table]) -> Recheck:
    table = find_table(found, header=("군분류", "재검진"))
    if table is None:
        raise CriteriaNotFound("재검진 횟수 및 주기 표")
    months: dict[str, tuple[int, ...]] = {}
    new_metabolic: tuple[int, ...] = ()
    for row in table.body():
        group = row[0].replace(" ", "")
        if group in GROUPS and len(row) >= 2:
            months[group] = _months(row[1])
            if group == "대사증후군" and len(row) >= 3 and "신규" in row[2]:
                new_metabolic = _months(row[2])
    if set(months) != set(GROUPS) or not new_metabolic or not all(months.values()):
        raise CriteriaNotFound("재검진 표의 군별 주기")
    return Recheck(months, new_metabolic, table.cite())


def _count(text: str, per_month: bool) -> int | None:
    match = re.search(r"(\d+)\s*회" + (r"\s*/\s*월" if per_month else ""), text)
    return int(match.group(1)) if match else None


def _sms(found: Sequence[Table]) -> Sms:
    table = find_table(found, contains=("건강관리", "건강인지", "방문일자", "회/월"))
    senders_table = find_table(found, header=("SMS 종류",), contains=("담당자",))
    if table is None or senders_table is None:
        raise CriteriaNotFound("군별 SMS 발송 운영 요약표")
    plans: dict[str, SmsPlan] = {}
    for row in table.rows:
        group = row[0].replace(" ", "")
        if group in GROUPS and len(row) >= 4:
            new = re.search(r"신규\D*(\d+)\s*회", row[3])
            plans[group] = SmsPlan(_count(row[1], True), _count(row[2], True), _count(row[3], False),
                                   int(new.group(1)) if new else None)
    if set(plans) != set(GROUPS):
        raise CriteriaNotFound("SMS 요약표의 군")
    kinds, staff = senders_table.rows[0], next((r for r in senders_table.rows if r[0] == "담당자"), None)
    if staff is None:
        raise CriteriaNotFound("SMS 담당자")
    senders = {k.strip(): s for k, s in zip(kinds[1:], staff[1:])}
    return Sms(plans, senders, table.cite(), senders_table.cite())


def _care_plans(found: Sequence[Table]) -> CarePlans:
    table = find_table(found, header=("구분", "수행인력"), contains=("건강관리계획수립", "검사결과 안내"))
    if table is None:
        raise CriteriaNotFound("건강관리계획 수립·검사결과 안내 수행인력 표")
    plans = []
    for row in table.body():
        name = re.sub(r"\s+", "", row[0])
        for service, key in (("건강관리계획 수립", "건강관리계획수립"), ("검사결과 안내", "검사결과안내")):
            if name.startswith(key):
                groups = tuple(g for g in GROUPS if g in name)
                plans.append(CarePlan(service, row[1].strip(), groups))
    covered = {g for p in plans for g in p.groups}
    if covered != set(GROUPS):
        raise CriteriaNotFound(f"수행인력 표의 군: {sorted(covered)}")
    return CarePlans(tuple(plans), table.cite())


def _mental_health(found: Sequence[Table], lines: Sequence[Line]) -> MentalHealth:
    depression = find_line(lines, r"PHQ-9\s*결과\s*(\d+)\s*점\s*이상")
    suicide = find_line(lines, r"자살의도\s*\((\d+)\s*번\s*항목\)")
    table = find_table(found, header=("상담창구",), contains=("우", "자 살"))
    if depression is None or suicide is None or table is None:
        raise CriteriaNotFound("PHQ-9 연계 기준과 상담창구 표")
    # Merged cells come out as rows with an empty 구분. Such a row repeating a 창구 already
    # listed belongs to the next 구분 (the guide lists 보건소 자살예방전담인력 under both).
    contacts: dict[str, list[str]] = {}
    kind, carried = "", []
    for row in table.body():
        if len(row) < 2 or not row[1]:
            continue
        if row[0].strip():
            kind = row[0].replace(" ", "")
            contacts.setdefault(kind, []).extend(carried)
            carried = []
        if row[1] in contacts.get(kind, []) and not row[0].strip():
            carried.append(row[1])
        elif kind and row[1] not in contacts.setdefault(kind, []):
            contacts[kind].append(row[1])
    if set(contacts) != {"우울", "자살"}:
        raise CriteriaNotFound(f"상담창구 표: {sorted(contacts)}")
    return MentalHealth(int(depression[1].group(1)), int(suicide[1].group(1)),
                        {k: tuple(v) for k, v in contacts.items()}, depression[0].cite())


def _eligibility(lines: Sequence[Line]) -> Eligibility:
    found = find_line(lines, r"만\s*(\d+)\s*[~\-–]\s*(\d+)\s*세")
    if found is None:
        raise CriteriaNotFound("사업 대상 연령")
    line, match = found
    return Eligibility(int(match.group(1)), int(match.group(2)), line.cite())


def _bp_average(lines: Sequence[Line]) -> Citation:
    found = find_line(lines, r"혈압은\s*두\s*번\s*측정하여\s*평균")
    if found is None:
        raise CriteriaNotFound("혈압 두 번 측정 평균")
    return found[0].cite()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
