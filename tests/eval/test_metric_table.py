"""The metric table (eval.case_metrics) as the one definition of every metric.

Pinned numbers: for a fixed set of records, metrics.json of an answer run (generating and
extractive) and of a retrieval run, `eval compare` and the gates' keys give what the code
of commit b5c9b7c gave, before the table became the one definition (the bulky ones are in
pinned_metrics.json, written by that code), and the report shows those numbers.

One entry: a metric added to the table appears in metrics.json and each of its per-group
blocks, in the gates' known keys with its direction, in `eval compare`, in the report's
summary and charts and in `eval run`'s summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.eval_cmd import summary_table
from eval import case_metrics
from eval.answer_runner import build_metrics
from eval.case_metrics import Bar, CaseMetric, ratio, register_metric
from eval.compare import compare_runs
from eval.gate import GateError, build_gates, check_gates, valid_keys_text
from eval.metric_keys import direction, known_metrics
from eval.report_html import metrics_from_records, write_report
from eval.runs import load_run, write_json

PINNED = json.loads((Path(__file__).parent / "pinned_metrics.json").read_text(encoding="utf-8"))


def qa(case_id: str, **fields) -> dict:
    base = {"id": case_id, "kind": "qa", "suite": "statutes", "assistant": "childcare", "category": "기한",
            "question": f"{case_id} 질문", "answerable": True, "answer": "답변 [1]", "abstained": False,
            "token_f1": 0.5, "citations": [{"n": 1, "hit": True}], "invented_citations": 0, "rank": 1,
            "passage_rank": 1, "search_ms": 10.0, "ttft_ms": 300.0, "ttft_extractive_ms": 20.0, "total_ms": 900.0,
            "error": None, "output_tokens": 30}
    return {**base, **fields}


#: A generating run's records: judged (one verdict skipped), an abstention, two unanswerable
#: cases, an error whose TTFT is its total, groups without answerable or abstained cases.
ANSWER_RECORDS = [
    qa("c1", token_f1=0.8, citations=[{"n": 1, "hit": True}, {"n": 2, "hit": False}], search_ms=12.5,
       judge={"correctness": 1.0, "faithfulness": 1.0}),
    qa("c2", rank=3, passage_rank=2, token_f1=0.4, ttft_ms=450.25, total_ms=1300.0, output_tokens=55,
       judge={"correctness": 0.5, "faithfulness": 0.75}),
    qa("c3", rank=None, passage_rank=None, token_f1=0.1, citations=[{"n": 1, "hit": False}], invented_citations=1,
       category="수치", search_ms=7.25, judge={"correctness": 0.0, "faithfulness": None}),
    qa("c4", assistant="metabolic", suite="guide", rank=7, passage_rank=None, abstained=True, answer="찾지 못했습니다",
       citations=[], token_f1=0.0, ttft_ms=120.0, ttft_extractive_ms=120.0, total_ms=130.0, output_tokens=0,
       judge={"correctness": None, "faithfulness": None, "skipped": True}),
    qa("c5", assistant="metabolic", suite="guide", category="", rank=2, passage_rank=4, token_f1=None,
       citations=[{"n": 1, "hit": True}], search_ms=30.0, ttft_ms=610.0, total_ms=2100.5, output_tokens=80),
    qa("u1", answerable=False, rank=None, passage_rank=None, token_f1=None, abstained=True, answer="찾지 못했습니다",
       citations=[], category="unanswerable", ttft_ms=95.0, ttft_extractive_ms=95.0, total_ms=100.0, output_tokens=0),
    qa("u2", answerable=False, rank=None, passage_rank=None, token_f1=None, citations=[{"n": 1, "hit": False}],
       category="unanswerable", invented_citations=2, search_ms=9.0, output_tokens=20),
    qa("e1", rank=5, passage_rank=None, answer="", citations=[], token_f1=0.0, error="서버 연결 실패", ttft_ms=30000.0,
       ttft_extractive_ms=None, total_ms=30000.0, output_tokens=0, search_ms=40.0),
    {"id": "rfp-1", "kind": "generation", "assistant": "rfp", "suite": "rfp"},
]

# The same answers from an extractive run: its TTFT is the extractive answer's.
EXTRACTIVE_RECORDS = [dict(r, ttft_ms=r.get("ttft_extractive_ms")) if r.get("kind") == "qa" else r
                      for r in ANSWER_RECORDS]


def searched(case_id: str, rank: int | None, ms: float, answerable: bool = True, **fields) -> dict:
    return {"id": case_id, "assistant": "childcare", "question": f"{case_id} 질문", "answerable": answerable,
            "rank": rank, "search_ms": ms, "retrieved": [], "suite": "statutes", "category": "기한",
            "failure": None, **fields}


RETRIEVAL_RECORDS = [searched("c1", 1, 12.5), searched("c2", 3, 8.0), searched("c3", None, 7.25),
                     searched("c4", 7, 21.0, assistant="metabolic"), searched("c5", 2, 30.0),
                     searched("u1", None, 9.5, answerable=False)]

ANSWER_RUN = {
    "n": 6, "n_total": 8,
    "retrieval": {"hit@1": 0.1667, "hit@5": 0.6667, "hit@10": 0.8333, "mrr@10": 0.3627, "ndcg@10": 0.4752},
    "retrieval_passages": {"hit@1": 0.1667, "hit@5": 0.5, "hit@10": 0.5, "mrr@10": 0.2917, "ndcg@10": 0.3436},
    "latency_ms": {"search_p50": 10.0, "search_p95": 40.0, "ttft_p50": 300.0, "ttft_p95": 30000.0,
                   "ttft_extractive_p50": 20.0, "ttft_extractive_p95": 120.0, "total_p50": 900.0,
                   "total_p95": 30000.0},
    "answer": {"token_f1": 0.26, "token_f1_note": "Kiwi 형태소 F1 (오프라인 지표)", "n": 5, "correctness": 0.5,
               "n_correctness": 3, "faithfulness": 0.875, "n_faithfulness": 2},
    "citation": {"precision": 0.6, "recall": 0.75, "recall_all": 0.5, "invented": 3, "n_answered": 4,
                 "n_citations": 5},
    "abstention": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "accuracy": 0.625, "n_positive": 2,
                   "n_abstained": 2},
    "tokens": {"output_p50": 30, "output_p95": 80, "output_mean": 30.7, "output_total": 215, "n": 7},
    "errors": 1,
}
EXTRACTIVE_LATENCY = {"search_p50": 10.0, "search_p95": 40.0, "ttft_p50": 20.0, "ttft_p95": 120.0,
                      "total_p50": 900.0, "total_p95": 30000.0}
RETRIEVAL_RUN = {"n": 5, "n_total": 6,
                 "retrieval": {"hit@1": 0.2, "hit@5": 0.6, "hit@10": 0.8, "mrr@10": 0.3952, "ndcg@10": 0.4929},
                 "latency_ms": {"search_p50": 9.5, "search_p95": 30.0}}


def as_json(value: object) -> str:
    # json.dumps tells 3 from 3.0 and null from a missing key, which == would not.
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def answer_metrics(records: list[dict], generating: bool = True) -> dict:
    return build_metrics(records, generating=generating, suite="s.jsonl", llm_mode="fake" if generating else "extractive",
                         limit=None, generation={}, context={"mode": "dbsf", "embedder": "fake", "index": {}})


def write_run(folder: Path, records: list[dict], metrics: dict | None, kind: str = "answers") -> Path:
    folder.mkdir(parents=True)
    write_json(folder / "run.json", {"id": folder.name, "name": folder.name, "kind": kind, "status": "done",
                                     "llm": {"mode": "fake", "name": "fake"}})
    (folder / "cases.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                        encoding="utf-8")
    if metrics is not None:
        write_json(folder / "metrics.json", metrics)
    return folder


def retrieval_metrics(folder: Path) -> dict:
    """A retrieval run's measured blocks, as its metrics.json and its report have them."""
    return metrics_from_records(load_run(write_run(folder, RETRIEVAL_RECORDS, None, kind="retrieval")))


