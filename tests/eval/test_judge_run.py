"""`seoul-assist eval run --judge`: the LLM judge (eval.judge) scoring each answered case of
a run over the sample corpus, with the fake judge model (queued JSON replies) built
through build_llm, or a fake OpenAI-compatible server; what cases.jsonl, metrics.json,
run.json and the report say; resuming without judging a case twice; the choice of the
judge model."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import eval.judging
from cli import eval_cmd
from cli.main import main
from eval.answer_runner import STOP_AFTER_ENV, run_answers
from eval.compare import compare_runs
from eval.judge import Judge
from eval.judging import (JUDGE_API_KEY_ENV, JudgeSpec, judge_case, judge_settings, judge_spec, spec_from_meta)
from rag.answer.types import AnswerEvent
from rag.config import load_settings
from appcontext import AppContext
from rag.errors import ConfigError
from rag.llm.fake import FakeLLM
from rag.llm.factory import build_llm
from tests.fakes.openai_server import FakeOpenAIServer

from .test_answer_runner import CASES, SAMPLES, read_cases, write_suite


def correct(score: float, reason: str) -> str:
    return json.dumps({"reason": reason, "score": score}, ensure_ascii=False)


def faithful(*supported: bool) -> str:
    claims = [{"claim": f"주장 {i}", "supported": s} for i, s in enumerate(supported, start=1)]
    return json.dumps({"claims": claims, "reason": f"{sum(supported)}/{len(supported)} 뒷받침"}, ensure_ascii=False)


# The extractive answers of the four sample cases are all answers, not abstentions (the
# runner tests show them): three with a reference answer get two judge calls, the
# unanswerable cc-03 (no reference) only the faithfulness one.
REPLIES = {
    "cc-01": [correct(1, "60일로 같습니다"), faithful(True, True)],  # 1.0, 1.0
    "cc-02": [correct(0.5, "일부만 맞습니다"), faithful(True, False)],  # 0.5, 0.5
    "mb-01": [correct(0, "150분이 아닙니다"), faithful(False)],  # 0.0, 0.0
    "cc-03": [faithful(True, True, True, False)],  # -, 0.75
}
QUESTIONS = {c["id"]: c["question"] for c in CASES}


class QueuedJudges:
    """build_llm as it is (the fake mode builds a FakeLLM), with the next batch of judge
    replies queued on each model it builds; the built models keep their prompts."""

    def __init__(self, *batches: list[str]) -> None:
        self.batches = deque(batches)
        self.built: list[FakeLLM] = []

    def __call__(self, settings):
        llm = build_llm(settings)
        assert isinstance(llm, FakeLLM), "the fake judge mode builds the fake model"
        llm.queue(*self.batches.popleft())
        self.built.append(llm)
        return llm


def judged_ids(llm: FakeLLM) -> list[str]:
    """Which case each prompt the judge model received was about."""
    ids = []
    for prompt in llm.prompts:
        user = prompt[-1].content
        ids.append(next(i for i, q in QUESTIONS.items() if f"질문: {q}\n" in user))
    return ids


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


def test_judged_run_scores_answers_records_the_judge_and_resumes_without_judging_twice(
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    judges = QueuedJudges(REPLIES["cc-01"] + REPLIES["cc-02"], REPLIES["mb-01"] + REPLIES["cc-03"])
    monkeypatch.setattr(eval.judging, "build_llm", judges)
    monkeypatch.setenv(STOP_AFTER_ENV, "2")

    code, _, err = cli("eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES), "--out", str(out),
                       "--llm", "extractive", "--judge", "--judge-llm", "fake")

    assert code == 130, err
    first = read_cases(out)
    assert [r["id"] for r in first] == ["cc-01", "cc-02"]
    assert judged_ids(judges.built[0]) == ["cc-01", "cc-01", "cc-02", "cc-02"]
    assert first[0]["judge"] == {"correctness": 1.0, "faithfulness": 1.0,
                                 "reasons": {"correctness": "60일로 같습니다", "faithfulness": "2/2 뒷받침"},
                                 "claims": [{"claim": "주장 1", "supported": True},
                                            {"claim": "주장 2", "supported": True}]}
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    info = Judge(FakeLLM()).info()
    assert meta["status"] == "interrupted"
    assert meta["judge"] == {**json.loads(json.dumps(info, ensure_ascii=False)),
                             "llm": {"mode": "fake", "model": None, "base_url": None}}
    assert meta["judge"]["model"] == "fake" and len(meta["judge"]["prompt_sha256"]) == 16
    # The judge sees the passages the answer was given, with their citation labels.
    faithfulness_prompt = judges.built[0].prompts[1][-1].content
    assert "문서:\n[1] " in faithfulness_prompt and "60일 이상 보관" in faithfulness_prompt

    monkeypatch.delenv(STOP_AFTER_ENV)
    # No judge flag: the judged run goes on with its own judge. The gates know the judge's keys.
    code, printed, err = cli("eval", "run", "--resume", str(out), "--fail-under", "answer.correctness=0.6",
                             "--fail-under", "by_assistant.childcare.answer.faithfulness=0.75")

    assert code == 1, err  # correctness 0.5 < 0.6; childcare faithfulness 0.75 passes
    assert "answer.correctness" in printed and "by_assistant" not in printed.split("기준 미달")[1]
    assert re.search(r"정답성 \(LLM 판정\) 평균 / 판정 문항 수 +0.500 / 3\n", printed)
    # Only the cases not recorded before were judged, each once.
    assert len(judges.built) == 2
    assert judged_ids(judges.built[1]) == ["mb-01", "mb-01", "cc-03"]
    records = read_cases(out)
    assert [r["id"] for r in records] == ["cc-01", "cc-02", "mb-01", "cc-03"]
    assert records[:2] == first
    assert records[3]["judge"]["correctness"] is None and records[3]["judge"]["faithfulness"] == 0.75
    assert "모범 답안이 없어" in records[3]["judge"]["reasons"]["correctness"]
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["status"] == "done" and len(meta["resumed"]) == 1
    assert meta["judge"]["model"] == "fake" and meta["judge"]["prompts"] == info["prompts"]

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    answer = metrics["answer"]
    assert (answer["correctness"], answer["n_correctness"]) == (0.5, 3)
    assert (answer["faithfulness"], answer["n_faithfulness"]) == (0.5625, 4)  # (1 + .5 + 0 + .75) / 4
    assert answer["token_f1"] is not None and answer["n"] == 3  # the existing keys stay
    assert metrics["judge"] == {"engine": "prompt", "model": "fake", "prompt_sha256": info["prompt_sha256"],
                                "scales": eval.judging.ENGINE_SCALES["prompt"]}
    childcare = metrics["by_assistant"]["childcare"]["answer"]
    metabolic = metrics["by_assistant"]["metabolic"]["answer"]
    assert (childcare["correctness"], childcare["faithfulness"]) == (0.75, 0.75)
    assert (metabolic["correctness"], metabolic["faithfulness"]) == (0.0, 0.0)
    deadline = metrics["by_category"]["기한"]["answer"]  # cc-01 alone
    assert (deadline["correctness"], deadline["faithfulness"]) == (1.0, 1.0)

    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<td>정답성 (LLM 판정) 평균 / 판정 문항 수</td><td>0.500 / 3</td>" in report
    assert f"fake (프롬프트 {info['prompt_sha256']})" in report
    assert "LLM 판정에서 감점된 문항 (3 / 판정 4)" in report and "150분이 아닙니다" in report

    # A comparison with itself has the judge rows, and no note about differing judges.
    comparison = compare_runs(out, out, n_boot=50)
    assert comparison.row("answer.correctness").a == 0.5
    assert not any("판정 모델" in note for note in comparison.notes)


def test_resume_keeps_the_judge_a_run_started_with(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    suite = write_suite(tmp_path / "suite.jsonl")
    judged, plain = tmp_path / "judged", tmp_path / "plain"
    monkeypatch.setattr(eval.judging, "build_llm", QueuedJudges(REPLIES["cc-01"]))
    monkeypatch.setenv(STOP_AFTER_ENV, "1")
    base = ["eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES), "--llm", "extractive"]
    assert cli(*base, "--out", str(judged), "--judge", "--judge-llm", "fake")[0] == 130
    assert cli(*base, "--out", str(plain))[0] == 130
    monkeypatch.delenv(STOP_AFTER_ENV)

    code, _, err = cli("eval", "run", "--resume", str(judged), "--judge-llm", "openai",
                       "--judge-base-url", "http://127.0.0.1:9/v1")
    assert code == 2 and "판정 모델이 다릅니다" in err
    code, _, err = cli("eval", "run", "--resume", str(plain), "--judge", "--judge-llm", "fake")
    assert code == 2 and "판정 없이 시작한 실행" in err
    # Neither was touched: still interrupted, one record each.
    for folder in (judged, plain):
        assert json.loads((folder / "run.json").read_text(encoding="utf-8"))["status"] == "interrupted"
        assert len(read_cases(folder)) == 1


def test_the_runner_refuses_to_resume_with_another_judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # The plan check behind the command line's: a run is judged by one judge throughout.
    ctx = AppContext(load_settings("test", data_dir=tmp_path / "data", llm={"mode": "extractive"}))
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    try:
        monkeypatch.setenv(STOP_AFTER_ENV, "1")
        with pytest.raises(KeyboardInterrupt):
            run_answers(ctx, suite, SAMPLES, out, progress=False, judge=Judge(FakeLLM(REPLIES["cc-01"])))
        monkeypatch.delenv(STOP_AFTER_ENV)
        with pytest.raises(ConfigError, match="판정 모델이 다릅니다"):
            run_answers(ctx, suite, SAMPLES, out, progress=False, resume="require",
                        judge=Judge(FakeLLM(), name="other-judge"))
        with pytest.raises(ConfigError, match="판정 모델이 다릅니다"):
            run_answers(ctx, suite, SAMPLES, out, progress=False, resume="require")
    finally:
        ctx.close()


class FailingAnswers:
    """The real service, except that questions mentioning 오류 end in an error event."""

    def __init__(self, real) -> None:
        self.real = real

    def llm(self):
        return self.real.llm()

    def stream(self, question: str, **kwargs) -> Iterator[AnswerEvent]:
        if "오류" in question:
            yield AnswerEvent("error", text="답변 생성 중 오류가 났습니다")
            return
        yield from self.real.stream(question, **kwargs)


def test_failed_answers_are_not_judged_and_an_unreadable_verdict_is_kept(tmp_path: Path):
    ctx = AppContext(load_settings("test", data_dir=tmp_path / "data", llm={"mode": "extractive"}))
    ctx.answers = FailingAnswers(ctx.answers)
    cases = [dict(CASES[0], id="e1", question="오류 나는 질문"), CASES[0]]
    suite = tmp_path / "suite.jsonl"
    suite.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    judge_llm = FakeLLM(["판정을 못 하겠습니다", faithful(True, False)], name="judge-fake")
    try:
        metrics = run_answers(ctx, suite, SAMPLES, tmp_path / "out", progress=False, judge=Judge(judge_llm))
    finally:
        ctx.close()

    failed, answered = read_cases(tmp_path / "out")
    assert failed["judge"]["skipped"] is True and failed["judge"]["correctness"] is None
    assert "실패" in failed["judge"]["reasons"]["correctness"]
    assert len(judge_llm.prompts) == 2  # the failed case asked nothing
    assert answered["judge"]["correctness"] is None and answered["judge"]["unscored"] == ["correctness"]
    assert answered["judge"]["raw"] == {"correctness": "판정을 못 하겠습니다"}
    assert answered["judge"]["faithfulness"] == 0.5
    # Nothing scored for correctness: null, not absent, so a gate on it fails loudly.
    assert (metrics["answer"]["correctness"], metrics["answer"]["n_correctness"]) == (None, 0)
    assert metrics["answer"]["faithfulness"] == 0.5
    assert metrics["judge"]["model"] == "judge-fake"
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "판정을 못 하겠습니다" not in report and "LLM 판정에서 감점된 문항 (1 / 판정 1)" in report


def test_an_abstention_is_not_judged():
    from rag.answer.types import Answer

    llm = FakeLLM()
    abstained = Answer(question="질문", text="제공된 문서에서 확인할 수 없습니다.", mode="abstained", abstained=True)

    block = judge_case(Judge(llm), "질문", "참고 답", abstained, [])

    assert block["skipped"] is True and "거절" in block["reasons"]["faithfulness"]
    assert llm.prompts == []


def test_a_server_judge_gets_its_own_key_never_the_answering_servers(cli, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_LLM__API_KEY", "answer-server-key")
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    with FakeOpenAIServer() as server:
        server.replies.extend(REPLIES["cc-01"])
        code, _, err = cli("eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES), "--out", str(out),
                           "--llm", "extractive", "--limit", "1", "--judge-base-url", server.url,
                           "--judge-model", "judge-7b")
        first_auth = {r["auth"] for r in server.chat_requests}
        bodies = [r["body"] for r in server.chat_requests]
        monkeypatch.setenv(JUDGE_API_KEY_ENV, "judge-key")
        server.replies.extend(REPLIES["cc-01"])
        assert cli("eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES), "--out", str(tmp_path / "again"),
                   "--llm", "extractive", "--limit", "1", "--judge-base-url", server.url,
                   "--judge-model", "judge-7b")[0] == 0
        second_auth = {r["auth"] for r in server.chat_requests[len(bodies):]}

    assert code == 0, err
    assert [b["model"] for b in bodies] == ["judge-7b", "judge-7b"]
    assert not any("answer-server-key" in (auth or "") for auth in first_auth)
    assert second_auth == {"Bearer judge-key"}
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["judge"]["model"] == "openai:judge-7b"
    assert meta["judge"]["llm"] == {"mode": "openai", "model": "judge-7b", "base_url": server.url}
    assert "answer-server-key" not in (out / "run.json").read_text(encoding="utf-8")
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["answer"]["correctness"], metrics["answer"]["faithfulness"]) == (1.0, 1.0)


def test_without_judge_the_run_has_no_judge_keys(cli, tmp_path: Path):
    out = tmp_path / "run"
    assert cli("eval", "run", "--suite", str(write_suite(tmp_path / "s.jsonl")), "--corpus", str(SAMPLES),
               "--out", str(out), "--llm", "extractive", "--limit", "1")[0] == 0

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert "judge" not in metrics and "correctness" not in metrics["answer"]
    assert "judge" not in read_cases(out)[0]
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["judge"] == {"model": None, "prompt": None}


def test_judge_flags_that_cannot_work_are_refused_before_the_run(cli, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    base = ["eval", "run", "--suite", str(write_suite(tmp_path / "s.jsonl")), "--corpus", str(SAMPLES)]
    code, _, err = cli(*base, "--retrieval-only", "--judge")
    assert code == 2 and "--retrieval-only" in err
    monkeypatch.setenv("SEOUL_ASSIST_LLM__MODE", "extractive")  # the default judge would be no model
    code, _, err = cli(*base, "--judge")
    assert code == 2 and "--judge-llm" in err
    code, _, err = cli(*base, "--judge-llm", "fake", "--judge-model", "x")
    assert code == 2 and "--judge-model" in err
    assert not (tmp_path / "data" / "eval" / "runs").exists()


# --- choosing the judge model --------------------------------------------------------------

def test_the_judge_defaults_to_the_settings_llm_block(tmp_path: Path):
    settings = load_settings("test", data_dir=tmp_path, llm={"mode": "openai", "base_url": "http://a:8000/v1",
                                                              "model": "answer-model", "api_key": "k"})

    assert judge_spec(settings.llm) == JudgeSpec("openai", "answer-model", "http://a:8000/v1")
    assert judge_spec(settings.llm, model="judge") == JudgeSpec("openai", "judge", "http://a:8000/v1")
    assert judge_spec(settings.llm, base_url="http://b/v1") == JudgeSpec("openai", "answer-model", "http://b/v1")
    assert judge_spec(settings.llm, mode="fake") == JudgeSpec("fake")
    assert judge_spec(settings.llm, mode="vllm", base_url="http://b/v1").mode == "vllm"
    with pytest.raises(ConfigError, match="--judge-base-url"):
        judge_spec(settings.llm, mode="embedded", base_url="http://b/v1")
    extractive = load_settings("test", data_dir=tmp_path, llm={"mode": "extractive"})
    with pytest.raises(ConfigError, match="extractive"):
        judge_spec(extractive.llm)


def test_judge_settings_are_a_copy_and_keep_the_key_for_the_same_server_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(JUDGE_API_KEY_ENV, raising=False)
    settings = load_settings("test", data_dir=tmp_path, llm={"mode": "embedded", "base_url": "http://a/v1",
                                                              "api_key": "k", "timeout_s": 7.0})

    same = judge_settings(settings, JudgeSpec("openai", "m", "http://a/v1"))
    other = judge_settings(settings, JudgeSpec("openai", "m", "http://b/v1"))
    fake = judge_settings(settings, JudgeSpec("fake"))

    assert settings.llm.mode == "embedded" and settings.llm.model != "m"  # untouched
    assert (same.llm.mode, same.llm.model, same.llm.api_key, same.llm.timeout_s) == ("openai", "m", "k", 7.0)
    assert other.llm.api_key is None and other.data_dir == settings.data_dir
    assert fake.llm.mode == "fake" and fake.llm.api_key == "k"  # no server: the key goes nowhere
    monkeypatch.setenv(JUDGE_API_KEY_ENV, "j")
    assert judge_settings(settings, JudgeSpec("openai", "m", "http://b/v1")).llm.api_key == "j"


def test_the_stored_judge_is_rebuilt_from_run_json():
    assert spec_from_meta({"model": "openai:m", "llm": {"mode": "openai", "model": "m", "base_url": "http://a/v1"}}) \
        == JudgeSpec("openai", "m", "http://a/v1")
    assert spec_from_meta({"model": None, "prompt": None}) is None
    assert spec_from_meta(None) is None
    # A password inside the server's address is not written to run.json.
    assert JudgeSpec("openai", "m", "http://u:pw@a:8000/v1").as_dict()["base_url"] == "http://a:8000/v1"


def test_the_help_names_the_key_variable_the_judge_reads():
    assert eval_cmd.JUDGE_API_KEY_ENV == JUDGE_API_KEY_ENV


def test_a_judge_model_in_this_process_is_asked_one_case_at_a_time(tmp_path: Path):
    """Answer workers run side by side (a server answering); an in-process judge model (the
    embedded one, here the fake) must still get one request at a time."""
    import threading
    import time

    active, most = 0, 0
    guard = threading.Lock()

    def slow_judge(messages) -> str:
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
        time.sleep(0.05)
        with guard:
            active -= 1
        return correct(1, "맞음") if "모범 답안" in messages[-1].content else faithful(True)

    ctx = AppContext(load_settings("test", data_dir=tmp_path / "data", llm={"mode": "fake"}))
    try:
        metrics = run_answers(ctx, write_suite(tmp_path / "suite.jsonl"), SAMPLES, tmp_path / "out", progress=False,
                              workers=4, judge=Judge(FakeLLM(slow_judge)), judge_spec=JudgeSpec("fake"))
    finally:
        ctx.close()

    assert most == 1
    assert (metrics["answer"]["correctness"], metrics["answer"]["faithfulness"]) == (1.0, 1.0)
    assert eval.judging.judge_lock(JudgeSpec("openai", "m", "http://a/v1")) is None  # a server takes them all
