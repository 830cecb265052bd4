"""`run_answers` over the sample corpus (corpora/samples) with a small suite in the shared
format: extractive answers and the fake LLM, then a service that fails on some cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.case_metrics import TOKEN_F1_NOTE
from eval.answer_runner import run_answers
from rag.answer.types import AnswerEvent
from rag.config import load_settings
from rag.config.settings import base_dir
from appcontext import AppContext
from rag.errors import LLMError

SAMPLES = base_dir() / "corpora" / "samples"
LAW = "statutes/childcare/샘플보육운영지침/법률.md"
GUIDE = "metabolic/parsed/샘플 대사증후군 상담 안내/part-01.md"

CASES = [
    {"id": "cc-01", "assistant": "childcare", "question": "어린이집 폐쇄회로 텔레비전 영상은 며칠 이상 보관해야 하나요?",
     "reference_answer": "어린이집 원장은 폐쇄회로 텔레비전 영상을 60일 이상 보관하여야 합니다.",
     "evidence": [{"source": LAW, "locator": "제5조", "quote": "영상을 60일 이상 보관하여야 한다"}],
     "category": "기한", "origin": "test", "answerable": True},
    {"id": "cc-02", "assistant": "childcare", "question": "만 2세반은 보육교사 1명당 영아를 몇 명까지 편성하나요?",
     "reference_answer": "만 2세반은 보육교사 1명당 영아 7명을 기준으로 편성합니다.",
     "evidence": [{"source": LAW, "locator": "제2조", "quote": "만 2세반은 보육교사 1명당 영아 7명을 기준으로 편성한다"}],
     "answerable": True},
    {"id": "mb-01", "assistant": "metabolic", "question": "중강도 유산소 운동은 일주일에 몇 분 이상 하라고 권하나요?",
     "reference_answer": "빠르게 걷기 같은 중강도 유산소 운동을 일주일에 150분 이상 하도록 권합니다.",
     "evidence": [{"source": GUIDE, "quote": "중강도 유산소 운동을 일주일에 150분 이상 하도록 권한다"}],
     "answerable": True, "cited_articles": []},
    {"id": "cc-03", "assistant": "childcare", "question": "보육교사 월급날은 언제인가요?",
     "reference_answer": "", "evidence": [], "answerable": False},
]

# The keys of the first version of metrics.json and cases.jsonl stay as they were; the
# stored-run version adds the ones after them.
METRIC_KEYS = {"suite", "n", "n_total", "retrieval", "retrieval_passages", "latency_ms", "mode", "embedder", "index",
               "answer", "citation", "abstention", "llm", "errors", "limit",
               "tokens", "generation", "by_assistant", "by_category", "by_suite", "run"}
CASE_KEYS = {"id", "assistant", "question", "answerable", "reference_answer", "answer", "mode", "abstained", "notice",
             "llm", "token_f1", "citations", "invented_citations", "checks", "removed", "rank", "passage_rank",
             "passages", "search_ms", "ttft_ms", "ttft_extractive_ms", "total_ms", "error",
             "kind", "suite", "category", "output_tokens", "failure", "failure_kinds"}


def write_suite(path: Path) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CASES), encoding="utf-8")
    return path


def read_cases(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module", params=["extractive", "fake"])
def answer_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One run per LLM mode over the sample corpus: (mode, metrics returned, out dir)."""
    folder = tmp_path_factory.mktemp(f"answers-{request.param}")
    ctx = AppContext(load_settings("test", data_dir=folder / "data", llm={"mode": request.param}))
    try:
        metrics = run_answers(ctx, write_suite(folder / "suite.jsonl"), SAMPLES, folder / "out", progress=False)
    finally:
        ctx.close()
    return request.param, metrics, folder / "out"


def test_metrics_json_keeps_the_retrieval_keys_and_adds_the_answer_blocks(answer_run):
    mode, returned, out = answer_run
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))

    assert metrics == returned
    assert set(metrics) == METRIC_KEYS
    assert (metrics["n"], metrics["n_total"], metrics["errors"], metrics["limit"]) == (3, 4, 0, None)
    assert metrics["retrieval"] == {"hit@1": 1.0, "hit@5": 1.0, "hit@10": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0}
    assert metrics["retrieval_passages"]["hit@5"] == 1.0
    assert metrics["embedder"] == "fake-bigram-v1"
    assert metrics["llm"]["mode"] == mode
    assert metrics["answer"]["token_f1_note"] == TOKEN_F1_NOTE
    assert 0.0 <= metrics["answer"]["token_f1"] <= 1.0 and metrics["answer"]["n"] == 3
    assert {"precision", "recall", "recall_all", "invented"} <= set(metrics["citation"])
    assert metrics["citation"]["invented"] == 0
    assert {"precision", "recall", "f1", "n_positive"} <= set(metrics["abstention"])
    assert metrics["abstention"]["n_positive"] == 1


def test_latency_block_matches_the_llm_mode(answer_run):
    mode, metrics, _ = answer_run
    latency = metrics["latency_ms"]

    expected = {"search_p50", "search_p95", "ttft_p50", "ttft_p95", "total_p50", "total_p95"}
    if mode != "extractive":
        expected |= {"ttft_extractive_p50", "ttft_extractive_p95"}
    assert set(latency) == expected
    assert 0 < latency["ttft_p50"] <= latency["ttft_p95"]
    assert latency["ttft_p95"] <= latency["total_p95"]