# --- the numbers stay ------------------------------------------------------------------------

def test_an_answer_runs_metrics_json_keeps_its_numbers():
    metrics = answer_metrics(ANSWER_RECORDS)

    assert {key: metrics[key] for key in ANSWER_RUN} == ANSWER_RUN
    assert as_json({key: metrics[key] for key in ANSWER_RUN}) == as_json(ANSWER_RUN)
    for group in ("by_assistant", "by_category", "by_suite"):
        assert as_json(metrics[group]) == as_json(PINNED[group]), group


def test_an_extractive_run_times_its_first_answer_from_the_extractive_event():
    metrics = answer_metrics(EXTRACTIVE_RECORDS, generating=False)

    assert as_json(metrics["latency_ms"]) == as_json(EXTRACTIVE_LATENCY)
    assert as_json({k: metrics[k] for k in ANSWER_RUN if k != "latency_ms"}) == as_json(
        {k: v for k, v in ANSWER_RUN.items() if k != "latency_ms"})


def test_a_retrieval_runs_metrics_keep_their_numbers(tmp_path: Path):
    assert as_json(retrieval_metrics(tmp_path / "run")) == as_json(RETRIEVAL_RUN)


def compared(comparison) -> list[list]:
    return [[row["key"], row["a"], row["b"], row["delta"], row["delta_common"], row["ci95"]]
            for row in comparison.to_dict()["metrics"]]


