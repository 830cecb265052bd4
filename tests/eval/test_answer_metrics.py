"""Answer metrics with hand-made answers and passages, through the records the runner
writes (eval.answer_runner.case_record) and the metric table: exact numbers, empty
denominators."""

from __future__ import annotations

import pytest

from eval.answer_metrics import Timing, citation_hits, invented_citations, token_f1, ttft_ms
from eval.answer_runner import StreamedCase, case_record
from eval.case_metrics import TOKEN_F1_NOTE
from eval.retrieval_runner import CaseResult
from eval.run_metrics import measure
from eval.suites import Evidence, QACase
from rag.answer.types import Answer, Citation, Passage
from rag.retrieval.korean import KoreanAnalyzer
from rag.retrieval.results import RetrievedChunk

LAW = "statutes/childcare/샘플보육운영지침/법률.md"
CCTV = "어린이집 원장은 보육실과 놀이터에 폐쇄회로 텔레비전을 설치하고 영상을 60일 이상 보관하여야 한다."
CHECK = "어린이집 원장은 매월 1회 이상 시설의 안전점검을 하고"


class WhitespaceAnalyzer:
    """Splits on spaces: makes the F1 arithmetic visible by hand."""

    def terms(self, text: str) -> list[str]:
        return text.split()


def chunk(chunk_id: str, text: str, source: str = LAW, locator: str = "제5조") -> RetrievedChunk:
    return RetrievedChunk(chunk_id, 1.0, source, "샘플 보육운영 지침", locator, text)


def cite(n: int, piece: RetrievedChunk) -> Citation:
    return Citation(n, piece.id, piece.source, piece.locator, f"샘플 보육운영 지침 {piece.locator}")


def case(case_id: str, answerable: bool = True, quote: str = "영상을 60일 이상 보관", reference: str = "") -> QACase:
    evidence = (Evidence(LAW, "제5조", quote),) if answerable else ()
    return QACase(case_id, "childcare", "질문", reference, evidence, answerable)


def answered(*cited: RetrievedChunk, passages: tuple[RetrievedChunk, ...] = (), invented: int = 0,
             text: str = "답변") -> Answer:
    shown = passages or cited
    return Answer("질문", text, "generated", citations=[cite(i, c) for i, c in enumerate(cited, start=1)],
                  passages=[Passage(i, c) for i, c in enumerate(shown, start=1)], invented_citations=invented)


def abstained() -> Answer:
    return Answer("질문", "색인된 문서에서 답을 찾지 못했습니다.", "abstained", abstained=True)


NO_TIMES = Timing(None, None, None)


class Context:
    """What case_record reads of the application context."""

    analyzer = WhitespaceAnalyzer()


def stored(case: QACase, answer: Answer | None, timing: Timing = NO_TIMES, generating: bool = True) -> dict:
    """The case's cases.jsonl record as the runner writes it (answer None: the stream failed)."""
    search = CaseResult(case.id, case.assistant, case.question, case.answerable, None, 1.0, [])
    streamed = StreamedCase(list(answer.passages) if answer else [], answer, "" if answer else "연결 실패", timing)
    return case_record(Context(), case, search, streamed, generating)  # type: ignore[arg-type]


def summary(block: str, *records: dict) -> dict:
    return measure(records, generating=True)[block]


HIT = chunk("a", f"##### 제5조 (폐쇄회로 텔레비전)\n\n**①** {CCTV}")
MISS = chunk("b", CHECK, locator="제3조")
OTHER_SOURCE = chunk("c", CCTV, source="statutes/childcare/다른지침/법률.md")


# --- token F1 ----------------------------------------------------------------------------

def test_token_f1_is_squad_f1_over_a_multiset():
    words = WhitespaceAnalyzer()

    assert token_f1("a b c", "a b c", words) == 1.0
    assert token_f1("x y", "a b", words) == 0.0
    # 2 shared of 4 predicted and 2 reference: P = 0.5, R = 1.0.
    assert token_f1("a b c d", "a b", words) == pytest.approx(2 / 3)
    # Multiset: one "a" in the reference matches only one of the two predicted.
    assert token_f1("a a", "a b", words) == pytest.approx(0.5)


def test_token_f1_of_empty_texts():
    words = WhitespaceAnalyzer()

    assert token_f1("", "", words) == 1.0
    assert token_f1("", "a", words) == 0.0
    assert token_f1("a", "", words) == 0.0


def test_token_f1_over_kiwi_morphemes_ignores_particles_and_endings():
    kiwi = KoreanAnalyzer.shared()

    assert token_f1("원장은 영상을 60일 보관한다", "원장이 영상을 60일 동안 보관해야 합니다", kiwi) > 0.7
    assert token_f1("보육교사 배치 기준", "영상 보관 기간", kiwi) == 0.0


def test_answer_summary_scores_answerable_cases_with_a_reference_only():
    records = [
        stored(case("c1", reference="a b"), answered(HIT, text="a b")),  # 1.0
        stored(case("c2", reference="a b"), abstained()),                  # 0.0: says nothing of a, b
        stored(case("c3", reference="a b"), None),                        # 0.0: the stream failed
        stored(case("c4", reference=""), answered(HIT, text="a")),        # no reference: skipped
        stored(case("u1", answerable=False, reference="a"), answered(HIT, text="a")),  # unanswerable: skipped
    ]

    answer = summary("answer", *records)

    assert answer == {"token_f1": pytest.approx(1 / 3, abs=1e-4), "token_f1_note": TOKEN_F1_NOTE, "n": 3}
    assert summary("answer")["token_f1"] is None


# --- citations ---------------------------------------------------------------------------

