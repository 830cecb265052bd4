"""Counselling on the real guides (../shared/corpora/metabolic, the three publications
indexed): a participant with abdominal obesity and high blood pressure gets nutrition and
exercise passages from the 2023 상담가이드북, each quoted verbatim from a chunk of the
programme's guides; a smoker at 숙고 전 단계 gets the guidebook's 고려전 단계 counselling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appcontext import AppContext
from assistants.metabolic.assessment import assess
from assistants.metabolic.counselling import GUIDE_TITLES, GUIDEBOOK_TITLE, CounsellingGuide, guides_state
from assistants.metabolic.criteria import load_criteria
from ingest.discovery import discover
from rag.config import load_settings

from .conftest import man, survey

CORPUS = (Path(__file__).resolve().parents[3] / ".." / "shared" / "corpora").resolve()
GUIDES = "metabolic/parsed"

pytestmark = pytest.mark.skipif(not (CORPUS / GUIDES).is_dir(), reason="../shared/corpora/metabolic not found")


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    ctx = AppContext(load_settings("test", data_dir=tmp_path_factory.mktemp("metabolic_counselling_real")))
    files, _ = discover(CORPUS, [GUIDES])
    ctx.ingest.ingest("metabolic", CORPUS, files, progress=False)
    yield ctx
    ctx.close()


def counselling(ctx: AppContext, record: dict, answers: dict | None = None) -> list[dict]:
    result = assess(record, load_criteria(ctx.retriever, "metabolic"), answers)
    guide = CounsellingGuide(ctx.retriever, lambda c: guides_state(ctx.state.documents(c)))
    return guide.counselling("metabolic", result, answers)


def test_waist_and_blood_pressure_get_the_guidebooks_counselling(real_index: AppContext):
    entries = counselling(real_index, man(waist=95, sys=135))
    assert [e["factor"] for e in entries] == ["waist", "bp"]
    passages = [p for e in entries for p in e["passages"]]
    chunks = {c.id: c for c in real_index.retriever.fetch("metabolic", ids=[p["chunk_id"] for p in passages])}
    assert set(chunks) == {p["chunk_id"] for p in passages}
    for entry in entries:
        guidebook = [p for p in entry["passages"] if chunks[p["chunk_id"]].title == GUIDEBOOK_TITLE]
        assert {"운동"} <= {p["area"] for p in guidebook}, entry["factor"]
        assert {p["area"] for p in entry["passages"]} == {"영양", "운동"}
    for passage in passages:
        chunk = chunks[passage["chunk_id"]]
        assert chunk.title in GUIDE_TITLES
        assert all(line in chunk.text for line in passage["text"].splitlines())
    texts = " ".join(p["text"] for p in passages)
    assert "식습관" in texts and "혈압" in texts


def test_a_smoker_at_precontemplation_gets_that_stages_counselling(real_index: AppContext):
    answers = {**survey(), "smoking": {"current_status": "DAILY", "quit_plan": "NO_PLAN"}}
    (smoking,) = counselling(real_index, man(), answers)
    assert smoking["stage"]["label"] == "숙고 전 단계"
    assert any("고려전 단계" in p["label"] or "숙고 전 단계" in p["label"] for p in smoking["passages"])
