"""공문서 검토 from the CLI (`seoul-assist general check-document FILE [--json]`) and the API
(`POST /api/assistants/general/check-document`, JSON text or a multipart file): the same
findings, and errors that name the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from assistants.general.draft_reader import MAX_DRAFT_BYTES
from tests.api.conftest import build_services

from .test_document_check import BAD_DRAFT, CLEAN_NOTICE, EXPECTED_BAD, _docx_bytes

BAD_TEXT = "\n".join(BAD_DRAFT)


def _summary(findings: list[dict]) -> list[tuple[str, int, str]]:
    return [(f["rule"], f["line"], f["suggestion"]) for f in findings]


# --- CLI ---




def test_cli_json(run, tmp_path: Path):
    draft = tmp_path / "초안.docx"
    draft.write_bytes(_docx_bytes(BAD_DRAFT))
    code, out, _ = run("general", "check-document", str(draft), "--json")
    assert code == 0
    findings = json.loads(out)["findings"]
    assert _summary(findings) == EXPECTED_BAD
    assert all({"rule", "line", "text", "suggestion", "basis"} <= set(f) for f in findings)


def test_cli_text_one_line_per_finding(run, tmp_path: Path):
    draft = tmp_path / "초안.txt"
    draft.write_text(BAD_TEXT, encoding="utf-8")
    code, out, _ = run("general", "check-document", str(draft))
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == len(EXPECTED_BAD)
    assert lines[1].startswith("3번째 줄 [날짜] '2026년 3월 5일' → '2026. 3. 5.'")
    assert "제7조제5항" in lines[1]


def test_cli_clean_draft(run, tmp_path: Path):
    draft = tmp_path / "clean.txt"
    draft.write_text(CLEAN_NOTICE, encoding="utf-8")
    assert run("general", "check-document", str(draft), "--json")[:2] == (0, '{\n  "findings": []\n}\n')
    code, out, _ = run("general", "check-document", str(draft))
    assert (code, out) == (0, "지적 사항이 없습니다 (항목 구분·금액·날짜·시각).\n")


@pytest.mark.parametrize(("name", "data", "words"), [
    ("fake.docx", b"not a docx", "file: fake.docx: 확장자는 .docx이지만 DOCX 파일이 아닙니다"),
    ("draft.pdf", b"%PDF-1.7", "file: 지원하지 않는 파일 형식입니다: .pdf"),
    ("big.txt", b"a" * MAX_DRAFT_BYTES, "file: 초안이 너무 큽니다"),
    ("empty.txt", b"", "file: empty.txt: 빈 파일입니다"),
])
def test_cli_bad_file_is_an_error_naming_the_field(run, tmp_path: Path, name: str, data: bytes, words: str):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run("general", "check-document", str(path))
    assert (code, out) == (2, "")
    assert f"오류: {words}" in err


def test_cli_missing_file(run, tmp_path: Path):
    code, _, err = run("general", "check-document", str(tmp_path / "없음.hwpx"))
    assert code == 2
    assert "file: " in err and "파일을 읽을 수 없습니다" in err


# --- API ---

URL = "/api/assistants/general/check-document"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("check_document_api"))
    yield svc
    svc.close()



def test_api_json_text(staff: TestClient):
    reply = staff.post(URL, json={"text": BAD_TEXT})
    assert reply.status_code == 200, reply.text
    assert _summary(reply.json()["findings"]) == EXPECTED_BAD
    assert staff.post(URL, json={"text": CLEAN_NOTICE}).json() == {"findings": []}


def test_api_multipart_file(staff: TestClient):
    reply = staff.post(URL, files={"file": ("초안.docx", _docx_bytes(BAD_DRAFT), "application/octet-stream")})
    assert reply.status_code == 200, reply.text
    assert _summary(reply.json()["findings"]) == EXPECTED_BAD


@pytest.mark.parametrize(("kwargs", "status", "field", "words"), [
    ({"json": {"text": ""}}, 400, "text", "비어 있습니다"),
    ({"json": {"text": "가" * MAX_DRAFT_BYTES}}, 413, "text", "1 MB"),
    ({"json": {"body": "x"}}, 400, "text", "text"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "body", "JSON"),
    ({"files": {"file": ("fake.docx", b"not a docx at all", "application/octet-stream")}}, 400, "file",
     "DOCX 파일이 아닙니다"),
    ({"files": {"file": ("draft.hwp", b"\xd0\xcf\x11\xe0", "application/octet-stream")}}, 400, "file",
     "지원하지 않는 파일 형식"),
    ({"files": {"file": ("big.txt", b"a" * MAX_DRAFT_BYTES, "text/plain")}}, 413, "file", "1 MB"),
    ({"files": {"file": ("huge.txt", b"a" * (3 * MAX_DRAFT_BYTES), "text/plain")}}, 413, "file", "1 MB"),
    ({"files": {"other": ("x.txt", b"1. a", "text/plain")}}, 400, "file", "file"),
])
def test_api_bad_input_names_the_field(staff: TestClient, kwargs: dict, status: int, field: str, words: str):
    reply = staff.post(URL, **kwargs)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error["field"] == field
    assert words in error["message"]


def test_api_needs_a_signed_in_user(services: Services):
    with TestClient(create_app(services, start_background=False)) as anonymous:
        assert anonymous.post(URL, json={"text": BAD_TEXT}).status_code == 401
