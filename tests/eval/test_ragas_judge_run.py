"""`seoul-assist eval run --judge --judge-engine ragas`: ragas' FactualCorrectness(f1) and
Faithfulness as the run's judge, through the fake OpenAI-compatible server over real HTTP,
on the four sample cases answered by the fake model. The server replies from what each
ragas prompt asks (the cases are judged side by side, so a queue's order would not say
which case gets which reply). Then what the run records about its engine, resuming it,
and the judges the ragas engine refuses."""

from __future__ import annotations

import importlib.util
import json
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import eval.ragas_judge
from cli.main import main
from eval.answer_runner import STOP_AFTER_ENV, run_answers
from eval.compare import compare_runs
from eval.judge import Judge
from eval.judging import JUDGE_API_KEY_ENV
from rag.config import load_settings
from appcontext import AppContext
from rag.errors import ConfigError
from rag.llm.fake import FakeLLM
from tests.fakes.openai_server import FakeOpenAIServer

from .test_answer_runner import CASES, SAMPLES, read_cases, write_suite

HAS_RAGAS = importlib.util.find_spec("ragas") is not None and importlib.util.find_spec("openai") is not None
needs_ragas = pytest.mark.skipif(not HAS_RAGAS,
                                 reason="ragas와 openai는 eval extra에만 있습니다 (pip install -e '.[eval]')")
# instructor (pulled in by ragas) compares against its own deprecated Mode.FUNCTIONS.
ignore_instructor_warnings = pytest.mark.filterwarnings("ignore:FUNCTIONS is deprecated:DeprecationWarning")

REFERENCES = {c["reference_answer"]: c["id"] for c in CASES if c["reference_answer"]}
QUESTIONS = {c["question"]: c["id"] for c in CASES}
# FactualCorrectness(f1): the answer's two claims checked against the reference (TP / FP),
# then the reference's one claim against the answer (FN when 0).
ANSWER_CLAIMS_VS_REFERENCE = {"cc-01": [1, 1], "cc-02": [1, 0], "mb-01": [0, 0]}
REFERENCE_CLAIM_VS_ANSWER = {"cc-01": 1, "cc-02": 1, "mb-01": 0}
CORRECTNESS = {"cc-01": 1.0, "cc-02": 0.67, "mb-01": 0.0}  # F1 of P 1 R 1, P 1/2 R 1, P 0 R 0
# Faithfulness: the share of the answer's statements the passages support.
STATEMENTS = {"cc-01": [1, 1], "cc-02": [1, 0], "mb-01": [0], "cc-03": [1, 1, 1, 0]}
FAITHFULNESS = {"cc-01": 1.0, "cc-02": 0.5, "mb-01": 0.0, "cc-03": 0.75}


class RagasReplies:
    """The judge server's side: reads the input ragas put at the end of its prompt and
    answers as a model following ragas' output schema would, with the verdicts above.
    Claims and statements carry their case's id, so the later calls know their case.
    Counts the requests in flight at once."""

    def __init__(self, delay_s: float = 0.03) -> None:
        self.delay_s = delay_s
        self.kinds: list[tuple[str, str]] = []  # (kind of call, case id)
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, body: dict) -> str:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay_s)  # a model takes a while: requests of several cases overlap
            kind, case, reply = self.reply(ragas_input(body))
            with self._lock:
                self.kinds.append((kind, case))
            return json.dumps(reply, ensure_ascii=False)
        finally:
            with self._lock:
                self.in_flight -= 1

    @staticmethod
    def reply(data: dict) -> tuple[str, str, dict]:
        if "response" in data:  # ClaimDecompositionPrompt: the reference's or the answer's claims
            case = REFERENCES.get(data["response"])
            if case:
                return "reference_claims", case, {"claims": [f"{case}: 모범 답안의 주장"]}
            return "answer_claims", "", {"claims": ["답변의 주장 하나", "답변의 주장 둘"]}
        if "question" in data:  # StatementGeneratorPrompt (Faithfulness)
            case = QUESTIONS[data["question"]]
            return "statements", case, {"statements": [f"{case}: 답변의 진술 {i}"
                                                       for i in range(len(STATEMENTS[case]))]}
        statements = data["statements"]  # NLIStatementPrompt
        if REFERENCES.get(data["context"]):
            case = REFERENCES[data["context"]]
            kind, verdicts = "answer_vs_reference", ANSWER_CLAIMS_VS_REFERENCE[case]
        else:
            case = statements[0].split(":")[0]
            if "모범 답안의 주장" in statements[0]:
                kind, verdicts = "reference_vs_answer", [REFERENCE_CLAIM_VS_ANSWER[case]]
            else:
                kind, verdicts = "faithfulness", STATEMENTS[case]
        assert len(verdicts) == len(statements), (kind, case, statements)
        return kind, case, {"statements": [{"statement": s, "reason": "근거", "verdict": v}
                                           for s, v in zip(statements, verdicts)]}


