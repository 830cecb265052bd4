"""The criteria are read from the indexed guide (표 8, the 군판정 table, the 재검진 and SMS
tables, the staff table, the PHQ-9 rule) with citations; another document's table, the
NCEP/IDF tables of the same guide, and the built-in copy are not what is used when the
guide is indexed; without it the built-in table is used and the result says so."""

from __future__ import annotations

from pathlib import Path

from assistants.metabolic.assessment import assess
from assistants.metabolic.criteria import FACTORS, Criteria, Limit, builtin_criteria, load_criteria
from assistants.metabolic.guide_text import GUIDE_TITLE, guide_lines, markdown_lines, tables

from .conftest import GUIDE, GUIDE_SOURCE, index_guide, man, survey, woman


def read_guide(tmp_path: Path, text: str) -> tuple[Criteria, dict[str, str]]:
    """The criteria read from `text` indexed alone, and the index's chunk texts by id."""
    ctx = index_guide(tmp_path, text, decoy=False)
    try:
        chunks = {c.id: c.text for c in ctx.retriever.fetch("metabolic", limit=1000)}
        return load_criteria(ctx.retriever, "metabolic"), chunks
    finally:
        ctx.close()


def test_indexed_guide_gives_the_programme_values_with_citations(indexed_guide):
    criteria = load_criteria(indexed_guide.retriever, "metabolic")
    assert criteria.source["from"] == "indexed"
    indexed, builtin = criteria.values(), builtin_criteria().values()
    # The test guide names its own 상담창구; every threshold and schedule is the programme's.
    assert indexed.pop("mental_health")[:2] == builtin.pop("mental_health")[:2] == (10, 9)
    assert indexed == builtin
    waist = criteria.factors["waist"]
    assert waist.limits == (Limit("waist", ">=", 90, 85, "cm"),)
    assert waist.citation.table == "표 8"
    assert waist.citation.source == GUIDE_SOURCE
    assert waist.citation.document == GUIDE_TITLE
    assert waist.citation.heading.endswith("다. 군판정")
    assert criteria.recheck.citation.heading.endswith("1) 재검진")
    assert criteria.mental_health.contacts["자살"][0] == "보건소 자살예방전담인력"


def test_values_come_from_the_index_not_from_the_code(tmp_path: Path):
    changed = GUIDE.replace("허리둘레≥90cm(남), ≥85cm(여)", "허리둘레≥95cm(남), ≥80cm(여)").replace(
        "정상군 | 총 1회(12개월)", "정상군 | 총 1회(11개월)")
    criteria, _ = read_guide(tmp_path, changed)
    assert criteria.factors["waist"].limits == (Limit("waist", ">=", 95, 80, "cm"),)
    assert criteria.recheck.months["정상군"] == (11,)
    result = assess(man(waist=92), criteria)
    assert result["risk_factors"]["waist"] is False
    assert result["recheck_months"] == [11]


def test_another_documents_table_8_and_the_ncep_idf_tables_are_not_used(indexed_guide):
    criteria = load_criteria(indexed_guide.retriever, "metabolic")
    assert {f.citation.source for f in criteria.factors.values()} == {GUIDE_SOURCE}
    # NCEP's own 102/88 cm and 110 mg/dL, IDF's 94/80 cm, the decoy's 140/90 and 180: none decides.
    result = assess(man(waist=95, fbg=105, sys=132, tg=160, hdl=38), criteria)
    assert result["risk_factors"] == {"waist": True, "bp": True, "glucose": True, "tg": True, "hdl": True}
    assert assess(woman(waist=82), criteria)["risk_factors"]["waist"] is False


def test_without_the_guide_in_the_index_the_builtin_table_is_used_and_said_so(ctx):
    criteria = load_criteria(ctx.retriever, "metabolic")
    assert criteria.source["from"] == "builtin"
    assert "색인에" in criteria.source["note"]
    result = assess(man(fbg=130), criteria, survey(q9=1))
    assert result["criteria_source"]["from"] == "builtin"
    assert result["basis"][0]["citation"]["table"] == "표 8"
    # No indexed passage stands behind the built-in table: no citation claims one.
    citations = [b["citation"] for b in result["basis"] + result["referrals"]]
    assert citations and not [c for c in citations if "chunk_id" in c]


def test_each_factor_is_cited_to_the_chunk_holding_its_own_row(tmp_path: Path):
    # Rows between 복부비만 and the rest make the chunker cut 표 8 in two.
    filler = "".join(f"|시험용 참고 {n}|- 시험용 참고 문장입니다. 판정에 쓰지 않는 줄입니다. 시험용 참고 문장입니다.|\n"
                     for n in range(30))
    cut = GUIDE.replace("|복부비만|- 허리둘레≥90cm(남), ≥85cm(여)|\n",
                        "|복부비만|- 허리둘레≥90cm(남), ≥85cm(여)|\n" + filler)
    criteria, chunks = read_guide(tmp_path, cut)
    assert criteria.source["from"] == "indexed"
    factors = criteria.factors
    assert "허리둘레≥90cm(남), ≥85cm(여)" in chunks[factors["waist"].citation.chunk_id]
    held = chunks[factors["hdl"].citation.chunk_id]
    assert "HDL콜레스테롤<40mg/dL(남), <50mg/dL(여)" in held and "허리둘레≥90cm" not in held
    assert factors["waist"].citation == factors["hdl"].citation  # the same table, whichever chunk holds the row


