"""Offline answer metrics on hand-made Korean strings with known properties; the ragas
part runs only where the `eval` extra is installed (CI installs `.[dev]` only)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from eval.offline_metrics import (OFFLINE_LABELS, RAGAS_KEYS, _levenshtein_distance, chrf, levenshtein_similarity,
                                  offline_scores, ragas_available)

REFERENCE = "어린이집 원장은 녹화 영상을 60일 이상 보관하여야 합니다."
HAS_RAGAS = importlib.util.find_spec("ragas") is not None
needs_ragas = pytest.mark.skipif(not HAS_RAGAS, reason="ragas는 eval extra에만 있습니다 (pip install -e '.[eval]')")


def test_chrf_of_identical_text_is_one_and_of_disjoint_text_zero() -> None:
    assert chrf(REFERENCE, REFERENCE) == 1.0
    assert chrf("대사증후군 허리둘레", "정보공개 청구 기간") == 0.0
    assert chrf("", REFERENCE) == 0.0


def test_chrf_works_on_hangul_and_forgives_changed_endings() -> None:
    # Same words, other particles and ending: most character n-grams survive.
    paraphrase = "어린이집 원장이 녹화 영상은 60일 이상 보관해야 한다."
    wrong = "구청장은 민원 서류를 30일 동안 보존한다."
    assert 0.4 < chrf(paraphrase, REFERENCE) < 1.0
    assert chrf(wrong, REFERENCE) < chrf(paraphrase, REFERENCE) / 3
    # Spaces are not characters for chrF: spacing mistakes common in Korean cost nothing.
    assert chrf(REFERENCE.replace(" ", ""), REFERENCE) == 1.0


@pytest.mark.skipif(importlib.util.find_spec("sacrebleu") is None, reason="sacrebleu 없음 (eval extra)")
def test_chrf_agrees_with_sacrebleu() -> None:
    from sacrebleu.metrics import CHRF

    pairs = [("어린이집 원장이 녹화 영상은 60일 이상 보관해야 한다.", REFERENCE),
             ("만 0세 아동은 월 100만 원", "만 0세 아동을 키우는 가정은 월 100만 원을 받습니다."),
             ("가", "가나다라마바사아자차카타파하")]
    for hypothesis, reference in pairs:
        expected = CHRF().sentence_score(hypothesis, [reference]).score / 100
        assert chrf(hypothesis, reference) == pytest.approx(expected, abs=1e-4)


def test_levenshtein_similarity_on_korean() -> None:
    assert levenshtein_similarity(REFERENCE, REFERENCE) == 1.0
    assert levenshtein_similarity("가나다", "가나라") == pytest.approx(1 - 1 / 3, abs=1e-4)
    assert levenshtein_similarity("가나다", "라마바") == 0.0
    # Line breaks and runs of spaces are formatting.
    assert levenshtein_similarity("60일 이상\n\n보관", "60일 이상 보관") == 1.0
    assert levenshtein_similarity("", "") == 1.0


def test_pure_python_levenshtein_matches_known_distances() -> None:
    assert _levenshtein_distance("kitten", "sitting") == 3
    assert _levenshtein_distance("보육교사가", "보육교사는") == 1
    assert _levenshtein_distance("", "허리둘레") == 4
    assert _levenshtein_distance("공복혈당", "공복 혈당 검사") == 4


def test_offline_scores_are_namespaced_and_labelled() -> None:
    scores = offline_scores(REFERENCE, REFERENCE, ["문맥"], ["문맥"])
    assert scores["offline.chrf"] == 1.0
    assert scores["offline.levenshtein"] == 1.0
    assert set(RAGAS_KEYS) <= set(scores)
    assert all(key in OFFLINE_LABELS for key in scores)
    assert all("의미 정확도가 아님" in OFFLINE_LABELS[k] for k in ("offline.chrf", "offline.levenshtein"))


def test_without_a_reference_the_answer_metrics_are_none() -> None:
    scores = offline_scores("답변", "  ", [], [])
    assert scores["offline.chrf"] is None and scores["offline.levenshtein"] is None
    assert scores["ragas.context_recall_nonllm"] is None


def test_token_f1_on_kiwi_morphemes_when_an_analyzer_is_given() -> None:
    from rag.retrieval.korean import KoreanAnalyzer

    analyzer = KoreanAnalyzer.shared()
    scores = offline_scores("원장이 영상을 60일 이상 보관한다", REFERENCE, [], [], analyzer=analyzer)
    assert 0.5 < scores["offline.token_f1"] < 1.0
    assert "offline.token_f1" not in offline_scores("답", REFERENCE, [], [])


@pytest.mark.skipif(HAS_RAGAS, reason="ragas가 설치되어 있어 '없을 때' 경로를 볼 수 없습니다")
def test_ragas_keys_are_none_without_ragas() -> None:
    assert not ragas_available()
    scores = offline_scores(REFERENCE, REFERENCE, ["문맥"], ["문맥"])
    assert all(scores[key] is None for key in RAGAS_KEYS)


@needs_ragas
def test_ragas_chrf_agrees_with_ours_and_telemetry_is_off() -> None:
    scores = offline_scores("어린이집 원장이 영상은 60일 이상 보관해야 한다.", REFERENCE, [], [])
    assert scores["ragas.chrf"] == pytest.approx(scores["offline.chrf"], abs=1e-3)
    assert os.environ["RAGAS_DO_NOT_TRACK"] == "true"


@needs_ragas
def test_ragas_nonllm_context_metrics_compare_whole_strings() -> None:
    chunk = "제15조의4 어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 한다. " + REFERENCE
    same = offline_scores("답", REFERENCE, [REFERENCE, "무관한 문단입니다"], [REFERENCE])
    assert same["ragas.context_recall_nonllm"] == 1.0
    assert same["ragas.context_precision_nonllm"] == pytest.approx(1.0, abs=1e-6)
    # A short quote inside a long chunk is not "found": the limitation OFFLINE_LABELS states.
    quote = offline_scores("답", REFERENCE, [chunk * 3], ["60일 이상 보관"])
    assert quote["ragas.context_recall_nonllm"] == 0.0


@needs_ragas
def test_ragas_scores_also_from_inside_a_running_event_loop() -> None:
    import asyncio

    async def handler() -> dict:
        return offline_scores(REFERENCE, REFERENCE, [], [])

    assert asyncio.run(handler())["ragas.chrf"] == 1.0


def test_numbers_in_context_catches_a_changed_number() -> None:
    from eval.offline_metrics import numbers_in_context

    passages = ["원장은 녹화 영상을 60일 이상 보관하여야 한다.", "과태료는 1,000만 원 이하"]
    assert numbers_in_context("영상은 60일 이상 보관합니다. [1]", passages) == 1.0  # [1] is not a number
    assert numbers_in_context("영상은 30일 이상 보관합니다. [1]", passages) == 0.0
    assert numbers_in_context("60일 보관, 과태료 1000만 원, 3일 처리", passages) == pytest.approx(2 / 3, abs=1e-4)
    assert numbers_in_context("문서에서 확인할 수 없습니다.", passages) is None
    scores = offline_scores("영상은 30일 보관 [1]", REFERENCE, passages, [])
    assert scores["offline.numbers_in_context"] == 0.0
    assert offline_scores("영상은 30일 보관", REFERENCE, [], [])["offline.numbers_in_context"] is None
