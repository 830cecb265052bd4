"""Query vectors computed once per text, the least recently used dropped first."""

from __future__ import annotations

import numpy as np

from rag.embedding.fake import FakeEmbedder
from rag.embedding.query_cache import QueryVectors


def test_a_text_is_embedded_once_and_the_least_recently_used_is_dropped_first():
    embedder = FakeEmbedder()
    vectors = QueryVectors(embedder, size=2)
    first = vectors("보육료 지원")
    assert np.array_equal(vectors("보육료 지원"), first) and embedder.queries == ["보육료 지원"]
    assert not first.flags.writeable  # one array serves every caller
    vectors("연차휴가")
    vectors("보육료 지원")  # used again: now the most recent
    vectors("당직 근무")  # over the size: "연차휴가" goes
    assert len(vectors) == 2
    vectors("보육료 지원")
    vectors("연차휴가")
    assert embedder.queries == ["보육료 지원", "연차휴가", "당직 근무", "연차휴가"]
