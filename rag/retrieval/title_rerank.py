"""Re-ranking the first few hits by how close the question is to each chunk's own title.

A chunk's embedding covers its title and a whole body, so a long body dilutes the title.
Titles are often the best summary there is: an FAQ entry's question ("Q 이상지질혈증 약
복용 시, 머리가 나빠지나요?"), an article's caption ("직장어린이집의 설치 등"), a manual's
section name. Comparing the question with the title alone, both embedded as queries (the
e5 prefix for short symmetric texts), and mixing that with the fused score lifted hit@1 on
the paraphrased metabolic suite from 0.567 to 0.633 (one weight, 0.5, for every title) and
left statutes at 0.643 (benchmarks/retrieval_quality.py). Only the order of the first
`depth` hits changes, so the set of passages an answer sees stays the same.

A title that is itself a question (an FAQ's "Q …?") weighs four times as much as a
caption: question to question is the paraphrase match e5's ``query:`` side is trained
for, while a caption is only a topic label. On metabolic_paraphrased that took hit@1 from
0.633 (one weight for all) to 0.700; statutes have no question titles and keep 0.643.

Scores are mixed as z-scores within those hits, because the fused score's scale depends
on the fusion mode and cosines of e5 sit in a narrow band (0.8–0.95)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.embedding.base import Embedder
from rag.embedding.query_cache import QueryVectors

from .results import RetrievedChunk

_ARTICLE = re.compile(r"^제\d+조(?:의\d+)?")
_HEADING_MARKS = re.compile(r"^#+\s*|\*\*")
_PAGE = re.compile(r"^(?:p\.?|page|쪽)?\s*\d+\s*(?:쪽|페이지)?$", re.IGNORECASE)
_HANGUL_OR_LATIN = re.compile(r"[가-힣A-Za-z]")
#: Hits below this share of the best fused score keep their place (see TitleReranker.rerank).
MIN_SCORE_SHARE = 0.5
#: A heading that asks a question: "Q 허리둘레가 … 왜 그런가요?", "질문 …", "…?".
QUESTION_HEADING = re.compile(r"^(?:Q\b|Q\.|질문\b)|\?$")


def chunk_title(chunk: RetrievedChunk) -> str | None:
    """The chunk's own title, or None when it has none worth comparing. An article's
    locator is only its number ("제14조"); its caption is the chunk's first heading line
    ("##### 제14조 (직장어린이집의 설치 등)"). Page numbers say nothing about content."""
    if chunk.is_article:
        first = chunk.text.lstrip().split("\n", 1)[0]
        if not first.startswith("#"):
            return None
        caption = _ARTICLE.sub("", _HEADING_MARKS.sub("", first).strip()).strip(" ()")
        title = caption or None
    else:
        title = chunk.locator or (chunk.heading_path[-1] if chunk.heading_path else "")
        title = _HEADING_MARKS.sub("", title).strip()
    if not title or _PAGE.match(title) or len(_HANGUL_OR_LATIN.findall(title)) < 2:
        return None
    return title


def mix_title_scores(chunks: Sequence[RetrievedChunk], similarity: Sequence[float | None],
                     weights: Sequence[float]) -> list[RetrievedChunk]:
    """`chunks` re-ordered by z(fused score) + weight · z(title similarity), each chunk
    with its own weight. A chunk without a title gets the mean similarity, so it neither
    gains nor loses by it."""
    if len(chunks) < 2:
        return list(chunks)
    fused = _z([c.score for c in chunks])
    known = [s for s in similarity if s is not None]
    mean = float(np.mean(known)) if known else 0.0
    titles = _z([mean if s is None else s for s in similarity])
    mixed = fused + np.asarray(weights, dtype=np.float64) * titles
    order = sorted(range(len(chunks)), key=lambda i: (-mixed[i], i))
    return [replace(chunks[i], title_similarity=similarity[i]) for i in order]


def _z(values: Sequence[float]) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    spread = array.std()
    return (array - array.mean()) / spread if spread > 1e-12 else np.zeros_like(array)


class TitleReranker:
    """Keeps title vectors in memory (titles repeat across questions), so a title is
    embedded once per process. Thread-safe."""

    def __init__(self, embedder: Embedder, depth: int = 5, weight: float = 0.5, question_weight: float = 2.0,
                 cache_size: int = 50_000) -> None:
        self.embedder = embedder
        self.depth = depth
        self.weight = weight
        self.question_weight = question_weight
        self._title_vector = QueryVectors(embedder, cache_size)

    def rerank(self, query_vector: np.ndarray, chunks: list[RetrievedChunk]) -> list[RetrievedChunk]:
        depth = self.depth
        if chunks and chunks[0].score > 0:
            # A title alone never lifts a hit the search scored at less than half the best:
            # z-scores would blow up a small title difference among weak hits.
            floor = MIN_SCORE_SHARE * chunks[0].score
            depth = next((i for i, c in enumerate(chunks[:depth]) if c.score < floor), min(depth, len(chunks)))
        head, tail = chunks[:depth], chunks[depth:]
        if len(head) < 2 or max(self.weight, self.question_weight) <= 0:
            return chunks
        titles = [chunk_title(c) for c in head]
        similarity = [None if t is None else float(self._title_vector(t) @ query_vector) for t in titles]
        weights = [self.question_weight if t and QUESTION_HEADING.search(t) else self.weight for t in titles]
        return mix_title_scores(head, similarity, weights) + tail
