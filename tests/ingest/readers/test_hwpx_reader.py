"""HWPX reader through the registry: sections, outline headings, tables, unsafe XML."""

from __future__ import annotations

import pytest
from reader_fixtures import (
    add_zeros_entry,
    add_zip_entry,
    build_hwpx,
    hwpx_paragraph,
    hwpx_section,
    replace_zip_entry,
)

from ingest.readers import read_document
from rag.errors import EmptyDocument, EncryptedDocument, UnsafeDocument, UnsupportedFormat

EXPECTED_REGULATION = [
    ((), "section 1", "서울특별시 공무원 복무 규정"),
    (("제1장 총칙",), "제1장 총칙", "제1조(목적) 이 규정은 서울특별시 공무원의 복무에 관하여 정한다."),
    (("제1장 총칙", "제1절 연가"), "제1절 연가", "연가는   21일로 한다.\n구분 | 일수\n연가 | 21일\n표 다음 문단"),
    # The second HWP section continues under the last heading of the first.
    (("제2장 보칙",), "제2장 보칙", "부칙 이 규정은 공포한 날부터 시행한다."),
]


def test_hancom_document_with_headings_and_table(office_docs, write):
    doc = read_document(write("복무규정.hwpx", office_docs[".hwpx"]), "규정/복무규정.hwpx")
    assert (doc.source, doc.format, doc.title) == ("규정/복무규정.hwpx", "hwpx", "복무규정")
    assert [(s.heading_path, s.locator, s.text) for s in doc.sections] == EXPECTED_REGULATION


def test_sections_follow_the_manifest_spine(tmp_path):
    path = tmp_path / "순서.hwpx"
    build_hwpx(
        path,
        {"Contents/section0.xml": hwpx_section(hwpx_paragraph("나중")),
         "Contents/section1.xml": hwpx_section(hwpx_paragraph("먼저"))},
        spine=["Contents/section1.xml", "Contents/section0.xml"],
    )
    doc = read_document(path, "순서.hwpx")
    assert [(s.locator, s.text) for s in doc.sections] == [("section 1", "먼저"), ("section 2", "나중")]
    assert doc.title == "규정집"


def test_without_manifest_sections_are_in_numeric_order(tmp_path):
    path = tmp_path / "번호.hwpx"
    build_hwpx(path, {f"Contents/section{i}.xml": hwpx_section(hwpx_paragraph(f"구역{i}")) for i in (10, 2, 0)})
    doc = read_document(path, "번호.hwpx")
    assert [s.text for s in doc.sections] == ["구역0", "구역2", "구역10"]


def test_inline_characters_and_nested_text(tmp_path):
    body = (
        '<hp:p><hp:run><hp:t>제1조<hp:tab/>목적<hp:lineBreak/>둘째 줄</hp:t></hp:run>'
        '<hp:run><hp:t>이어서</hp:t></hp:run></hp:p>'
        '<hp:p><hp:run><hp:rect><hp:drawText><hp:subList>'
        f'{hwpx_paragraph("글상자 안의 문장")}</hp:subList></hp:drawText></hp:rect></hp:run></hp:p>'
    )
    path = tmp_path / "글상자.hwpx"
    build_hwpx(path, {"Contents/section0.xml": hwpx_section(body)})
    doc = read_document(path, "글상자.hwpx")
    assert doc.sections[0].text == "제1조\t목적\n둘째 줄이어서\n글상자 안의 문장"


def test_doctype_entities_are_refused(tmp_path):
    laughs = '<!DOCTYPE sec [<!ENTITY a "하하"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = tmp_path / "엔티티.hwpx"
    build_hwpx(path, {"Contents/section0.xml": hwpx_section(hwpx_paragraph("&b;"), prolog=laughs)})
    with pytest.raises(UnsafeDocument) as err:
        read_document(path, "엔티티.hwpx")
    assert "DTD" in err.value.reason


def test_zip_bomb_is_refused(office_docs, write):
    path = write("폭탄.hwpx", office_docs[".hwpx"])
    add_zeros_entry(path, "BinData/image1.bmp")
    with pytest.raises(UnsafeDocument):
        read_document(path, "폭탄.hwpx")


def test_path_traversal_entry_is_refused(office_docs, write):
    path = write("경로.hwpx", office_docs[".hwpx"])
    add_zip_entry(path, "../../evil.xml")
    with pytest.raises(UnsafeDocument):
        read_document(path, "경로.hwpx")


def test_password_protected_hwpx_is_refused(office_docs, write):
    path = write("암호.hwpx", office_docs[".hwpx"])
    replace_zip_entry(
        path,
        "META-INF/manifest.xml",
        b'<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<odf:file-entry odf:full-path="Contents/section0.xml"><odf:encryption-data/></odf:file-entry></odf:manifest>',
    )
    with pytest.raises(EncryptedDocument):
        read_document(path, "암호.hwpx")


def test_malformed_section_xml_is_unsupported(tmp_path):
    path = tmp_path / "깨짐.hwpx"
    build_hwpx(path, {"Contents/section0.xml": "<hs:sec><hp:p>"})
    with pytest.raises(UnsupportedFormat):
        read_document(path, "깨짐.hwpx")


def test_package_without_sections_is_unsupported(tmp_path):
    path = tmp_path / "본문없음.hwpx"
    build_hwpx(path, {"Contents/header.xml": "<head/>"})
    with pytest.raises(UnsupportedFormat) as err:
        read_document(path, "본문없음.hwpx")
    assert "section" in err.value.reason


def test_document_without_text_is_empty(tmp_path):
    path = tmp_path / "빈.hwpx"
    build_hwpx(path, {"Contents/section0.xml": hwpx_section(hwpx_paragraph(""))})
    with pytest.raises(EmptyDocument):
        read_document(path, "빈.hwpx")
