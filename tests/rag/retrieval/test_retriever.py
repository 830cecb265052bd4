"""Hybrid retrieval over the sample corpus: every mode finds the clearly relevant chunk."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.discovery import discover
from appcontext import AppContext
from rag.retrieval.expansion import Thesaurus
from rag.retrieval.results import RetrievedChunk
from rag.retrieval.retriever import HybridRetriever

COLLECTION = "childcare"
MODES = ["sparse", "dense", "rrf", "dbsf", "weighted"]
QUESTIONS = [
    ("급식 식단은 누가 작성하나요?", "statutes/childcare/테스트법/법률.md", "제4조"),
    ("공복 혈당은 언제 재요?", "metabolic/parsed/테스트 대사증후군 안내/part-01.md", "Q 공복 혈당은 언제 재나요?"),
]


def ingest(ctx: AppContext, root: Path) -> None:
    files, _ = discover(root)
    ctx.ingest.ingest(COLLECTION, root, files, progress=False)


@pytest.fixture
def indexed(indexed_sample: AppContext) -> AppContext:
    return indexed_sample


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_ranks_the_relevant_chunk_first(indexed: AppContext, mode: str):
    for question, source, locator in QUESTIONS:
        hits = indexed.retriever.search(question, COLLECTION, k=8, mode=mode)

        assert (hits[0].source, hits[0].locator) == (source, locator), (question, mode)
        assert len(hits) == len({h.id for h in hits})
        # Only the first title_rerank_depth hits may leave the fused order.
        tail = [h.score for h in hits[indexed.settings.retrieval.title_rerank_depth:]]
        assert tail == sorted(tail, reverse=True)


def test_default_mode_comes_from_the_settings(indexed: AppContext):
    assert indexed.settings.retrieval.fusion == "dbsf"

    hits = indexed.retriever.search("급식 식단은 누가 작성하나요?", COLLECTION)

    assert hits[0].locator == "제4조"
    # DBSF sums each side's score scaled by its spread: the top of both lists scores > 1.
    assert hits[0].score > 1.0
    assert len(hits) <= indexed.settings.retrieval.top_k
    assert indexed.retriever.last_timings is not None


@pytest.mark.parametrize("mode", ["sparse", "rrf", "dbsf", "weighted"])
def test_chunks_without_a_dense_vector_are_still_found(ctx: AppContext, sample_corpus: Path, mode: str):
    ingest(ctx, sample_corpus)  # no embed_pending: no dense vector anywhere yet

    for question, source, locator in QUESTIONS:
        hits = ctx.retriever.search(question, COLLECTION, k=5, mode=mode)

        assert (hits[0].source, hits[0].locator) == (source, locator), (question, mode)


def test_dense_mode_sees_only_embedded_chunks(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)

    assert ctx.retriever.search("급식 식단은 누가 작성하나요?", COLLECTION, mode="dense") == []


def test_thesaurus_expansion_reaches_statute_wording(indexed: AppContext):
    # 테스트법 says 폐쇄회로 텔레비전 and never CCTV.
    hits = indexed.retriever.search("CCTV", COLLECTION, mode="sparse")
    assert [h.locator for h in hits][:1] == ["제3조"]

    plain = HybridRetriever(indexed.collection, indexed.embedder, indexed.settings.retrieval,
                            indexed.analyzer, thesaurus=Thesaurus({}))
    assert plain.search("CCTV", COLLECTION, mode="sparse") == []


def test_hits_carry_payload_and_citation(indexed: AppContext):
    statute = indexed.retriever.search("급식 식단은 누가 작성하나요?", COLLECTION, k=1, mode="sparse")[0]
    guide = indexed.retriever.search("공복 혈당은 언제 재요?", COLLECTION, k=1, mode="sparse")[0]

    assert statute.citation == "테스트법 제4조"
    assert statute.heading_path == ("제2장 어린이집의 운영", "제2절 급식")
    assert statute.version == "current"
    assert statute.metadata["law"] == "테스트법"
    assert statute.metadata["시행일자"] == "2025-03-01"
    assert statute.text == "##### 제4조 (급식 관리)\n\n어린이집 원장은 영양사가 작성한 식단에 따라 영유아에게 급식을 제공하여야 한다."
    assert guide.citation == "테스트 대사증후군 안내 › Q 공복 혈당은 언제 재나요?"


def chunk(locator: str, title: str = "영유아보육법", **kwargs) -> RetrievedChunk:
    return RetrievedChunk(id="1", score=1.0, source="a.md", title=title, locator=locator, text="본문", **kwargs)


def test_citation_formats():
    assert chunk("제14조").citation == "영유아보육법 제14조"
    assert chunk("제14조의2", version="previous", metadata={"시행일자": "2021-01-01"}).citation == \
        "영유아보육법 제14조의2 (시행 2021-01-01)"
    # The effective date is only worth saying for a version no longer in force.
    assert chunk("제14조", metadata={"시행일자": "2025-03-01"}).citation == "영유아보육법 제14조"
    assert chunk("제14조", version="previous").citation == "영유아보육법 제14조"
    assert chunk("p. 3", title="안내서", page=3).citation == "안내서 p. 3"
    assert chunk("식습관 관리", title="가이드북").citation == "가이드북 › 식습관 관리"
    assert chunk("", title="가이드북").citation == "가이드북"


def test_heading_that_starts_with_je_is_cited_as_a_heading():
    assert chunk("제출 서류", title="가이드북").citation == "가이드북 › 제출 서류"


def test_from_payload_splits_known_fields_from_metadata():
    payload = {"source": "s.md", "title": "T", "locator": "제1조", "text": "x", "version": "previous",
               "heading_path": ["제1장"], "law": "T", "access": "public", "ordinal": 0, "시행일자": "2021-01-01"}

    hit = RetrievedChunk.from_payload("id-1", 0.5, payload)

    assert (hit.id, hit.score, hit.source, hit.version, hit.page, hit.heading_path) == \
        ("id-1", 0.5, "s.md", "previous", None, ("제1장",))
    assert hit.metadata == {"law": "T", "access": "public", "ordinal": 0, "시행일자": "2021-01-01"}
    assert RetrievedChunk.from_payload("id-2", 1, {}).version == "current"
