"""Similar past notices: the rfp_examples collection searched with the hybrid retriever (the
CSV read in memory where it is not indexed), never the notice being drafted; the examples'
requirement blocks and wording in the draft, cited by 공고번호 and 사업명."""

from __future__ import annotations

import csv
from pathlib import Path

from appcontext import AppContext
from assistants.rfp.service import draft_from_data
from assistants.rfp.similar import EXAMPLES_FILE, IndexedExamples, example_index
from ingest.corpus import ingest_corpora

from .conftest import form

HEADER = ["공고 번호", "공고 차수", "사업명", "사업 금액", "발주 기관", "공개 일자", "입찰 참여 시작일", "입찰 참여 마감일",
          "사업 요약", "파일형식", "파일명", "텍스트"]
ROWS = [
    ["20240000001", "0.0", "도서관 좌석예약시스템 구축", "100000000.0", "가구청", "", "", "", "- 열람실 좌석 예약",
     "hwp", "a.hwp", "요구사항 목록\nSFR-001\n열람실 좌석 예약 기능\nSFR-002\n좌석 배정 통계"],
    ["20240000002", "0.0", "체육관 시설예약시스템 구축", "90000000.0", "나구청", "", "", "", "- 체육관 예약", "hwp", "b.hwp",
     "SFR-001\n체육관 예약 기능"],
    ["", "", "구립도서관 좌석예약 고도화", "80000000.0", "다구청", "", "", "", "- 좌석 예약 고도화", "hwp", "c.hwp", ""],
    ["20240000004", "0.0", "하수처리장 설비 교체", "900000000.0", "라공사", "", "", "", "- 펌프 교체", "pdf", "d.pdf", ""],
    ["20240000005", "0.0", "구립도서관 열람실 관리시스템 고도화", "120000000.0", "마구청", "", "", "", "- 열람실 이용 관리",
     "hwp", "e.hwp", "1\n구축목표\n열람실 좌석 현황을 실시간으로 안내하는 시스템 구현\n2\n기대효과\n좌석 경쟁 민원 감소\n"
     "SFR-001\n열람실 좌석 예약 현황 조회"],
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


def indexed_context(ctx: AppContext, root: Path) -> AppContext:
    reports = ingest_corpora(ctx.ingest, ctx.assistants, [write_examples(root)], assistants=["rfp"], progress=False)
    assert reports["rfp_examples"].added == [EXAMPLES_FILE]
    return ctx


def test_the_indexed_collection_is_searched_with_the_retriever_excluding_the_own_notice(ctx: AppContext,
                                                                                       tmp_path: Path):
    examples = IndexedExamples(indexed_context(ctx, tmp_path).retriever, "rfp_examples")
    query = "도서관 좌석예약시스템 열람실 좌석 예약"

    assert examples.available()
    found = examples.similar(query)
    assert found[0][0].notice_no == "20240000001"
    assert found[0][0].requirement_names[:2] == ["SFR-001 열람실 좌석 예약 기능", "SFR-002 좌석 배정 통계"]
    by_number = [n.notice_no for n, _ in examples.similar(query, exclude_notice="20240000001-00")]
    assert "20240000001" not in by_number and "20240000005" in by_number
    # A notice without a number is excluded by its 사업명 and 발주기관 (spacing aside).
    query = "구립도서관 좌석예약 고도화"
    assert "구립도서관 좌석예약 고도화" in [n.project_name for n, _ in examples.similar(query)]
    by_name = examples.similar(query, exclude_project=("구립도서관  좌석예약 고도화", "다구청"))
    assert "구립도서관 좌석예약 고도화" not in [n.project_name for n, _ in by_name]


def test_the_draft_uses_the_examples_blocks_and_wording_named_by_notice(ctx: AppContext, tmp_path: Path):
    indexed_context(ctx, tmp_path)
    draft = draft_from_data(ctx, form(notice_no="20240000001"), corpus_roots=[tmp_path])

    assert "20240000001" not in [s.notice_no for s in draft.similar]
    assert "20240000005" in [s.notice_no for s in draft.similar]
    sources = [r.source for r in draft.requirements]
    assert any("유사 사업 20240000005 구립도서관 열람실 관리시스템 고도화: SFR-001 열람실 좌석 예약 현황 조회" in s
               for s in sources), sources
    target = next(s for s in draft.sections if s.number == "Ⅲ-1")
    assert any(p.startswith("참고 — 유사 사업 20240000005 구립도서관 열람실 관리시스템 고도화의 구축 목표 문안: "
                            "“열람실 좌석 현황을 실시간으로 안내하는 시스템 구현”") for p in target.paragraphs)
    assert not any("색인되지 않아" in a for a in draft.assumptions)


def test_without_the_collection_the_csv_is_read_and_the_draft_says_so(ctx: AppContext, tmp_path: Path):
    draft = draft_from_data(ctx, form(notice_no="20240000001"), corpus_roots=[write_examples(tmp_path)])

    assert draft.similar and "20240000001" not in [s.notice_no for s in draft.similar]
    assert any("유사 사업 예시 컬렉션(rfp_examples)이 색인되지 않아 코퍼스의 rfp/codeit_rfp100_data_list.csv을(를) "
               "직접 읽어" in a for a in draft.assumptions)
    bare = draft_from_data(ctx, form(), corpus_roots=[tmp_path / "none"])
    assert not bare.similar and any("유사 사업 예시 없이 작성했습니다" in a for a in bare.assumptions)
