"""The real 2025 서울특별시 대사증후군 관리사업 안내서 (../shared/corpora/metabolic), indexed with the
2023 상담가이드북 beside it:

- every value of the built-in table equals the one read from the indexed guide (this test
  fails when a threshold, a group rule, a schedule or an SMS count in code differs);
- the other criteria the same corpus states are not the ones used: NCEP-ATPⅢ's own 102/88 cm
  (안내서 표 5·6, 상담가이드북 표 2-3), 그림 12's footnote with 공복혈당 ≥110, IDF (표 7: abdominal
  obesity required), the guidebook's 표 2-8 (no drug for TG);
- the 20 synthetic personas are all classified."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from appcontext import AppContext
from assistants.metabolic.assessment import assess
from assistants.metabolic.criteria import Criteria, builtin_criteria, load_criteria
from assistants.metabolic.guide_text import GUIDE_TITLE
from ingest.discovery import discover
from rag.config import load_settings
from rag.store.base import PointFilter

from .conftest import man, woman

CORPUS = (Path(__file__).resolve().parents[3] / ".." / "shared" / "corpora").resolve()
GUIDE = f"metabolic/parsed/20250307_{GUIDE_TITLE}"
GUIDEBOOK = "metabolic/parsed/20240503_2023년 서울시 대사증후군 관리사업 상담가이드북"
PERSONAS = CORPUS / "metabolic" / "synthetic_personas"

pytestmark = pytest.mark.skipif(not (CORPUS / GUIDE).is_dir(),
                                reason="../shared/corpora/metabolic (2025 안내서) not found")


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    ctx = AppContext(load_settings("test", data_dir=tmp_path_factory.mktemp("metabolic_real")))
    files, _ = discover(CORPUS, [GUIDE, GUIDEBOOK])
    ctx.ingest.ingest("metabolic", CORPUS, files, progress=False)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def criteria(real_index: AppContext) -> Criteria:
    return load_criteria(real_index.retriever, "metabolic")


def test_builtin_table_equals_the_indexed_guide(criteria: Criteria):
    assert criteria.source["from"] == "indexed", criteria.source
    builtin = builtin_criteria()
    indexed_values, builtin_values = criteria.values(), builtin.values()
    for part in indexed_values:
        assert indexed_values[part] == builtin_values[part], f"내장 기준의 {part}이(가) 색인된 안내서와 다릅니다"
    for name, factor in criteria.factors.items():
        assert factor.citation == builtin.factors[name].citation
        assert factor.text == builtin.factors[name].text
    for part in ("groups", "recheck", "care_plans", "mental_health", "eligibility"):
        assert getattr(criteria, part).citation == getattr(builtin, part).citation, part
    assert (criteria.sms.citation, criteria.bp_average) == (builtin.sms.citation, builtin.bp_average)


def test_each_rule_is_cited_to_the_indexed_chunk_stating_it(real_index: AppContext, criteria: Criteria):
    chunks = {c.id: c.text for c in real_index.retriever.fetch("metabolic", limit=20000)}
    stated = {criteria.factors["waist"].citation: "허리둘레≥90cm(남), ≥85cm(여)",
              criteria.factors["hdl"].citation: "HDL콜레스테롤<40mg/dL(남), <50mg/dL(여)",
              criteria.groups.citation: "위험요인 3개 이상인 자", criteria.recheck.citation: "총 4회(3개월",
              criteria.sms.citation: "|대사증후군|8회/월|", criteria.mental_health.citation: "PHQ-9 결과 10점 이상",
              criteria.bp_average: "평균값으로 함", criteria.care_plans.citation: "의사 (간호사)"}
    for citation, text in stated.items():
        assert citation.chunk_id in chunks and text in chunks[citation.chunk_id], citation.label()
    limits = {limit.citation.table: limit.citation.chunk_id for limit in criteria.disease_limits}
    assert "**표 10. 당뇨병 진단기준**" in chunks[limits["표 10"]]


def test_the_other_criteria_are_in_the_index(real_index: AppContext):
    chunks = real_index.retriever.fetch("metabolic", flt=PointFilter(), limit=20000)
    text = "\n".join(c.text for c in chunks)
    assert "허리둘레≥102cm(남), ≥88cm(여)" in text  # NCEP-ATPⅢ's own (안내서 표 6)
    assert "IDF의 대사증후군 진단기준" in text  # 표 7
    assert "elevated fasting glucose (≥110 mg/dl)" in text  # 그림 12's footnote
    assert "|미국|≥ 102|≥ 88|" in text  # 상담가이드북 표 2-3


def test_only_table_8_of_the_2025_guide_decides(criteria: Criteria):
    assert {(f.citation.document, f.citation.table) for f in criteria.factors.values()} == {(GUIDE_TITLE, "표 8")}
    # NCEP's 102/88 cm would say no; the programme says yes.
    assert assess(man(waist=95), criteria)["risk_factors"]["waist"] is True
    assert assess(woman(waist=86), criteria)["risk_factors"]["waist"] is True
    # 그림 12's 110 mg/dL would say no.
    assert assess(man(fbg=105), criteria)["risk_factors"]["glucose"] is True
    # IDF requires abdominal obesity; the programme counts any three.
    assert assess(man(waist=85, sys=135, fbg=110, tg=200), criteria)["group"] == "대사증후군"
    # 상담가이드북 표 2-8 leaves the drug out of TG; the programme (표 8) and the choice count it.
    assert assess(man(medications=["이상지질혈증"]), criteria)["risk_factors"]["tg"] is True


@pytest.mark.skipif(not PERSONAS.is_dir(), reason="../shared/corpora/metabolic/synthetic_personas not found")
def test_the_twenty_personas_are_classified(criteria: Criteria):
    records = json.loads((PERSONAS / "test_data.json").read_text(encoding="utf-8"))
    surveys = json.loads((PERSONAS / "survey_data.json").read_text(encoding="utf-8"))
    by_name = {s["survey"]["patient_name"]: s for s in surveys}
    results = {r["name"]: assess(r, criteria, by_name.get(r["name"])) for r in records}
    assert len(results) == 20 and not [n for n, r in results.items() if "errors" in r]
    # 50대 모든 경계치 남성: waist 89.5, 129/84, fbg 99, tg 149, HDL 40.5 — every one just inside.
    assert results["장유준"]["risk_factor_count"] == 0 and results["장유준"]["group"] == "정상군"
    assert results["최민준"]["group"] == "대사증후군"
    assert results["박철수"]["group"] == "약물치료군"  # survey: taking medication
    assert [r["kind"] for r in results["최서연"]["referrals"]][:2] == ["자살 위험 상담창구 안내", "우울 상담창구 안내"]
