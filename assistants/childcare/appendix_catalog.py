"""별표 안내: the appendices (별표) of the collection's statutes as the index knows them.

Statute files list their 별표 (number, title, link) in the front matter but not their
text; each article chunk carries the 별표 it refers to (rag/documents.py). Gathered from
those chunks, the list names every 별표 an answer can point to, with the articles that
refer to it, and whether the collection holds its text: an admin's upload that names
the law and the 별표 (rag/answer/appendices.py decides, as it does for answers)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from rag.answer.appendices import AppendixIndexed, appendix_indexed_in
from rag.retrieval.results import RetrievedChunk
from rag.retrieval.retriever import HybridRetriever
from rag.store.base import PointFilter

#: Far more article chunks than a collection's statutes hold (영유아보육법 and its
#: neighbours have a few thousand).
_MAX_CHUNKS = 50_000
#: 법률 before its 시행령 before its 시행규칙 (부령 of any ministry).
_KIND_ORDER = {"법률": 0, "대통령령": 1}
_LABEL = re.compile(r"별표\s*(\d+)(?:의(\d+))?")
_ARTICLE = re.compile(r"제(\d+)조(?:의(\d+))?")


class IndexedDocument(Protocol):
    """What the list needs of a collection's document records (ingest's DocumentRecord)."""

    @property
    def source(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def content_hash(self) -> str: ...


@dataclass
class Appendix:
    label: str  # "별표 2"
    title: str
    link: str
    articles: list[str] = field(default_factory=list)  # "제10조", in the law's order
    indexed: bool = False

    def to_dict(self) -> dict:
        return {"label": self.label, "title": self.title, "link": self.link, "articles": self.articles,
                "indexed": self.indexed}


@dataclass
class LawAppendices:
    law: str  # "영유아보육법 시행규칙"
    kind: str  # 법령구분: 법률, 대통령령, 보건복지부령 …
    effective_date: str  # 시행일자 as the file gives it
    appendices: list[Appendix]

    def to_dict(self) -> dict:
        return {"law": self.law, "kind": self.kind, "effective_date": self.effective_date,
                "appendices": [a.to_dict() for a in self.appendices]}


def gather(chunks: Iterable[RetrievedChunk], indexed: AppendixIndexed, named_first: str = "") -> list[LawAppendices]:
    """The 별표 the chunks refer to, once each, grouped by law. Laws that `named_first` (the
    assistant's role) names come first, then the others by name; a law's 시행령 and
    시행규칙 follow it, and the 별표 go by number (별표 1, 1의2, 2, … 10)."""
    laws: dict[str, LawAppendices] = {}
    found: dict[tuple[str, str], Appendix] = {}
    for chunk in chunks:
        law = chunk.title
        for item in chunk.metadata.get("appendices") or ():
            label = str(item.get("label", ""))
            if not label:
                continue
            group = laws.get(law)
            if group is None:
                group = laws[law] = LawAppendices(law, str(chunk.metadata.get("법령구분", "")),
                                                  str(chunk.metadata.get("시행일자", "")), [])
            entry = found.get((law, label))
            if entry is None:
                entry = found[(law, label)] = Appendix(label, str(item.get("title", "")), str(item.get("link", "")),
                                                       indexed=indexed(law, label))
                group.appendices.append(entry)
            if chunk.locator and chunk.locator not in entry.articles:
                entry.articles.append(chunk.locator)
    for group in laws.values():
        group.appendices.sort(key=lambda a: _numbers(_LABEL, a.label))
        for entry in group.appendices:
            entry.articles.sort(key=lambda article: _numbers(_ARTICLE, article))
    return sorted(laws.values(), key=lambda g: _law_order(g, named_first))


def _numbers(pattern: re.Pattern[str], text: str) -> tuple[int, int]:
    match = pattern.search(text)
    return (int(match.group(1)), int(match.group(2) or 0)) if match else (10**6, 0)


def _law_order(group: LawAppendices, named_first: str) -> tuple:
    base = re.sub(r"\s*시행(령|규칙)$", "", group.law)
    return base not in named_first, base, _KIND_ORDER.get(group.kind, 2), group.law


class AppendixCatalog:
    """`gather` over a collection's statutes, read again only when a statute file
    changed: the list is asked for on each page view and reads every article chunk."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[tuple, list[RetrievedChunk]]] = {}

    def laws(self, retriever: HybridRetriever, collection: str, records: Iterable[IndexedDocument],
             named_first: str = "") -> list[LawAppendices]:
        records = list(records)
        statutes = sorted((r.source, r.content_hash) for r in records if r.format == "statute")
        # An uploaded 별표 names its law and number in its title or file name.
        indexed = appendix_indexed_in([f"{r.title} {r.source}" for r in records])
        return gather(self._chunks(retriever, collection, tuple(statutes)), indexed, named_first)

    def _chunks(self, retriever: HybridRetriever, collection: str, statutes: tuple) -> list[RetrievedChunk]:
        with self._lock:
            cached = self._cached.get(collection)
            if cached is not None and cached[0] == statutes:
                return cached[1]
        chunks = []
        if statutes:
            # Statutes are public and the version in force is the one answers cite.
            fetched = retriever.fetch(collection, flt=PointFilter(sources=tuple(s for s, _ in statutes)),
                                      limit=_MAX_CHUNKS)
            # Only what the list needs: the article texts stay in the index.
            chunks = [RetrievedChunk(c.id, 0.0, c.source, c.title, c.locator, "",
                                     metadata={k: c.metadata[k] for k in ("appendices", "법령구분", "시행일자")
                                               if k in c.metadata})
                      for c in fetched if c.metadata.get("appendices")]
        with self._lock:
            self._cached[collection] = (statutes, chunks)
        return chunks
