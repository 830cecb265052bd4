"""Attachments: a previous RFP or 과업지시서 read by the project's readers, its requirements
(ID lines, header-row tables, vertical blocks) reused with the file as 출처, a file that
cannot be read named while the rest go on — through the service, the CLI and the API."""

from __future__ import annotations

from pathlib import Path

from appcontext import AppContext
from assistants.rfp.attachments import read_attachments, requirements_in
from assistants.rfp.service import draft_from_data

from .attachment_files import write_broken, write_docx, write_hwpx
from .conftest import form


def test_requirements_are_read_from_docx_and_hwpx_in_the_forms_rfps_use(tmp_path: Path):
    found = read_attachments([("이전 제안요청서.docx", write_docx(tmp_path / "a.docx")),
                              ("과업지시서.hwpx", write_hwpx(tmp_path / "b.hwpx"))])

    assert found.read == ["이전 제안요청서.docx", "과업지시서.hwpx"] and found.failed == []
    by_id = {r.id: r for r in found.requirements}
    assert list(by_id) == ["SFR-001", "SFR-002", "SER-001", "PER-001", "DAR-001"]
    assert (by_id["SFR-001"].name, by_id["SFR-001"].file) == ("열람실 좌석 예약 기능", "이전 제안요청서.docx")
    assert by_id["SFR-002"].definition == "좌석 배정 현황을 일별 통계로 제공한다."
    assert by_id["SER-001"].details == ["암호화 알고리즘: ARIA-256"]
    assert (by_id["DAR-001"].name, by_id["DAR-001"].source) == ("기존 예약 이력 이관", "첨부 과업지시서.hwpx (DAR-001)")


def test_a_file_that_fails_is_named_and_the_rest_go_on(tmp_path: Path):
    broken_pdf, cut_docx = write_broken(tmp_path)
    found = read_attachments([(broken_pdf.name, broken_pdf), ("a.docx", write_docx(tmp_path / "a.docx")),
                              (cut_docx.name, cut_docx), ("메모.xlsx", tmp_path / "a.docx"), ("큰 파일.pdf", None)])

    assert found.read == ["a.docx"] and len(found.requirements) == 3
    assert [name for name, _ in found.failed] == ["깨진 문서.pdf", "잘린 과업지시서.docx", "메모.xlsx", "큰 파일.pdf"]
    assert "형식이 아닙니다" in found.failed[0][1] and "지원하지 않는 형식입니다 (.xlsx)" in found.failed[2][1]
    assert any(a.startswith("첨부 파일 깨진 문서.pdf을(를) 읽지 못해 제외했습니다") for a in found.assumptions)


def test_an_id_line_of_an_unknown_category_is_not_a_requirement():
    assert requirements_in(["ABC-001 무엇인가의 기능", "SFR-000X 잘못된 번호", "SIR-001: 도서관리시스템 연계"]) == \
        requirements_in(["SIR-001: 도서관리시스템 연계"])


def test_the_draft_reuses_them_numbered_in_its_own_sequence(ctx: AppContext, tmp_path: Path):
    broken, _ = write_broken(tmp_path)
    draft = draft_from_data(ctx, form(), corpus_roots=[tmp_path / "none"],
                            attachments=[("이전 제안요청서.docx", write_docx(tmp_path / "a.docx")), (broken.name, broken)])

    reused = [r for r in draft.requirements if r.source.startswith("첨부 ")]
    assert [(r.name, r.source) for r in reused] == [
        ("열람실 좌석 예약 기능", "첨부 이전 제안요청서.docx (SFR-001)"), ("좌석 배정 통계", "첨부 이전 제안요청서.docx (SFR-002)"),
        ("이용자 개인정보 암호화", "첨부 이전 제안요청서.docx (SER-001)")]
    ids = [r.id for r in draft.requirements]
    assert len(ids) == len(set(ids))  # renumbered after the draft's own SFR/SER blocks
    assert reused[0].id != "SFR-001" and reused[2].details == ["암호화 알고리즘: ARIA-256"]
    assert draft.input.attachments == ["이전 제안요청서.docx"]
    assert any("깨진 문서.pdf" in a and "읽지 못해" in a for a in draft.assumptions)
