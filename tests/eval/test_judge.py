"""The LLM judge with the fake model (queued JSON replies) and over real HTTP against
the fake OpenAI-compatible server; agreement arithmetic with a fake judge of known
agreement; the hand-labelled set itself."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence

import pytest

from eval.judge import (CORRECTNESS_SCHEMA, FAITHFULNESS_SCHEMA, Judge, JudgeScores, extract_json, fit_contexts,
                        parse_correctness, parse_faithfulness)
from eval.judge_agreement import DEFAULT_LABELS, LabelledItem, agreement, cohen_kappa, load_labels
from rag.llm.fake import FakeLLM
from rag.llm.openai_compat import OpenAICompatLLM
from tests.fakes.openai_server import FakeOpenAIServer

QUESTION = "어린이집 CCTV 영상은 얼마 동안 보관해야 하나요?"
REFERENCE = "녹화 영상은 60일 이상 보관해야 합니다."
ANSWER = "원장은 영상을 60일 이상 보관해야 합니다. [1]"
CONTEXTS = ["어린이집 원장은 녹화 영상을 60일 이상 보관하여야 한다."]
CORRECT = json.dumps({"reason": "60일 이상으로 정답과 같습니다", "score": 1}, ensure_ascii=False)
FAITHFUL = json.dumps({"claims": [{"claim": "영상을 60일 이상 보관한다", "supported": True},
                                  {"claim": "원장이 보관한다", "supported": True}],
                       "reason": "모두 문서에 있습니다"}, ensure_ascii=False)


def test_judge_scores_from_json_replies_and_asks_for_the_schema() -> None:
    llm = FakeLLM([CORRECT, FAITHFUL], name="fake-judge")
    scores = Judge(llm).score(QUESTION, ANSWER, REFERENCE, CONTEXTS)
    assert scores.correctness == 1.0 and scores.faithfulness == 1.0
    assert scores.reasons == {"correctness": "60일 이상으로 정답과 같습니다", "faithfulness": "모두 문서에 있습니다"}
    assert scores.raw == {"correctness": CORRECT, "faithfulness": FAITHFUL}
    assert [c["supported"] for c in scores.claims] == [True, True]
    assert [p.json_schema for p in llm.params] == [CORRECTNESS_SCHEMA, FAITHFULNESS_SCHEMA]
    assert all(p.temperature == 0.0 for p in llm.params)
    correctness_prompt, faithfulness_prompt = llm.prompts
    assert "모범 답안: " + REFERENCE in correctness_prompt[1].content
    assert "[1] " + CONTEXTS[0] in faithfulness_prompt[1].content
    assert json.loads(json.dumps(scores.as_dict(), ensure_ascii=False))["claims"][0]["supported"] is True


def test_share_of_supported_claims_and_partial_correctness() -> None:
    half = json.dumps({"reason": "일부만 맞습니다", "score": 0.5}, ensure_ascii=False)
    mixed = json.dumps({"claims": [{"claim": "가", "supported": True}, {"claim": "나", "supported": False},
                                   {"claim": "다", "supported": "false"}, {"claim": "라", "supported": "예"}],
                        "reason": "둘은 문서에 없습니다"}, ensure_ascii=False)
    scores = Judge(FakeLLM([half, mixed])).score(QUESTION, ANSWER, REFERENCE, CONTEXTS)
    assert scores.correctness == 0.5
    assert scores.faithfulness == 0.5


def test_malformed_reply_gives_none_and_keeps_the_raw_text() -> None:
    broken = '{"reason": "60일이 맞', "죄송하지만 판단할 수 없습니다"
    scores = Judge(FakeLLM(list(broken))).score(QUESTION, ANSWER, REFERENCE, CONTEXTS)
    assert scores.correctness is None and scores.faithfulness is None
    assert scores.raw == {"correctness": broken[0], "faithfulness": broken[1]}
    assert "JSON" in scores.reasons["correctness"]


def test_out_of_range_or_missing_scores_are_none() -> None:
    assert parse_correctness('{"reason": "x", "score": 3}')[0] is None
    assert parse_correctness('{"reason": "x"}')[0] is None
    assert parse_correctness('{"reason": "x", "score": true}')[0] is None
    assert parse_faithfulness('{"claims": [{"claim": "x", "supported": "아마도"}], "reason": ""}')[0] is None
    assert parse_faithfulness('{"claims": "없음", "reason": ""}')[0] is None


def test_replies_are_read_through_fences_chatter_and_near_values() -> None:
    assert parse_correctness('```json\n{"reason": "맞음", "score": "1"}\n```')[:2] == (1.0, "맞음")
    assert parse_correctness('판정: {"reason": "대체로 맞음", "score": 0.8} 입니다')[0] == 1.0
    assert parse_correctness('{"reason": "일부", "score": 0.6}')[0] == 0.5
    assert extract_json("[1, 2]") is None
    # No claim at all (an abstention) leaves nothing unsupported; a bare score is read too.
    assert parse_faithfulness('{"claims": [], "reason": "주장 없음"}')[0] == 1.0
    assert parse_faithfulness('{"score": 0.25, "reason": "대부분 근거 없음"}')[0] == 0.25


def test_a_failing_judge_model_gives_none_with_the_error() -> None:
    llm = FakeLLM([CORRECT])
    llm.fail_next("서버가 꺼졌습니다")
    scores = Judge(llm).score(QUESTION, ANSWER, REFERENCE, CONTEXTS)
    assert scores.correctness is None
    assert "서버가 꺼졌습니다" in scores.reasons["correctness"]
    # The queued reply went with the failed call; the fake's default reply is not JSON.
    assert scores.faithfulness is None


def test_nothing_to_judge_asks_nothing() -> None:
    llm = FakeLLM()
    scores = Judge(llm).score(QUESTION, ANSWER, "", [])
    assert scores == JudgeScores(None, None, scores.reasons, {})
    assert set(scores.reasons) == {"correctness", "faithfulness"}
    assert llm.prompts == []


def test_info_records_model_prompts_and_their_hash() -> None:
    judge = Judge(FakeLLM(name="fake"), name="Qwen/Qwen2.5-7B-Instruct")
    info = judge.info()
    assert info["model"] == "Qwen/Qwen2.5-7B-Instruct"
    assert info["prompts"] is Judge.prompts
    assert set(info["prompts"]) == {"correctness", "faithfulness"}
    assert "모범 답안" in info["prompts"]["correctness"]["system"]
    assert info["prompts"]["faithfulness"]["schema"] == FAITHFULNESS_SCHEMA
    assert len(info["prompt_sha256"]) == 16
    assert Judge(FakeLLM(name="fake")).info()["model"] == "fake"


def test_long_contexts_are_cut_to_the_judge_window() -> None:
    llm = FakeLLM(context_window=1024)
    long = "보육 " * 2000
    text, truncated = fit_contexts(llm, ["짧은 문단", long, "셋째 문단"], budget_tokens=200)
    assert truncated and text.startswith("[1] 짧은 문단\n\n[2] 보육")
    assert "[3]" not in text and text.endswith("(이하 생략)")
    assert llm.count_tokens(text) <= 200
    assert fit_contexts(llm, ["가", "나"], 200) == ("[1] 가\n\n[2] 나", False)
    judge_llm = FakeLLM([CORRECT, FAITHFUL], context_window=2048)
    scores = Judge(judge_llm).score(QUESTION, ANSWER, REFERENCE, [long])
    assert scores.faithfulness == 1.0 and "잘랐습니다" in scores.reasons["faithfulness"]
    assert sum(judge_llm.count_tokens(m.content) for m in judge_llm.last_prompt) < 2048 - 700
    # A window with no room for any passage judges nothing rather than judging against nothing.
    tiny = FakeLLM([CORRECT], context_window=900)
    scores = Judge(tiny).score(QUESTION, ANSWER, REFERENCE, CONTEXTS)
    assert scores.faithfulness is None and len(tiny.prompts) == 1


def test_judge_over_http_sends_the_schema_for_guided_decoding() -> None:
    with FakeOpenAIServer() as server:
        server.replies.extend([CORRECT, FAITHFUL])
        llm = OpenAICompatLLM(server.url, "judge-model", retries=0)
        try:
            scores = Judge(llm).score(QUESTION, ANSWER, REFERENCE, CONTEXTS)
        finally:
            llm.close()
    assert (scores.correctness, scores.faithfulness) == (1.0, 1.0)
    first, second = (r["body"] for r in server.chat_requests)
    assert first["guided_json"] == CORRECTNESS_SCHEMA
    assert first["response_format"]["json_schema"]["schema"] == CORRECTNESS_SCHEMA
    assert second["guided_json"] == FAITHFULNESS_SCHEMA
    assert first["temperature"] == 0.0 and first["model"] == "judge-model"


def test_judge_over_http_survives_a_refused_request() -> None:
    with FakeOpenAIServer() as server:
        server.failures.append("400")
        server.replies.append(FAITHFUL)
        llm = OpenAICompatLLM(server.url, "judge-model", retries=0)
        try:
            scores = Judge(llm).score(QUESTION, ANSWER, REFERENCE, CONTEXTS)
        finally:
            llm.close()
    assert scores.correctness is None and "거부" in scores.reasons["correctness"]
    assert scores.faithfulness == 1.0


# --- agreement ------------------------------------------------------------------------------

class ScriptedJudge:
    """Answers each question with fixed scores: a judge whose agreement is known."""

    def __init__(self, scores: dict[str, tuple[float | None, float | None]]) -> None:
        self.scores = scores

    def score(self, question: str, answer: str, reference: str, contexts: Sequence[str]) -> JudgeScores:
        correctness, faithfulness = self.scores[question]
        return JudgeScores(correctness, faithfulness, {}, {})


def item(question: str, correctness: float, faithful: bool) -> LabelledItem:
    return LabelledItem(question, question, "정답", "답변", ("문맥",), correctness, faithful)


def test_agreement_with_a_judge_of_known_agreement() -> None:
    items = [item("q1", 1.0, True), item("q2", 0.0, False), item("q3", 0.5, True), item("q4", 0.0, True),
             item("q5", 1.0, False)]
    judge = ScriptedJudge({"q1": (1.0, 1.0),     # both agree
                           "q2": (0.5, 0.0),     # correctness off by half, faithful agrees
                           "q3": (None, 0.8),    # unparsed correctness; 0.8 < 1 → unfaithful: disagrees
                           "q4": (1.0, 1.0),     # correctness off by one, faithful agrees
                           "q5": (1.0, None)})   # correctness agrees, faithfulness unparsed
    result = agreement(judge, items)
    assert result["n"] == 5
    assert result["correctness_agreement"] == pytest.approx(2 / 5)
    assert result["correctness_within_half"] == pytest.approx(3 / 5)
    assert result["faithfulness_agreement"] == pytest.approx(3 / 5)
    assert result["unparsed"] == 2
    # Over the 4 judged pairs: judge T,F,F,T vs labels T,F,T,T → p_o 3/4, p_e 1/2·3/4 + 1/2·1/4 = 1/2.
    assert result["cohen_kappa"] == pytest.approx(0.5)
    assert [r["judge"]["faithful"] for r in result["per_item"]] == [True, False, False, True, None]
    lenient = agreement(judge, items, faithful_threshold=0.75)
    assert lenient["faithfulness_agreement"] == pytest.approx(4 / 5)


def test_cohen_kappa_edges() -> None:
    assert cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    assert cohen_kappa([True, False], [False, True]) == -1.0
    assert cohen_kappa([True, True], [True, True]) is None  # chance agreement is certain
    assert cohen_kappa([], []) is None


def test_the_hand_labelled_set_is_balanced_and_valid() -> None:
    items = load_labels(DEFAULT_LABELS)
    assert len(items) >= 20
    assert len({i.id for i in items}) == len(items)
    grades = [i.correctness for i in items]
    assert grades.count(1.0) >= 6 and grades.count(0.0) >= 6 and grades.count(0.5) >= 3
    faithful = sum(i.faithful for i in items)
    assert 0.3 <= faithful / len(items) <= 0.7
    assert {"paraphrase", "wrong_number", "wrong_article", "partial", "unsupported_claim"} <= {i.kind for i in items}
    assert all(i.contexts and i.question and i.answer for i in items)


# --- ragas as the judge ---------------------------------------------------------------------

HAS_RAGAS = importlib.util.find_spec("ragas") is not None and importlib.util.find_spec("openai") is not None
# instructor 1.3 (pulled in by ragas) compares against its own deprecated Mode.FUNCTIONS.
ignore_instructor_warnings = pytest.mark.filterwarnings("ignore:FUNCTIONS is deprecated:DeprecationWarning")


@pytest.mark.skipif(not HAS_RAGAS, reason="ragas와 openai는 eval extra에만 있습니다 (pip install -e '.[eval]')")
@ignore_instructor_warnings
def test_ragas_judge_runs_offline_against_the_fake_server() -> None:
    from eval.ragas_judge import ragas_judge_info, ragas_judge_scores

    def statements(*verdicts: int) -> str:
        return json.dumps({"statements": [{"statement": f"주장 {i}", "reason": "근거", "verdict": v}
                                          for i, v in enumerate(verdicts)]}, ensure_ascii=False)

    replies = [
        json.dumps({"claims": ["영상을 60일 이상 보관한다", "원장이 보관한다"]}, ensure_ascii=False),  # answer → claims
        statements(1, 0),  # answer claims vs reference: TP 1, FP 1
        json.dumps({"claims": ["영상을 60일 이상 보관한다"]}, ensure_ascii=False),  # reference → claims
        statements(1),  # reference claims vs answer: FN 0
        json.dumps({"statements": ["원장은 영상을 60일 이상 보관해야 한다"]}, ensure_ascii=False),  # faithfulness
        statements(1),
    ]
    with FakeOpenAIServer() as server:
        server.replies.extend(replies)
        scores = ragas_judge_scores(server.url, "judge-model", QUESTION, ANSWER, REFERENCE, CONTEXTS)
    assert scores.correctness == pytest.approx(0.67, abs=0.01)  # F1 of P 1/2, R 1
    assert scores.faithfulness == 1.0
    bodies = [r["body"] for r in server.chat_requests]
    assert len(bodies) == 6 and all(b["model"] == "judge-model" and not b.get("stream") for b in bodies)
    assert ragas_judge_info("judge-model")["ragas_version"] == "0.4.3"


@pytest.mark.skipif(not HAS_RAGAS, reason="ragas와 openai는 eval extra에만 있습니다 (pip install -e '.[eval]')")
@ignore_instructor_warnings
def test_ragas_judge_failure_is_a_missing_score() -> None:
    from eval.ragas_judge import ragas_judge_scores

    with FakeOpenAIServer() as server:
        server.failures.extend(["400"] * 10)
        scores = ragas_judge_scores(server.url, "judge-model", QUESTION, ANSWER, REFERENCE, CONTEXTS)
    assert scores.correctness is None and scores.faithfulness is None
    assert "실패" in scores.reasons["correctness"]
