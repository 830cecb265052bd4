"""The project's metabolic classification suites (benchmarks/suites/): the hand-built
expectations agree with each other and cover what the suite is for (all four groups, the
three recheck schedules, the thresholds); run through the harness, the assessment gets
every participant right: the boundary suite (our own inline records) always, the 20
personas where ../shared/corpora holds their file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from appcontext import AppContext
from eval.answer_runner import run_answers
from eval.suites import load_suite
from ingest.discovery import discover
from rag.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "benchmarks" / "suites"
PERSONAS = SUITES / "metabolic_personas_cases.jsonl"
BOUNDARIES = SUITES / "metabolic_boundaries_cases.jsonl"
CORPUS = (ROOT / ".." / "shared" / "corpora").resolve()
PERSONA_FILE = "metabolic/synthetic_personas/test_data.json"
FACTORS = ("waist", "bp", "glucose", "tg", "hdl")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [PERSONAS, BOUNDARIES], ids=["personas", "boundaries"])
def test_each_expectation_follows_the_guides_rules_from_its_own_factors(path: Path):
    """A typo check of the hand-built file: count, group and months agree with the factors
    and inputs by the 군판정 and 재검진 tables (the factors themselves are the hand's)."""
    cases = load_suite(path)
    assert cases and all(c.assistant == "metabolic" for c in cases)
    for c in cases:
        want = c.inputs["expected"]
        factors = want["risk_factors"]
        assert set(factors) == set(FACTORS), c.id
        assert want["risk_factor_count"] == sum(factors.values()), c.id
        count, meds = want["risk_factor_count"], c.inputs["medications"]
        group = ("약물치료군" if meds else "대사증후군" if count >= 3 else "건강주의군" if count else "정상군")
        assert want["group"] == group, c.id
        months = ([3, 6, 9, 12] if group == "대사증후군" and c.inputs["new_registration"]
                  else [12] if group == "정상군" else [6, 12])
        assert want["recheck_months"] == months, c.id


def test_the_persona_suite_covers_every_group_and_schedule_and_copies_no_record():
    cases = lines(PERSONAS)

    assert sorted(c["record_ref"]["index"] for c in cases) == list(range(20))
    assert all(c["record_ref"]["file"] == PERSONA_FILE and "record" not in c for c in cases)
    assert {c["expected"]["group"] for c in cases} == {"대사증후군", "건강주의군", "약물치료군", "정상군"}
    assert {tuple(c["expected"]["recheck_months"]) for c in cases} == {(3, 6, 9, 12), (6, 12), (12,)}
    assert {m for c in cases for m in c["medications"]} == {"고혈압", "당뇨병", "이상지질혈증"}
    assert {c["new_registration"] for c in cases if c["expected"]["group"] == "대사증후군"} == {True, False}


def test_the_boundary_suite_sits_on_the_thresholds():
    records = {c["id"]: c["record"] for c in lines(BOUNDARIES)}
    men = [r for r in records.values() if r["sex"] in ("남", "M")]
    women = [r for r in records.values() if r["sex"] in ("여", "F")]

    assert {90.0, 89.9} <= {r["waist"] for r in men} and {40.0, 39.9} <= {r["hdl"] for r in men}
    assert {85.0, 84.9} <= {r["waist"] for r in women} and {50.0, 49.9} <= {r["hdl"] for r in women}
    assert {130, 129} <= {r["sys"] for r in records.values() if not isinstance(r["sys"], list)}
    assert {85, 84} <= {r["dia"] for r in records.values() if not isinstance(r["dia"], list)}
    assert {100.0, 99.9} <= {r["fbg"] for r in records.values()}
    assert {150.0, 149.9} <= {r["tg"] for r in records.values()}
    assert any(isinstance(r["sys"], list) for r in records.values())  # two readings, averaged


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    context = AppContext(load_settings("test", data_dir=tmp_path_factory.mktemp("suites") / "data",
                                       llm={"mode": "fake"}))
    yield context
    context.close()


def run_suite(ctx: AppContext, suite: Path, corpus: Path, out: Path) -> tuple[dict, list[dict]]:
    metrics = run_answers(ctx, suite, corpus, out, progress=False)
    return metrics, [json.loads(line) for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()]


def wrong(records: list[dict]) -> list[str]:
    return [f"{r['id']}: {r.get('failure')}" for r in records if r.get("failure")]


def test_the_boundary_suite_is_classified_exactly(ctx: AppContext, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()

    metrics, records = run_suite(ctx, BOUNDARIES, corpus, tmp_path / "run")

    assert wrong(records) == []
    assert metrics["classification"]["exact"] == 1.0 and metrics["classification"]["n"] == 16


@pytest.mark.skipif(not (CORPUS / PERSONA_FILE).is_file(), reason=f"../shared/corpora/{PERSONA_FILE} not found")
def test_the_twenty_personas_are_classified_exactly(ctx: AppContext, tmp_path: Path):
    metrics, records = run_suite(ctx, PERSONAS, CORPUS, tmp_path / "run")

    assert wrong(records) == []
    assert metrics["generation"] == {"n": 20, "scored": 20, "skipped": 0}
    assert metrics["classification"]["exact"] == 1.0


def test_without_the_shared_corpus_the_personas_are_skipped_not_failed(ctx: AppContext, tmp_path: Path):
    empty = tmp_path / "corpus"
    empty.mkdir()

    metrics, records = run_suite(ctx, PERSONAS, empty, tmp_path / "run")

    assert metrics["generation"]["skipped"] == 20 and metrics["generation"]["scored"] == 0
    assert "참조한 기록 파일이 코퍼스에 없어 건너뜀" in metrics["generation"]["note"]
    assert wrong(records) == [] and metrics["classification"]["exact"] is None


GUIDE = "metabolic/parsed/20250307_2025 서울특별시 대사증후군 관리사업 안내서"


@pytest.mark.skipif(not (CORPUS / GUIDE).is_dir(), reason=f"../shared/corpora/{GUIDE} not found")
def test_with_the_guide_indexed_the_criteria_read_from_it_classify_the_same(tmp_path: Path):
    """The scorer assesses with the criteria the assistant reads from its index (표 8 and the
    tables as indexed), not only with the built-in copy."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / GUIDE, corpus / GUIDE)
    context = AppContext(load_settings("test", data_dir=tmp_path / "data", llm={"mode": "fake"}))
    try:
        files, _ = discover(corpus)
        context.ingest.ingest("metabolic", corpus, files, progress=False)
        context.ingest.embed_pending("metabolic", progress=False)
        metrics, records = run_suite(context, BOUNDARIES, corpus, tmp_path / "run")
    finally:
        context.close()

    assert {r["criteria_source"]["from"] for r in records} == {"indexed"}
    assert wrong(records) == [] and metrics["classification"]["exact"] == 1.0
