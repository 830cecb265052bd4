"""HWP 5.0 reader through the registry: records, control characters, tables, locks."""

from __future__ import annotations

import struct

import pytest
from reader_fixtures import (
    HWP_FLAG_COMPRESSED,
    HWP_FLAG_DISTRIBUTION,
    HWP_FLAG_PASSWORD,
    build_hwp,
    hwp_control,
    hwp_paragraph,
    hwp_record,
    set_hwp_flags,
)

from ingest.readers import hwp, read_document
from ingest.readers.safety import ReadLimits
from rag.errors import EmptyDocument, EncryptedDocument, UnsafeDocument, UnsupportedFormat

CTRL_HEADER, LIST_HEADER, STYLE = 0x47, 0x48, 0x1A


def test_hancom_document_with_headings_and_table(office_docs, write):
    doc = read_document(write("복무규정.hwp", office_docs[".hwp"]), "규정/복무규정.hwp")
    assert (doc.source, doc.format, doc.title) == ("규정/복무규정.hwp", "hwp", "복무규정")
    assert doc.metadata["hwp_version"].startswith("5.")
    assert [(s.heading_path, s.locator, s.text) for s in doc.sections] == [
        ((), "section 1", "서울특별시 공무원 복무 규정"),
        (("제1장 총칙",), "제1장 총칙", "제1조(목적) 이 규정은 서울특별시 공무원의 복무에 관하여 정한다."),
        (("제1장 총칙", "제1절 연가"), "제1절 연가", "연가는   21일로 한다.\n구분 | 일수\n연가 | 21일\n표 다음 문단"),
        (("제2장 보칙",), "제2장 보칙", "부칙 이 규정은 공포한 날부터 시행한다."),
    ]


def test_same_sections_as_the_hwpx_of_the_same_document(office_docs, write):
    hwp = read_document(write("a.hwp", office_docs[".hwp"]), "a.hwp")
    hwpx = read_document(write("a.hwpx", office_docs[".hwpx"]), "a.hwpx")
    assert hwp.sections == hwpx.sections


def _style(local: str, english: str) -> bytes:
    names = b"".join(struct.pack("<H", len(n)) + n.encode("utf-16-le") for n in (local, english))
    return hwp_record(STYLE, 1, names + bytes(10))


def _controls_body() -> bytes:
    text = "".encode("utf-16-le").join(
        [
            "제1조".encode("utf-16-le"),
            hwp_control(9),  # tab: inline, 8 units
            "목적 ".encode("utf-16-le"),
            hwp_control(3, "%hlk"),  # field start: extended, 8 units
            "누리집".encode("utf-16-le"),
            hwp_control(4),  # field end: inline
            struct.pack("<H", 10),  # line break: one unit
            "둘째 줄".encode("utf-16-le"),
            struct.pack("<H", 13),
        ]
    )
    text_box = "".encode("utf-16-le").join([hwp_control(11, "gso "), hwp_control(16, "head"), struct.pack("<H", 13)])
    return b"".join(
        [
            hwp_paragraph(0, "제1장 총칙", style=1),
            hwp_paragraph(0, text),
            hwp_record(CTRL_HEADER, 1, b"%hlk"[::-1] + bytes(8)),
            hwp_paragraph(0, text_box),
            hwp_record(CTRL_HEADER, 1, b"gso "[::-1] + bytes(40)),
            hwp_record(LIST_HEADER, 2, bytes(16)),
            hwp_paragraph(2, "글상자 안의 문장"),
            hwp_record(CTRL_HEADER, 1, b"head"[::-1] + bytes(8)),
            hwp_record(LIST_HEADER, 2, bytes(16)),
            hwp_paragraph(2, "머리말은 빼야 함"),
            hwp_paragraph(0, "가" * 3000),  # PARA_TEXT over 4095 bytes: extended size header
        ]
    )


@pytest.mark.parametrize("flags", [HWP_FLAG_COMPRESSED, 0], ids=["compressed", "stored"])
def test_control_characters_and_nested_paragraphs(write, flags):
    docinfo = _style("바탕글", "Normal") + _style("개요 1", "Outline 1")
    data = build_hwp(_controls_body(), flags=flags, docinfo=docinfo)
    doc = read_document(write("제어문자.hwp", data), "제어문자.hwp")
    assert [(s.heading_path, s.text) for s in doc.sections] == [
        (("제1장 총칙",), "제1조\t목적 누리집\n둘째 줄\n글상자 안의 문장\n" + "가" * 3000),
    ]


