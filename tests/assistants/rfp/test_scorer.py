"""The harness's RFP scorer: the comparisons behind each rfp.* metric, the metrics in
metrics.json (citation.invented included, from generation records alone), and a run of
the harness over RFP cases."""

from __future__ import annotations

import json
from pathlib import Path

from assistants.rfp.drafting import draft_rfp
from assistants.rfp.inputs import parse_input
from assistants.rfp.scorer import evaluate
from assistants.rfp.statutes import SW_ACT
from eval.answer_runner import run_answers
from eval.run_metrics import measure

from .conftest import articles, form

SAMPLES = Path(__file__).resolve().parents[3] / "corpora" / "samples"
CASE = {**form(), "rule_facts": {"defect_liability_years": 1, "chaebol_group_restricted_regardless_of_amount": True,
                                 "large_enterprise_restriction_applies": None, "bidder_may_propose_work_location": True,
                                 "preferred_contract_method": "협상에 의한 계약 또는 경쟁적 대화에 의한 계약(우선 적용)"},
        "required_rfp_content": [{"item": "하자담보책임", "basis": "소프트웨어 진흥법 제60조제1항"},
                                 {"item": "협상에 의한 계약 명시",
                                  "basis": "국가계약법 시행령 제43조제2항 / 지방계약법 시행령 제43조제3항"},
                                 {"item": "없는 조문", "basis": "소프트웨어 진흥법 제99조"}]}


def scored(table=None) -> dict:
    return evaluate(draft_rfp(parse_input(CASE).input, table or articles()), CASE)


def test_each_check_of_one_draft():
    record = scored()
    assert record["rfp"]["rule_facts"] == {"defect_liability_years": True,
                                           "chaebol_group_restricted_regardless_of_amount": True,
                                           "bidder_may_propose_work_location": True, "preferred_contract_method": True}
    # The 지방계약법 alternative of the second basis is the one cited (a 지방자치단체).
    assert record["rfp"]["content"] == {"하자담보책임": True, "협상에 의한 계약 명시": True, "없는 조문": False}
    assert all(record["rfp"]["structure"].values())
    assert record["rfp"]["id_valid"][0] == record["rfp"]["id_valid"][1] > 0
    assert record["invented_citations"] == 0


def test_content_without_its_article_in_the_index_is_not_covered():
    record = scored(articles(without=((SW_ACT, "제60조"),)))
    assert record["rfp"]["content"]["하자담보책임"] is False
    assert record["invented_citations"] == 0  # removed, not cited


def test_metrics_json_blocks_from_rfp_records_alone():
    base = {"kind": "generation", "assistant": "rfp", "suite": "rfp_cases"}
    records = [{**base, "id": "a", **scored(), "draft_ms": 20.0},
               {**base, "id": "b", **scored(articles(without=((SW_ACT, "제60조"),))), "draft_ms": 40.0,
                "invented_citations": 1}]
    metrics = measure(records, generating=False)
    assert metrics["rfp"]["rule_facts_accuracy"] == 1.0
    assert metrics["rfp"]["required_content_coverage"] == round(3 / 6, 4)
    assert metrics["rfp"]["structure_completeness"] == 1.0
    assert metrics["citation"]["invented"] == 1
    assert metrics["latency_ms"] == {"draft_p50": 20.0, "draft_p95": 40.0}


def test_the_harness_drafts_every_rfp_case(tmp_path: Path, ctx):
    suite = tmp_path / "rfp_cases.jsonl"
    suite.write_text("\n".join(json.dumps({**CASE, "id": f"rfp-{i}", "assistant": "rfp", "origin": "test"},
                                          ensure_ascii=False) for i in range(2)), encoding="utf-8")
    metrics = run_answers(ctx, suite, SAMPLES, tmp_path / "run", progress=False)
    assert metrics["generation"] == {"n": 2, "scored": 2, "skipped": 0}
    assert metrics["rfp"]["rule_facts_accuracy"] == 1.0 and metrics["rfp"]["structure_completeness"] == 1.0
    assert metrics["citation"]["invented"] == 0  # the sample corpus has no procurement law: removed, not invented
    records = [json.loads(line) for line in (tmp_path / "run" / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all("소프트웨어 진흥법 제60조" in r["removed_citations"] for r in records)
