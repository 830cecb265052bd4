"""Stored runs: the run folder's files, resuming after Ctrl-C (the stop hook, in a real
subprocess) or a kill mid-write, several suites in one run, generation cases, the
default folder and `eval list`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from eval.answer_runner import STOP_AFTER_ENV, effective_workers, run_answers
from eval.generation import SKIP_NOTE, register_scorer, unregister_scorer
from eval.retrieval_runner import run_retrieval
from eval.provenance import code_version, settings_snapshot
from eval.runs import list_runs, load_run, read_records, repair_cases, runs_root
from rag.config import load_settings
from appcontext import AppContext
from rag.errors import ConfigError

from .test_answer_runner import CASES, SAMPLES, read_cases, write_suite

SCRIPT = Path(sys.executable).parent / "seoul-assist"
IDS = [c["id"] for c in CASES]
#: Blocks that do not depend on timing: a resumed run must give exactly these.
STABLE = ("n", "n_total", "retrieval", "retrieval_passages", "answer", "citation", "abstention", "errors", "tokens")

RFP_CASES = [
    {"id": "rfp-case-001", "assistant": "rfp", "project_name": "학사정보시스템 고도화", "budget_krw": 130000000,
     "agency": "한영대학", "summary": "- 트랙운영 학사정보시스템을 고도화한다.", "origin": "codeit-rfp100",
     "rule_facts": {"chaebol_group_restricted_regardless_of_amount": True}},
    {"id": "rfp-case-002", "assistant": "rfp", "project_name": "누리집 개편", "budget_krw": 50000000,
     "agency": "서울시", "summary": "- 누리집을 개편한다.", "origin": "codeit-rfp100"},
]
#: The same generation lines for an assistant without a scorer (rfp has one: assistants/rfp/scorer.py).
UNSCORED_CASES = [dict(case, assistant="childcare") for case in RFP_CASES]


@pytest.fixture(scope="module")
def shared_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """One fake-LLM context for the module, so the sample corpus is indexed once."""
    folder = tmp_path_factory.mktemp("runs")
    context = AppContext(load_settings("test", data_dir=folder / "data", llm={"mode": "fake"}))
    yield context
    context.close()


def write_lines(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def stable(metrics: dict) -> dict:
    return {key: metrics[key] for key in STABLE}


# --- resume ----------------------------------------------------------------------------------

def interrupt_after_one_case(ctx: AppContext, suite: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave an unfinished answer run in ``out``: stopped (as by Ctrl-C) after one case."""
    monkeypatch.setenv(STOP_AFTER_ENV, "1")
    with pytest.raises(KeyboardInterrupt):
        run_answers(ctx, suite, SAMPLES, out, progress=False)
    monkeypatch.delenv(STOP_AFTER_ENV)


