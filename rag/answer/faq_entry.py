"""Which FAQ entry's own question is the user's question, by the retriever's title re-rank.

An FAQ manual (the metabolic syndrome 상담 FAQ 사례집, an office's Q&A upload) answers
each of its questions in its own entry. A user's question in other words ("본인 결과가
잘못 나온 거라며 인정을 안 하시는 참여자는 …?") is one of those questions ("Q 검사 결과
수용을 거부하는 경우 어떻게 상담을 해야할까요?"), which no shared word shows; the title
re-rank compared the question with each passage's title as embeddings
(``rag.retrieval.title_rerank``) and left the similarity on the chunk."""

from __future__ import annotations

from typing import Sequence

from rag.retrieval.title_rerank import QUESTION_HEADING, chunk_title

from .types import Citation, Passage

#: How much closer than every other entry's title the question's entry's title must be
#: before an answer that cites none of that entry counts as answering another question. On both
#: metabolic dev suites (89 of 117 questions had titles compared), the closest title was
#: the evidence's entry in 9 of 17 cases within 0.01 of the runner-up, in 68 of 72 beyond.
ENTRY_MARGIN = 0.01


def closest_title_rank(passages: Sequence[Passage]) -> int | None:
    """The rank of the passage whose title is, of all the passages' titles, the closest to
    the question (the retriever's title re-rank compared them), or None. When that title
    is an FAQ question, the entry's question is the user's in other words ("고지혈증 약 …
    머리가 둔해진다" → "Q 이상지질혈증 약 복용 시, 머리가 나빠지나요?"). It need not rank
    first: the fused score also weighs the answer's body, and an entry sharing more words
    ("Q 중성지방이 높아서 … 수치가 안 떨어져요") may outrank the question's own ("Q 중성지방
    낮추려면 어떻게 하나요?"). On metabolic_paraphrased (extractive), taking it at any rank
    instead of the first only took citation recall 0.754 → 0.807 and precision 0.717 →
    0.793, with the verbatim suite and statutes unchanged."""
    scored = [(p.chunk.title_similarity, -rank) for rank, p in enumerate(passages)
              if p.chunk.title_similarity is not None]
    if not scored:
        return None
    _, first_of_best = max(scored)  # ties (chunks of one entry share a title): the better rank
    return -first_of_best


def question_entry(passages: Sequence[Passage], margin: float = ENTRY_MARGIN) -> Passage | None:
    """The FAQ entry whose own question is the user's, when the title re-rank says so
    clearly: the closest title is a question heading and beats every other entry's title
    by `margin`. None for statutes (captions are not questions) and for near ties."""
    rank = closest_title_rank(passages)
    if rank is None:
        return None
    entry = passages[rank]
    title = chunk_title(entry.chunk)
    if not title or not QUESTION_HEADING.search(title):
        return None
    others = [p.chunk.title_similarity for p in passages
              if p.chunk.title_similarity is not None and not _same_entry(p, entry)]
    if others and entry.chunk.title_similarity - max(others) < margin:  # type: ignore[operator]
        return None
    return entry


def _entry_key(source: str, locator: str) -> tuple[str, str]:
    """An FAQ entry's identity: the chunks of one entry (a long answer split in two) and
    the citations of any of them share its source and heading."""
    return source, locator


def _same_entry(a: Passage, b: Passage) -> bool:
    return _entry_key(a.chunk.source, a.chunk.locator) == _entry_key(b.chunk.source, b.chunk.locator)


def cites_entry(citations: Sequence[Citation], entry: Passage) -> bool:
    key = _entry_key(entry.chunk.source, entry.chunk.locator)
    return any(_entry_key(c.source, c.locator) == key for c in citations)
