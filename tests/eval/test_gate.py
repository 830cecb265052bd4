"""Quality gates: parsing METRIC=VALUE, validating keys and directions, floors, ceilings
and direction-aware drops, and the exit codes of `eval compare` and `apply_gate`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cli.eval_compare_cmd import add_gate_arguments, apply_gate
from eval.compare import compare_runs
from eval.gate import Gate, GateError, build_gates, check_gates, parse_assignment

from .run_dirs import record, run_cli, write_run

METRICS = {
    "n": 40,
    "retrieval": {"hit@5": 0.8, "mrr@10": 0.7},
    "citation": {"precision": 0.5, "recall": 0.8, "invented": 0},
    "abstention": {"precision": None},
    "latency_ms": {"ttft_p95": 1500.0},
    "by_assistant": {"childcare": {"citation": {"recall": 0.6}}},
}


def gate_args(argv: list[str], max_drop: bool = False) -> argparse.Namespace:
    """The options as `eval run` would parse them (add_gate_arguments on its parser)."""
    parser = argparse.ArgumentParser()
    add_gate_arguments(parser, max_drop=max_drop)
    return parser.parse_args(argv)


# --- parsing and validation --------------------------------------------------------------

def test_an_assignment_is_metric_equals_number():
    assert parse_assignment("citation.recall=0.8") == ("citation.recall", 0.8)
    assert parse_assignment(" latency_ms.ttft_p95 = 2000 ") == ("latency_ms.ttft_p95", 2000.0)
    with pytest.raises(ValueError, match="지표=값"):
        parse_assignment("citation.recall")
    with pytest.raises(ValueError, match="숫자가 아닙니다"):
        parse_assignment("citation.recall=높음")


def test_an_unknown_metric_is_named_with_a_guess_and_the_valid_keys():
    with pytest.raises(GateError) as error:
        build_gates(fail_under=[("citation.recal", 0.8)])

    message = str(error.value)
    assert "'citation.recal'" in message and "혹시 'citation.recall'" in message
    assert "쓸 수 있는 지표" in message and "retrieval.hit@5" in message and "latency_ms.ttft_p95" in message


def test_a_gate_must_point_the_metrics_way():
    with pytest.raises(GateError, match="--fail-over latency_ms.ttft_p95=2000"):
        build_gates(fail_under=[("latency_ms.ttft_p95", 2000)])
    with pytest.raises(GateError, match="--fail-under citation.recall=0.8"):
        build_gates(fail_over=[("citation.recall", 0.8)])
    with pytest.raises(GateError, match="방향"):
        build_gates(max_drop=[("n", 1)])
    with pytest.raises(GateError, match="0 이상"):
        build_gates(max_drop=[("retrieval.hit@5", -0.1)])


def test_breakdown_keys_and_counts_are_valid():
    gates = build_gates(fail_under=[("by_assistant.childcare.citation.recall", 0.5), ("n", 30)],
                        fail_over=[("errors", 0), ("by_category.법령.latency_ms.total_p95", 3000),
                                   ("by_suite.statutes.tokens.output_p95", 400)])

    assert [g.kind for g in gates] == ["under", "under", "over", "over", "over"]


# --- floors and ceilings -----------------------------------------------------------------

def test_floors_and_ceilings_hold_at_the_limit_and_fail_beyond_it():
    holding = build_gates(fail_under=[("citation.recall", 0.8), ("by_assistant.childcare.citation.recall", 0.6)],
                          fail_over=[("latency_ms.ttft_p95", 1500), ("citation.invented", 0)])
    assert check_gates(holding, METRICS) == []

    failing = build_gates(fail_under=[("retrieval.hit@5", 0.85)], fail_over=[("latency_ms.ttft_p95", 1000)])
    violations = check_gates(failing, METRICS)
    assert len(violations) == 2
    assert "retrieval.hit@5 = 0.8 < 하한 0.85" in violations[0]
    assert "latency_ms.ttft_p95 = 1500 > 상한 1000" in violations[1]


def test_a_null_or_absent_metric_fails_its_gate():
    gates = build_gates(fail_under=[("abstention.precision", 0.5), ("answer.correctness", 0.7)])

    violations = check_gates(gates, METRICS)

    assert "null" in violations[0]
    assert "answer.correctness" in violations[1] and "없는 값" in violations[1]


# --- drops -------------------------------------------------------------------------------

def runs(tmp_path: Path, a: dict, b: dict):
    cases = [record(f"c{i}") for i in range(4)]
    return compare_runs(write_run(tmp_path / "a", cases, a), write_run(tmp_path / "b", cases, b), n_boot=20)


def test_a_drop_is_measured_in_the_metrics_own_direction(tmp_path: Path):
    comparison = runs(tmp_path, {"retrieval": {"hit@5": 0.9}, "latency_ms": {"ttft_p95": 1000.0}},
                      {"retrieval": {"hit@5": 0.85}, "latency_ms": {"ttft_p95": 1300.0}})

    tight = build_gates(max_drop=[("retrieval.hit@5", 0.02), ("latency_ms.ttft_p95", 200)])
    loose = build_gates(max_drop=[("retrieval.hit@5", 0.05), ("latency_ms.ttft_p95", 300)])

    violations = check_gates(tight, comparison.metrics_b, comparison)
    assert len(violations) == 2
    assert "0.9 → 0.85" in violations[0] and "하락폭" in violations[0]
    assert "1000 → 1300" in violations[1] and "상승폭" in violations[1]
    assert check_gates(loose, comparison.metrics_b, comparison) == []


def test_an_improvement_never_trips_a_drop_gate(tmp_path: Path):
    comparison = runs(tmp_path, {"retrieval": {"hit@5": 0.5}, "latency_ms": {"ttft_p95": 2000.0}},
                      {"retrieval": {"hit@5": 0.9}, "latency_ms": {"ttft_p95": 500.0}})

    gates = build_gates(max_drop=[("retrieval.hit@5", 0), ("latency_ms.ttft_p95", 0)])

    assert check_gates(gates, comparison.metrics_b, comparison) == []


def test_a_drop_gate_needs_both_values(tmp_path: Path):
    comparison = runs(tmp_path, {"answer": {"correctness": None}}, {"answer": {"correctness": 0.7}})

    violations = check_gates([Gate("drop", "answer.correctness", 0.1)], comparison.metrics_b, comparison)

    assert "A에 값이 없어" in violations[0]


# --- exit codes --------------------------------------------------------------------------

def test_apply_gate_exit_codes_as_eval_run_would_use_them(capsys: pytest.CaptureFixture[str]):
    assert apply_gate(gate_args([]), METRICS) == 0
    assert capsys.readouterr().out == ""  # no gates, no verdict

    assert apply_gate(gate_args(["--fail-under", "citation.recall=0.8"]), METRICS) == 0
    assert "기준 통과" in capsys.readouterr().out

    assert apply_gate(gate_args(["--fail-under", "citation.recall=0.9", "--fail-over", "errors=0"]), METRICS) == 1
    out = capsys.readouterr().out
    assert "기준 미달 2건" in out and "citation.recall = 0.8 < 하한 0.9" in out

    assert apply_gate(gate_args(["--fail-under", "recall=0.9"]), METRICS) == 2
    assert "알 수 없는 지표 'recall'" in capsys.readouterr().err


def test_max_drop_without_a_comparison_is_a_usage_error(capsys: pytest.CaptureFixture[str]):
    args = gate_args(["--max-drop", "retrieval.hit@5=0.02"], max_drop=True)

    assert apply_gate(args, METRICS) == 2
    assert "eval compare" in capsys.readouterr().err


def test_compare_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    cases_a = [record(f"c{i}", rank=1) for i in range(10)]
    cases_b = [record(f"c{i}", rank=1 if i < 7 else 8) for i in range(10)]
    a = str(write_run(tmp_path / "a", cases_a, {"retrieval": {"hit@5": 1.0}}))
    b = str(write_run(tmp_path / "b", cases_b, {"retrieval": {"hit@5": 0.7}}))

    assert run_cli(["eval", "compare", a, b, "--fail-under", "retrieval.hit@5=0.7"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("기준 통과 (1개)")

    assert run_cli(["eval", "compare", a, b, "--max-drop", "retrieval.hit@5=0.1"]) == 1
    assert "허용 하락폭 0.1 초과" in capsys.readouterr().out

    assert run_cli(["eval", "compare", a, b, "--max-drop", "hit@5=0.1"]) == 2
    captured = capsys.readouterr()
    assert "알 수 없는 지표 'hit@5'" in captured.err and captured.out == ""  # fails before comparing

    with pytest.raises(SystemExit) as exit_info:
        run_cli(["eval", "compare", a, b, "--fail-under", "retrieval.hit@5"])
    assert exit_info.value.code == 2
    assert "지표=값" in capsys.readouterr().err


def test_with_json_the_verdict_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    run = str(write_run(tmp_path / "a", [record("c1")], {"citation": {"recall": 1.0}}))

    assert run_cli(["eval", "compare", run, run, "--json", "--fail-under", "citation.recall=0.9"]) == 0

    captured = capsys.readouterr()
    assert captured.out.lstrip().startswith("{") and "기준 통과" in captured.err