def test_cases_jsonl_has_one_record_per_case_with_the_answer_and_its_checks(answer_run):
    mode, _, out = answer_run
    cases = read_cases(out)

    assert [c["id"] for c in cases] == ["cc-01", "cc-02", "mb-01", "cc-03"]
    for record in cases:
        assert set(record) == CASE_KEYS
        assert record["error"] is None
        assert record["mode"] in {"extractive", "generated", "abstained"}
        assert record["abstained"] == (record["mode"] == "abstained")
        assert record["total_ms"] >= record["ttft_extractive_ms"] > 0
        assert record["invented_citations"] == 0
        for citation in record["citations"]:
            assert set(citation) == {"n", "source", "locator", "label", "hit"}
        for check in record["checks"]:
            assert set(check) == {"text", "supported", "reason"}
    answerable = [c for c in cases if c["answerable"]]
    assert [c["rank"] for c in cases] == [1, 1, 1, None]
    assert all(c["passage_rank"] == 1 and c["token_f1"] is not None for c in answerable)
    assert cases[-1]["token_f1"] is None and cases[-1]["passage_rank"] is None
    if mode == "extractive":
        # The quoted answer copies the passage, so its citation of the statute hits.
        first = cases[0]
        assert first["mode"] == "extractive" and "60일" in first["answer"]
        assert any(c["hit"] and c["source"] == LAW and c["locator"] == "제5조" for c in first["citations"])


def test_the_unanswerable_case_is_scored_as_abstention(answer_run):
    _, metrics, out = answer_run
    unanswerable = read_cases(out)[-1]

    # Abstaining on it is the positive class's only true positive.
    expected_recall = 1.0 if unanswerable["abstained"] else 0.0
    assert metrics["abstention"]["recall"] == expected_recall


class FailingAnswers:
    """The real service, except that questions mentioning 오류 end in an error event and
    those mentioning 장애 raise, as a dead LLM server would."""

    def __init__(self, real) -> None:
        self.real = real

    def llm(self):
        return self.real.llm()

    def stream(self, question: str, **kwargs) -> Iterator[AnswerEvent]:
        if "장애" in question:
            raise LLMError("언어 모델 서버에 연결할 수 없습니다")
        if "오류" in question:
            yield AnswerEvent("error", text="답변 생성 중 오류가 났습니다")
            return
        yield from self.real.stream(question, **kwargs)


def test_failing_cases_are_recorded_and_the_run_goes_on(ctx: AppContext, tmp_path: Path):
    cases = [dict(CASES[0], id="e1", question="오류 나는 질문"), dict(CASES[1], id="e2", question="장애 나는 질문"),
             CASES[0]]
    suite = tmp_path / "suite.jsonl"
    suite.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    ctx.answers = FailingAnswers(ctx.answers)

    metrics = run_answers(ctx, suite, SAMPLES, tmp_path / "out", progress=False)

    records = read_cases(tmp_path / "out")
    assert [r["error"] for r in records] == ["답변 생성 중 오류가 났습니다", "언어 모델 서버에 연결할 수 없습니다", None]
    assert records[0]["answer"] == "" and records[0]["mode"] is None and records[0]["citations"] == []
    assert records[2]["answer"]
    assert metrics["errors"] == 2
    # Failed cases are neither answered nor abstained: only recall_all sees them.
    assert metrics["citation"]["n_answered"] <= 1
    assert metrics["abstention"]["n_abstained"] <= 1


def test_limit_takes_the_first_cases_and_is_recorded(ctx: AppContext, tmp_path: Path):
    metrics = run_answers(ctx, write_suite(tmp_path / "suite.jsonl"), SAMPLES, tmp_path / "out", progress=False,
                          limit=2)

    assert [r["id"] for r in read_cases(tmp_path / "out")] == ["cc-01", "cc-02"]
    assert (metrics["limit"], metrics["n_total"]) == (2, 2)
    assert set(metrics["index"]) == {"childcare"}  # only the assistants the run needs are indexed


def test_breakdowns_repeat_the_blocks_per_assistant_category_and_suite(answer_run):
    _, metrics, _ = answer_run
    blocks = {"n", "n_total", "retrieval", "retrieval_passages", "latency_ms", "answer", "citation", "abstention",
              "tokens", "errors"}

    assert set(metrics["by_assistant"]) == {"childcare", "metabolic"}
    assert set(metrics["by_category"]) == {"기한", "(분류 없음)"}
    assert set(metrics["by_suite"]) == {"suite"}
    for group in (*metrics["by_assistant"].values(), *metrics["by_category"].values()):
        assert set(group) == blocks
    assert [metrics["by_assistant"][a]["n_total"] for a in ("childcare", "metabolic")] == [3, 1]
    assert metrics["by_assistant"]["childcare"]["n"] == 2
    assert metrics["by_category"]["기한"]["n_total"] == 1
    # One suite: its block is the whole run's.
    assert metrics["by_suite"]["suite"]["citation"] == metrics["citation"]
    assert metrics["by_suite"]["suite"]["retrieval"] == metrics["retrieval"]


def test_output_tokens_count_what_the_model_generated(answer_run):
    mode, metrics, out = answer_run
    records = read_cases(out)

    assert set(metrics["tokens"]) == {"output_p50", "output_p95", "output_mean", "output_total", "n"}
    if mode == "extractive":
        assert metrics["tokens"]["output_total"] == 0
        assert all(r["output_tokens"] == 0 for r in records)
    else:
        generated = [r for r in records if r["mode"] == "generated"]
        assert generated and all(r["output_tokens"] > 0 for r in generated)
        assert metrics["tokens"]["output_mean"] > 0


def test_each_record_says_why_it_failed_or_nothing(answer_run):
    _, metrics, out = answer_run
    records = read_cases(out)

    for record in records:
        assert (record["failure"] is None) == (record["failure_kinds"] == [])
        assert record["kind"] == "qa" and record["suite"] == "suite"
    assert metrics["generation"] == {"n": 0, "scored": 0, "skipped": 0}
