"""DOCX reader through the registry: document order, headings, tables, bad containers."""

from __future__ import annotations

import copy
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from reader_fixtures import add_zeros_entry, add_zip_entry

from ingest.readers import read_document
from rag.errors import EmptyDocument, UnsafeDocument, UnsupportedFormat


def _regulation(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "서울특별시 공무원 복무 규정"
    document.add_paragraph("이 문서는 예시입니다.")
    document.add_heading("제1장 총칙", level=1)
    document.add_paragraph("제1조(목적) 이 규정은 서울특별시 공무원의 복무에 관하여 정한다.")
    document.add_heading("제1절 연가", level=2)
    document.add_paragraph("연가는   21일로 한다.")
    table = document.add_table(rows=3, cols=3)
    for row, values in enumerate([("구분", "일수", "비고"), ("연가", "21일", "")]):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "병가"
    table.cell(2, 2).text = "60일"
    document.add_paragraph("표 다음 문단")
    korean = document.styles.add_style("제목 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("제2장 보칙", style=korean)
    document.add_paragraph("부칙 이 규정은 공포한 날부터 시행한다.")
    _wrap_in_content_control(document.add_paragraph("서식 안의 문단"))
    document.save(path)
    return path


def _wrap_in_content_control(paragraph) -> None:
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    sdt.append(content)
    paragraph._p.addprevious(sdt)
    content.append(copy.deepcopy(paragraph._p))
    paragraph._p.getparent().remove(paragraph._p)


def test_headings_tables_and_paragraphs_in_document_order(tmp_path):
    doc = read_document(_regulation(tmp_path / "복무규정.docx"), "복무규정.docx")

    assert (doc.format, doc.title) == ("docx", "서울특별시 공무원 복무 규정")
    assert [(s.heading_path, s.locator, s.text) for s in doc.sections] == [
        ((), "", "이 문서는 예시입니다."),
        (("제1장 총칙",), "제1장 총칙", "제1조(목적) 이 규정은 서울특별시 공무원의 복무에 관하여 정한다."),
        (
            ("제1장 총칙", "제1절 연가"),
            "제1절 연가",
            "연가는   21일로 한다.\n구분 | 일수 | 비고\n연가 | 21일 |\n병가 | 60일\n표 다음 문단",
        ),
        (("제2장 보칙",), "제2장 보칙", "부칙 이 규정은 공포한 날부터 시행한다.\n서식 안의 문단"),
    ]


def test_title_falls_back_to_file_name(tmp_path):
    path = tmp_path / "인사규칙.docx"
    document = docx.Document()
    document.add_paragraph("본문")
    document.save(path)
    assert read_document(path, "인사규칙.docx").title == "인사규칙"


def test_docx_without_text_is_empty(tmp_path):
    path = tmp_path / "빈.docx"
    docx.Document().save(path)
    with pytest.raises(EmptyDocument):
        read_document(path, "빈.docx")


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    path = _regulation(tmp_path / "폭탄.docx")
    add_zeros_entry(path, "word/media/image1.bin")
    with pytest.raises(UnsafeDocument) as err:
        read_document(path, "폭탄.docx")
    assert "압축 폭탄" in err.value.reason


def test_path_traversal_entry_is_refused(tmp_path):
    path = _regulation(tmp_path / "경로.docx")
    add_zip_entry(path, "../../evil.xml")
    with pytest.raises(UnsafeDocument):
        read_document(path, "경로.docx")


def test_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "가짜.docx"
    add_zip_entry(path, "readme.txt", "안녕하세요".encode())
    with pytest.raises(UnsupportedFormat) as err:
        read_document(path, "가짜.docx")
    assert err.value.reason.startswith("DOCX를 읽을 수 없습니다")
    # python-docx's own words ("There is no item named 'word/document.xml' in the archive")
    # are for the log, not for the uploader.
    assert "archive" not in err.value.reason and "item" not in err.value.reason


def test_truncated_docx_is_unsupported(tmp_path, write):
    data = _regulation(tmp_path / "원본.docx").read_bytes()
    with pytest.raises(UnsupportedFormat):
        read_document(write("잘림.docx", data[: len(data) // 2]), "잘림.docx")
