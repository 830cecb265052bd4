"""benchmarks/answerability_judge.py: how it reads a judge's verdict, chooses its refusal
threshold on the tuned questions only, and runs end to end against an OpenAI-compatible
server over real HTTP."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.eval.benchmark_scripts import benchmark_script
from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture(scope="module")
def judge_bench():
    with benchmark_script("answerability_judge") as module:
        yield module


def top(*pairs: tuple[str, float]) -> dict:
    tokens = [{"token": t, "logprob": lp} for t, lp in pairs]
    return {"choices": [{"message": {"content": pairs[0][0]},
                         "logprobs": {"content": [{**tokens[0], "top_logprobs": tokens}]}}]}


def test_the_verdict_is_the_log_odds_of_yes_over_no(judge_bench):
    assert judge_bench.verdict_score(top(("예", -0.2), ("아", -1.7))) == pytest.approx(1.5)
    assert judge_bench.verdict_score(top(("아", -0.1), (" 네", -2.1))) == pytest.approx(-2.0)
    # " 예" is the same verdict as "예": the likelier of the two counts, whatever the order.
    assert judge_bench.verdict_score(top(("예", -0.3), ("아", -1.3), (" 예", -7.0))) == pytest.approx(1.0)
    # A verdict missing from the top tokens counts as very unlikely, not as zero.
    assert judge_bench.verdict_score(top(("예", -0.05))) == pytest.approx(-0.05 - judge_bench.FLOOR)


def test_a_server_without_log_probabilities_is_read_from_its_text(judge_bench):
    def reply(text: str) -> dict:
        return {"choices": [{"message": {"content": text}}]}

    assert judge_bench.verdict_score(reply("예")) > 0 > judge_bench.verdict_score(reply("아니오."))
    with pytest.raises(ValueError, match="판정을 읽을 수 없습니다"):
        judge_bench.verdict_score(reply("글쎄요"))


def row(outcome: str, score: float | None = None) -> dict:
    record = {"answerable": outcome in "HMR", "abstained": outcome in "RC", "error": None,
              "citations": [{"hit": outcome == "H"}]}
    return {"outcome": outcome, "score": score, "record": record}


def test_the_threshold_refuses_what_scores_below_it_and_must_beat_the_rules(judge_bench):
    rows = [row("C"), row("R"), row("X", -3.0), row("X", -2.0), row("H", 1.0), row("M", -2.5)]
    assert judge_bench.with_threshold(rows, -2.2) == Counter({"C": 2, "R": 2, "X": 1, "H": 1})
    # Refusing at -2.0 and below catches both unanswerable answers at the cost of one wrong
    # answer; refusing the cited one too would cost more than it gains.
    assert judge_bench.best_threshold(rows) == -2.0
    assert judge_bench.abstention_f1(judge_bench.refused_by(rows, judge_bench.best_threshold(rows))) == \
        pytest.approx(2 * 3 / (3 + 2 + 3))
    # A judge that scores the unanswerable answers highest is never used.
    inverted = [row("C"), row("X", 2.0), row("H", -1.0), row("H", 0.5)]
    assert judge_bench.best_threshold(inverted) is None


def case(case_id: str, question: str, answer: str, *, answerable: bool, abstained: bool = False,
         hit: bool = False) -> dict:
    return {"id": case_id, "question": question, "answer": answer, "answerable": answerable,
            "abstained": abstained, "citations": [] if abstained else [{"hit": hit}], "error": None}


def write_run(folder: Path, suite: str, cases: list[dict]) -> None:
    (folder / suite).mkdir(parents=True)
    (folder / suite / "cases.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases),
                                                encoding="utf-8")


def test_it_chooses_on_the_tuned_questions_and_reports_the_held_out_ones(judge_bench, tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    # batch 1 was tuned on, batch 7 was not (fold_quality.TUNED_OWN); metabolic is no statute suite.
    write_run(runs, "statutes_unseen_admin", [
        case("t1", "의사 보수교육은 몇 시간인가요?", "의사의 보수교육은 연간 8시간 이상이다. [1]", answerable=True, hit=True),
        case("t2", "간호사 보수교육은 몇 시간인가요?", "의사의 보수교육은 연간 8시간 이상이다. [1]", answerable=False),
        case("t3", "결혼 휴가는 며칠인가요?", "", answerable=False, abstained=True)])
    write_run(runs, "statutes_unseen7_admin", [
        case("h1", "공중보건의사 복무기간은 몇 년인가요?", "공중보건의사의 의무복무기간은 3년으로 한다. [1]", answerable=True, hit=True),
        case("h2", "진료소장 임기는 몇 년인가요?", "보건지소에 보건지소장 1명을 둔다. [1]", answerable=False)])
    write_run(runs, "metabolic", [case("m1", "허리둘레 기준은?", "남자 90cm 이상 [1]", answerable=True, hit=True)])
    monkeypatch.setattr(judge_bench, "BENCH_DATA", tmp_path / "bench")
    out = tmp_path / "judge.json"

    def verdict(body: dict) -> str:
        asked = body["messages"][-1]["content"]
        # This fake judge reads meaning: the person asked about must be the one quoted.
        person = asked.split("질문: ")[1].split(" ")[0][:2]
        return "예" if person in asked.split("인용문:")[1] else "아니오"

    with FakeOpenAIServer() as server:
        server.responder = verdict
        monkeypatch.setattr(sys, "argv", ["answerability_judge.py", "--runs", str(runs), "--url", server.url,
                                          "--out", str(out)])
        judge_bench.main()
        asked = len(server.chat_requests)
        assert asked == 4  # the answered statute questions, each once
        judge_bench.main()  # the cache answers a second run
        assert len(server.chat_requests) == asked
    result = json.loads(out.read_text(encoding="utf-8"))
    tuned, held = result["sides"]["tuned"], result["sides"]["held out"]
    assert result["threshold"] is not None
    # eval's abstention F1, as metrics.json stores it: 4 places, undefined where nothing is refused.
    assert (tuned["abstention_f1_rules"], tuned["abstention_f1_with_judge"]) == (0.6667, 1.0)
    assert held["answered"] == {"H": 1, "M": 0, "X": 1}
    assert (held["abstention_f1_rules"], held["abstention_f1_with_judge"]) == (None, 1.0)
    assert held["auc_cited_vs_unanswerable"] == 1.0


def test_a_folder_without_case_records_is_refused_by_name(judge_bench, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["answerability_judge.py", "--runs", str(tmp_path), "--url", "http://x/v1"])
    with pytest.raises(SystemExit, match=str(tmp_path)):
        judge_bench.main()


def test_a_judge_that_cannot_be_reached_or_read_is_named_and_only_readable_verdicts_are_kept(judge_bench, tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    write_run(runs, "statutes_unseen_admin", [
        case("t1", "의사 보수교육은 몇 시간인가요?", "의사의 보수교육은 연간 8시간 이상이다. [1]", answerable=True, hit=True),
        case("t2", "간호사 보수교육은 몇 시간인가요?", "간호사의 보수교육은 연간 8시간 이상이다. [1]", answerable=True, hit=True)])
    monkeypatch.setattr(judge_bench, "BENCH_DATA", tmp_path / "bench")
    with FakeOpenAIServer() as server:
        server.failures.extend([None, "500"])  # the first verdict arrives, the second fails
        server.default_reply = "예"
        monkeypatch.setattr(sys, "argv", ["answerability_judge.py", "--runs", str(runs), "--url", server.url,
                                          "--out", str(tmp_path / "judge.json")])
        with pytest.raises(SystemExit, match=f"판정 모델\\({server.url}/?\\)에 물을 수 없습니다"):
            judge_bench.main()
    cached = [json.loads(line) for path in (tmp_path / "bench" / "judge_cache").glob("*.jsonl")
              for line in path.read_text(encoding="utf-8").splitlines()]
    assert [c["verdict"]["text"] for c in cached] == ["예"]

    # t1 comes from the cache; t2 meets a judge that neither says 예/아니오 nor sends log-probabilities.
    with FakeOpenAIServer() as server:
        server.default_reply = "글쎄요"
        monkeypatch.setattr(sys, "argv", ["answerability_judge.py", "--runs", str(runs), "--url", server.url])
        with pytest.raises(SystemExit, match="statutes_unseen_admin t2 답: 판정을 읽을 수 없습니다"):
            judge_bench.main()
    assert sum(len(path.read_text(encoding="utf-8").splitlines())
               for path in (tmp_path / "bench" / "judge_cache").glob("*.jsonl")) == 1
