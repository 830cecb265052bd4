"""`run_retrieval` over a tiny suite and the sample corpus: files and metrics."""

from __future__ import annotations

import json
from pathlib import Path

from eval.retrieval_runner import run_retrieval
from appcontext import AppContext

CASES = [
    {"id": "cc-01", "assistant": "childcare", "question": "급식 식단은 누가 작성하나요?", "answerable": True,
     "evidence": [{"source": "statutes/childcare/테스트법/법률.md", "locator": "제4조",
                   "quote": "영양사가 작성한 식단에 따라 영유아에게 급식을 제공하여야 한다"}]},
    {"id": "mb-01", "assistant": "metabolic", "question": "공복 혈당은 언제 재요?", "answerable": True,
     "evidence": [{"source": "metabolic/parsed/테스트 대사증후군 안내/part-01.md", "quote": "8시간 이상 금식한 뒤"}]},
    {"id": "cc-02", "assistant": "childcare", "question": "보육교사 월급날은 언제인가요?", "answerable": False},
]


def write_suite(path: Path) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CASES), encoding="utf-8")
    return path


def test_run_retrieval_writes_metrics_and_one_line_per_case(ctx: AppContext, sample_corpus: Path, tmp_path: Path):
    suite = write_suite(tmp_path / "suite.jsonl")
    out = tmp_path / "out"

    returned = run_retrieval(ctx, suite, sample_corpus, out, k=10, progress=False)

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == returned
    assert {"n", "retrieval", "latency_ms"} <= set(metrics)
    assert set(metrics["retrieval"]) == {"hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10"}
    assert set(metrics["latency_ms"]) == {"search_p50", "search_p95"}
    assert metrics["n"] == 2  # the unanswerable case is not scored
    assert metrics["n_total"] == 3
    assert metrics["retrieval"] == {"hit@1": 1.0, "hit@5": 1.0, "hit@10": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0}
    assert 0 < metrics["latency_ms"]["search_p50"] <= metrics["latency_ms"]["search_p95"]
    assert metrics["embedder"] == "fake-bigram-v1"

    lines = (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["id"] for r in results] == ["cc-01", "mb-01", "cc-02"]
    assert [r["rank"] for r in results] == [1, 1, None]
    assert results[0]["retrieved"][0]["source"] == "statutes/childcare/테스트법/법률.md"
    assert results[0]["retrieved"][0]["locator"] == "제4조"


def test_each_case_searches_its_assistants_collection(ctx: AppContext, sample_corpus: Path, tmp_path: Path):
    run_retrieval(ctx, write_suite(tmp_path / "suite.jsonl"), sample_corpus, tmp_path / "out", progress=False)

    results = [json.loads(line) for line in (tmp_path / "out/cases.jsonl").read_text(encoding="utf-8").splitlines()]
    childcare = {h["source"] for r in results if r["assistant"] == "childcare" for h in r["retrieved"]}
    metabolic = {h["source"] for r in results if r["assistant"] == "metabolic" for h in r["retrieved"]}
    assert childcare <= {"statutes/childcare/테스트법/법률.md"}  # the previous version is not searched
    assert metabolic == {"metabolic/parsed/테스트 대사증후군 안내/part-01.md"}
    # Both collections were fully embedded before searching.
    assert ctx.state.progress("childcare") == (4, 4)
    assert ctx.state.progress("metabolic") == (3, 3)


def test_second_run_reuses_the_index(ctx: AppContext, sample_corpus: Path, tmp_path: Path):
    suite = write_suite(tmp_path / "suite.jsonl")
    run_retrieval(ctx, suite, sample_corpus, tmp_path / "first", progress=False)
    embedded = ctx.embedder.embedded_texts

    metrics = run_retrieval(ctx, suite, sample_corpus, tmp_path / "second", progress=False)

    assert ctx.embedder.embedded_texts == embedded
    assert metrics["index"] == {"childcare": {"documents": 2, "failed": 0}, "metabolic": {"documents": 1, "failed": 0}}
