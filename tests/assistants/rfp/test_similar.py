"""Similar past notices from the examples CSV, never the notice being drafted."""

from __future__ import annotations

import csv
from pathlib import Path

from assistants.rfp.similar import EXAMPLES_FILE, example_index

HEADER = ["공고 번호", "공고 차수", "사업명", "사업 금액", "발주 기관", "공개 일자", "입찰 참여 시작일", "입찰 참여 마감일",
          "사업 요약", "파일형식", "파일명", "텍스트"]
ROWS = [
    ["20240000001", "0.0", "도서관 좌석예약시스템 구축", "100000000.0", "가구청", "", "", "", "- 열람실 좌석 예약",
     "hwp", "a.hwp", "요구사항 목록\nSFR-001\n열람실 좌석 예약 기능\nSFR-002\n좌석 배정 통계"],
    ["20240000002", "0.0", "체육관 시설예약시스템 구축", "90000000.0", "나구청", "", "", "", "- 체육관 예약", "hwp", "b.hwp",
     "SFR-001\n체육관 예약 기능"],
    ["", "", "구립도서관 좌석예약 고도화", "80000000.0", "다구청", "", "", "", "- 좌석 예약 고도화", "hwp", "c.hwp", ""],
    ["20240000004", "0.0", "하수처리장 설비 교체", "900000000.0", "라공사", "", "", "", "- 펌프 교체", "pdf", "d.pdf", ""],
]


def write_examples(root: Path) -> Path:
    path = root / EXAMPLES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return root


def test_the_most_similar_notices_come_first_with_their_requirement_names(tmp_path: Path):
    index = example_index([tmp_path / "none", write_examples(tmp_path)])
    found = index.similar("도서관 좌석예약시스템 열람실 좌석 예약")
    assert found[0][0].notice_no == "20240000001"
    assert found[0][0].requirement_names[:2] == ["SFR-001 열람실 좌석 예약 기능", "SFR-002 좌석 배정 통계"]
    assert "20240000004" not in [n.notice_no for n, _ in found]


def test_the_notice_being_drafted_is_excluded_by_number_or_by_name(tmp_path: Path):
    index = example_index([write_examples(tmp_path)])
    by_number = index.similar("도서관 좌석예약시스템 열람실 좌석 예약", exclude_notice="20240000001")
    assert "20240000001" not in [n.notice_no for n, _ in by_number] and by_number
    by_name = index.similar("구립도서관 좌석예약 고도화", exclude_project=("구립도서관 좌석예약 고도화", "다구청"))
    assert "구립도서관 좌석예약 고도화" not in [n.project_name for n, _ in by_name]
    assert "구립도서관 좌석예약 고도화" in [n.project_name for n, _ in index.similar("구립도서관 좌석예약 고도화")]


def test_without_the_file_there_are_no_examples(tmp_path: Path):
    assert example_index([tmp_path]) is None
