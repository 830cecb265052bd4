"""PDF reader through the registry: pages, wording, scans, encryption, damage."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from reader_fixtures import IMAGE, build_pdf, encrypt_pdf

from ingest.readers import read_document
from ingest.readers.safety import ReadLimits
from rag.errors import DocumentTooLarge, EmptyDocument, EncryptedDocument, UnsupportedFormat

ARTICLE = ["제1조(목적) 이 규정은 서울특별시 공무원의 복무에 관하여 정한다.", "연가는 21일로 한다.   "]
APPENDIX = ["부칙", "이 규정은 2024년 1월 1일부터 시행한다."]


def test_one_section_per_page_with_text_and_wording_kept(write):
    path = write("복무규정.pdf", build_pdf([ARTICLE, IMAGE, APPENDIX], title="서울특별시 복무 규정"))
    doc = read_document(path, "규정/복무규정.pdf")

    assert (doc.source, doc.format, doc.title) == ("규정/복무규정.pdf", "pdf", "서울특별시 복무 규정")
    assert [(s.page, s.locator) for s in doc.sections] == [(1, "p. 1"), (3, "p. 3")]
    # Trailing spaces go, the wording and line breaks stay.
    assert doc.sections[0].text == "제1조(목적) 이 규정은 서울특별시 공무원의 복무에 관하여 정한다.\n연가는 21일로 한다."
    assert doc.sections[1].text == "부칙\n이 규정은 2024년 1월 1일부터 시행한다."
    assert doc.warnings == ["p. 2: 텍스트 없음 (스캔 이미지일 수 있음)"]
    assert doc.metadata["pages"] == 3


def test_title_falls_back_to_the_file_name(write):
    doc = read_document(write("인사규칙.pdf", build_pdf([ARTICLE])), "인사규칙.pdf")
    assert doc.title == "인사규칙"


@pytest.mark.parametrize("metadata_title", ["doc.html", "규정 최종.HWP", "C:\\Users\\kim\\문서", "/tmp/x", "  "])
def test_a_file_name_as_metadata_title_gives_way_to_the_uploaded_name(write, metadata_title):
    # Printed to PDF from a browser or 한글, the title is the printed file: "doc.html p. 1".
    path = write("인사규칙.pdf", build_pdf([ARTICLE], title=metadata_title))
    assert read_document(path, "규정/인사규칙.pdf").title == "인사규칙"


SPACED = ["제3조(목적) 이 규정은 어린이집 및 그 밖의 시설에 적용한다.", "부칙 이 규정은 2024년 1월 1일부터 시행한다."]


def test_syllables_drawn_one_by_one_are_joined_but_word_spaces_stay(write):
    # 1.5 pt between syllables (pypdf reads a space into each), 6 pt at a word space.
    data = build_pdf([SPACED], glyph_gaps=(1.5, 6.0))
    path = write("spaced.pdf", data)
    assert PdfReader(path).pages[0].extract_text().startswith("제 3 조 ( 목 적 ) 이 규 정 은")

    doc = read_document(path, "spaced.pdf")
    assert doc.sections[0].text == "\n".join(SPACED)


def test_syllables_a_space_apart_stay_apart(write):
    # As wide as a word space: the layout cannot tell them from words, nothing is joined.
    doc = read_document(write("wide.pdf", build_pdf([SPACED], glyph_gaps=(6.0, 6.0))), "wide.pdf")
    assert doc.sections[0].text.startswith("제 3 조 ( 목 적 ) 이 규 정 은")


def test_leading_junk_before_the_header_is_tolerated(write):
    doc = read_document(write("a.pdf", build_pdf([ARTICLE], lead=b"\r\n\r\n")), "a.pdf")
    assert doc.sections[0].text.startswith("제1조(목적)")


def test_scanned_only_pdf_is_empty(write):
    with pytest.raises(EmptyDocument) as err:
        read_document(write("스캔.pdf", build_pdf([IMAGE, IMAGE])), "스캔.pdf")
    assert "OCR" in err.value.reason and "2쪽" in err.value.reason


def test_pdf_without_pages_is_empty(write):
    with pytest.raises(EmptyDocument):
        read_document(write("빈.pdf", build_pdf([])), "빈.pdf")


def test_password_protected_pdf_is_refused(write):
    data = encrypt_pdf(build_pdf([ARTICLE]), user_password="1234", owner_password="관리자")
    with pytest.raises(EncryptedDocument) as err:
        read_document(write("비밀.pdf", data), "비밀.pdf")
    assert "암호" in err.value.reason


def test_pdf_with_only_an_owner_password_is_read(write):
    # Print/edit restrictions with an empty open password: common in official PDFs.
    data = encrypt_pdf(build_pdf([ARTICLE]), user_password="", owner_password="관리자")
    doc = read_document(write("제한.pdf", data), "제한.pdf")
    assert doc.sections[0].text.startswith("제1조(목적) 이 규정은")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n" + b"\x8f garbage " * 50, build_pdf([ARTICLE])[:200]],
    ids=["garbage", "truncated"],
)
def test_damaged_pdf_is_unsupported(write, data):
    with pytest.raises(UnsupportedFormat) as err:
        read_document(write("깨짐.pdf", data), "깨짐.pdf")
    assert err.value.reason.startswith("PDF를 읽을 수 없습니다")


def test_page_limit(write):
    path = write("긴.pdf", build_pdf([ARTICLE, ARTICLE, ARTICLE]))
    with pytest.raises(DocumentTooLarge) as err:
        read_document(path, "긴.pdf", ReadLimits(max_pages=2))
    assert "3쪽" in err.value.reason
    assert len(read_document(path, "긴.pdf", ReadLimits(max_pages=3)).sections) == 3