@pytest.mark.parametrize("flag", [HWP_FLAG_PASSWORD, HWP_FLAG_DISTRIBUTION], ids=["password", "distribution"])
def test_locked_documents_are_refused(office_docs, write, flag):
    data = set_hwp_flags(office_docs[".hwp"], HWP_FLAG_COMPRESSED | flag)
    with pytest.raises(EncryptedDocument):
        read_document(write("잠김.hwp", data), "잠김.hwp")


def test_decompression_is_bounded(write):
    data = build_hwp(bytes(5 * 1024 * 1024))
    with pytest.raises(UnsafeDocument) as err:
        read_document(write("폭탄.hwp", data), "폭탄.hwp", ReadLimits(max_uncompressed_bytes=1024 * 1024))
    assert "압축 폭탄" in err.value.reason


def test_record_count_is_bounded(write, monkeypatch):
    # The real ceiling (millions) would make a slow test; the check is the same.
    monkeypatch.setattr(hwp, "_MAX_RECORDS", 50)
    body = b"".join(hwp_paragraph(0, f"문단 {i}") for i in range(30))
    with pytest.raises(UnsafeDocument) as err:
        read_document(write("많음.hwp", build_hwp(body)), "많음.hwp")
    assert "레코드" in err.value.reason


def test_ole_file_that_is_not_hwp(write):
    with pytest.raises(UnsupportedFormat) as err:
        read_document(write("문서.hwp", build_hwp(b"", file_header=False)), "문서.hwp")
    assert "FileHeader" in err.value.reason


def test_damaged_compound_file(write):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 2040
    with pytest.raises(UnsupportedFormat):
        read_document(write("깨짐.hwp", data), "깨짐.hwp")


def _with_sector_shift(data: bytes, shift: int) -> bytes:
    return data[:30] + struct.pack("<H", shift) + data[32:]


def test_garbage_sector_size_is_refused_in_korean_without_library_text(write, caplog):
    # olefile formats 2**shift into a log line: a garbage shift raised "Exceeds the limit
    # (4300 digits) ... sys.set_int_max_str_digits()", shown to the user as the reason.
    data = _with_sector_shift(build_hwp(hwp_paragraph(0, "본문")), 16725)
    with pytest.raises(UnsupportedFormat) as err:
        read_document(write("깨짐.hwp", data), "깨짐.hwp")
    assert err.value.reason == "HWP를 읽을 수 없습니다 (복합 문서 머리가 손상되었습니다)"


def test_damaged_stream_gives_a_korean_reason_and_logs_the_detail(write, caplog):
    from hwpx.hwp5.cfb import build_compound_file

    # FileHeader is a storage here, not a stream: olefile raises OSError when it is opened.
    data = build_compound_file([("FileHeader/inner", b"x" * 64), ("BodyText/Section0", b"")])
    with pytest.raises(UnsupportedFormat) as err:
        read_document(write("깨짐.hwp", data), "깨짐.hwp")
    assert err.value.reason == "HWP를 읽을 수 없습니다 (손상된 복합 문서) — 파일이 손상되었을 수 있습니다"
    assert "this file is not a stream" in caplog.text


def test_corrupt_deflate_stream_names_the_stream_not_zlib(write, caplog):
    # An uncompressed body under the compressed flag: not valid raw deflate.
    data = build_hwp(b"\xff" * 64, flags=0)
    data = set_hwp_flags(data, HWP_FLAG_COMPRESSED)
    with pytest.raises(UnsupportedFormat) as err:
        read_document(write("깨짐.hwp", data), "깨짐.hwp")
    assert "압축 해제 실패" in err.value.reason and "Error -3" not in err.value.reason
    assert "Error -3" in caplog.text


def test_truncated_record_is_unsupported(write):
    body = hwp_paragraph(0, "본문")[:-3]
    with pytest.raises(UnsupportedFormat):
        read_document(write("잘림.hwp", build_hwp(body)), "잘림.hwp")


def test_document_without_text_is_empty(write):
    with pytest.raises(EmptyDocument):
        read_document(write("빈.hwp", build_hwp(hwp_paragraph(0, ""))), "빈.hwp")
