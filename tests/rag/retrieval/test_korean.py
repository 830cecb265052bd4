"""Content morphemes with the real Kiwi (built once per session through `shared()`)."""

from __future__ import annotations

import pytest

from rag.retrieval.korean import KoreanAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> KoreanAnalyzer:
    return KoreanAnalyzer.shared()


def test_nouns_kept_particles_and_endings_dropped(analyzer: KoreanAnalyzer):
    assert analyzer.terms("어린이집에서는 아이를 돌본다") == ["어린이집", "아이", "돌보다"]


def test_foreign_words_lower_cased(analyzer: KoreanAnalyzer):
    assert analyzer.terms("어린이집 CCTV를 설치하지 않으면 어떻게 되나요?") == ["어린이집", "cctv", "설치", "어떻다", "되다"]
    assert analyzer.terms("Qdrant와 BM25로 검색한다") == ["qdrant", "bm", "25", "검색"]


def test_verb_and_adjective_stems_get_da(analyzer: KoreanAnalyzer):
    assert analyzer.terms("허리둘레가 크게 나왔어요") == ["허리", "둘레", "크다", "나오다"]
    # Irregular stems (Kiwi tags VV-I) are content words too.
    assert analyzer.terms("결과를 들었다") == ["결과", "듣다"]


def test_numbers_kept_bound_nouns_and_auxiliaries_dropped(analyzer: KoreanAnalyzer):
    # 일 (NNB), 하 (XSV/VX) and the endings go; the number stays.
    assert analyzer.terms("영상을 60일 이상 보관하여야 한다") == ["영상", "60", "이상", "보관"]


def test_conjunctions_dropped_adverbs_kept(analyzer: KoreanAnalyzer):
    assert analyzer.terms("그리고 매우 빨리") == ["매우", "빨리"]


def test_terms_many_matches_terms(analyzer: KoreanAnalyzer):
    texts = ["보육교사가 영아를 돌본다", "", "허리둘레를 잰다"]

    assert analyzer.terms_many(texts) == [analyzer.terms(t) for t in texts]
    assert analyzer.terms_many(texts)[0] == ["보육", "교사", "영아", "돌보다"]


def test_shared_analyzer_is_built_once():
    assert KoreanAnalyzer.shared() is KoreanAnalyzer.shared()
