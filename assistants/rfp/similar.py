"""Similar past RFPs as examples: the 100 real 2024 notices of
`rfp/codeit_rfp100_data_list.csv`, indexed as the assistant's example collection
(`example_collections` in assistant.yaml: `rfp_examples`, one section per notice carrying
its 공고번호, 사업명 and 발주기관) and searched with the project's hybrid retriever. A draft
uses the notices' requirement blocks and goal/effect wording as examples, cited by 공고번호
and 사업명; the notice being drafted (same 공고번호, or same 사업명 and 발주기관 where it
has no number) is never its own example, or an evaluation would score a copy.

Where the collection is not indexed yet, the CSV under a corpus root is read and ranked in
memory (BM25 over the words of 사업명, 사업 요약 and text) and the draft says so in its
assumptions."""

from __future__ import annotations

import csv
import math
import re
import sys
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rag.errors import SeoulAssistError
from rag.retrieval.results import RetrievedChunk
from rag.store.base import PointFilter

from .draft import SimilarNotice
from .requirements import specific_words

if TYPE_CHECKING:
    from rag.retrieval.retriever import HybridRetriever

log = logging.getLogger(__name__)

EXAMPLES_FILE = "rfp/codeit_rfp100_data_list.csv"
_REQUIREMENT = re.compile(r"\b([A-Z]{3})-(\d{2,3})\b\s*\n?\s*([^\n]{4,80})")
#: Headings whose following lines are wording a draft may borrow, by the draft's section.
WORDING_HEADINGS = {"goals": ("구축목표", "추진목표", "사업목표", "사업목적", "구축 목표", "추진 목표", "사업 목표"),
                    "effects": ("기대효과", "기대 효과"), "background": ("추진배경", "추진 배경", "필요성")}
#: Chunks asked of the index per search: a notice has several, and its own may fill the top.
SEARCH_DEPTH = 80


@dataclass
class ExampleNotice:
    notice_no: str
    project_name: str
    agency: str
    summary: str
    text: str
    requirement_names: list[str] = field(default_factory=list)  # "SFR-001 이용자 페이지 전면 개편 …"

    def __post_init__(self) -> None:
        if not self.requirement_names and self.text:
            self.requirement_names = requirement_names(self.text)

    @property
    def label(self) -> str:
        """How a draft cites it: "20241001798 한영대학교 … 고도화" (사업명 alone without a number)."""
        return f"{self.notice_no} {self.project_name}".strip()

    def wording(self, kind: str, limit: int = 3) -> list[str]:
        """Lines under the notice's own heading of `kind` (WORDING_HEADINGS): its goals,
        expected effects or background, as it wrote them."""
        return notice_wording(self.text, kind, limit)


class ExampleIndex:
    """BM25 over the example notices (k1 1.2, b 0.75)."""

    def __init__(self, notices: Sequence[ExampleNotice]) -> None:
        self.notices = list(notices)
        self._terms = [Counter(specific_words(f"{n.project_name} {n.project_name} {n.summary} {n.text[:4000]}"))
                       for n in self.notices]
        self._df = Counter(term for terms in self._terms for term in terms)
        self._avg = sum(sum(t.values()) for t in self._terms) / max(1, len(self._terms))

    def similar(self, query: str, *, exclude_notice: str | None = None, exclude_project: tuple[str, str] | None = None,
                k: int = 3) -> list[tuple[ExampleNotice, float]]:
        """The `k` notices most like `query`, never the one being drafted: the same 공고번호,
        or (18 rows have no number) the same 사업명 and 발주기관."""
        words = set(specific_words(query))
        n = len(self.notices)
        scored = []
        for notice, terms in zip(self.notices, self._terms):
            if exclude_notice and _same_notice(notice.notice_no, exclude_notice):
                continue
            if exclude_project and _same_project(notice, *exclude_project):
                continue
            length = sum(terms.values()) or 1
            score = 0.0
            for word in words:
                tf = terms.get(word, 0)
                if tf:
                    idf = math.log(1 + (n - self._df[word] + 0.5) / (self._df[word] + 0.5))
                    score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / self._avg))
            if score > 0:
                scored.append((notice, round(score, 3)))
        scored.sort(key=lambda pair: -pair[1])
        return scored[:k]


def as_similar(found: Sequence[tuple[ExampleNotice, float]]) -> list[SimilarNotice]:
    return [SimilarNotice(n.notice_no, n.project_name, n.agency, score) for n, score in found]


def read_examples(path: Path) -> list[ExampleNotice]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    notices = []
    for row in rows:
        text = row.get("텍스트") or ""
        notices.append(ExampleNotice(
            notice_no=(row.get("공고 번호") or "").strip(), project_name=(row.get("사업명") or "").strip(),
            agency=(row.get("발주 기관") or "").strip(), summary=row.get("사업 요약") or "", text=text,
        ))
    return notices


def requirement_names(text: str) -> list[str]:
    """The requirement blocks a notice lists, as "SFR-001 이용자 페이지 전면 개편"."""
    return [f"{m.group(1)}-{m.group(2)} {m.group(3).strip()}" for m in _REQUIREMENT.finditer(text)][:40]


_TOC_LINE = re.compile(r"(-\s*\d+\s*$|\.{3,}|…{2,}|·{3,})")