def test_compare_keeps_its_values_intervals_and_rows(tmp_path: Path):
    generating = write_run(tmp_path / "b", ANSWER_RECORDS, answer_metrics(ANSWER_RECORDS))
    extractive = write_run(tmp_path / "a", EXTRACTIVE_RECORDS, answer_metrics(EXTRACTIVE_RECORDS, generating=False))
    retrieval = write_run(tmp_path / "r", RETRIEVAL_RECORDS, {"suite": "s", **retrieval_metrics(tmp_path / "rr")},
                          kind="retrieval")

    for name, (a, b) in {"extractive_vs_generating": (extractive, generating),
                         "retrieval_vs_generating": (retrieval, generating)}.items():
        rows = compared(compare_runs(a, b, n_boot=200, seed=3))
        # abstention.accuracy was in metrics.json but not comparable before the table knew its direction.
        assert [r for r in rows if r[0] != "abstention.accuracy"] == PINNED[f"compare_{name}"], name
    accuracy = compare_runs(extractive, generating, n_boot=200, seed=3).row("abstention.accuracy")
    assert accuracy is not None and (accuracy.a, accuracy.b, accuracy.delta) == (0.625, 0.625, 0.0)


def test_the_gates_know_every_key_they_knew_with_its_direction():
    assert {key: direction(key) for key in PINNED["gate_keys"]} == PINNED["gate_keys"]
    assert direction("by_suite.statutes.latency_ms.ttft_p95") == "lower"