def test_a_part_missing_from_the_guide_falls_back_and_is_named(tmp_path: Path):
    without_sms = GUIDE.split("#### 2) SMS 발송")[0]
    criteria, _ = read_guide(tmp_path, without_sms)
    assert criteria.source["from"] == "indexed+builtin"
    assert criteria.source["builtin_parts"] == ["sms"]
    assert criteria.sms == builtin_criteria().sms
    assert criteria.factors["waist"].citation.source == GUIDE_SOURCE


def test_a_caption_and_its_table_in_different_chunks_are_read_together(tmp_path: Path):
    padding = "- " + "시험용 설명 문장입니다. " * 58
    padded = GUIDE.replace("**표 8. 시험용", f"{padding}\n\n**표 8. 시험용")
    ctx = index_guide(tmp_path, padded, decoy=False)
    try:
        chunks = ctx.retriever.fetch("metabolic", limit=1000)
        criteria = load_criteria(ctx.retriever, "metabolic")
    finally:
        ctx.close()
    holding_rows = [c for c in chunks if "|복부비만|" in c.text]
    assert holding_rows and all("표 8" not in c.text for c in holding_rows)
    assert criteria.source["from"] == "indexed"
    assert criteria.factors["waist"].citation.table == "표 8"
    assert [t.rows for t in tables(guide_lines(chunks))] == [t.rows for t in tables(markdown_lines(padded, GUIDE_SOURCE))]


def test_every_factor_names_its_medication_as_the_guide_and_the_choice_say():
    factors = builtin_criteria().factors
    assert set(factors) == set(FACTORS)
    assert {k: f.medication for k, f in factors.items()} == {
        "waist": None, "bp": "고혈압", "glucose": "당뇨병", "tg": "이상지질혈증", "hdl": "이상지질혈증"}


class CountingFetches:
    """The real retriever, counting the reads of whole documents (`fetch`)."""

    def __init__(self, retriever) -> None:
        self.retriever = retriever
        self.fetches = 0

    def fetch(self, *args, **kwargs):
        self.fetches += 1
        return self.retriever.fetch(*args, **kwargs)


def test_the_criteria_are_read_once_per_state_of_the_indexed_guide(tmp_path: Path):
    from assistants.metabolic.service import criteria_for
    from ingest.discovery import discover

    from .conftest import write_guide

    ctx = index_guide(tmp_path)
    try:
        counting = CountingFetches(ctx.retriever)
        first = criteria_for(counting, "metabolic", ctx.state)
        assert criteria_for(counting, "metabolic", ctx.state) is first and counting.fetches == 1
        # The guide indexed again with another table: read again, the new threshold used.
        root = write_guide(tmp_path / "corpus", GUIDE.replace("허리둘레≥90cm(남)", "허리둘레≥91cm(남)"))
        files, _ = discover(root)
        ctx.ingest.ingest("metabolic", root, files, progress=False)
        again = criteria_for(counting, "metabolic", ctx.state)
        assert counting.fetches == 2
        assert not assess(man(waist=90), again)["risk_factors"]["waist"]
        assert assess(man(waist=90), first)["risk_factors"]["waist"]
    finally:
        ctx.close()


def test_the_doctor_referral_limits_are_read_from_tables_9_to_11(tmp_path: Path):
    # 고혈압 1기 from 150, 이상지질혈증 from LDL 170 in this copy of the guide: the referral follows it.
    changed = GUIDE.replace("| 140–159 | ≥ 160 |", "| 150–159 | ≥ 160 |").replace(
        "LDL콜레스테롤≥160, 중성지방≥200", "LDL콜레스테롤≥170, 중성지방≥200")
    criteria, chunks = read_guide(tmp_path, changed)
    assert criteria.source["from"] == "indexed"
    limits = {limit.measure: limit for limit in criteria.disease_limits}
    assert {m: (l.op, l.value) for m, l in limits.items()} == {
        "sys": (">=", 150), "dia": (">=", 90), "fbg": (">=", 126),
        "tc": (">=", 240), "ldl": (">=", 170), "tg": (">=", 200), "hdl": ("<=", 40)}
    # Each cited to the indexed chunk stating it: the table's row, or the sentence defining 이상지질혈증.
    assert limits["sys"].citation.table == "표 9" and "| 수축기 혈압 |" in chunks[limits["sys"].citation.chunk_id]
    assert limits["fbg"].citation.table == "표 10" and "|공복혈당|" in chunks[limits["fbg"].citation.chunk_id]
    assert limits["ldl"].citation.table == "표 11" and "이상지질혈증으로 정의" in chunks[limits["ldl"].citation.chunk_id]
    referrals = assess(man(sys=145, ldl=165), criteria)["referrals"]
    assert not [r for r in referrals if r.get("kind") == "의사 진료 권고"]
    doctor = [r for r in assess(man(sys=152, ldl=172), criteria)["referrals"] if r["kind"] == "의사 진료 권고"]
    assert {r["disease_range"] for r in doctor} == {"고혈압(1기 이상)", "이상지질혈증"}


def test_without_tables_9_to_11_the_builtin_limits_are_used_and_named(tmp_path: Path):
    without = GUIDE.split("#### 시험용 질환 진단기준")[0] + "### 라. 연계" + GUIDE.split("### 라. 연계")[1]
    criteria, _ = read_guide(tmp_path, without)
    assert criteria.source["from"] == "indexed+builtin"
    assert criteria.source["builtin_parts"] == ["disease_limits"]
    assert criteria.disease_limits == builtin_criteria().disease_limits
