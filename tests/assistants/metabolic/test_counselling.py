"""Counselling content for an assessed participant (counselling.py): per risk factor present
and per lifestyle answer of the survey, passages of the programme's guides only, each a real
indexed chunk quoted verbatim and cited; kept per (collection, index state, factor, stage)
so a batch retrieves each section once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from appcontext import AppContext
from assistants.metabolic.assessment import assess
from assistants.metabolic.counselling import GUIDE_TITLES, CounsellingGuide, excerpt, guides_state, survey_categories
from assistants.metabolic.criteria import load_criteria
from assistants.metabolic.service import assess_all, counsel_with
from assistants.metabolic.summary import prompt_passages

from .conftest import GUIDE_SOURCE, man, survey
from .counselling_fixture import GUIDEBOOK_SOURCE, NOT_A_GUIDE_MARK, index_counselling_corpus

WAIST_AND_BP = man(waist=95, sys=135)


@pytest.fixture(scope="module")
def counselling_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    ctx = index_counselling_corpus(tmp_path_factory.mktemp("metabolic_counselling"))
    yield ctx
    ctx.close()


class CountingRetriever:
    """The real retriever, counting its searches."""

    def __init__(self, retriever) -> None:
        self.retriever = retriever
        self.searches = 0

    def search(self, *args, **kwargs):
        self.searches += 1
        return self.retriever.search(*args, **kwargs)


def lifestyle_survey(**parts) -> dict:
    return {**survey(), "smoking": {"current_status": "DAILY", "quit_plan": "NO_PLAN"},
            "alcohol": {"current_drinker": True, "frequency": "2_4PM", "amount_per_occasion": "5_6"},
            "physical_activity": {"exercise_plan": "LESS_6M"},
            "diet": {"breakfast_frequency": "5_7PW", "diet_q2_vegetables": 0, "diet_q7_low_salt": 0,
                     "diet_q1_whole_grains": 1}, **parts}


def guide_for(ctx: AppContext, state=None) -> CounsellingGuide:
    return CounsellingGuide(ctx.retriever, state or (lambda c: guides_state(ctx.state.documents(c))))


def counselling(ctx: AppContext, record: dict, answers: dict | None = None) -> list[dict]:
    result = assess(record, load_criteria(ctx.retriever, "metabolic"), answers)
    return guide_for(ctx).counselling("metabolic", result, answers)


def test_each_factor_present_gets_cited_guide_passages(counselling_index: AppContext):
    entries = counselling(counselling_index, WAIST_AND_BP)
    assert [(e["factor"], e["title"]) for e in entries] == [("waist", "복부비만 (허리둘레)"), ("bp", "높은 혈압")]
    waist, bp = entries
    assert {p["area"] for p in waist["passages"]} == {"영양", "운동"}
    assert any("저열량 식사로 체중 조절" in p["text"] for p in waist["passages"])
    assert any("염분 섭취를 줄이고 싱겁게" in p["text"] for p in bp["passages"])
    assert any("혈압 감소 효과" in p["text"] for p in bp["passages"])
    numbers = [p["n"] for e in entries for p in e["passages"]]
    assert numbers == list(range(1, len(numbers) + 1))


def test_passages_are_indexed_chunks_quoted_verbatim_from_the_guides_only(counselling_index: AppContext):
    entries = counselling(counselling_index, man(waist=95, sys=135, fbg=110, tg=200, hdl=30), lifestyle_survey())
    passages = [p for e in entries for p in e["passages"]]
    assert len(passages) >= 10
    chunks = {c.id: c for c in counselling_index.retriever.fetch("metabolic", ids=[p["chunk_id"] for p in passages])}
    for passage in passages:
        chunk = chunks[passage["chunk_id"]]  # openable: a real chunk of the index
        # The guidebook, or the 안내서 (whose 표 9–11 of disease criteria may be quoted too); never the look-alike.
        assert chunk.title in GUIDE_TITLES and passage["source"] == chunk.source in (GUIDEBOOK_SOURCE, GUIDE_SOURCE)
        assert passage["label"] == chunk.citation and passage["locator"] == chunk.locator
        assert all(line in chunk.text for line in passage["text"].splitlines())
        assert NOT_A_GUIDE_MARK not in passage["text"]
    # The look-alike matches the queries better word for word, and is still never quoted.
    found = counselling_index.retriever.search("고혈압 식사 관리 염분 섭취 싱겁게 혈압조절", "metabolic", mode="sparse")
    assert NOT_A_GUIDE_MARK in found[0].text


def test_the_survey_adds_its_habits_at_their_stage(counselling_index: AppContext):
    entries = {e["factor"]: e for e in counselling(counselling_index, man(), lifestyle_survey())}
    assert list(entries) == ["smoking", "alcohol", "physical_activity", "diet"]
    smoking = entries["smoking"]
    assert smoking["stage"] == {"code": "precontemplation", "label": "숙고 전 단계"}
    assert smoking["why"] == "기초설문: 매일 흡연, 금연 계획 없음, 금연 숙고 전 단계"
    assert any("고려전 단계의 흡연자" in p["text"] for p in smoking["passages"])
    activity = entries["physical_activity"]
    assert activity["stage"]["code"] == "action"
    assert any("실행 단계의 참여자" in p["text"] for p in activity["passages"])
    assert any("절주" in p["text"] for p in entries["alcohol"]["passages"])
    assert "채소 먹기, 싱겁게 먹기" in entries["diet"]["why"] and "잡곡" not in entries["diet"]["why"]


def test_no_survey_answer_calls_for_counselling_when_habits_are_kept():
    kept = {"smoking": {"current_status": "NEVER"}, "alcohol": {"current_drinker": False},
            "diet": {"diet_q1_whole_grains": 1, "breakfast_frequency": "5_7PW"}}
    assert survey_categories(kept) == {}
    assert survey_categories(None) == {}


def test_a_batch_retrieves_each_section_once_and_again_after_reindexing(counselling_index: AppContext):
    counting = CountingRetriever(counselling_index.retriever)
    state = {"value": 1}
    guide = CounsellingGuide(counting, lambda collection: state["value"])
    criteria = load_criteria(counselling_index.retriever, "metabolic")
    assess_all([WAIST_AND_BP], criteria, (), counsel_with(guide, "metabolic"))
    first = counting.searches
    assert first == 4  # waist and bp, nutrition and exercise each
    results = assess_all([man(id=str(i), waist=95 + i, sys=135) for i in range(5)], criteria, (),
                         counsel_with(guide, "metabolic"))
    assert counting.searches == first  # the same sections: nothing retrieved again
    assert all(r["counselling"] and r["counselling"][0]["passages"] for r in results)
    assess_all([man(waist=95, fbg=120)], criteria, (), counsel_with(guide, "metabolic"))
    assert counting.searches == first + 2  # only glucose is new
    state["value"] = 2  # a guide re-indexed
    assess_all([WAIST_AND_BP], criteria, (), counsel_with(guide, "metabolic"))
    assert counting.searches == first + 2 + 4


def test_a_participant_without_factors_or_survey_gets_no_counselling(counselling_index: AppContext):
    assert counselling(counselling_index, man()) == []


def test_excerpt_stops_at_the_next_topic_and_keeps_whole_sentences():
    first = "유산소 운동을 하면 운동 뒤 몇 시간 동안 혈압이 내려가는 효과가 나타납니다."
    second = "그러므로 참여자에게 규칙적으로 걷기 같은 운동을 하도록 권합니다."
    text = (f"### 1) 전략\n\n- 신체활동과 혈압\n\n  - {first} {second} 세 번째 문장도 있습니다.\n\n"
            "- 신체활동과 염증\n\n  - 운동을 하면 혈압과 함께 염증지표도 줄어든다는 연구가 여럿 있습니다.\n\n|표|운동 혈압|\n")
    assert excerpt(text, "신체활동과 혈압 운동") == f"{first} {second} 세 번째 문장도 있습니다."  # not the 염증 item
    assert excerpt(text, "혈압 운동", limit=90) == f"{first} {second}"  # whole sentences within the limit
    assert excerpt(text, "혈압 운동", limit=50) == ""  # one short sentence only announces: not quoted
    assert excerpt("### 제목\n\n|표|혈압|\n\n짧은 안내입니다.", "혈압") == ""  # a table and a short line: nothing


def test_the_summary_prompt_takes_each_sections_best_passage_first_within_the_budget(counselling_index: AppContext):
    result = assess(man(waist=95, sys=135, fbg=110), load_criteria(counselling_index.retriever, "metabolic"))
    sections = guide_for(counselling_index).numbered_sections("metabolic", result)
    whole = prompt_passages(sections, 3)
    assert [p.n for p in whole] == list(range(1, len(whole) + 1))  # every passage, for verification
    assert [p.n for p in whole if p.excerpt] == [passages[0][0] for _, passages in sections]  # one per section
    budgeted = prompt_passages(sections, 3, budget=90)
    for full, cut in zip(whole, budgeted):
        assert (cut.excerpt == "") == (full.excerpt == "")
        assert full.excerpt.startswith(cut.excerpt) and (not cut.excerpt or cut.excerpt.endswith("다."))
    assert sum(len(p.excerpt) for p in budgeted) < sum(len(p.excerpt) for p in whole)
