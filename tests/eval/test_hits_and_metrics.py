"""The suite's hit rule and the retrieval metrics, exact numbers."""

from __future__ import annotations

import pytest

from eval.hits import first_hit_rank, hits, normalise
from eval.metrics import percentile, retrieval_summary
from eval.suites import Evidence

LAW = "statutes/childcare/영유아보육법/법률.md"
QUOTE = Evidence(LAW, "제2조", '1. "영유아"란 7세 이하의 취학 전 아동을 말한다.')
CHUNK = '##### 제2조 (정의)\n\n  1\\. "영유아"란 7세 이하의\n  취학 전 아동을   말한다.\n  2\\. "보육"이란'


def test_normalise_collapses_whitespace_and_drops_markdown_escapes():
    assert normalise("  1\\.  가\n\t나  ") == "1. 가 나"
    assert normalise("\\*강조\\* \\[목록\\] a\\_b \\\\") == "*강조* [목록] a_b \\"
    assert normalise("\\가") == "\\가"  # not a markdown escape: kept


def test_quote_hits_despite_line_breaks_and_escapes():
    assert hits(LAW, CHUNK, [QUOTE])


def test_quote_escaped_on_the_evidence_side_also_hits():
    assert hits(LAW, "1. 영유아", [Evidence(LAW, "", "1\\.  영유아")])


def test_different_source_is_no_hit():
    assert not hits("statutes/childcare/영유아보육법/시행령.md", CHUNK, [QUOTE])


def test_text_without_the_quote_is_no_hit():
    assert not hits(LAW, "##### 제3조 (보육 이념)\n\n보육은 영유아의 이익을", [QUOTE])
    assert not hits(LAW, CHUNK, [])


def test_any_evidence_item_is_enough():
    other = Evidence("other.md", "", "무관한 문장")
    assert hits(LAW, CHUNK, [other, QUOTE])


def test_first_hit_rank_is_one_based():
    chunks = [("other.md", CHUNK), (LAW, "다른 조문"), (LAW, CHUNK), (LAW, CHUNK)]

    assert first_hit_rank(chunks, [QUOTE]) == 3
    assert first_hit_rank(chunks[:2], [QUOTE]) is None
    assert first_hit_rank([], [QUOTE]) is None


RANKS = [1, 3, None, 12]


def test_hit_at_k():
    summary = retrieval_summary(RANKS)

    assert (summary["hit@1"], summary["hit@5"], summary["hit@10"]) == (0.25, 0.5, 0.5)
    assert retrieval_summary([10, 11])["hit@10"] == 0.5


def test_mrr_at_k():
    assert retrieval_summary(RANKS)["mrr@10"] == round((1 + 1 / 3) / 4, 4) == 0.3333
    assert retrieval_summary([2, 10, 11])["mrr@10"] == round((1 / 2 + 1 / 10) / 3, 4) == 0.2


def test_ndcg_at_k():
    # One relevant position: 1 / log2(rank + 1); rank 3 → 1/2.
    assert retrieval_summary(RANKS)["ndcg@10"] == (1 + 0.5) / 4 == 0.375
    assert retrieval_summary([2])["ndcg@10"] == round(1 / 1.584962500721156, 4) == 0.6309


def test_metrics_of_no_cases_are_zero():
    zero = {"hit@1": 0.0, "hit@5": 0.0, "hit@10": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0}

    assert retrieval_summary([]) == retrieval_summary([None, None]) == zero


def test_retrieval_summary():
    assert retrieval_summary(RANKS) == {"hit@1": 0.25, "hit@5": 0.5, "hit@10": 0.5, "mrr@10": 0.3333, "ndcg@10": 0.375}


def test_percentile_is_nearest_rank():
    values = [40.0, 10.0, 30.0, 20.0]

    assert percentile(values, 50) == 20.0  # ceil(0.5 * 4) = 2nd smallest
    assert percentile(values, 95) == 40.0  # ceil(3.8) = 4th
    assert percentile(values, 75) == 30.0
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile([], 50) == 0.0
    assert percentile([7.0], 95) == 7.0


@pytest.mark.parametrize("q, expected", [(10, 1.0), (11, 2.0), (90, 9.0), (91, 10.0)])
def test_percentile_boundaries(q: float, expected: float):
    assert percentile([float(v) for v in range(1, 11)], q) == expected
