"""BM25 sparse vectors: saturated, length-normalised document weights; flat query weights."""

from __future__ import annotations

import pytest

from rag.retrieval.sparse import Bm25Encoder, SparseVector, term_index


def test_term_ids_are_stable_known_values():
    # blake2b-32 of the UTF-8 term, top bit cleared: the same in every process and release.
    assert term_index("어린이집") == 1895557431
    assert term_index("보육") == 1548466819
    assert term_index("cctv") == 72360888
    assert term_index("CCTV") != term_index("cctv")  # the analyser lower-cases, not the encoder


def test_term_ids_fit_31_bits():
    assert all(0 <= term_index(t) < 2**31 for t in ("", "가", "보육교사", "x" * 100))


def test_document_weights_default_parameters():
    # k1=1.2, b=0.75, avg_len=90, 3 terms: norm = 1.2 * (0.25 + 0.75 * 3/90) = 0.33
    vector = Bm25Encoder().encode_document(["보육", "교사", "보육"])

    weights = dict(zip(vector.indices, vector.values))
    assert weights == {
        term_index("보육"): pytest.approx(2 * 2.2 / (2 + 0.33), rel=1e-12),  # 1.888412…
        term_index("교사"): pytest.approx(1 * 2.2 / (1 + 0.33), rel=1e-12),  # 1.654135…
    }
    assert vector.indices == sorted(vector.indices)


def test_document_weights_custom_parameters():
    # k1=2, b=0.5, avg_len=4, 4 terms: norm = 2 * (0.5 + 0.5 * 4/4) = 2; tf 2 → 2*3/(2+2) = 1.5
    vector = Bm25Encoder(k1=2.0, b=0.5, avg_len=4.0).encode_document(["a", "a", "b", "b"])
    assert vector.values == [1.5, 1.5]

    # Longer than average: norm = 2 * (0.5 + 0.5 * 8/4) = 3; tf 1 → 3/4
    longer = Bm25Encoder(k1=2.0, b=0.5, avg_len=4.0).encode_document(list("abcdefgh"))
    assert longer.values == [0.75] * 8


def test_document_length_does_not_matter_when_b_is_zero():
    encoder = Bm25Encoder(k1=1.0, b=0.0)
    short = encoder.encode_document(["보육"])
    long = encoder.encode_document(["보육"] + [f"t{i}" for i in range(200)])

    assert short.values == [1.0]  # tf 1: 1 * 2 / (1 + 1)
    assert dict(zip(long.indices, long.values))[term_index("보육")] == 1.0


def test_query_weights_count_each_term_once_and_lower_expansions():
    vector = Bm25Encoder().encode_query(["어린이집", "cctv", "어린이집", "폐쇄", "회로"], {"폐쇄": 0.6, "회로": 0.6})

    assert dict(zip(vector.indices, vector.values)) == {
        term_index("어린이집"): 1.0, term_index("cctv"): 1.0, term_index("폐쇄"): 0.6, term_index("회로"): 0.6,
    }
    assert vector.indices == sorted(vector.indices)


def test_empty_input_gives_a_false_vector():
    assert not Bm25Encoder().encode_document([])
    assert not Bm25Encoder().encode_query([])
    assert SparseVector([1], [0.5])