def test_the_report_and_the_run_summary_show_the_numbers_of_metrics_json(tmp_path: Path):
    html = write_report(write_run(tmp_path / "run", ANSWER_RECORDS, answer_metrics(ANSWER_RECORDS))).read_text(
        encoding="utf-8")
    printed = summary_table(answer_metrics(ANSWER_RECORDS))

    for title, values in [("문항 수 (답변 가능 / 전체)", "6 / 8"),
                          ("검색 hit@1 / hit@5 / hit@10 / MRR@10 / nDCG@10", "0.167 / 0.667 / 0.833 / 0.363 / 0.475"),
                          ("답변에 쓴 구절 hit@1 / hit@5", "0.167 / 0.500"),
                          ("토큰 F1 (형태소, 오프라인)", "0.260"),
                          ("정답성 (LLM 판정) 평균 / 판정 문항 수", "0.500 / 3"),
                          ("인용 정밀도 / 재현율 / 재현율(전체)", "0.600 / 0.750 / 0.500"),
                          ("지어낸 인용 (0이어야 함)", "3"),
                          ("답변 거절 정밀도 / 재현율 / F1", "0.500 / 0.500 / 0.500"),
                          ("답변·거절 판단 정확도", "0.625"),
                          ("첫 응답 TTFT p50 / p95", "300.0 / 30000.0 ms"),
                          ("발췌 답변 TTFT p50 / p95", "20.0 / 120.0 ms"),
                          ("답변당 출력 토큰 p50 / p95 / 평균", "30 / 80 / 30.7"),
                          ("오류 문항", "1")]:
        assert f"<td>{title}</td><td>{values}</td>" in html, title
        assert any(line.startswith(title) and line.endswith(f"  {values}") for line in printed.splitlines()), title
    assert "<td>채점한 인용 수</td><td>5</td>" in html[html.index("세부 수치"):]  # the counts, folded


# --- one entry -------------------------------------------------------------------------------

#: A throwaway metric: the share of cases that did not fail whose answer is over 6 characters.
LONG_ANSWERS = CaseMetric(
    "probe.long_answers", "lower", "긴 답변 비율", "answer",
    lambda r: (float(r.get("error") is None and len(r.get("answer") or "") > 6), float(r.get("error") is None)),
    ratio, bar=Bar("answers", "긴 답변"))


@pytest.fixture
def long_answers(monkeypatch: pytest.MonkeyPatch) -> CaseMetric:
    monkeypatch.setattr(case_metrics, "CASE_METRICS", case_metrics.CASE_METRICS)  # the table comes back after
    register_metric(LONG_ANSWERS)
    return LONG_ANSWERS


def test_one_entry_in_the_table_is_all_a_new_metric_takes(long_answers: CaseMetric, tmp_path: Path):
    metrics = answer_metrics(ANSWER_RECORDS)
    long_share = 2 / 7  # "찾지 못했습니다" (c4, u1) of the 7 answers that did not fail; "답변 [1]" is short

    # metrics.json, with the whole run's value and every group's
    assert metrics["probe"] == {"long_answers": round(long_share, 4)}
    assert metrics["by_assistant"]["metabolic"]["probe"]["long_answers"] == 0.5
    assert "probe" not in retrieval_metrics(tmp_path / "retrieval")  # an answer-run metric by default
    # the gates: known, in its direction, listed, checked
    assert known_metrics()["probe.long_answers"] == "lower" == direction("by_suite.guide.probe.long_answers")
    assert "probe.long_answers" in valid_keys_text()
    with pytest.raises(GateError, match="낮을수록 좋은 지표"):
        build_gates(fail_under=[("probe.long_answers", 0.1)])
    ceiling = build_gates(fail_over=[("probe.long_answers", 0.1)])
    assert check_gates(ceiling, metrics) == [f"probe.long_answers = {round(long_share, 4):.4g} > 상한 0.1 "
                                             "(--fail-over probe.long_answers=0.1)"]
    # eval compare, with its interval over the common cases
    a = write_run(tmp_path / "a", EXTRACTIVE_RECORDS, answer_metrics(EXTRACTIVE_RECORDS, generating=False))
    b = write_run(tmp_path / "b", ANSWER_RECORDS, metrics)
    row = compare_runs(a, b, n_boot=50).row("probe.long_answers")
    assert row is not None and row.direction == "lower" and row.ci == (0.0, 0.0)
    # the report (summary line and a bar per group) and eval run's summary
    html = write_report(b).read_text(encoding="utf-8")
    assert f"<td>긴 답변 비율</td><td>{long_share:.3f}</td>" in html and ">긴 답변</text>" in html
    assert "긴 답변 비율" in summary_table(metrics)


def test_a_metric_is_registered_once():
    with pytest.raises(ValueError, match="citation.recall"):
        register_metric(CaseMetric("citation.recall", "higher", "다시", "citations", lambda r: (0.0, 0.0), ratio))
