"""benchmarks/fold_quality.py: the suites it names exist, and its pooled table of tuned
against held-out statute questions computes the gap the way the per-fold table does."""

from __future__ import annotations

import pytest

from tests.eval.benchmark_scripts import BENCHMARKS, benchmark_script


@pytest.fixture(scope="module")
def fold_quality():
    with benchmark_script("fold_quality") as module:
        yield module


def record(case_id: str, *, answerable: bool, abstained: bool = False, hit: bool = False) -> dict:
    return {"id": case_id, "answerable": answerable, "abstained": abstained, "kind": "qa", "error": None,
            "citations": [] if abstained else [{"hit": hit}], "invented_citations": 0,
            "rank": 1 if hit else None, "passage_rank": 1 if hit else None, "token_f1": 0.0, "failure_kinds": []}


def test_every_suite_it_runs_exists_and_the_tuned_ones_are_among_them(fold_quality):
    suites = {p.stem for p in (BENCHMARKS / "suites").glob("*.jsonl")}
    assert set(fold_quality.UNSEEN) <= suites
    assert fold_quality.TUNED_OWN <= set(fold_quality.UNSEEN)
    # A batch nobody tuned on must stay held out, or the pooled gap compares nothing.
    assert set(fold_quality.UNSEEN) - fold_quality.TUNED_OWN


def test_pooled_gap_is_tuned_minus_held_out_with_an_interval_around_it(fold_quality):
    # Tuned: 30 of 40 answers cite the evidence, 5 of 10 unanswerable refused.
    tuned = ([record(f"t{i}", answerable=True, hit=i % 4 != 0) for i in range(40)]
             + [record(f"tu{i}", answerable=False, abstained=i % 2 == 0) for i in range(10)])
    # Held out: 20 of 40 cite it, all 10 unanswerable refused.
    held = ([record(f"h{i}", answerable=True, hit=i % 2 == 0) for i in range(40)]
            + [record(f"hu{i}", answerable=False, abstained=True) for i in range(10)])
    pooled = fold_quality.pooled_gap(tuned, held)
    assert pooled["tuned"]["citation.recall"] == pytest.approx(0.75)
    assert pooled["held_out"]["citation.recall"] == pytest.approx(0.5)
    assert pooled["gap"]["citation.recall"] == pytest.approx(0.25)
    low, high = pooled["gap_95"]["citation.recall"]
    assert low < 0.25 < high
    assert pooled["gap"]["abstention.f1"] < 0  # the held-out side refuses every unanswerable one


def test_pooled_gap_of_the_same_questions_is_zero(fold_quality):
    cases = [record(f"c{i}", answerable=True, hit=i % 3 == 0) for i in range(30)]
    pooled = fold_quality.pooled_gap(cases, list(cases))
    assert pooled["gap"]["citation.recall"] == 0
    low, high = pooled["gap_95"]["citation.recall"]
    assert low <= 0 <= high


def test_statute_questions_are_pooled_by_what_was_tuned_on(fold_quality):
    # Both fold_quality's pooled table and answerability_judge.py read this one rule.
    dev = {fold_quality.pooled_side("statutes", f"stat-{i}") for i in range(40)}
    assert dev == {"tuned", "held out"}
    for case_id in (f"stat-{i}" for i in range(40)):
        tuned = fold_quality.pooled_side("statutes", case_id) == "tuned"
        assert tuned == (fold_quality.fold_of(case_id, 2) == 0)
    assert fold_quality.pooled_side("statutes_unseen_admin", "x") == "tuned"
    assert fold_quality.pooled_side("statutes_unseen7_admin", "x") == "held out"
    assert fold_quality.pooled_side("metabolic", "x") is None
    assert fold_quality.pooled_side("childcare_topics", "x") is None
