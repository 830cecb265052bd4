"""The metabolic classification scorer (assistants/metabolic/scorer.py) in the harness: a
small suite of our own records, inline and referenced from the run's corpus, through
`run_answers` with the real assessment; what cases.jsonl, metrics.json (the
`classification` block, totals and groups), the summary and report.html say; a missing
reference is skipped, a rejected record is an error, a wrong field is named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from appcontext import AppContext
from assistants.metabolic.scorer import compare
from cli.eval_cmd import summary_table
from eval.answer_runner import run_answers
from eval.compare import compare_runs
from eval.metric_keys import direction
from eval.run_metrics import breakdowns, measure
from rag.config import load_settings

from .run_dirs import write_run

NORMAL = {"sex": "남", "age": 45, "height": 172.0, "weight": 70.0, "waist": 82.0, "sys": 118, "dia": 74,
          "fbg": 90.0, "tg": 100.0, "hdl": 55.0, "ldl": 110.0, "tc": 185.0}
FACTORS_NONE = {"waist": False, "bp": False, "glucose": False, "tg": False, "hdl": False}


def case(case_id: str, expected: dict, **inputs) -> dict:
    return {"id": case_id, "assistant": "metabolic", "medications": [], "new_registration": False,
            "expected": expected, "category": "검진 결과 분류", **inputs}


def expected(factors: dict, group: str, months: list[int]) -> dict:
    return {"risk_factors": {**FACTORS_NONE, **factors}, "risk_factor_count": sum(factors.values()),
            "group": group, "recheck_months": months}


CASES = [
    # A man's waist of exactly 90 cm is abdominal obesity (표 8: ≥90).
    case("right-inline", expected({"waist": True}, "건강주의군", [6, 12]), record={**NORMAL, "waist": 90.0}),
    # Three factors make 대사증후군; the suite (wrongly) expects 건강주의군: only the group is wrong.
    case("wrong-group", {**expected({"waist": True, "tg": True, "glucose": True}, "대사증후군", [6, 12]),
                         "group": "건강주의군"},
         record={**NORMAL, "waist": 95.0, "tg": 180.0, "fbg": 104.0}),
    case("right-ref", expected({"bp": True}, "약물치료군", [6, 12]),
         record_ref={"file": "metabolic/people.json", "index": 1}, medications=["고혈압"]),
    case("missing-ref", expected({}, "정상군", [12]), record_ref={"file": "metabolic/nobody.json", "index": 0}),
    case("rejected", expected({}, "정상군", [12]), record={**NORMAL, "waist": "허리"}),
]
PEOPLE = [{**NORMAL, "name": "첫째"}, {**NORMAL, "name": "홍길동", "sys": 121, "hdl": 61.0}]


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict, list[dict], Path]]:
    folder = tmp_path_factory.mktemp("classification")
    corpus = folder / "corpus"
    (corpus / "metabolic").mkdir(parents=True)
    (corpus / "metabolic" / "people.json").write_text(json.dumps(PEOPLE, ensure_ascii=False), encoding="utf-8")
    suite = folder / "people_cases.jsonl"
    suite.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CASES), encoding="utf-8")
    ctx = AppContext(load_settings("test", data_dir=folder / "data", llm={"mode": "fake"}))
    try:
        metrics = run_answers(ctx, suite, corpus, folder / "run", progress=False)
    finally:
        ctx.close()
    records = [json.loads(line) for line in (folder / "run" / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    yield metrics, records, folder / "run"


def test_metrics_count_participants_with_every_field_right_and_each_field(classified):
    metrics, _, _ = classified
    block = metrics["classification"]

    # Scored: right-inline, wrong-group, right-ref, rejected (every field wrong).
    assert block["n"] == 4
    assert block["exact"] == 0.5
    assert block["group"] == 0.5
    assert block["recheck_months"] == 0.75 and block["risk_factor_count"] == 0.75
    assert block["risk_factors"] == {"waist": 0.75, "bp": 0.75, "glucose": 0.75, "tg": 0.75, "hdl": 0.75}
    assert isinstance(block["assess_ms_p50"], float) and isinstance(block["assess_ms_p95"], float)


def test_a_missing_reference_is_skipped_with_its_reason_not_failed(classified):
    metrics, records, _ = classified
    skipped = next(r for r in records if r["id"] == "missing-ref")

    assert skipped["skipped"].startswith("참조한 기록 파일이 코퍼스에 없어 건너뜀: metabolic/nobody.json")
    assert skipped["failure"] is None and "classification" not in skipped
    assert metrics["generation"]["n"] == 5 and metrics["generation"]["scored"] == 4
    assert metrics["generation"]["skipped"] == 1 and metrics["generation"]["note"] == skipped["skipped"]


def test_each_record_names_its_wrong_fields_and_keeps_no_participant_data(classified):
    _, records, out = classified
    by_id = {r["id"]: r for r in records}

    assert by_id["right-inline"]["failure"] is None and by_id["right-inline"]["classification"]["exact"] is True
    assert by_id["right-ref"]["classification"]["exact"] is True
    wrong = by_id["wrong-group"]
    assert wrong["failure"] == '군: "대사증후군" (기대 "건강주의군")'
    assert wrong["failure_kinds"] == ["classification"]
    assert [f for f, right in wrong["classification"]["fields"].items() if not right] == ["group"]
    rejected = by_id["rejected"]
    assert "waist" in rejected["error"] and rejected["failure"].startswith("오류: ")
    assert not any(rejected["classification"]["fields"].values()) and len(rejected["classification"]["fields"]) == 8
    # The referenced record's name never reaches the run's files.
    assert "홍길동" not in (out / "cases.jsonl").read_text(encoding="utf-8")


def test_groups_of_classification_cases_have_no_question_metrics(classified):
    metrics, _, _ = classified

    assert "n" not in metrics and "retrieval" not in metrics
    assert metrics["by_suite"]["people_cases"] == {"classification": metrics["classification"]}
    assert metrics["by_assistant"]["metabolic"]["classification"]["exact"] == 0.5


def test_the_summary_and_the_report_show_the_block_from_the_metric_table(classified):
    metrics, _, out = classified
    html = (out / "report.html").read_text(encoding="utf-8")

    printed = {line.split("  ")[0]: line.split()[-7:] for line in summary_table(metrics).splitlines()}
    assert printed["검진 결과 분류 전체 일치 / 군 / 재검진 / 위험요인 수"] == "0.500 / 0.500 / 0.750 / 0.750".split()
    assert "검진 결과 분류 전체 일치 / 군 / 재검진 / 위험요인 수" in html and "0.500 / 0.500 / 0.750 / 0.750" in html
    assert "<title>분류 전체 일치: 0.500</title>" in html  # the per-group bar
    assert "검진 결과 분류 (n=" not in html  # the category's bar: no question count for these cases
    assert "군: &quot;대사증후군&quot; (기대 &quot;건강주의군&quot;)" in html  # the failures table
    assert "분류 불일치 1건" in html and "오류 1건" in html
    assert direction("classification.exact") == "higher"  # gates and `eval compare` know it


def test_question_metrics_of_a_mixed_run_read_only_question_records():
    qa = {"id": "q1", "kind": "qa", "assistant": "metabolic", "suite": "faq", "answerable": True, "rank": 1,
          "abstained": False, "citations": []}
    generated = {"id": "g1", "kind": "generation", "assistant": "metabolic", "suite": "people",
                 "classification": {"exact": False, "fields": {"group": False}}}

    mixed = measure([qa, generated], generating=False)
    assert mixed["n"] == 1 and mixed["n_total"] == 1 and mixed["retrieval"]["hit@1"] == 1.0
    assert mixed["classification"] == {**mixed["classification"], "exact": 0.0, "group": 0.0, "n": 1}
    assert measure([qa], generating=False) == {k: v for k, v in mixed.items() if k != "classification"}
    groups = breakdowns([qa, generated], generating=False)["by_suite"]
    assert "classification" not in groups["faq"] and set(groups["people"]) == {"classification"}


def test_a_field_is_right_only_when_it_is_exactly_the_expected_value():
    want = {"risk_factors": {"waist": False, "hdl": None}, "risk_factor_count": 1, "group": "정상군",
            "recheck_months": [6, 12]}

    assert compare(want, {"risk_factors": {"waist": None, "hdl": False}, "risk_factor_count": True,
                          "group": "정상군 ", "recheck_months": [12, 6]}) == {
        "risk_factors.waist": False, "risk_factors.hdl": False, "risk_factor_count": False, "group": True,
        "recheck_months": False}
    # Only the fields the case expects are scored.
    assert compare({"group": "정상군"}, {"group": "정상군", "risk_factor_count": 3}) == {"group": True}


def test_compare_pairs_classification_cases_for_the_interval(tmp_path: Path):
    def run(folder: str, right: int) -> Path:
        cases = [{"id": f"p{i:02d}", "kind": "generation", "assistant": "metabolic", "suite": "people",
                  "classification": {"exact": i < right, "fields": {"group": i < right}}} for i in range(20)]
        return write_run(tmp_path / folder, cases, {"n": 0, "n_total": 0, **measure(cases, generating=False)})

    comparison = compare_runs(run("a", 10), run("b", 16))
    exact = comparison.row("classification.exact")

    assert (exact.a, exact.b) == (0.5, 0.8) and exact.delta_common == pytest.approx(0.3)
    assert exact.ci is not None and exact.verdict == "better"
    assert comparison.row("citation.recall") is None  # no question case on either side