def test_interrupted_subprocess_resumes_and_scores_every_case_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    suite = write_suite(tmp_path / "suite.jsonl")
    data, out = tmp_path / "data", tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOUL_ASSIST_")}
    env.update(SEOUL_ASSIST_PROFILE="test", SEOUL_ASSIST_CONFIG_DIR=str(tmp_path), **{STOP_AFTER_ENV: "2"})

    stopped = subprocess.run([str(SCRIPT), "--data-dir", str(data), "eval", "run", "--suite", str(suite),
                              "--corpus", str(SAMPLES), "--out", str(out), "--llm", "fake"],
                             capture_output=True, text=True, timeout=300, env=env)

    assert stopped.returncode == 130, stopped.stderr
    assert f"--resume {out}" in stopped.stderr
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "interrupted"
    assert [r["id"] for r in read_cases(out)] == IDS[:2]
    assert not (out / "metrics.json").exists()
    # A kill in the middle of writing the third record leaves half a line behind.
    with (out / "cases.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "mb-01", "assistant": "metab')

    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")
    assert main(["--data-dir", str(data), "eval", "run", "--resume", str(out)]) == 0

    records = read_cases(out)
    assert Counter(r["id"] for r in records) == Counter(IDS)
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["status"] == "done" and len(meta["resumed"]) == 1
    assert (meta["llm"]["mode"], meta["limit"], meta["cases_total"]) == ("fake", None, 4)
    resumed = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (out / "report.html").is_file()
    # The same numbers as a run that was never interrupted.
    assert main(["--data-dir", str(data), "eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES),
                 "--out", str(tmp_path / "straight"), "--llm", "fake"]) == 0
    straight = json.loads((tmp_path / "straight" / "metrics.json").read_text(encoding="utf-8"))
    assert stable(resumed) == stable(straight)
    assert resumed["by_assistant"]["childcare"]["citation"] == straight["by_assistant"]["childcare"]["citation"]


def test_a_killed_run_is_marked_interrupted_with_whole_records(tmp_path: Path):
    many = [dict(CASES[i % 4], id=f"k-{i:03d}") for i in range(400)]
    suite, out = write_lines(tmp_path / "many.jsonl", many), tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOUL_ASSIST_")}
    env.update(SEOUL_ASSIST_PROFILE="test", SEOUL_ASSIST_CONFIG_DIR=str(tmp_path))
    process = subprocess.Popen([str(SCRIPT), "--data-dir", str(tmp_path / "data"), "eval", "run", "--suite",
                                str(suite), "--corpus", str(SAMPLES), "--out", str(out), "--llm", "extractive"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while not read_records(out / "cases.jsonl") and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        process.terminate()
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()

    assert process.returncode == 130, err
    assert load_run(out).info.status == "interrupted"
    lines = (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert 0 < len(lines) < 400 and len(read_records(out / "cases.jsonl")) == len(lines)


def test_an_unfinished_run_in_out_is_resumed_and_a_finished_one_started_over(
        shared_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    interrupt_after_one_case(shared_ctx, suite, out, monkeypatch)
    assert load_run(out).info.status == "interrupted"

    run_answers(shared_ctx, suite, SAMPLES, out, progress=False)

    first = load_run(out)
    assert [r["id"] for r in first.records] == IDS
    assert first.info.status == "done" and len(first.meta["resumed"]) == 1

    run_answers(shared_ctx, suite, SAMPLES, out, progress=False)  # done: a new run replaces it

    again = load_run(out)
    assert [r["id"] for r in again.records] == IDS
    assert "resumed" not in again.meta


def test_resume_refuses_a_run_of_other_suites(shared_ctx: AppContext, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "run"
    interrupt_after_one_case(shared_ctx, write_suite(tmp_path / "suite.jsonl"), out, monkeypatch)
    other = write_lines(tmp_path / "other.jsonl", CASES[:2])

    with pytest.raises(ConfigError, match="평가 세트가 다릅니다"):
        run_answers(shared_ctx, other, SAMPLES, out, progress=False, resume="require")
    with pytest.raises(ConfigError, match="--limit이 다릅니다"):
        run_answers(shared_ctx, tmp_path / "suite.jsonl", SAMPLES, out, progress=False, limit=2, resume="require")


def test_resume_refuses_a_run_made_by_other_settings_or_code(shared_ctx: AppContext, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    interrupt_after_one_case(shared_ctx, suite, out, monkeypatch)
    other = AppContext(shared_ctx.settings.model_copy(update={
        "retrieval": shared_ctx.settings.retrieval.model_copy(update={"title_rerank_depth": 0})}))

    with pytest.raises(ConfigError, match=r"설정이 다릅니다 \(retrieval\)"):
        run_answers(other, suite, SAMPLES, out, progress=False, resume="require")
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    meta["code"]["commit"] = "0" * 40
    (out / "run.json").write_text(json.dumps(meta), encoding="utf-8")
    if code_version()["commit"]:  # a checkout, not an installed copy
        with pytest.raises(ConfigError, match="코드가 다릅니다"):
            run_answers(shared_ctx, suite, SAMPLES, out, progress=False, resume="require")

    # Without --resume the unfinished run of other code is not continued but started over.
    run_answers(shared_ctx, suite, SAMPLES, out, progress=False)
    again = load_run(out)
    assert "resumed" not in again.meta and [r["id"] for r in again.records] == IDS


def test_a_retrieval_run_replaces_an_interrupted_run_in_its_folder(shared_ctx: AppContext, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    suite, out = write_suite(tmp_path / "suite.jsonl"), tmp_path / "run"
    interrupt_after_one_case(shared_ctx, suite, out, monkeypatch)

    run_retrieval(shared_ctx, suite, SAMPLES, out, progress=False)  # never resumes: starts over

    assert load_run(out).info.status == "done" and load_run(out).meta["kind"] == "retrieval"


def test_a_cut_off_last_line_is_ignored_and_repaired(tmp_path: Path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "a", "x": 1}\n{"id": "b", "x": 2}\n{"id": "c", "x"', encoding="utf-8")

    assert [r["id"] for r in read_records(cases)] == ["a", "b"]
    assert repair_cases(cases) == 1
    assert cases.read_text(encoding="utf-8") == '{"id": "a", "x": 1}\n{"id": "b", "x": 2}\n'
    assert repair_cases(cases) == 0


def test_workers_run_cases_concurrently_and_record_each_once(shared_ctx: AppContext, tmp_path: Path):
    metrics = run_answers(shared_ctx, write_suite(tmp_path / "suite.jsonl"), SAMPLES, tmp_path / "run",
                          progress=False, workers=3)

    assert sorted(r["id"] for r in read_cases(tmp_path / "run")) == sorted(IDS)
    assert load_run(tmp_path / "run").meta["workers"] == 3
    assert metrics["n_total"] == 4 and metrics["errors"] == 0


def test_default_workers_by_llm_mode():
    assert [effective_workers(mode, None) for mode in ("openai", "vllm", "embedded", "extractive", "fake")] == [
        4, 4, 1, 1, 1]
    assert effective_workers("embedded", 4) == 1  # one answer at a time in-process
    assert effective_workers("vllm", 8) == 8
    with pytest.raises(ConfigError):
        effective_workers("openai", 0)


# --- run.json ----------------------------------------------------------------------------

def test_run_json_records_what_was_run(shared_ctx: AppContext, tmp_path: Path):
    suite = write_suite(tmp_path / "suite.jsonl")
    run_answers(shared_ctx, suite, SAMPLES, tmp_path / "run", progress=False, name="점검", limit=3)

    meta = load_run(tmp_path / "run").meta
    assert meta["status"] == "done" and meta["name"] == "점검" and meta["id"].endswith("-점검-fake")
    assert meta["suites"] == [{"path": str(suite.resolve()), "name": "suite", "sha256": meta["suites"][0]["sha256"],
                               "cases": 3}]
    assert len(meta["suites"][0]["sha256"]) == 64
    assert meta["corpus"] == str(SAMPLES.resolve())
    assert meta["llm"]["mode"] == "fake" and "fake" in meta["llm"]["name"]
    assert meta["judge"] == {"model": None, "prompt": None}
    assert meta["settings"]["embedding"]["mode"] == "fake"
    assert set(meta["code"]) >= {"commit", "dirty"}
    assert meta["created"] and meta["finished"]


def test_settings_snapshot_leaves_secrets_out():
    settings = load_settings("test", llm={"api_key": "sk-secret", "base_url": "http://kim:pw123@llm:8000/v1"},
                             store={"api_key": "qdrant-secret"})

    snapshot = settings_snapshot(settings)

    text = json.dumps(snapshot)
    assert "sk-secret" not in text and "qdrant-secret" not in text and "pw123" not in text
    assert "api_key" not in snapshot["llm"] and snapshot["llm"]["base_url"] == "http://llm:8000/v1"
    assert snapshot["llm"]["max_tokens"] == settings.llm.max_tokens  # *_tokens is no secret


# --- several suites, generation cases ----------------------------------------------------------

def test_several_suites_in_one_run_keep_their_names_and_generation_cases_are_skipped(
        shared_ctx: AppContext, tmp_path: Path):
    first = write_suite(tmp_path / "childcare.jsonl")
    # A second suite mixing assistants, with an id that the first one also uses.
    second = write_lines(tmp_path / "mixed.jsonl", [dict(CASES[2], id="cc-01"), dict(CASES[3], id="x-02")])
    rfp = write_lines(tmp_path / "rfp_cases.jsonl", UNSCORED_CASES)

    metrics = run_answers(shared_ctx, [first, second, rfp], SAMPLES, tmp_path / "run", progress=False)

    records = read_cases(tmp_path / "run")
    assert [(r["suite"], r["id"]) for r in records] == [
        ("childcare", "childcare/cc-01"), ("childcare", "cc-02"), ("childcare", "mb-01"), ("childcare", "cc-03"),
        ("mixed", "mixed/cc-01"), ("mixed", "x-02")]
    assert metrics["n_total"] == 6
    assert metrics["generation"] == {"n": 2, "scored": 0, "skipped": 2, "note": SKIP_NOTE}
    assert set(metrics["by_suite"]) == {"childcare", "mixed"}
    assert metrics["by_suite"]["mixed"]["n_total"] == 2
    assert set(metrics["by_assistant"]) == {"childcare", "metabolic"}
    assert metrics["suite"] == f"{first}, {second}, {rfp}"
    assert [s["name"] for s in load_run(tmp_path / "run").meta["suites"]] == ["childcare", "mixed", "rfp_cases"]


def test_a_registered_generation_scorer_records_its_cases(shared_ctx: AppContext, tmp_path: Path):
    rfp = write_lines(tmp_path / "rfp_cases.jsonl", RFP_CASES)
    register_scorer("rfp", lambda ctx, case: {"draft": f"{case.inputs['project_name']} 제안요청서", "failure": None})
    try:
        metrics = run_answers(shared_ctx, [write_suite(tmp_path / "suite.jsonl"), rfp], SAMPLES, tmp_path / "run",
                              progress=False)
    finally:
        unregister_scorer("rfp")

    generated = [r for r in read_cases(tmp_path / "run") if r["kind"] == "generation"]
    assert [(r["id"], r["draft"]) for r in generated] == [("rfp-case-001", "학사정보시스템 고도화 제안요청서"),
                                                          ("rfp-case-002", "누리집 개편 제안요청서")]
    assert metrics["generation"] == {"n": 2, "scored": 2, "skipped": 0}
    assert metrics["n_total"] == 4  # generation records are not question-answer cases


def test_a_suite_of_generation_cases_alone_runs(shared_ctx: AppContext, tmp_path: Path):
    metrics = run_answers(shared_ctx, write_lines(tmp_path / "rfp_cases.jsonl", UNSCORED_CASES), SAMPLES,
                          tmp_path / "run", progress=False)

    assert (metrics["n_total"], metrics["generation"]["skipped"]) == (0, 2)
    assert (tmp_path / "run" / "report.html").is_file()


def test_retrieval_only_runs_are_stored_too(shared_ctx: AppContext, tmp_path: Path):
    metrics = run_retrieval(shared_ctx, write_suite(tmp_path / "suite.jsonl"), SAMPLES, tmp_path / "run",
                            progress=False)

    run = load_run(tmp_path / "run")
    assert set(metrics) == {"suite", "n", "n_total", "retrieval", "latency_ms", "mode", "embedder", "index"}
    assert (run.meta["kind"], run.info.status, len(run.records)) == ("retrieval", "done", 4)
    assert "<svg" in (tmp_path / "run" / "report.html").read_text(encoding="utf-8")


# --- default folder and the list --------------------------------------------------------------

@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture):
    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")

    def _run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(tmp_path / "data"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_without_out_runs_go_under_data_dir_and_eval_list_shows_them_newest_first(cli, tmp_path: Path):
    suite = write_suite(tmp_path / "statutes.jsonl")
    base = ["eval", "run", "--suite", str(suite), "--corpus", str(SAMPLES), "--limit", "2"]
    assert cli(*base, "--llm", "extractive")[0] == 0
    assert cli(*base, "--llm", "fake", "--name", "두번째")[0] == 0

    runs = list_runs(load_settings("test", data_dir=tmp_path / "data"))

    assert [r.path.parent for r in runs] == [runs_root(load_settings("test", data_dir=tmp_path / "data"))] * 2
    assert runs[0].path.name.endswith("-두번째-fake") and runs[1].path.name.endswith("-statutes-extractive")
    assert [r.status for r in runs] == ["done", "done"]
    assert (runs[1].cases_done, runs[1].cases_total) == (2, 2)
    code, out, _ = cli("eval", "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 and "두번째" in lines[0] and "statutes" in lines[1]
    assert "완료" in lines[0] and "hit@5 1.000" in lines[0] and "2/2" in lines[0]


def test_eval_list_of_no_runs_says_so(cli):
    code, out, _ = cli("eval", "list")

    assert code == 0 and out.startswith("저장된 평가 실행이 없습니다")


def test_eval_report_rewrites_the_report(cli, tmp_path: Path):
    out = tmp_path / "run"
    assert cli("eval", "run", "--suite", str(write_suite(tmp_path / "s.jsonl")), "--corpus", str(SAMPLES),
               "--out", str(out), "--llm", "extractive")[0] == 0
    (out / "report.html").unlink()

    code, printed, _ = cli("eval", "report", str(out))

    assert code == 0 and printed.strip() == f"보고서: {out / 'report.html'}"
    assert "<svg" in (out / "report.html").read_text(encoding="utf-8")
    assert cli("eval", "report", str(tmp_path / "none"))[0] == 2
