"""A table of past notices (CSV): one section per row carrying its 공고번호, 사업명 and
발주기관 into every chunk's payload; found only where a folder entry names the file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from appcontext import AppContext
from ingest.chunking import chunk_document
from ingest.discovery import discover
from ingest.readers import SUPPORTED_EXTENSIONS, read_document
from rag.errors import UnsupportedFormat

HEADER = ["공고 번호", "공고 차수", "사업명", "사업 금액", "발주 기관", "사업 요약", "텍스트"]
ROWS = [["20240000001", "0.0", "도서관 좌석예약시스템 구축", "1", "가구청", "- 열람실 좌석 예약",
         "구축목표\n열람실 좌석 예약 시스템 구현\n" + "좌석 배정 통계 화면을 제공한다. " * 60],
        ["", "", "체육관 시설예약시스템 구축", "1", "나구청", "- 체육관 예약", "SFR-001\n체육관 예약 기능"],
        ["20240000003", "0.0", "빈 행", "1", "다구청", "", ""]]


def write_notices(path: Path, header: list[str] = HEADER, rows: list[list[str]] = ROWS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_one_section_per_notice_with_its_metadata_in_every_chunk(tmp_path: Path):
    doc = read_document(write_notices(tmp_path / "rfp" / "notices.csv"), "rfp/notices.csv")

    assert doc.format == "notices"
    assert [s.locator for s in doc.sections] == ["20240000001", "체육관 시설예약시스템 구축"]  # the empty row skipped
    assert doc.sections[0].text.startswith("- 열람실 좌석 예약\n\n구축목표")
    chunks = chunk_document(doc, max_chars=300)
    first = [c for c in chunks if c.locator == "20240000001"]
    assert len(first) > 1
    assert all(c.metadata == {"공고번호": "20240000001", "사업명": "도서관 좌석예약시스템 구축", "발주기관": "가구청"}
               for c in first)
    assert [c.metadata for c in chunks if c.locator != "20240000001"] == [
        {"사업명": "체육관 시설예약시스템 구축", "발주기관": "나구청"}]


def test_a_csv_that_is_not_a_notice_table_is_refused_naming_the_columns(tmp_path: Path):
    path = write_notices(tmp_path / "budget.csv", ["항목", "금액"], [["서버", "100"]])

    with pytest.raises(UnsupportedFormat, match="공고 목록 CSV가 아닙니다: 사업명, 텍스트 열이 없습니다"):
        read_document(path, "budget.csv")


def test_a_notice_table_is_read_only_where_a_folder_entry_names_it(tmp_path: Path):
    write_notices(tmp_path / "rfp" / "notices.csv")
    (tmp_path / "rfp" / "guide.md").write_text("# 안내\n\n본문", encoding="utf-8")

    in_folder, skipped = discover(tmp_path, ["rfp"])
    named, _ = discover(tmp_path, ["rfp/notices.csv"])

    assert [f.source for f in in_folder] == ["rfp/guide.md"] and [p.name for p in skipped] == ["notices.csv"]
    assert [f.source for f in named] == ["rfp/notices.csv"]
    assert ".csv" not in SUPPORTED_EXTENSIONS  # not an upload format


def test_the_payload_carries_the_notice_so_a_search_hit_names_it(ctx: AppContext, tmp_path: Path):
    write_notices(tmp_path / "rfp" / "notices.csv")
    files, _ = discover(tmp_path, ["rfp/notices.csv"])
    report = ctx.ingest.ingest("notices", tmp_path, files, progress=False)

    assert report.added == ["rfp/notices.csv"] and not report.failed
    hit = ctx.retriever.search("체육관 예약", "notices", k=1, mode="sparse")[0]
    assert (hit.locator, hit.metadata["사업명"], hit.metadata["발주기관"]) == ("체육관 시설예약시스템 구축",
                                                                          "체육관 시설예약시스템 구축", "나구청")
    assert "공고번호" not in hit.metadata
    hit = ctx.retriever.search("열람실 좌석 배정", "notices", k=1, mode="sparse")[0]
    assert hit.metadata["공고번호"] == "20240000001"
