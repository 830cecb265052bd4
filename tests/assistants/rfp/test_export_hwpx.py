"""HWPX export of an RFP draft, read back with python-hwpx and with the project's own HWPX
reader (ingest/readers/hwpx.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hwpx import HwpxDocument
from hwpx.tools.package_validator import validate_package

from assistants.rfp.draft import AI_DRAFT_MARK
from assistants.rfp.export_blocks import RULE_TABLE_HEADER, SUMMARY_TABLE_HEADER
from assistants.rfp.export_hwpx import write_hwpx
from ingest.readers import read_document
from tests.assistants.rfp.export_sample import BUDGET_CHECK, requirement_ids, sample_draft


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    return write_hwpx(sample_draft(), tmp_path_factory.mktemp("hwpx") / "draft.hwpx")


@pytest.fixture(scope="module")
def document(exported):
    return HwpxDocument.open(str(exported))


def _local(element) -> str:
    return element.tag.rpartition("}")[2]


def _paragraph_styles(document) -> dict[str, tuple[str, str]]:
    """Text of each body paragraph -> (style name, outline type of its paragraph shape)."""
    styles = document.oxml.styles
    found = {}
    for paragraph in document.paragraphs:
        shape = document.oxml.paragraph_property(paragraph.para_pr_id_ref)
        style = styles[paragraph.element.get("styleIDRef", "0")]
        found[paragraph.text] = (style.name, shape.heading.type if shape.heading is not None else "NONE")
    return found


def _tables(document) -> list:
    return [e for section in document.sections for e in section.element.iter() if _local(e) == "tbl"]


def _rows(table) -> list[list[str]]:
    rows = []
    for tr in (e for e in table if _local(e) == "tr"):
        cells = [e for e in tr if _local(e) == "tc"]
        rows.append(["\n".join("".join(t.text or "" for t in c.iter() if _local(t) == "t") for c in [cell])
                     for cell in cells])
    return rows


def _header_cells(table) -> list[str]:
    first_row = next(e for e in table if _local(e) == "tr")
    return [cell.get("header") for cell in first_row if _local(cell) == "tc"]


def test_validate_passes(document, exported):
    assert document.validate().ok
    assert validate_package(str(exported)).ok


def test_headings_use_outline_styles_and_body_text_the_body_style(document):
    styles = _paragraph_styles(document)
    assert styles["Ⅰ 사업 안내"] == ("개요 1", "OUTLINE")
    assert styles["Ⅳ-1 요구사항 총괄표"] == ("개요 2", "OUTLINE")
    assert styles["Ⅶ-2 유의사항"] == ("개요 2", "OUTLINE")
    # The paragraph right after a heading must not inherit the heading's style.
    assert styles["본 사업은 트랙운영 학사정보시스템을 고도화한다."] == ("본문", "NONE")
    assert styles["요구사항은 아래와 같다."] == ("본문", "NONE")
    headings = {text for text, (name, _) in styles.items() if name.startswith("개요")}
    assert not any("[1]" in text or text.startswith("- ") for text in headings)


def test_tables_flow_across_pages_with_a_repeated_header_row(document):
    tables = _tables(document)
    summary = next(t for t in tables if tuple(_rows(t)[0]) == SUMMARY_TABLE_HEADER)
    assert summary.get("rowCnt") == "61"
    assert [row[1] for row in _rows(summary)[1:]] == requirement_ids(sample_draft())
    for table in tables:
        assert table.get("repeatHeader") == "1"
        assert set(_header_cells(table)) == {"1"}
        assert table.get("pageBreak") in ("CELL", "TABLE")
        position = next(e for e in table if _local(e) == "pos")
        assert position.get("treatAsChar") == "0"  # a table laid out as a character never splits


def test_requirement_blocks_and_rule_facts_are_tables(document):
    tables = _tables(document)
    blocks = [_rows(t)[0][1] for t in tables if _rows(t)[0][0] == "요구사항 고유번호"]
    assert blocks == requirement_ids(sample_draft())
    rules = next(t for t in tables if tuple(_rows(t)[0]) == RULE_TABLE_HEADER)
    assert ["defect_liability_years", "1", "하자담보책임기간은 1년이다.", "소프트웨어 진흥법 제60조"] in _rows(rules)


def test_unreviewed_draft_is_marked_in_banner_and_document_information(document):
    body = [p.text for p in document.paragraphs if p.text]
    assert body[0].startswith(f"【{AI_DRAFT_MARK}】")
    metadata = document.parts.metadata
    assert metadata.title == "트랙운영 학사정보시스템 고도화 제안요청서"
    assert metadata.subject == AI_DRAFT_MARK and "검토 전" in metadata.keyword
    assert metadata.creator == "seoul-assist AI (extractive)"


def test_approved_draft_carries_the_approval_instead(tmp_path):
    document = HwpxDocument.open(str(write_hwpx(sample_draft(approved=True), tmp_path / "approved.hwpx")))
    assert document.parts.metadata.subject == "AI 생성 · 김담당 검토 승인 (2026-12-01T10:30:00)"
    assert "검토 전" not in document.parts.metadata.keyword
    banner = next(p.text for p in document.paragraphs if p.text)
    assert "김담당" in banner and AI_DRAFT_MARK not in banner


def test_the_projects_reader_sees_headings_ids_and_marks(exported):
    parsed = read_document(exported, "draft.hwpx")
    assert parsed.title == "트랙운영 학사정보시스템 고도화 제안요청서"
    paths = [section.heading_path for section in parsed.sections]
    assert ("Ⅰ 사업 안내", "Ⅰ-1 사업 개요") in paths
    assert ("Ⅳ 제안 요청 내용", "Ⅳ-2 상세 요구사항") in paths
    assert ("[참고] 초안 검토 자료", "법령 적용 사항 (코드 계산·조문 인용)") in paths
    # Body paragraphs are text under their heading, never headings themselves.
    assert all(len(path) <= 2 for path in paths)
    overview = next(s for s in parsed.sections if s.heading_path == ("Ⅰ 사업 안내",))
    assert overview.text == "본 사업은 트랙운영 학사정보시스템을 고도화한다."
    text = "\n".join(section.text for section in parsed.sections)
    assert all(f"| {requirement_id} |" in text for requirement_id in requirement_ids(sample_draft()))
    assert "요구사항 고유번호 | SER-002" in text
    assert "[확인 필요: 사업 기간]" in text and BUDGET_CHECK in text
    assert AI_DRAFT_MARK in parsed.sections[0].text
