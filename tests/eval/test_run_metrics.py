"""Metrics from stored records (what a resumed run computes) and the per-case failure
reasons."""

from __future__ import annotations

import pytest

from eval.failures import diagnose, diagnose_record, retrieval_failure
from eval.run_metrics import breakdowns, measure
from eval.suites import Evidence, QACase

from .test_answer_metrics import HIT, abstained, answered, case, stored
from .test_report_html import RECORDS

LAW = "statutes/childcare/샘플보육운영지침/법률.md"


def test_abstention_accuracy_counts_right_choices_between_answering_and_abstaining():
    records = [stored(case("u1", answerable=False), abstained()),  # right
               stored(case("c1"), answered(HIT)),                   # right
               stored(case("c2"), abstained()),                     # wrong
               stored(case("c3"), None)]                            # an error is never right

    assert measure(records, True)["abstention"]["accuracy"] == 0.5


def test_breakdowns_group_records_by_assistant_category_and_suite():
    groups = breakdowns(RECORDS, generating=True)

    assert set(groups["by_assistant"]) == {"childcare", "metabolic"}
    assert set(groups["by_category"]) == {"numeric", "영양", "unanswerable"}
    assert groups["by_assistant"]["metabolic"]["n_total"] == 1
    assert groups["by_assistant"]["childcare"]["errors"] == 1
    assert groups["by_category"]["unanswerable"]["n"] == 0
    assert set(breakdowns([dict(RECORDS[0], category="")], True)["by_category"]) == {"(분류 없음)"}


def test_tokens_leave_failed_cases_out():
    assert measure(RECORDS, True)["tokens"] == {"output_p50": 12, "output_p95": 12, "output_mean": 12.0,
                                                "output_total": 48, "n": 4}
    assert measure([], True)["tokens"]["output_mean"] == 0.0


def judge_means(records: list[dict]) -> dict:
    answer = measure(records, True)["answer"]
    return {key: value for key, value in answer.items() if key not in ("token_f1", "token_f1_note", "n")}


def test_judge_means_appear_only_when_records_have_them():
    assert judge_means(RECORDS) == {}
    judged = [dict(RECORDS[0], judge={"correctness": 1.0}), dict(RECORDS[1], judge={"correctness": 0.5}),
              dict(RECORDS[2], judge={"correctness": None})]

    # A judged run (records with a judge block) says null where nothing was scored.
    assert judge_means(judged) == {"correctness": 0.75, "n_correctness": 2, "faithfulness": None,
                                   "n_faithfulness": 0}
    assert measure(judged, True)["answer"]["correctness"] == 0.75
    skipped = [dict(r, judge={"correctness": None, "faithfulness": None, "skipped": True}) for r in RECORDS]
    assert judge_means(skipped) == {"correctness": None, "n_correctness": 0, "faithfulness": None,
                                    "n_faithfulness": 0}
    # The judge may also write its verdicts as fields of the record, scores or dicts.
    fields = [dict(RECORDS[0], correctness={"score": 1, "reason": "맞음"}, faithfulness=0.5),
              dict(RECORDS[1], correctness=0)]
    assert judge_means(fields) == {"correctness": 0.5, "n_correctness": 2, "faithfulness": 0.5,
                                   "n_faithfulness": 1}


# --- failure reasons ---------------------------------------------------------------------------

def qa(answerable: bool = True, source: str = LAW) -> QACase:
    evidence = (Evidence(source, "제5조", "영상을 60일 이상 보관"),) if answerable else ()
    return QACase("c1", "childcare", "질문", "", evidence, answerable)


@pytest.mark.parametrize("kwargs, kinds, reason", [
    (dict(error="시간 초과"), ("error",), "오류: 시간 초과"),
    (dict(rank=None, passage_rank=None, citation_hits=[False]), ("retrieval", "citation"),
     "검색 실패 (근거 조문이 상위 10위 밖); 인용 근거 불일치"),
    (dict(rank=None, passage_rank=None, abstained=True), ("retrieval", "abstained_answerable"),
     "검색 실패 (근거 조문이 상위 10위 밖); 답할 수 있는데 답변 거절"),
    (dict(rank=7, passage_rank=None, abstained=True), ("passages", "abstained_answerable"),
     "근거가 검색 7위에 있으나 답변에 쓴 구절 밖; 답할 수 있는데 답변 거절"),
    (dict(citation_hits=[]), ("citation",), "인용 없음"),
    (dict(citation_hits=[False, False]), ("citation",), "인용 근거 불일치"),
])
def test_diagnose_names_the_likeliest_cause_first(kwargs: dict, kinds: tuple, reason: str):
    args = dict(error=None, abstained=False, rank=1, passage_rank=1, citation_hits=[True]) | kwargs

    failure = diagnose(qa(), **args)

    assert failure is not None and (failure.kinds, failure.reason) == (kinds, reason)


def test_diagnose_passes_right_outcomes_and_judges_unanswerable_cases():
    assert diagnose(qa(), error=None, abstained=False, rank=1, passage_rank=1, citation_hits=[False, True]) is None
    assert diagnose(qa(False), error=None, abstained=True, rank=None, passage_rank=None, citation_hits=[]) is None
    wrong = diagnose(qa(False), error=None, abstained=False, rank=None, passage_rank=None, citation_hits=[])
    assert wrong is not None and wrong.reason == "답할 수 없는데 답변함"


def test_retrieval_failure_words_guides_as_passages():
    guide = qa(source="metabolic/parsed/안내/part-01.md")

    assert retrieval_failure(guide, None) == "검색 실패 (근거 구절이 상위 10위 밖)"
    assert retrieval_failure(guide, 3) is None
    assert retrieval_failure(qa(False), None) is None


def test_records_from_before_failures_were_stored_are_diagnosed_from_their_fields():
    old = {"answerable": True, "error": None, "abstained": False, "rank": None, "passage_rank": None,
           "citations": [{"hit": False}]}

    failure = diagnose_record(old)

    assert failure is not None and failure.kinds == ("retrieval", "citation")
    assert failure.reason == "검색 실패 (근거가 상위 10위 밖); 인용 근거 불일치"
    assert diagnose_record(dict(old, rank=1, passage_rank=1, citations=[{"hit": True}])) is None
    assert diagnose_record({"kind": "generation", "id": "rfp-1"}) is None
