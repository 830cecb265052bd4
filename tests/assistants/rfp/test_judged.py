"""`eval run --judge` over RFP cases: the judge model scores each draft on the rubric
(specific, complete, measurable, cited); the mean is rfp.judged_quality in metrics.json,
only in a judged run; a failing judge or an unreadable reply leaves that case unscored."""

from __future__ import annotations

import json
from pathlib import Path

from assistants.rfp.drafting import draft_rfp
from assistants.rfp.inputs import parse_input
from assistants.rfp.judged import RUBRIC, judge_draft
from eval.answer_runner import run_answers
from eval.judge import Judge
from rag.llm.fake import FakeLLM

from .conftest import articles, form
from .test_scorer import CASE, SAMPLES


def verdict(specific: float, complete: float = 1, measurable: float = 0.5, cited: float = 1) -> str:
    scores = dict(zip(RUBRIC, (specific, complete, measurable, cited)))
    return json.dumps({k: {"score": v, "reason": f"{k} 이유"} for k, v in scores.items()}, ensure_ascii=False)


def draft():
    return draft_rfp(parse_input(form()).input, articles())


def test_the_rubric_scores_average_into_the_judged_quality():
    llm = FakeLLM([verdict(0.5)])
    block = judge_draft(Judge(llm), draft())

    assert block["quality"] == round((0.5 + 1 + 0.5 + 1) / 4, 4)
    assert block["criteria"] == {"specific": 0.5, "complete": 1.0, "measurable": 0.5, "cited": 1.0}
    assert block["reasons"]["cited"] == "cited 이유"
    system, user = llm.last_prompt
    assert all(key in system.content for key in RUBRIC)
    assert "사업명: 구립도서관 좌석예약시스템 구축" in user.content and "SFR-001" in user.content
    assert llm.params[-1].json_schema["required"] == list(RUBRIC)


def test_a_long_draft_is_cut_to_the_judges_window():
    llm = FakeLLM([verdict(1)], context_window=1200)
    judge_draft(Judge(llm), draft())

    assert llm.count_tokens(llm.last_prompt[1].content) < 1200 and "…(이하 생략)" in llm.last_prompt[1].content


def test_an_unreadable_reply_or_a_failing_judge_leaves_it_unscored():
    unreadable = judge_draft(Judge(FakeLLM(['{"specific": {"score": 2}}'])), draft())
    assert unreadable["quality"] is None and "'specific' 점수" in unreadable["reasons"]["quality"]
    assert unreadable["raw"] == '{"specific": {"score": 2}}'
    failing = FakeLLM()
    failing.fail_next("연결 끊김")
    block = judge_draft(Judge(failing), draft())
    assert block["quality"] is None and "판정 모델 오류" in block["reasons"]["quality"]


def test_a_judged_run_has_rfp_judged_quality_and_an_unjudged_one_does_not(tmp_path: Path, ctx):
    suite = tmp_path / "rfp_cases.jsonl"
    suite.write_text("\n".join(json.dumps({**CASE, "id": f"rfp-{i}", "assistant": "rfp", "origin": "test"},
                                          ensure_ascii=False) for i in range(3)), encoding="utf-8")
    judge = Judge(FakeLLM([verdict(1, 1, 1, 1), verdict(0, 1, 0, 1), "판정 불가"]))

    metrics = run_answers(ctx, suite, SAMPLES, tmp_path / "judged", progress=False, judge=judge)

    # Two drafts scored (1.0 and 0.5), the third's reply unreadable: the mean of the two.
    assert metrics["rfp"]["judged_quality"] == 0.75
    records = [json.loads(line) for line in (tmp_path / "judged" / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(str(r["rfp_judge"]["quality"]) for r in records) == ["0.5", "1.0", "None"]
    plain = run_answers(ctx, suite, SAMPLES, tmp_path / "plain", progress=False)
    assert "judged_quality" not in plain["rfp"]
