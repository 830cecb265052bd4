"""The OpenAI-compatible embedder against a fake server over real HTTP."""

from __future__ import annotations

import numpy as np
import pytest

from rag.config import load_settings
from rag.embedding.factory import build_embedder
from rag.embedding.openai_embedder import OpenAIEmbedder
from rag.errors import ConfigError, EmbeddingError
from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture
def server():
    with FakeOpenAIServer(dim=8) as fake:
        yield fake


def test_embeds_with_prefixes_batches_and_normalises(server):
    embedder = OpenAIEmbedder(server.url, "bge-m3", api_key="secret", query_prefix="q: ",
                              passage_prefix="p: ", batch_size=2)
    vectors = embedder.embed_passages(["가", "나", "다"])

    assert embedder.dim == 8 and vectors.shape == (3, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    expected = np.asarray(server.vector("p: 나"), dtype=np.float32)
    assert np.allclose(vectors[1], expected / np.linalg.norm(expected), atol=1e-6)
    # dimension probe + two batches of at most 2 texts
    assert [len(r["body"]["input"]) for r in server.requests] == [1, 2, 1]
    assert server.requests[-1]["path"] == "/v1/embeddings"
    assert server.requests[-1]["auth"] == "Bearer secret"
    query = embedder.embed_query("질문")
    assert server.requests[-1]["body"]["input"] == ["q: 질문"] and query.shape == (8,)


@pytest.mark.parametrize("failure", ["500", "malformed", "short"])
def test_transient_failures_are_retried(server, failure):
    embedder = OpenAIEmbedder(server.url, "m", retries=3)
    server.failures.extend([failure, failure])

    vectors = embedder.embed_passages(["하나", "둘"])

    assert vectors.shape == (2, 8)
    assert len(server.requests) == 1 + 3  # probe, two failures, success


def test_persistent_failure_gives_a_clear_error(server):
    embedder = OpenAIEmbedder(server.url, "m", retries=2)
    server.failures.extend(["500"] * 5)

    with pytest.raises(EmbeddingError, match="2번 시도했지만 실패"):
        embedder.embed_passages(["하나"])


def test_timeout_is_retried_then_reported(server):
    embedder = OpenAIEmbedder(server.url, "m", retries=2, timeout_s=0.2)
    server.failures.extend(["slow", "slow"])

    with pytest.raises(EmbeddingError, match="실패"):
        embedder.embed_query("느린 요청")


def test_unreachable_server_is_an_embedding_error():
    with pytest.raises(EmbeddingError):
        OpenAIEmbedder("http://127.0.0.1:9/v1", "m", retries=1, timeout_s=0.5)


def test_factory_builds_it_from_settings(server, tmp_path):
    settings = load_settings("test", data_dir=str(tmp_path),
                             embedding={"mode": "openai", "base_url": server.url, "model": "kure", "batch_size": 1})
    embedder = build_embedder(settings)

    embedder.embed_passages(["a", "b"])
    assert isinstance(embedder, OpenAIEmbedder)
    assert [r["body"]["model"] for r in server.requests] == ["kure"] * 3


def test_factory_requires_a_base_url(tmp_path):
    settings = load_settings("test", data_dir=str(tmp_path), embedding={"mode": "openai"})
    with pytest.raises(ConfigError, match="base_url"):
        build_embedder(settings)
