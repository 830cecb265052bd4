"""Re-ranking the first hits by question-to-title similarity."""

from __future__ import annotations

import numpy as np

from rag.embedding.fake import FakeEmbedder
from rag.retrieval.results import RetrievedChunk
from rag.retrieval.title_rerank import TitleReranker, chunk_title, mix_title_scores


def chunk(cid: str, score: float, locator: str, text: str = "본문", heading_path: tuple[str, ...] = ()) -> RetrievedChunk:
    return RetrievedChunk(id=cid, score=score, source="s.md", title="문서", locator=locator, text=text,
                          heading_path=heading_path)


def test_an_articles_title_is_its_caption_without_the_number():
    article = chunk("a", 1.0, "제14조", "##### 제14조의2 (직장어린이집의 **설치** 등)\n\n**①** 사업주는 …")

    assert chunk_title(article) == "직장어린이집의 설치 등"


def test_other_chunks_are_titled_by_their_locator_or_heading():
    faq = chunk("f", 1.0, "Q 이상지질혈증 약 복용 시, 머리가 나빠지나요?")
    section = chunk("s", 1.0, "", heading_path=("제2장", "#### 1) 접수(예약)"))

    assert chunk_title(faq) == "Q 이상지질혈증 약 복용 시, 머리가 나빠지나요?"
    assert chunk_title(section) == "1) 접수(예약)"


def test_pages_and_bare_article_numbers_are_no_titles():
    assert chunk_title(chunk("p", 1.0, "p. 12")) is None
    assert chunk_title(chunk("n", 1.0, "12")) is None
    assert chunk_title(chunk("b", 1.0, "제3조", "사업주는 …")) is None  # no heading line to read


def test_a_close_title_lifts_a_hit_with_a_slightly_lower_fused_score():
    hits = [chunk("a", 2.0, "A"), chunk("b", 1.9, "B"), chunk("c", 1.0, "C")]

    reordered = mix_title_scores(hits, [0.80, 0.95, 0.80], weights=[0.5] * 3)

    assert [h.id for h in reordered] == ["b", "a", "c"]
    # A far lower fused score is not overturned by the title alone.
    assert [h.id for h in mix_title_scores(hits, [0.80, 0.80, 0.95], weights=[0.5] * 3)] == ["a", "b", "c"]


def test_untitled_hits_and_zero_weight_keep_the_fused_order():
    hits = [chunk("a", 2.0, "A"), chunk("b", 1.9, "B"), chunk("c", 1.8, "C")]

    assert [h.id for h in mix_title_scores(hits, [None, None, None], weights=[0.5] * 3)] == ["a", "b", "c"]
    assert [h.id for h in mix_title_scores(hits, [0.1, 0.9, 0.9], weights=[0.0] * 3)] == ["a", "b", "c"]
    # Untitled hits count as average: a well-titled neighbour may pass them, a badly titled one not.
    assert [h.id for h in mix_title_scores(hits, [None, 0.99, 0.1], weights=[1.5] * 3)] == ["b", "a", "c"]


def test_only_the_first_hits_move_and_each_title_is_embedded_once():
    embedder = FakeEmbedder()
    reranker = TitleReranker(embedder, depth=2, weight=2.0)
    question = embedder.embed_query("어린이집 급식 식단 작성")
    hits = [chunk("x", 1.0, "폐쇄회로 텔레비전 설치"), chunk("y", 0.99, "급식 식단 작성"),
            chunk("z", 0.5, "어린이집 급식 식단 작성")]
    embedder.queries.clear()

    first = reranker.rerank(question, hits)
    again = reranker.rerank(question, hits)

    assert [h.id for h in first] == ["y", "x", "z"]  # z stays last: beyond the depth
    assert again == first
    assert embedder.queries == ["폐쇄회로 텔레비전 설치", "급식 식단 작성"]


def test_the_retriever_reranks_fused_hits_only(indexed_sample):
    from rag.retrieval.retriever import HybridRetriever

    settings = indexed_sample.settings.retrieval
    embedder = FakeEmbedder()
    retriever = HybridRetriever(indexed_sample.collection, embedder, settings, indexed_sample.analyzer)
    question = "급식 식단은 누가 작성하나요?"

    dense = retriever.search(question, "childcare", k=5, mode="dense")
    assert embedder.queries == [question]  # a pure dense baseline stays pure

    embedder.queries.clear()
    fused = retriever.search(question, "childcare", k=5, mode="dbsf")
    # The question's vector is the one the dense search computed; the titles are new.
    assert embedder.queries and question not in embedder.queries
    assert fused[0].locator == dense[0].locator == "제4조"
    assert retriever.last_timings.rerank_ms > 0

    off = HybridRetriever(indexed_sample.collection, embedder, settings.model_copy(update={"title_rerank_depth": 0}),
                          indexed_sample.analyzer)
    embedder.queries.clear()
    off.search(question, "childcare", k=5, mode="dbsf")
    assert embedder.queries == [question]


class TableEmbedder:
    """Vectors chosen by the test: the cosine of a title to the question is its x."""

    name, dim = "table", 2

    def __init__(self, cosines: dict[str, float]) -> None:
        self.cosines = cosines

    def embed_query(self, text: str) -> np.ndarray:
        x = self.cosines[text]
        return np.array([x, np.sqrt(1 - x * x)], dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed_query(t) for t in texts])


def reranked_ids(titled: list[tuple[str, float, str, float]], question_weight: float = 2.0) -> list[str]:
    """Ids after the re-rank of hits given as (id, fused score, title, cosine to the question)."""
    embedder = TableEmbedder({title: cosine for _, _, title, cosine in titled})
    hits = [chunk(cid, score, title) for cid, score, title, _ in titled]
    reranker = TitleReranker(embedder, depth=len(hits), weight=0.5, question_weight=question_weight)
    return [h.id for h in reranker.rerank(np.array([1.0, 0.0], dtype=np.float32), hits)]


def test_a_question_heading_weighs_more_than_a_caption():
    titled = [("caption", 2.0, "운동강도", 0.91), ("faq", 1.75, "Q 적절한 운동 강도 기준은 무엇인가요?", 0.93),
              ("other", 1.5, "운동위험도 분류", 0.85)]

    assert reranked_ids(titled, question_weight=0.5) == ["caption", "faq", "other"]
    assert reranked_ids(titled, question_weight=2.0) == ["faq", "caption", "other"]


def test_a_title_never_lifts_a_hit_scored_under_half_the_best():
    titled = [("cctv", 1.4, "폐쇄회로 텔레비전", 0.80), ("staff", 1.1, "보육교사 배치", 0.81),
              ("faq", 0.45, "Q 공복 혈당은 언제 재나요?", 0.99)]

    assert reranked_ids(titled) == ["cctv", "staff", "faq"]
