"""The real statutes (../shared/corpora/statutes), indexed as the rfp assistant indexes them:

- the thresholds in code (thresholds.BUILTIN) equal the ones read from the indexed text
  (5억원, 100분의 50, 1년, the 입찰공고 periods by 추정가격): this fails when they differ;
- every rule cites an article sentence found in the index;
- on the 30 dev cases (../shared/benchmarks), every non-null rule fact of the suite is
  computed with the same value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from appcontext import AppContext
from assistants.rfp.inputs import parse_input
from assistants.rfp.rules import compute_rules
from assistants.rfp.statutes import IndexedStatutes
from assistants.rfp.thresholds import BUILTIN, read_thresholds
from ingest.discovery import discover
from rag.config import load_settings

SHARED = (Path(__file__).resolve().parents[3] / ".." / "shared").resolve()
CORPUS = SHARED / "corpora"
CASES = SHARED / "benchmarks" / "dev" / "rfp_cases.jsonl"
LAWS = ["statutes/procurement/소프트웨어진흥법", "statutes/procurement/국가를당사자로하는계약에관한법률",
        "statutes/procurement/지방자치단체를당사자로하는계약에관한법률", "statutes/admin/전자정부법"]

pytestmark = pytest.mark.skipif(not (CORPUS / LAWS[0]).is_dir(), reason="../shared/corpora/statutes not found")


@pytest.fixture(scope="module")
def statutes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexedStatutes]:
    ctx = AppContext(load_settings("test", data_dir=tmp_path_factory.mktemp("rfp_real")))
    files, _ = discover(CORPUS, LAWS)
    ctx.ingest.ingest("rfp", CORPUS, files, progress=False)
    yield IndexedStatutes(ctx.retriever, "rfp")
    ctx.close()


def test_builtin_thresholds_equal_the_indexed_law(statutes: IndexedStatutes):
    read = read_thresholds(statutes)
    assert read.missing == ()
    assert read.values == BUILTIN, "코드의 기준값이 색인된 법령 본문과 다릅니다"


@pytest.mark.parametrize("agency_type", ["국가기관", "지방자치단체"])
def test_every_rule_cites_an_indexed_sentence(statutes: IndexedStatutes, agency_type: str):
    inp = parse_input({"project_name": "민원 예약시스템 구축", "agency": "시험기관", "agency_type": agency_type,
                       "budget_krw": 600_000_000, "period_months": 18, "summary": "- 민원 예약"}).input
    for fact in compute_rules(inp, statutes).facts.values():
        for citation in fact.citations:
            assert citation.chunk_id and citation.quote, (fact.key, citation.label)


@pytest.mark.skipif(not CASES.is_file(), reason="../shared/benchmarks/dev/rfp_cases.jsonl not found")
def test_the_dev_cases_rule_facts(statutes: IndexedStatutes):
    wrong = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        got = compute_rules(parse_input(case).input, statutes).facts
        for key, want in case["rule_facts"].items():
            if not key.endswith("_note") and want is not None and (key not in got or got[key].value != want):
                wrong.append((case["id"], key, want, got[key].value if key in got else "없음"))
    assert wrong == []
