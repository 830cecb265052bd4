"""`eval compare` on hand-made run folders: values recomputed from cases, paired
bootstrap intervals for a clear change and for noise, case matching, null metrics,
flipped cases, and the command's table and JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.compare import compare_runs, load_run
from rag.errors import ConfigError

from .run_dirs import record, run_cli, write_run


def ranked(n: int, hits: int, *, ttft: float = 100.0, prefix: str = "c") -> list[dict]:
    """n answerable cases of which the first `hits` find their evidence at rank 1 (and
    cite it); the rest rank 8 (hit@10 but not hit@5) and cite nothing useful."""
    return [record(f"{prefix}{i:02d}", rank=1 if i < hits else 8, hits=(i < hits,), ttft=ttft + i)
            for i in range(n)]


def row(comparison, key):
    found = comparison.row(key)
    assert found is not None, key
    return found


# --- values ------------------------------------------------------------------------------

def test_values_recomputed_from_cases_follow_the_runner_definitions(tmp_path: Path):
    cases = [
        record("c1", rank=1, hits=(True, False), token_f1=0.8, ttft=100),
        record("c2", rank=3, hits=(True,), token_f1=0.4, ttft=200),
        record("c3", rank=None, hits=(False, False, False), token_f1=0.0, ttft=300),
        record("c4", rank=7, abstained=True, token_f1=0.1, ttft=400),
        record("u1", answerable=False, abstained=True, ttft=50),
        record("u2", answerable=False, hits=(False,), ttft=150),  # answered an unanswerable case
        record("e1", rank=2, error="시간 초과", token_f1=0.0, ttft=None),
    ]
    # metrics.json without the blocks: every value below comes from cases.jsonl.
    run = write_run(tmp_path / "a", cases)

    c = compare_runs(run, run, n_boot=50)

    expected = {
        "retrieval.hit@1": 1 / 5, "retrieval.hit@5": 3 / 5, "retrieval.hit@10": 4 / 5,
        "retrieval.mrr@10": (1 + 1 / 3 + 1 / 7 + 1 / 2) / 5,
        "retrieval.ndcg@10": (1 + 1 / math.log2(4) + 1 / math.log2(8) + 1 / math.log2(3)) / 5,
        "answer.token_f1": 1.3 / 5,
        # micro over the citations of answered answerable cases (c1, c2, c3): 2 of 6
        "citation.precision": 2 / 6, "citation.recall": 2 / 3, "citation.recall_all": 2 / 5,
        "abstention.precision": 1 / 2, "abstention.recall": 1 / 2, "abstention.f1": 1 / 2,
        "latency_ms.ttft_p50": 150.0, "latency_ms.ttft_p95": 400.0,
        "errors": 1.0, "citation.invented": 0.0,
    }
    for key, value in expected.items():
        assert row(c, key).a == pytest.approx(value), key
    assert c.row("answer.correctness") is None  # no judge fields: no row at all


def test_metrics_json_values_are_shown_when_present(tmp_path: Path):
    cases = ranked(10, 5)
    a = write_run(tmp_path / "a", cases, {"retrieval": {"hit@5": 0.5}, "citation": {"precision": None}})

    c = compare_runs(a, a, n_boot=50)

    assert row(c, "retrieval.hit@5").a == 0.5
    precision = row(c, "citation.precision")
    assert precision.a is None and precision.delta is None  # null stays null, recomputation or not


def test_judge_scores_compare_like_any_metric(tmp_path: Path):
    # correctness as the record's own number, faithfulness as a verdict under "judge"
    a = write_run(tmp_path / "a", [record(f"c{i}", correctness=0.0, judge={"faithfulness": {"score": 1.0}})
                                   for i in range(20)])
    b = write_run(tmp_path / "b", [record(f"c{i}", correctness=1.0, judge={"faithfulness": {"score": 1.0}})
                                   for i in range(20)])

    c = compare_runs(a, b)

    correctness = row(c, "answer.correctness")
    assert (correctness.a, correctness.b, correctness.verdict) == (0.0, 1.0, "better")
    assert row(c, "answer.faithfulness").delta == 0.0


def test_runs_judged_by_different_judges_say_so(tmp_path: Path):
    cases = [record(f"c{i}", judge={"correctness": 1.0}) for i in range(5)]
    a = write_run(tmp_path / "a", cases, {"judge": {"model": "openai:big", "prompt_sha256": "1111"}})
    b = write_run(tmp_path / "b", cases, {"judge": {"model": "embedded:small", "prompt_sha256": "1111"}})
    same = write_run(tmp_path / "same", cases, {"judge": {"model": "openai:big", "prompt_sha256": "1111"}})

    assert any("판정 모델이나 프롬프트가 다릅니다" in note and "embedded:small" in note
               for note in compare_runs(a, b, n_boot=10).notes)
    assert not any("판정" in note for note in compare_runs(a, same, n_boot=10).notes)


def test_identical_runs_change_nothing(tmp_path: Path):
    run = write_run(tmp_path / "a", ranked(20, 12))

    c = compare_runs(run, run)

    assert c.n_common == 20 and c.flips == []
    for r in c.rows:
        assert r.delta in (0.0, None), r.key
        assert r.ci in ((0.0, 0.0), None), r.key
        assert not r.significant and r.verdict is None


# --- paired bootstrap --------------------------------------------------------------------

def test_a_clear_improvement_has_an_interval_around_the_true_delta_and_away_from_zero(tmp_path: Path):
    a = write_run(tmp_path / "a", ranked(40, 12, ttft=300.0))
    b = write_run(tmp_path / "b", ranked(40, 36, ttft=100.0))

    c = compare_runs(a, b)

    hit5 = row(c, "retrieval.hit@5")
    assert hit5.delta == pytest.approx(0.6) and hit5.delta_common == pytest.approx(0.6)
    assert hit5.ci[0] <= 0.6 <= hit5.ci[1]
    assert hit5.ci[0] > 0 and hit5.significant and hit5.verdict == "better"
    # lower is better for latency: 200 ms faster is an improvement
    ttft = row(c, "latency_ms.ttft_p50")
    assert ttft.delta == pytest.approx(-200.0) and ttft.verdict == "better"
    hit10 = row(c, "retrieval.hit@10")  # every case is within 10 on both sides
    assert hit10.delta == 0.0 and not hit10.significant


def test_a_clear_regression_reads_worse_in_each_metrics_own_direction(tmp_path: Path):
    a = write_run(tmp_path / "a", ranked(40, 36, ttft=100.0))
    b = write_run(tmp_path / "b", ranked(40, 12, ttft=300.0))

    c = compare_runs(a, b)

    assert row(c, "retrieval.hit@5").verdict == "worse"
    assert row(c, "citation.recall").verdict == "worse"
    assert row(c, "latency_ms.ttft_p95").verdict == "worse"


def test_noise_gives_an_interval_that_contains_zero(tmp_path: Path):
    cases_a = ranked(40, 20)
    # B gains 3 cases and loses 2: a true delta of +1/40, well inside the noise of 40 cases.
    cases_b = [dict(c) for c in cases_a]
    for i in (20, 21, 22):
        cases_b[i] = record(f"c{i:02d}", rank=1, hits=(True,), ttft=100.0 + i)
    for i in (0, 1):
        cases_b[i] = record(f"c{i:02d}", rank=8, hits=(False,), ttft=100.0 + i)
    a, b = write_run(tmp_path / "a", cases_a), write_run(tmp_path / "b", cases_b)

    c = compare_runs(a, b)

    hit5 = row(c, "retrieval.hit@5")
    assert hit5.delta == pytest.approx(1 / 40)
    assert hit5.ci[0] < 0 < hit5.ci[1] and hit5.ci[0] <= 1 / 40 <= hit5.ci[1]
    assert not hit5.significant and hit5.verdict is None


def test_the_bootstrap_is_reproducible_by_seed(tmp_path: Path):
    a = write_run(tmp_path / "a", ranked(30, 10))
    b = write_run(tmp_path / "b", ranked(30, 18))

    first, again = compare_runs(a, b, seed=7), compare_runs(a, b, seed=7)

    assert first.to_dict() == again.to_dict()


# --- matching cases ----------------------------------------------------------------------

def test_cases_in_one_run_only_are_reported_and_left_out_of_the_interval(tmp_path: Path):
    cases = ranked(12, 6)
    a = write_run(tmp_path / "a", cases[:10], {"retrieval": {"hit@5": 0.6}})
    b = write_run(tmp_path / "b", cases[2:], {"retrieval": {"hit@5": 0.4}})

    c = compare_runs(a, b)

    assert c.only_a == ["c00", "c01"] and c.only_b == ["c10", "c11"] and c.n_common == 8
    hit5 = row(c, "retrieval.hit@5")
    assert (hit5.a, hit5.b, hit5.delta) == (0.6, 0.4, pytest.approx(-0.2))  # the runs' own numbers
    assert hit5.delta_common == 0.0  # the 8 shared cases did not change
    assert any("공통 문항 8개" in note for note in c.notes)


def test_cases_are_matched_by_suite_and_id_when_records_name_their_suite(tmp_path: Path):
    a_cases = [record("q1", suite="statutes"), record("q1", suite="metabolic")]
    b_cases = [record("q1", suite="metabolic", rank=None, hits=(False,)), record("q1", suite="statutes")]
    a, b = write_run(tmp_path / "a", a_cases), write_run(tmp_path / "b", b_cases)

    c = compare_runs(a, b)

    assert c.n_common == 2 and not c.only_a and not c.only_b
    assert [(f.suite, f.id, f.verdict) for f in c.flips] == [("metabolic", "q1", "worse")]


def test_a_retrieval_only_run_against_an_answer_run_compares_what_both_have(tmp_path: Path):
    retrieval_cases = [{"id": f"c{i:02d}", "assistant": "childcare", "question": "질문", "answerable": True,
                        "rank": 8, "search_ms": 12.0, "retrieved": []} for i in range(10)]
    a = write_run(tmp_path / "a", retrieval_cases,
                  {"retrieval": {"hit@5": 0.0}, "latency_ms": {"search_p50": 12.0, "search_p95": 12.0}})
    b = write_run(tmp_path / "b", ranked(10, 10), {"abstention": {"precision": None, "recall": None}})

    c = compare_runs(a, b)

    assert row(c, "retrieval.hit@5").delta == pytest.approx(1.0)
    assert row(c, "retrieval.hit@5").ci is not None
    citation = row(c, "citation.precision")
    assert citation.a is None and citation.b == 1.0 and citation.delta is None and citation.ci is None
    abstention = row(c, "abstention.precision")  # null in B's metrics.json, absent in A
    assert abstention.a is None and abstention.b is None and not abstention.significant
    assert {change.kind for f in c.flips for change in f.changes} == {"retrieval_hit@5"}


# --- flipped cases -----------------------------------------------------------------------

def test_flipped_cases_say_what_changed_worst_first(tmp_path: Path):
    long_answer = "가" * 500
    a_cases = [
        record("lost", rank=2, answer=long_answer),
        record("gained_cite", hits=(False,)),
        record("abstain_right", answerable=False),
        record("abstain_wrong"),
        record("broke"),
        record("mixed", rank=8, hits=(True,)),
        record("same"),
    ]
    b_cases = [
        record("lost", rank=None, hits=(False,)),
        record("gained_cite", hits=(True,)),
        record("abstain_right", answerable=False, abstained=True),
        record("abstain_wrong", abstained=True),
        record("broke", error="LLM 서버 시간 초과"),
        record("mixed", rank=1, hits=(False,)),
        record("same"),
    ]
    a, b = write_run(tmp_path / "a", a_cases), write_run(tmp_path / "b", b_cases)

    flips = {f.id: f for f in compare_runs(a, b).flips}

    assert "same" not in flips
    kinds = {case_id: [(c.kind, c.better) for c in f.changes] for case_id, f in flips.items()}
    assert kinds == {
        "lost": [("retrieval_hit@5", False), ("citation_hit", False)],
        "gained_cite": [("citation_hit", True)],
        "abstain_right": [("abstention", True)],
        "abstain_wrong": [("citation_hit", False), ("abstention", False)],
        "broke": [("citation_hit", False), ("error", False)],  # no abstention flip for an error
        "mixed": [("retrieval_hit@5", True), ("citation_hit", False)],
    }
    assert "2위 → 없음" in flips["lost"].changes[0].label
    assert "LLM 서버 시간 초과" in flips["broke"].changes[1].label
    assert len(flips["lost"].answer_a) == 160 and flips["lost"].answer_a.endswith("…")
    order = [f.verdict for f in compare_runs(a, b).flips]
    assert order == sorted(order, key=["worse", "mixed", "better"].index)


def test_a_changed_failure_kind_is_a_flip(tmp_path: Path):
    a = write_run(tmp_path / "a", [record("c1", failure=None), record("c2", failure="retrieval_miss")])
    b = write_run(tmp_path / "b", [record("c1", failure="unsupported_claim"), record("c2", failure=None)])

    flips = {f.id: f for f in compare_runs(a, b).flips}

    assert flips["c1"].verdict == "worse" and flips["c2"].verdict == "better"
    assert "retrieval_miss → 없음" in flips["c2"].changes[0].label


# --- loading -----------------------------------------------------------------------------

def test_a_run_is_a_folder_or_its_metrics_json(tmp_path: Path):
    folder = write_run(tmp_path / "a", ranked(5, 3))

    by_file = load_run(folder / "metrics.json")

    assert by_file.path == folder and len(by_file.cases) == 5
    with pytest.raises(ConfigError, match="metrics.json"):
        load_run(tmp_path / "missing")


def test_generation_records_are_not_compared(tmp_path: Path):
    drafts = [{"id": "rfp-1", "kind": "generation", "assistant": "rfp", "inputs": {}, "error": None}]
    folder = write_run(tmp_path / "a", ranked(3, 3) + drafts)

    assert [r["id"] for r in load_run(folder).cases] == ["c00", "c01", "c02"]


def test_without_cases_the_values_are_compared_without_an_interval(tmp_path: Path):
    a = write_run(tmp_path / "a", ranked(5, 3), {"retrieval": {"hit@5": 0.6}}, with_cases=False)
    b = write_run(tmp_path / "b", ranked(5, 4), {"retrieval": {"hit@5": 0.8}})

    c = compare_runs(a, b)

    hit5 = row(c, "retrieval.hit@5")
    assert hit5.delta == pytest.approx(0.2) and hit5.ci is None and c.flips == []
    assert any("cases.jsonl" in note for note in c.notes)


def test_malformed_cases_name_the_line(tmp_path: Path):
    folder = write_run(tmp_path / "a", ranked(2, 1))
    with (folder / "cases.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")

    with pytest.raises(ConfigError, match="cases.jsonl:3"):
        load_run(folder)


# --- the command -------------------------------------------------------------------------

def test_compare_prints_a_table_with_marks_and_the_flips(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    a = write_run(tmp_path / "a", ranked(40, 12, ttft=300.0))
    b = write_run(tmp_path / "b", ranked(40, 36, ttft=100.0))

    code = run_cli(["eval", "compare", str(a), str(b), "--flips", "2"])

    out = capsys.readouterr().out
    assert code == 0
    hit5_line = next(line for line in out.splitlines() if line.startswith("retrieval.hit@5 "))
    assert "+0.600" in hit5_line and "▲ 좋아짐" in hit5_line
    hit10_line = next(line for line in out.splitlines() if line.startswith("retrieval.hit@10 "))
    assert "▲" not in hit10_line and "▼" not in hit10_line
    assert "뒤집힌 문항 24개" in out and "앞의 2개" in out
    assert out.count("    A: ") == 2


def test_compare_json_is_the_whole_comparison(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    a = write_run(tmp_path / "a", ranked(10, 3))
    b = write_run(tmp_path / "b", ranked(10, 9))

    code = run_cli(["eval", "compare", str(a), str(b), "--json", "--n-boot", "200"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["cases"] == {"a": 10, "b": 10, "common": 10}
    hit5 = next(m for m in data["metrics"] if m["key"] == "retrieval.hit@5")
    assert hit5["delta"] == 0.6 and len(hit5["ci95"]) == 2 and hit5["verdict"] == "better"
    assert len(data["flips"]) == 6 and data["flips"][0]["changes"]
