"""The checks every file passes before its reader: size, magic bytes, zip, names."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest
from reader_fixtures import add_zeros_entry, build_pdf

from ingest.readers import read_document
from ingest.readers.safety import ReadLimits, check_file, check_zip, safe_source_name
from rag.errors import DocumentTooLarge, EmptyDocument, UnsafeDocument, UnsupportedFormat

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_unknown_extension_is_refused_with_the_supported_list(write):
    path = write("보고서.xyz", b"%PDF-1.7\n")
    with pytest.raises(UnsupportedFormat) as err:
        read_document(path, "보고서.xyz")
    assert ".xyz" in err.value.reason
    assert ".hwp" in err.value.reason and ".pdf" in err.value.reason
    assert err.value.path == "보고서.xyz"


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "대용량.pdf"
    with path.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no disk, no time
    with pytest.raises(DocumentTooLarge) as err:
        read_document(path, "대용량.pdf")
    assert err.value.reason == "파일이 너무 큽니다 (200.0 MB, 한도 100.0 MB)"


def test_size_limit_is_configurable(write):
    path = write("a.pdf", build_pdf([["본문"]]))
    with pytest.raises(DocumentTooLarge):
        read_document(path, "a.pdf", ReadLimits(max_file_bytes=100))


@pytest.mark.parametrize("name", ["빈.pdf", "빈.docx", "빈.hwpx", "빈.hwp", "빈.md"])
def test_zero_byte_file_is_empty(write, name):
    with pytest.raises(EmptyDocument):
        read_document(write(name, b""), name)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("zip.pdf", b"PK\x03\x04" + bytes(60), "ZIP"),
        ("text.docx", "그냥 텍스트입니다".encode(), "DRM"),
        ("pdf.hwpx", b"%PDF-1.7\n", "PDF"),
        ("zip.hwp", b"PK\x03\x04" + bytes(60), "ZIP"),
        ("ole.docx", OLE2 + bytes(504), "암호화된 DOCX"),
        ("old.hwp", b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + bytes(40), "HWP 3.0"),
    ],
)
def test_content_must_match_the_extension(write, name, content, expected):
    with pytest.raises(UnsupportedFormat) as err:
        read_document(write(name, content), name)
    assert expected in err.value.reason


def test_pdf_header_may_follow_a_little_junk(write):
    limits = ReadLimits()
    check_file(write("ok.pdf", b"\r\n" * 100 + b"%PDF-1.4\n"), "ok.pdf", ".pdf", limits)
    with pytest.raises(UnsupportedFormat):
        check_file(write("far.pdf", b" " * 2000 + b"%PDF-1.4\n"), "far.pdf", ".pdf", limits)


@pytest.mark.parametrize(
    ("content", "expected"),
    [("복무 규정".encode("cp949"), "CP949"), ("복무 규정".encode("utf-16"), "NUL")],
)
def test_text_files_must_be_utf8(write, content, expected):
    with pytest.raises(UnsupportedFormat) as err:
        check_file(write("규정.txt", content), "규정.txt", ".txt", ReadLimits())
    assert expected in err.value.reason


def test_utf8_text_passes(write):
    check_file(write("규정.md", "# 복무 규정\n제1조".encode()), "규정.md", ".md", ReadLimits())


def _zip(tmp_path: Path, names: list[str]) -> zipfile.ZipFile:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.writestr(name, "<x/>" * 10)
    return zipfile.ZipFile(path)


@pytest.mark.parametrize(
    "name", ["../../evil.xml", "word/../../evil.xml", "/etc/passwd", "C:\\evil.xml", "a\\..\\..\\b"]
)
def test_zip_entry_names_outside_the_container_are_unsafe(tmp_path, name):
    with _zip(tmp_path, ["word/document.xml", name]) as zf, pytest.raises(UnsafeDocument) as err:
        check_zip(zf, "x.docx", ReadLimits())
    assert "안전하지 않습니다" in err.value.reason


def test_ordinary_zip_passes(tmp_path):
    with _zip(tmp_path, ["word/document.xml", "word/..styles.xml"]) as zf:
        check_zip(zf, "x.docx", ReadLimits())


def test_too_many_zip_entries(tmp_path):
    with _zip(tmp_path, [f"part{i}.xml" for i in range(6)]) as zf, pytest.raises(UnsafeDocument) as err:
        check_zip(zf, "x.docx", ReadLimits(max_zip_entries=5))
    assert "6개" in err.value.reason


def test_highly_compressed_entry_is_a_bomb(tmp_path):
    path = tmp_path / "bomb.zip"
    add_zeros_entry(path, "zeros.bin")
    with zipfile.ZipFile(path) as zf, pytest.raises(UnsafeDocument) as err:
        check_zip(zf, "bomb.docx", ReadLimits())
    assert "압축률" in err.value.reason


def test_total_uncompressed_size_is_capped(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(3):
            zf.writestr(f"part{i}.bin", bytes(400 * 1024))
    with zipfile.ZipFile(path) as zf:
        check_zip(zf, "big.docx", ReadLimits(max_uncompressed_bytes=2 * 1024 * 1024))
        with pytest.raises(UnsafeDocument) as err:
            check_zip(zf, "big.docx", ReadLimits(max_uncompressed_bytes=1024 * 1024))
    assert "압축을 풀면 너무 큽니다" in err.value.reason


@pytest.mark.parametrize(
    "name",
    ["../etc/passwd", "규정/../../etc/passwd", "/etc/passwd", "\\\\server\\share\\a.pdf", "C:\\규정.hwp",
     "a\x00.pdf", "", "   ", "./", "줄\n바꿈.pdf", "보고서\u202efdp.exe"],
)
def test_unsafe_upload_names_are_refused(name):
    with pytest.raises(UnsafeDocument):
        safe_source_name(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("규정/복무 규정.hwp", "규정/복무 규정.hwp"),
        ("규정\\2024\\복무.pdf", "규정/2024/복무.pdf"),
        ("./규정//복무.pdf", "규정/복무.pdf"),
        ("..복무.pdf", "..복무.pdf"),
        ("복무\u3000규정.pdf", "복무\u3000규정.pdf"),
    ],
)
def test_upload_names_are_normalised(name, expected):
    assert safe_source_name(name) == expected


def test_decomposed_korean_names_become_composed():
    # macOS sends NFD; the same name typed on Windows is NFC.
    nfd = unicodedata.normalize("NFD", "복무규정.hwp")
    assert nfd != "복무규정.hwp"
    assert safe_source_name(nfd) == "복무규정.hwp"
