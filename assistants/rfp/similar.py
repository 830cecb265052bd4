"""Similar past RFPs as examples: the 100 real 2024 notices of
`rfp/codeit_rfp100_data_list.csv` (under a corpus root), one document per row with its
공고번호 and 사업명, ranked by BM25 over the words of 사업명, 사업 요약 and text. A draft
cites the notices it used by 공고번호 and 사업명; the notice being drafted (same 공고번호)
is never its own example, or an evaluation would score a copy.

The examples are kept in memory per process (read once per file version): a collection of
their own, apart from the statutes, that chat never searches."""

from __future__ import annotations

import csv
import math
import re
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .draft import SimilarNotice
from .requirements import specific_words

EXAMPLES_FILE = "rfp/codeit_rfp100_data_list.csv"
_REQUIREMENT = re.compile(r"\b([A-Z]{3})-(\d{2,3})\b\s*\n?\s*([^\n]{4,80})")


@dataclass
class ExampleNotice:
    notice_no: str
    project_name: str
    agency: str
    summary: str
    text: str
    requirement_names: list[str] = field(default_factory=list)  # "SFR-001 이용자 페이지 전면 개편 …"


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
            requirement_names=[f"{m.group(1)}-{m.group(2)} {m.group(3).strip()}" for m in _REQUIREMENT.finditer(text)][:40],
        ))
    return notices


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
