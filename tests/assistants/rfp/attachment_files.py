"""Small attachments written for the tests: a DOCX (python-docx) and an HWPX (python-hwpx)
stating requirements as ID lines, a header-row table and a vertical block, and broken files."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from hwpx import HwpxDocument


def write_docx(path: Path) -> Path:
    document = Document()
    document.add_heading("Ⅳ. 제안 요청 내용", level=1)
    document.add_paragraph("SFR-001 열람실 좌석 예약 기능")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("요구사항 고유번호", "요구사항 명칭", "요구사항 정의")):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("SFR-002", "좌석 배정 통계", "좌석 배정 현황을 일별 통계로 제공한다.")):
        cell.text = text
    block = document.add_table(rows=4, cols=2)
    for row, (label, value) in zip(block.rows, (("요구사항 고유번호", "SER-001"), ("요구사항 명칭", "이용자 개인정보 암호화"),
                                                ("요구사항 정의", "이용자 개인정보를 암호화하여 저장한다."),
                                                ("세부내용", "암호화 알고리즘: ARIA-256"))):
        row.cells[0].text, row.cells[1].text = label, value
    document.save(path)
    return path


def write_hwpx(path: Path) -> Path:
    document = HwpxDocument.new()
    document.add_paragraph("과업지시서")
    document.add_paragraph("PER-001 좌석 조회 응답 시간 3초 이내")
    table = document.add_table(2, 3)
    for col, text in enumerate(("고유번호", "요구사항 명칭", "정의")):
        table.set_cell_text(0, col, text)
    for col, text in enumerate(("DAR-001", "기존 예약 이력 이관", "기존 좌석 예약 이력 3년치를 이관한다.")):
        table.set_cell_text(1, col, text)
    document.save_to_path(path)
    return path


def write_broken(folder: Path) -> list[Path]:
    """A PDF that is not one, and a DOCX cut short (a zip header, nothing after)."""
    pdf = folder / "깨진 문서.pdf"
    pdf.write_bytes(b"this is not a pdf at all")
    docx = folder / "잘린 과업지시서.docx"
    docx.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    return [pdf, docx]
