"""Score fusion, exact numbers."""

from __future__ import annotations

import pytest

from rag.retrieval.fusion import min_max, weighted


def test_min_max_scales_to_unit_range():
    assert min_max({"a": 2.0, "b": 4.0, "c": 3.0}) == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert min_max({"a": -1.0, "b": 1.0}) == {"a": 0.0, "b": 1.0}


def test_min_max_equal_scores_all_one_and_empty():
    assert min_max({"a": 0.3, "b": 0.3}) == {"a": 1.0, "b": 1.0}
    assert min_max({"only": 7.0}) == {"only": 1.0}
    assert min_max({}) == {}


def test_weighted_mixes_scaled_scores_over_the_union():
    sparse = {"a": 2.0, "b": 4.0}
    dense = {"b": 0.5, "c": 0.9, "d": 0.1}  # scaled: b 0.5, c 1.0, d 0.0

    assert weighted(sparse, dense, 0.25) == pytest.approx({
        "a": 0.75 * 0.0 + 0.25 * 0.0,
        "b": 0.75 * 1.0 + 0.25 * 0.5,
        "c": 0.75 * 0.0 + 0.25 * 1.0,
        "d": 0.0,
    }, abs=1e-12)


def test_weighted_extremes_and_one_sided_input():
    sparse = {"a": 1.0, "b": 3.0}
    dense = {"a": 0.8, "b": 0.2}

    assert weighted(sparse, dense, 0.0) == {"a": 0.0, "b": 1.0}
    assert weighted(sparse, dense, 1.0) == {"a": 1.0, "b": 0.0}
    # No dense candidates yet (embedding still running): BM25 alone, scaled by 1 - w.
    assert weighted(sparse, {}, 0.5) == {"a": 0.0, "b": 0.5}
