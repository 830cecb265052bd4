"""A table of past procurement notices (CSV, UTF-8 with or without BOM), such as the 100 real
2024 RFPs of ``rfp/codeit_rfp100_data_list.csv``: one section per row (one notice), its
text chunked like any document, each chunk carrying the row's 공고번호, 사업명 and 발주기관
so a search hit names the notice it came from.

The file stays the unit of ingestion (its hash decides re-reading, its removal removes every
notice); a row is the unit of retrieval. A CSV without the columns a notice needs is refused
naming them, so an unrelated table is never indexed as notices."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path, PurePosixPath

from rag.documents import ParsedDocument, Section
from rag.errors import EmptyDocument, UnsupportedFormat

from .safety import ReadLimits

#: The payload keys a notice's chunks carry (read back as RetrievedChunk.metadata).
NOTICE_KEYS = ("공고번호", "사업명", "발주기관")
#: Column names as notice tables write them, per key.
_COLUMNS = {"공고번호": ("공고 번호", "공고번호"), "사업명": ("사업명",), "발주기관": ("발주 기관", "발주기관"),
            "요약": ("사업 요약", "사업요약"), "텍스트": ("텍스트", "본문")}


def read(path: Path, source: str, limits: ReadLimits | None = None) -> ParsedDocument:
    return parse(path.read_text(encoding="utf-8-sig"), source)


def parse(text: str, source: str) -> ParsedDocument:
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(io.StringIO(text))
    columns = {key: next((c for c in names if c in (reader.fieldnames or ())), None) for key, names in _COLUMNS.items()}
    missing = [key for key in ("사업명", "텍스트") if columns[key] is None]
    if missing:
        raise UnsupportedFormat(source, f"공고 목록 CSV가 아닙니다: {', '.join(missing)} 열이 없습니다 "
                                        f"(필요한 열: 공고 번호, 사업명, 발주 기관, 텍스트)")
    sections: list[Section] = []
    for row in reader:
        value = lambda key: re.sub(r"\s+", " ", row.get(columns[key] or "", "") or "").strip()  # noqa: E731
        name, body = value("사업명"), (row.get(columns["텍스트"]) or "").strip()
        summary = (row.get(columns["요약"] or "") or "").strip()
        if not name or not (body or summary):
            continue
        notice_no = value("공고번호")
        # The 사업 요약 leads: it is the row's own abstract, and the text may be only its first pages.
        sections.append(Section(
            text="\n\n".join(part for part in (summary, body) if part), locator=notice_no or name,
            heading_path=(name,),
            metadata=tuple((k, v) for k, v in (("공고번호", notice_no), ("사업명", name), ("발주기관", value("발주기관"))) if v),
        ))
    if not sections:
        raise EmptyDocument(source, "공고 목록 CSV에 사업명과 텍스트가 있는 행이 없습니다")
    return ParsedDocument(source=source, title=PurePosixPath(source).stem, format="notices", sections=sections)
