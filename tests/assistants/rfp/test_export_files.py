"""Choosing the export format by extension, the JSON export, the Korean error for an
unknown extension, and atomic writing: a failed export leaves nothing half-saved."""

from __future__ import annotations

import json
import zipfile

import docx
import pytest

from assistants.rfp.draft import RfpDraft
from assistants.rfp.export import ExportError, export_draft, write_atomically
from rag.errors import SeoulAssistError
from tests.assistants.rfp.export_sample import sample_draft


def test_format_follows_the_extension(tmp_path):
    draft = sample_draft()
    docx_path = export_draft(draft, tmp_path / "draft.DOCX")
    assert docx.Document(str(docx_path)).core_properties.title.endswith("제안요청서")
    hwpx_path = export_draft(draft, str(tmp_path / "draft.hwpx"))
    assert "Contents/section0.xml" in zipfile.ZipFile(hwpx_path).namelist()
    json_path = export_draft(draft, tmp_path / "draft.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.DOCX", "draft.hwpx", "draft.json"]
    assert json_path.suffix == ".json"


def test_json_export_is_the_whole_draft_and_reads_back(tmp_path):
    draft = sample_draft(approved=True)
    data = json.loads(export_draft(draft, tmp_path / "draft.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(draft.to_dict()))
    assert data["review"]["label"] == "AI 생성 · 김담당 검토 승인 (2026-12-01T10:30:00)"
    assert len(data["requirements"]) == 60 and "defect_liability_years" in data["rule_facts"]
    assert RfpDraft.from_dict(data).to_dict() == draft.to_dict()


@pytest.mark.parametrize("name", ["draft.pdf", "draft", "draft.hwp"])
def test_unknown_extension_is_a_korean_error_naming_the_field(tmp_path, name):
    with pytest.raises(ExportError) as caught:
        export_draft(sample_draft(), tmp_path / name)
    message = str(caught.value)
    assert "--out" in message and "format" in message
    assert "지원하지 않는 내보내기 형식" in message and ".docx, .hwpx, .json" in message
    assert isinstance(caught.value, SeoulAssistError)  # the CLI prints these without a traceback
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_a_korean_error_naming_the_field(tmp_path):
    with pytest.raises(ExportError, match="--out: 저장할 폴더가 없습니다"):
        export_draft(sample_draft(), tmp_path / "no-such-folder" / "draft.docx")


def test_a_write_that_fails_half_way_leaves_no_file(tmp_path):
    def fails_half_way(stream):
        stream.write(b"PK\x03\x04 half a zip")
        raise OSError("디스크가 가득 찼습니다")

    with pytest.raises(OSError):
        write_atomically(tmp_path / "draft.docx", fails_half_way)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(tmp_path):
    target = tmp_path / "draft.hwpx"
    export_draft(sample_draft(), target)
    before = target.read_bytes()

    def fails_half_way(stream):
        stream.write(b"broken")
        raise RuntimeError("중단")

    with pytest.raises(RuntimeError):
        write_atomically(target, fails_half_way)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["draft.hwpx"]


@pytest.mark.parametrize("suffix", [".docx", ".hwpx"])
def test_a_draft_that_cannot_be_rendered_saves_nothing(tmp_path, suffix):
    draft = sample_draft()
    draft.requirements[0].details = None  # a hand-edited JSON draft with a malformed field
    with pytest.raises(TypeError):
        export_draft(draft, tmp_path / f"draft{suffix}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".docx", ".hwpx"])
def test_control_characters_from_the_model_do_not_break_the_export(tmp_path, suffix):
    draft = sample_draft()
    draft.sections[0].paragraphs.append("모델 출력\x0b에 섞인\x01 제어 문자")
    assert export_draft(draft, tmp_path / f"draft{suffix}").stat().st_size > 0
