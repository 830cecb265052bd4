"""The token estimate never undercounts (real counts from Qwen2.5's tokenizer)."""

from __future__ import annotations

import pytest

from rag.llm.tokens import estimate_tokens


@pytest.mark.parametrize(("text", "qwen_tokens"), [
    ("어린이집 폐쇄회로 텔레비전", 15),
    ("제15조의4 ① 2024.12.1", 19),
    ("The quick brown fox jumps", 5),
    ("https://www.law.go.kr/flDownload.do?flSeq=12345", 19),
])
def test_estimate_is_at_least_the_real_count(text, qwen_tokens):
    assert estimate_tokens(text) >= qwen_tokens


def test_empty_text_has_no_tokens():
    assert estimate_tokens("") == 0
