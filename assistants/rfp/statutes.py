"""Articles as the index holds them, for the RFP rules and for checking every citation of a
draft: `(law, article)` → its chunks' plain text, the chunk ids and the source file. The
rules quote the sentence they rest on from here and read the thresholds the law states
(5억원, 100분의 50, 1년, 입찰공고 기간) from the same text, so a draft never cites an
article the index does not have."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Protocol

from rag.documents import join_pieces, statute_plain
from rag.errors import SeoulAssistError
from rag.retrieval.retriever import HybridRetriever
from rag.store.base import PointFilter

from .draft import LawCitation

log = logging.getLogger(__name__)

SW_ACT = "소프트웨어 진흥법"
SW_DECREE = "소프트웨어 진흥법 시행령"
NATIONAL_DECREE = "국가를 당사자로 하는 계약에 관한 법률 시행령"
LOCAL_DECREE = "지방자치단체를 당사자로 하는 계약에 관한 법률 시행령"
LOCAL_RULE = "지방자치단체를 당사자로 하는 계약에 관한 법률 시행규칙"
EGOV_DECREE = "전자정부법 시행령"

#: Short names officers and the suites write, to the indexed law names.
SHORT_NAMES = {"국가계약법": "국가를 당사자로 하는 계약에 관한 법률",
               "지방계약법": "지방자치단체를 당사자로 하는 계약에 관한 법률"}


@dataclass(frozen=True)
class ArticlePart:
    chunk_id: str
    text: str  # plain text (no Markdown marks)
    source: str


class ArticleSource(Protocol):
    def parts(self, law: str, article: str) -> list[ArticlePart]: ...


class IndexedStatutes:
    """Reads a law's chunks once from `collection` (the version in force, public only)."""

    def __init__(self, retriever: HybridRetriever, collection: str) -> None:
        self._retriever = retriever
        self._collection = collection
        self._laws: dict[str, dict[str, list[ArticlePart]]] = {}

    def parts(self, law: str, article: str) -> list[ArticlePart]:
        if law not in self._laws:
            self._laws[law] = self._read(law)
        return self._laws[law].get(article, [])

    def _read(self, law: str) -> dict[str, list[ArticlePart]]:
        try:
            chunks = self._retriever.fetch(self._collection, flt=PointFilter(laws=(law,)), limit=5000)
        except SeoulAssistError as exc:  # no index yet, or the store is unavailable
            log.info("법령을 색인에서 읽지 못함 (%s): %s", law, exc)
            return {}
        by_article: dict[str, list] = {}
        for chunk in chunks:
            by_article.setdefault(chunk.locator, []).append(chunk)
        return {article: [ArticlePart(c.id, statute_plain(c.text), c.source)
                          for c in sorted(found, key=lambda c: c.metadata.get("ordinal", 0))]
                for article, found in by_article.items()}


class ArticleTable:
    """Articles given as text (tests, and the built-in copy where nothing is indexed)."""

    def __init__(self, articles: dict[tuple[str, str], str]) -> None:
        self._articles = articles

    def parts(self, law: str, article: str) -> list[ArticlePart]:
        text = self._articles.get((law, article))
        return [ArticlePart(f"{law}#{article}", statute_plain(text), f"table/{law}")] if text else []


def article_text(source: ArticleSource, law: str, article: str) -> str:
    return join_pieces([p.text for p in source.parts(law, article)])


def cite(source: ArticleSource, law: str, article: str, anchor: str) -> LawCitation:
    """The citation of the sentence of `law article` that contains `anchor`, quoted from
    the index; `chunk_id` None when the article or the sentence is not indexed (such a
    citation is removed from the draft and reported)."""
    for part in source.parts(law, article):
        sentence = sentence_with(part.text, anchor)
        if sentence:
            return LawCitation(law, article, sentence, part.chunk_id, part.source)
    return LawCitation(law, article, "", None, "")


def sentence_with(text: str, anchor: str) -> str | None:
    """The sentence (within one line: 항, 호 or 목) that holds `anchor`, whitespace collapsed.
    A "다." inside brackets ("(… 포함한다. 이하 같다)") does not end a sentence."""
    flat_anchor = _collapse(anchor)
    for line in text.splitlines():
        flat = _collapse(line)
        at = flat.find(flat_anchor)
        if at < 0:
            continue
        for start, end in _sentences(flat):
            if start <= at < end:
                return re.sub(r"\s*<(개정|신설)[^>]*>", "", flat[start:end]).strip()
    return None


def _sentences(line: str) -> list[tuple[int, int]]:
    spans, depth, start = [], 0, 0
    for i, char in enumerate(line):
        if char in "(「":
            depth += 1
        elif char in ")」":
            depth = max(0, depth - 1)
        elif char == "." and depth == 0 and i > 0 and line[i - 1] == "다" and (i + 1 == len(line) or line[i + 1] == " "):
            spans.append((start, i + 1))
            start = i + 2
    if start < len(line):
        spans.append((start, len(line)))
    return spans


def is_indexed(source: ArticleSource, citation: LawCitation) -> bool:
    return bool(source.parts(citation.law, citation.article))


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
