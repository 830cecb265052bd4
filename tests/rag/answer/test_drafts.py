"""Which part of a generated answer still streaming is made of finished sentences."""

from __future__ import annotations

import pytest

from rag.answer.drafts import finished_length


@pytest.mark.parametrize("text, finished", [
    ("", ""),
    ("원장은 영상을 60일", ""),
    ("원장은 영상을 60일 이상 보관합니다.", ""),  # the marker may still come
    ("원장은 영상을 60일 이상 보관합니다. [", ""),
    ("원장은 영상을 60일 이상 보관합니다. [1", ""),
    ("원장은 영상을 60일 이상 보관합니다. [1]", ""),
    ("원장은 영상을 60일 이상 보관합니다. [1] 또", "원장은 영상을 60일 이상 보관합니다. [1]"),
    ("시행일은 2024. 1", ""),  # not a sentence end: a date goes on
    ("보관합니다.\n- 설치", "보관합니다."),  # a line that ended is finished
    ("첫째 문장입니다. 둘째 문장입니다. 셋", "첫째 문장입니다. 둘째 문장입니다."),
])
def test_only_sentences_that_can_no_longer_grow_are_finished(text, finished):
    assert text[:finished_length(text)] == finished
