"""What a user reads when a request or an uploaded file is bad: Korean that names the file
or the field, never a library's internal text (which goes to the server log)."""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.services.container import Services
from ingest.readers import READERS
from rag.documents import ParsedDocument
from tests.api.conftest import build_services
from tests.api.test_documents_api import upload, wait_job

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = build_services(tmp_path_factory.mktemp("error_messages"))
    yield services
    services.close()


@pytest.fixture(scope="module")
def app(svc: Services):
    return create_app(svc, start_background=False)


def garbage_ole2() -> bytes:
    """An OLE2 header whose sector shift is garbage: olefile once answered with Python's
    "Exceeds the limit (4300 digits) ... sys.set_int_max_str_digits()"."""
    header = bytearray(OLE2_MAGIC + bytes(504))
    struct.pack_into("<HH", header, 30, 16725, 26787)
    return bytes(header) + b"\x5a" * 2048


def test_a_garbage_hwp_fails_with_a_korean_reason_naming_the_file(admin):
    [job] = upload(admin, "general", ("깨진 공문.hwp", garbage_ole2())).json()["jobs"]
    job = wait_job(admin, job["id"])
    assert job["status"] == "failed"
    assert job["message"] == "깨진 공문.hwp: HWP를 읽을 수 없습니다 (복합 문서 머리가 손상되었습니다)"


def test_a_reader_bug_is_logged_and_the_user_reads_a_plain_reason(admin, monkeypatch, caplog):
    def buggy_reader(path: Path, source: str, limits) -> ParsedDocument:
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    monkeypatch.setitem(READERS, ".txt", buggy_reader)
    with caplog.at_level(logging.ERROR, logger="ingest.pipeline"):
        [job] = upload(admin, "general", ("안내문.txt", "안내문 본문".encode())).json()["jobs"]
        job = wait_job(admin, job["id"])
    assert job["status"] == "failed"
    assert job["message"] == "안내문.txt: 파일을 읽을 수 없습니다 — 손상되었거나 지원하지 않는 형식입니다"
    assert "4300 digits" in caplog.text  # the detail is in the server log


def test_invalid_json_names_the_body_not_a_byte_offset(staff, caplog):
    with caplog.at_level(logging.INFO, logger="api.errors"):
        reply = staff.post("/api/chat/childcare", content=b'{"question": "CCTV", }',
                           headers={"Content-Type": "application/json"})
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["message"] == "요청 본문이 올바른 JSON이 아닙니다"
    assert error["field"] == "body" and [p["field"] for p in error["problems"]] == ["body"]
    assert "json_invalid" in caplog.text


def test_a_wrong_field_still_names_the_field(staff):
    reply = staff.post("/api/chat/childcare", json={"question": 13})
    assert reply.status_code == 422
    assert reply.json()["error"]["message"] == "입력값이 올바르지 않습니다: question"