def test_citation_hits_use_the_suite_hit_rule():
    assert citation_hits(answered(HIT, MISS, OTHER_SOURCE), case("c1")) == [True, False, False]


def test_invented_citations_count_dropped_markers_and_citations_outside_the_passages():
    outside = answered(HIT, MISS, passages=(HIT,), invented=2)  # MISS was cited but never retrieved

    assert invented_citations(outside) == 3
    assert invented_citations(answered(HIT)) == 0
    assert invented_citations(None) == 0
    # A citation to an unretrieved chunk cannot hit, even if its source matches.
    assert citation_hits(answered(HIT, passages=(MISS,)), case("c1")) == [False]


def test_citation_precision_and_both_recalls():
    records = [
        stored(case("c1"), answered(HIT, MISS)),              # 1 of 2 citations hit; case covered
        stored(case("c2"), answered(MISS)),                   # 0 of 1; not covered
        stored(case("c3"), abstained()),                      # not answered: in recall_all only
        stored(case("c4"), None),                             # error: in recall_all only
        stored(case("u1", answerable=False), answered(MISS, passages=(HIT,), invented=1)),
    ]

    citation = summary("citation", *records)

    assert citation["precision"] == 0.3333  # 1 hit of 3 citations in answered, answerable cases
    assert citation["recall"] == 0.5        # 1 of 2 answered, answerable cases
    assert citation["recall_all"] == 0.25   # 1 of 4 answerable cases
    assert citation["invented"] == 2        # the unanswerable case still counts: 1 dropped + 1 outside
    assert (citation["n_answered"], citation["n_citations"]) == (2, 3)
    assert "note" not in citation


def test_citation_summary_with_nothing_to_divide_by_is_null_and_says_why():
    only_abstained = summary("citation", stored(case("c1"), abstained()))
    no_citations = summary("citation", stored(case("c1"), answered()))
    empty = summary("citation")

    assert (only_abstained["precision"], only_abstained["recall"], only_abstained["recall_all"]) == (None, None, 0.0)
    assert "정밀도" in only_abstained["note"] and "재현율" in only_abstained["note"]
    assert (no_citations["precision"], no_citations["recall"], no_citations["recall_all"]) == (None, 0.0, 0.0)
    assert (empty["precision"], empty["recall"], empty["recall_all"], empty["invented"]) == (None, None, None, 0)
    assert "답변 가능 문항이 없습니다" in empty["note"]


# --- abstention --------------------------------------------------------------------------

def test_abstention_precision_recall_f1_with_abstaining_as_positive():
    records = [
        stored(case("u1", answerable=False), abstained()),  # TP
        stored(case("u2", answerable=False), answered()),   # FN
        stored(case("u3", answerable=False), None),          # FN: an error is no abstention
        stored(case("c1"), abstained()),                     # FP
        stored(case("c2"), answered(HIT)),                   # TN
    ]

    abstention = summary("abstention", *records)

    assert abstention["precision"] == 0.5
    assert abstention["recall"] == 0.3333
    assert abstention["f1"] == 0.4  # 2 * 0.5 * (1/3) / (0.5 + 1/3)
    assert (abstention["n_positive"], abstention["n_abstained"]) == (3, 2)


def test_abstention_mode_alone_counts_as_abstaining():
    record = stored(case("u1", answerable=False), Answer("질문", "없음", "abstained"))

    assert summary("abstention", record)["recall"] == 1.0


def test_abstention_with_empty_denominators_is_null_not_a_crash():
    never_abstains = summary("abstention", stored(case("u1", answerable=False), answered()))
    no_unanswerable = summary("abstention", stored(case("c1"), abstained()))
    all_wrong = summary("abstention", stored(case("c1"), abstained()), stored(case("u1", False), answered()))

    assert (never_abstains["precision"], never_abstains["recall"], never_abstains["f1"]) == (None, 0.0, None)
    assert "거절한 문항이 없어" in never_abstains["note"]
    assert (no_unanswerable["precision"], no_unanswerable["recall"], no_unanswerable["f1"]) == (0.0, None, None)
    assert "answerable: false" in no_unanswerable["note"]
    assert (all_wrong["precision"], all_wrong["recall"], all_wrong["f1"]) == (0.0, 0.0, 0.0)
    assert summary("abstention")["n_positive"] == 0


# --- latency -----------------------------------------------------------------------------

TIMINGS = [Timing(10.0, 100.0, 400.0), Timing(20.0, None, 300.0), Timing(30.0, 200.0, 500.0),
           Timing(None, None, None)]


def latency(generating: bool, timings: list[Timing] = TIMINGS) -> dict:
    records = [stored(case(f"c{i}"), answered(HIT), timing, generating) for i, timing in enumerate(timings)]
    block = measure(records, generating)["latency_ms"]
    return {key: value for key, value in block.items() if not key.startswith("search_")}


def test_extractive_runs_time_the_first_extractive_event():
    assert latency(generating=False) == {"ttft_p50": 20.0, "ttft_p95": 30.0, "total_p50": 400.0, "total_p95": 500.0}


def test_generating_runs_time_the_first_token_falling_back_to_the_final_answer():
    assert [ttft_ms(t, generating=True) for t in TIMINGS] == [100.0, 300.0, 200.0, None]
    assert latency(generating=True) == {
        "ttft_p50": 200.0, "ttft_p95": 300.0, "ttft_extractive_p50": 20.0, "ttft_extractive_p95": 30.0,
        "total_p50": 400.0, "total_p95": 500.0}


def test_latency_of_no_cases_is_zero():
    assert latency(generating=True, timings=[])["ttft_p95"] == 0.0