def ragas_input(body: dict) -> dict:
    """The input block ragas' prompts end with ("input: {json}\\nOutput: ")."""
    prompt = body["messages"][-1]["content"]
    return json.loads(prompt.rsplit("input: ", 1)[1].rsplit("Output:", 1)[0])


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
        ) -> Callable[..., tuple[int, str, str]]:
    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")
    monkeypatch.delenv(JUDGE_API_KEY_ENV, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(tmp_path / "data"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def meta_of(out: Path) -> dict:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


@needs_ragas
@ignore_instructor_warnings
def test_a_ragas_judged_run_records_ragas_scores_and_its_engine(cli, tmp_path: Path):
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    replies = RagasReplies()
    with FakeOpenAIServer() as server:
        server.responder = replies
        code, printed, err = cli("eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES), "--out", str(out),
                                 "--llm", "fake", "--judge", "--judge-engine", "ragas",
                                 "--judge-base-url", server.url, "--judge-model", "m")
        bodies = [r["body"] for r in server.chat_requests]

    assert code == 0, err
    records = {r["id"]: r for r in read_cases(out)}
    # The fake answers every case, the unanswerable cc-03 too (with a passage's first sentence).
    assert all(not r["abstained"] and r["answer"] for r in records.values())
    # Every call went to the named model, not streamed; the cases were judged side by side.
    assert bodies and all(b["model"] == "m" and not b.get("stream") for b in bodies)
    assert replies.most_in_flight >= 2
    for case in ("cc-01", "cc-02", "mb-01"):
        judge = records[case]["judge"]
        assert set(judge) == {"correctness", "faithfulness", "reasons", "claims"}, judge
        assert judge["correctness"] == CORRECTNESS[case] and judge["faithfulness"] == FAITHFULNESS[case]
        assert "FactualCorrectness(f1)" in judge["reasons"]["correctness"]
        assert "ragas Faithfulness" in judge["reasons"]["faithfulness"]
        # Four FactualCorrectness calls and two Faithfulness ones for each answered case.
        assert sorted(k for k, c in replies.kinds if c == case) == sorted(
            ["reference_claims", "answer_vs_reference", "reference_vs_answer", "statements", "faithfulness"])
    # The faithfulness verdicts read the passages the answer was given, with their labels.
    contexts = [ragas_input(b)["context"] for b in bodies if "context" in ragas_input(b)
                and ragas_input(b)["statements"][0].startswith("cc-01: 답변의 진술")]
    assert len(contexts) == 1 and "60일 이상 보관" in contexts[0]
    unanswerable = records["cc-03"]["judge"]  # no reference: faithfulness only
    assert unanswerable["correctness"] is None and unanswerable["faithfulness"] == FAITHFULNESS["cc-03"]
    assert "모범 답안이 없어" in unanswerable["reasons"]["correctness"]
    assert [k for k, c in replies.kinds if c == "cc-03"] == ["statements", "faithfulness"]

    meta = meta_of(out)
    judge = meta["judge"]
    assert (judge["engine"], judge["model"]) == ("ragas", "ragas:m")
    assert judge["ragas_version"] == eval.ragas_judge.ragas_judge_info("m")["ragas_version"]
    assert set(judge["prompts"]) == {"claim_decomposition", "statement_generator", "nli_statement"}
    assert len(judge["prompt_sha256"]) == 16
    assert judge["llm"] == {"mode": "openai", "model": "m", "base_url": server.url}
    assert meta["workers"] == 4  # the fake answers in-process, but the judge is a server

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["answer"]["correctness"] == pytest.approx(sum(CORRECTNESS.values()) / 3, abs=1e-4)
    assert metrics["answer"]["n_correctness"] == 3
    assert metrics["answer"]["faithfulness"] == pytest.approx(sum(FAITHFULNESS.values()) / 4, abs=1e-4)
    assert metrics["answer"]["n_faithfulness"] == 4
    assert metrics["judge"]["engine"] == "ragas" and metrics["judge"]["model"] == "ragas:m"
    assert metrics["judge"]["prompt_sha256"] == judge["prompt_sha256"]
    assert "주장 단위 F1" in metrics["judge"]["scales"]["correctness"]
    assert "판정 방식 engine" in printed and "ragas" in printed

    report = (out / "report.html").read_text(encoding="utf-8")
    assert "판정 방식 (judge engine)" in report and "ragas — FactualCorrectness(f1)" in report
    assert "정답성 (LLM 판정)" in report

    # Against a run judged by our own prompts, compare says the scores mean different things.
    prompt_run = tmp_path / "prompt-run"
    shutil.copytree(out, prompt_run)
    prompt_metrics = {**metrics, "judge": {"engine": "prompt", "model": "openai:m", "prompt_sha256": "1234"}}
    (prompt_run / "metrics.json").write_text(json.dumps(prompt_metrics, ensure_ascii=False), encoding="utf-8")
    notes = compare_runs(out, prompt_run, n_boot=20).notes
    assert any("판정 방식이 다릅니다" in note and "ragas / prompt" in note for note in notes)
    assert not any("판정 방식" in note for note in compare_runs(out, out, n_boot=20).notes)

    # A done run asked to go on with the other engine: refused before anything is touched.
    code, _, err = cli("eval", "run", "--resume", str(out), "--judge-engine", "prompt")
    assert code == 2 and "판정 방식이 다릅니다" in err and "ragas ≠ prompt" in err


@needs_ragas
@ignore_instructor_warnings
def test_an_interrupted_ragas_run_resumes_with_ragas_only(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    replies = RagasReplies(delay_s=0.0)
    with FakeOpenAIServer() as server:
        server.responder = replies
        base = ["eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES), "--llm", "fake"]
        monkeypatch.setenv(STOP_AFTER_ENV, "1")
        code, _, err = cli(*base, "--out", str(out), "--workers", "1", "--judge-engine", "ragas",
                           "--judge-base-url", server.url, "--judge-model", "m")
        assert code == 130, err
        monkeypatch.delenv(STOP_AFTER_ENV)
        first = read_cases(out)
        assert [r["id"] for r in first] == ["cc-01"] and first[0]["judge"]["correctness"] == 1.0

        # Another engine is refused, by the command line and by the runner behind it.
        code, _, err = cli("eval", "run", "--resume", str(out), "--judge-engine", "prompt")
        assert code == 2 and "판정 방식이 다릅니다" in err
        ctx = AppContext(load_settings("test", data_dir=tmp_path / "data2", llm={"mode": "fake"}))
        try:
            with pytest.raises(ConfigError, match="판정 방식이 다릅니다"):
                run_answers(ctx, suite, SAMPLES, out, progress=False, resume="require",
                            judge=Judge(FakeLLM(), name="ragas:m"))
        finally:
            ctx.close()
        assert meta_of(out)["status"] == "interrupted" and len(read_cases(out)) == 1

        # No judge flags: the run goes on with ragas at the server it recorded.
        code, _, err = cli("eval", "run", "--resume", str(out))
        assert code == 0, err

    records = read_cases(out)
    assert records[0] == first[0] and len(records) == 4
    assert sum(1 for kind, case in replies.kinds if case == "cc-01" and kind == "reference_claims") == 1
    assert {r["id"]: r["judge"]["correctness"] for r in records if r["id"] != "cc-03"} == CORRECTNESS
    meta = meta_of(out)
    assert meta["status"] == "done" and meta["judge"]["engine"] == "ragas"


def test_the_ragas_engine_needs_a_server_and_the_eval_extra(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    base = ["eval", "run", "--suite", str(write_suite(tmp_path / "s.jsonl")), "--corpus", str(SAMPLES),
            "--llm", "extractive", "--judge-engine", "ragas"]
    code, _, err = cli(*base, "--judge-llm", "embedded")
    assert code == 2 and "ragas 판정에는 OpenAI 호환 서버가 필요합니다" in err and "embedded" in err
    code, _, err = cli(*base, "--judge-llm", "fake")
    assert code == 2 and "OpenAI 호환 서버가 필요합니다" in err
    monkeypatch.setenv("SEOUL_ASSIST_LLM__MODE", "openai")  # a server mode, but no address anywhere
    monkeypatch.delenv("SEOUL_ASSIST_LLM__BASE_URL", raising=False)
    code, _, err = cli(*base)
    assert code == 2 and "--judge-base-url" in err
    # Without the eval extra: say what to install, before any run folder exists.
    monkeypatch.setattr(eval.ragas_judge, "ragas_judge_available", lambda: False)
    code, _, err = cli(*base, "--judge-base-url", "http://127.0.0.1:9/v1", "--judge-model", "m")
    assert code == 2 and "pip install -e '.[eval]'" in err
    assert not (tmp_path / "data" / "eval" / "runs").exists()