def notice_wording(text: str, kind: str, limit: int = 3) -> list[str]:
    headings = WORDING_HEADINGS[kind]
    lines = [re.sub(r"\s+", " ", line).strip(" -•·*○□■▪◦") for line in text.splitlines()]
    out: list[str] = []
    for i, line in enumerate(lines):
        bare = re.sub(r"^[\dⅠ-Ⅹ.)\s]+", "", line).replace(" ", "")
        if not any(bare.startswith(h.replace(" ", "")) for h in headings) or len(bare) > 20 or _TOC_LINE.search(line):
            continue
        for following in lines[i + 1:i + 12]:
            if re.match(r"^[\dⅠ-Ⅹ]+\s*$", following) or (out and len(following) < 6):
                break  # the next numbered heading
            if 12 <= len(following) <= 160 and not _TOC_LINE.search(following):
                out.append(following)
            if len(out) >= limit:
                return out
        if out:
            return out
    return out


class ExampleSource(Protocol):
    def similar(self, query: str, *, exclude_notice: str | None = None,
                exclude_project: tuple[str, str] | None = None, k: int = 3) -> list[tuple[ExampleNotice, float]]: ...


class IndexedExamples:
    """The example collection searched with the hybrid retriever: chunks ranked for the
    query, grouped by notice (its best chunk's score), the excluded notice dropped, and the
    chosen notices read whole from the index (their requirement blocks and wording)."""

    def __init__(self, retriever: "HybridRetriever", collection: str) -> None:
        self._retriever = retriever
        self.collection = collection

    def available(self) -> bool:
        """Whether the collection holds any notice (it may not be indexed yet)."""
        try:
            return bool(self._retriever.fetch(self.collection, limit=1))
        except SeoulAssistError as exc:  # no such collection yet, or the store is unavailable
            log.info("유사 사업 컬렉션을 읽지 못함 (%s): %s", self.collection, exc)
            return False

    def similar(self, query: str, *, exclude_notice: str | None = None,
                exclude_project: tuple[str, str] | None = None, k: int = 3) -> list[tuple[ExampleNotice, float]]:
        hits = self._retriever.search(query, self.collection, k=SEARCH_DEPTH)
        best: dict[tuple[str, str], tuple[RetrievedChunk, float]] = {}
        for hit in hits:
            notice = _notice_of(hit)
            if exclude_notice and _same_notice(notice.notice_no, exclude_notice):
                continue
            if exclude_project and _same_project(notice, *exclude_project):
                continue
            key = (hit.source, hit.locator)
            if key not in best or hit.score > best[key][1]:
                best[key] = (hit, hit.score)
        ranked = sorted(best.values(), key=lambda pair: -pair[1])[:k]
        return [(self._whole(hit), round(score, 4)) for hit, score in ranked]

    def _whole(self, hit: RetrievedChunk) -> ExampleNotice:
        chunks = self._retriever.fetch(self.collection, flt=PointFilter(sources=(hit.source,)), limit=20_000)
        own = sorted((c for c in chunks if c.locator == hit.locator), key=lambda c: c.metadata.get("ordinal", 0))
        notice = _notice_of(hit)
        notice.text = "\n".join(c.text for c in own) or hit.text
        notice.requirement_names = requirement_names(notice.text)
        return notice


def _notice_of(hit: RetrievedChunk) -> ExampleNotice:
    meta = hit.metadata
    return ExampleNotice(notice_no=str(meta.get("공고번호", "")), project_name=str(meta.get("사업명", hit.locator)),
                         agency=str(meta.get("발주기관", "")), summary="", text="")


def find_examples(retriever: "HybridRetriever", collection: str | None,
                  corpus_roots: Sequence[Path]) -> tuple[ExampleSource | None, list[str]]:
    """Where the examples come from, and the assumption to state when not from the index:
    the indexed collection; else the CSV under a corpus root read in memory; else none."""
    if collection:
        indexed = IndexedExamples(retriever, collection)
        if indexed.available():
            return indexed, []
    fallback = example_index(corpus_roots)
    where = f"유사 사업 예시 컬렉션({collection or '없음'})이 색인되지 않아"
    if fallback is not None:
        return fallback, [f"{where} 코퍼스의 {EXAMPLES_FILE}을(를) 직접 읽어 찾았습니다 "
                          "(seoul-assist ingest --corpora로 색인하면 검색기로 찾습니다)."]
    return None, [f"{where} 유사 사업 예시 없이 작성했습니다 (seoul-assist ingest --corpora로 색인하세요)."]


_CACHE: dict[tuple[Path, float], ExampleIndex] = {}
_LOCK = threading.Lock()


def example_index(corpus_roots: Sequence[Path]) -> ExampleIndex | None:
    """The index of the examples file under the first corpus root that has it; None without one."""
    for root in corpus_roots:
        path = Path(root) / EXAMPLES_FILE
        if path.is_file():
            key = (path.resolve(), path.stat().st_mtime)
            with _LOCK:
                if key not in _CACHE:
                    _CACHE[key] = ExampleIndex(read_examples(path))
                return _CACHE[key]
    return None


def _same_project(notice: ExampleNotice, project_name: str, agency: str) -> bool:
    squash = lambda text: re.sub(r"\s+", "", text or "")  # noqa: E731
    return squash(notice.project_name) == squash(project_name) and squash(notice.agency) == squash(agency)


def _same_notice(a: str, b: str) -> bool:
    # "20241001798" and "20241001798-00" are one notice (차수 apart).
    return bool(a.strip()) and a.split("-")[0].strip() == str(b).split("-")[0].strip()
