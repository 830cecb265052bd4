"""DOCX export of an RFP draft, read back with python-docx and with the project's own reader."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from assistants.rfp.draft import AI_DRAFT_MARK
from assistants.rfp.export_blocks import RULE_TABLE_HEADER, SUMMARY_TABLE_HEADER
from assistants.rfp.export_docx import write_docx
from ingest.readers import read_document
from tests.assistants.rfp.export_sample import BUDGET_CHECK, requirement_ids, sample_draft


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    return write_docx(sample_draft(), tmp_path_factory.mktemp("docx") / "draft.docx")


@pytest.fixture(scope="module")
def document(exported):
    return docx.Document(str(exported))


def _styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _repeats_header(row) -> bool:
    trPr = row._tr.trPr
    flag = trPr.find(qn("w:tblHeader")) if trPr is not None else None
    return flag is not None and flag.get(qn("w:val"), "true") in ("true", "1", "on")


def test_sections_are_real_headings_by_level_and_body_text_is_not(document):
    assert _styled(document, "Heading 1")[:3] == ["Ⅰ 사업 안내", "Ⅳ 제안 요청 내용", "Ⅶ 제안 안내 사항"]
    assert {"Ⅰ-1 사업 개요", "Ⅳ-1 요구사항 총괄표", "Ⅳ-2 상세 요구사항", "Ⅶ-1 입찰 및 계약 방법"} <= set(
        _styled(document, "Heading 2"))
    assert "본 사업은 트랙운영 학사정보시스템을 고도화한다." in _styled(document, "Normal")


def test_summary_table_lists_every_requirement_with_a_repeated_header_row(document):
    draft = sample_draft()
    summary = next(t for t in document.tables if tuple(_rows(t)[0]) == SUMMARY_TABLE_HEADER)
    rows = _rows(summary)
    assert len(rows) == 1 + len(draft.requirements) == 61
    assert [row[1] for row in rows[1:]] == requirement_ids(draft)
    assert {row[0] for row in rows[1:]} == {"기능 요구사항 (SFR)", "성능 요구사항 (PER)", "보안 요구사항 (SER)"}
    assert _repeats_header(summary.rows[0])
    assert not any(_repeats_header(row) for row in summary.rows[1:])


def test_column_widths_are_in_the_table_grid_as_well_as_the_cells(document):
    # LibreOffice and 한글 lay a table out by its grid (w:gridCol), Word by its cells' widths:
    # the 명칭 column is the widest in both.
    summary = next(t for t in document.tables if tuple(_rows(t)[0]) == SUMMARY_TABLE_HEADER)
    grid = [int(col.get(qn("w:w"))) for col in summary._tbl.tblGrid.findall(qn("w:gridCol"))]
    cells = [cell.width for cell in summary.rows[1].cells]
    assert max(range(4), key=grid.__getitem__) == max(range(4), key=cells.__getitem__) == 2
    assert [round(g / sum(grid), 2) for g in grid] == [round(w / 14, 2) for w in (4, 2, 5, 3)]


def test_each_requirement_is_a_table_headed_by_its_id(document):
    blocks = {_rows(t)[0][1]: t for t in document.tables if _rows(t)[0][0] == "요구사항 고유번호"}
    assert list(blocks) == requirement_ids(sample_draft())
    first = _rows(blocks["SFR-001"])
    assert ["요구사항 정의", "학생별 트랙 이수 학점을 학기마다 집계해 학사정보시스템 화면 1에 표시한다"] in first
    assert ["세부내용", "- 트랙별 필수·선택 과목 이수 학점 집계\n- 졸업 요건 충족 여부 표시"] in first
    assert any(row[0] == "점검 결과" and "적절한" in row[1] for row in first)
    assert all(_repeats_header(t.rows[0]) for t in blocks.values())


def test_rule_facts_are_a_table_with_their_articles(document):
    table = next(t for t in document.tables if tuple(_rows(t)[0]) == RULE_TABLE_HEADER)
    by_key = {row[0]: row for row in _rows(table)[1:]}
    assert by_key["subcontract_cap_percent_of_sw_amount_excl_goods"][1:] == [
        "50", "하도급은 50%를 넘을 수 없다.", "소프트웨어 진흥법 제51조"]
    assert by_key["large_enterprise_restriction_applies"][1] == "[확인 필요: 판정 불가]"
    assert _repeats_header(table.rows[0])


def test_citations_and_needs_check_fields_are_visible(document):
    text = "\n".join(p.text for p in document.paragraphs)
    assert "[확인 필요: 사업 기간]" in text and BUDGET_CHECK in text
    assert "협상에 의한 계약으로 체결한다 [1]." in text
    assert "[1] 소프트웨어 진흥법 제49조 — “국가기관등의 장은" in text
    assert "[2] 국가를 당사자로 하는 계약에 관한 법률 시행령 제43조" in text
    assert "[확인 필요: 이 절은 생성 길이 한도에서 잘렸습니다" in text  # the truncated section


def test_unreviewed_draft_is_marked_in_banner_page_header_and_properties(document):
    assert AI_DRAFT_MARK in document.paragraphs[0].text
    assert AI_DRAFT_MARK in document.sections[0].header.paragraphs[0].text
    properties = document.core_properties
    assert properties.title == "트랙운영 학사정보시스템 고도화 제안요청서"
    assert properties.subject == AI_DRAFT_MARK
    assert "검토 전" in properties.keywords and "AI 생성" in properties.comments


def test_approved_draft_carries_the_approval_instead(tmp_path):
    document = docx.Document(str(write_docx(sample_draft(approved=True), tmp_path / "approved.docx")))
    properties = document.core_properties
    assert properties.subject == "AI 생성 · 김담당 검토 승인 (2026-12-01T10:30:00)"
    assert "검토 승인" in properties.keywords and "검토 전" not in properties.keywords
    assert properties.last_modified_by == "김담당"
    assert "김담당" in document.paragraphs[0].text and AI_DRAFT_MARK not in document.paragraphs[0].text
    assert "김담당" in document.sections[0].header.paragraphs[0].text


def test_the_projects_reader_finds_the_outline_and_requirement_ids(exported):
    parsed = read_document(exported, "draft.docx")
    paths = {section.heading_path for section in parsed.sections}
    assert ("Ⅳ 제안 요청 내용", "Ⅳ-1 요구사항 총괄표") in paths
    text = "\n".join(section.text for section in parsed.sections)
    assert all(requirement_id in text for requirement_id in requirement_ids(sample_draft()))
