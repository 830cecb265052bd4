"""Participant records read from an uploaded export (the page's upload): JSON, JSONL and CSV
with a header row of the record's field names, a second blood-pressure reading in sys2/dia2,
a Korean Excel CSV in CP949; what cannot be read is named by its file, line or column.
The API reads the file and returns the records, nothing classified and nothing kept."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from assistants.metabolic.criteria import builtin_criteria
from assistants.metabolic.service import AssessInputError, assess_all, parse_records_file, parse_records_text
from tests.api.conftest import build_services

CSV = """id,sex,age,height,weight,waist,sys,sys2,dia,dia2,fbg,tg,hdl,ldl,tc,medications,new_registration
A-1,남,52,172,80,90,134,130,86,84,101,150,40,120,190,,true
B-2,F,61,158,60,84.5,128,,80,,95,120,55,110,180,"고혈압,이상지질혈증",아니오
"""


def test_a_csv_export_reads_as_the_records_it_holds():
    a, b = parse_records_text(CSV, "file", "csv")
    assert a == {"id": "A-1", "sex": "남", "age": "52", "height": "172", "weight": "80", "waist": "90",
                 "sys": ["134", "130"], "dia": ["86", "84"], "fbg": "101", "tg": "150", "hdl": "40",
                 "ldl": "120", "tc": "190", "new_registration": True}
    assert b["medications"] == ["고혈압", "이상지질혈증"] and b["new_registration"] is False
    assert b["sys"] == "128" and "sys2" not in b and "medications" not in a


def test_csv_records_are_classified_as_their_json_twins_are():
    results = assess_all(parse_records_text(CSV, "file", "csv"), builtin_criteria())
    assert [r["id"] for r in results] == ["A-1", "B-2"]
    first = results[0]
    assert first["risk_factors"] == {"waist": True, "bp": True, "glucose": True, "tg": True, "hdl": False}
    assert first["group"] == "대사증후군" and first["recheck_months"] == [3, 6, 9, 12]
    assert results[1]["group"] == "약물치료군"


def test_an_upload_is_read_by_its_suffix_and_encoding():
    assert parse_records_file("기록.csv", CSV.encode("cp949"))[1]["medications"] == ["고혈압", "이상지질혈증"]
    assert parse_records_file("기록.CSV", ("\ufeff" + CSV).encode("utf-8"))[0]["id"] == "A-1"
    jsonl = "\n".join(json.dumps({"id": i, "sex": "남"}) for i in ("X", "Y"))
    assert [r["id"] for r in parse_records_file("기록.jsonl", jsonl.encode())] == ["X", "Y"]
    assert parse_records_file("기록.json", b'{"id": "Z", "sex": "\xec\x97\xac"}') == [{"id": "Z", "sex": "여"}]


@pytest.mark.parametrize(("name", "data", "says"), [
    ("기록.xlsx", b"PK\x03\x04", "'기록.xlsx'은(는) 읽을 수 없는 형식입니다"),
    ("기록.csv", b"id,age,waist\nA,50,90\n", "'sex' 열이 없습니다"),
    ("기록.csv", b"id,sex,waist\nA,\xeb\x82\xa8,90,91\n", "CSV 2번째 줄의 칸이 4개"),
    ("기록.csv", b"id,sex,sex\nA,M,F\n", "같은 항목 이름이 두 번 있습니다: sex"),
    ("기록.csv", b"id,sex\n", "참여자 기록이 없습니다"),
    ("기록.csv", b"\xff\xfe\xfa", "글자로 읽을 수 없습니다"),
])
def test_an_unreadable_export_is_named(name: str, data: bytes, says: str):
    with pytest.raises(AssessInputError) as raised:
        parse_records_file(name, data)
    assert raised.value.field == "file" and says in raised.value.message


def test_a_bad_cell_is_left_for_the_record_check_to_name():
    (record,) = parse_records_text("id,sex,waist,new_registration\nA,남,구십,아마\n", "file", "csv")
    (result,) = assess_all([record], builtin_criteria())
    assert {e["field"] for e in result["errors"]} == {"waist", "new_registration"}


# --- API: POST /api/assistants/metabolic/records ---

@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("metabolic_records"))
    yield svc
    svc.close()



def test_the_api_reads_an_uploaded_csv_and_keeps_nothing(staff: TestClient, caplog):
    with caplog.at_level(logging.DEBUG):
        reply = staff.post("/api/assistants/metabolic/records", files={"file": ("기록.csv", CSV.encode(), "text/csv")})
    assert reply.status_code == 200, reply.text
    assert [r["id"] for r in reply.json()["records"]] == ["A-1", "B-2"]
    assert reply.json()["records"][0]["sys"] == ["134", "130"]
    assert "A-1" not in "\n".join(r.getMessage() for r in caplog.records)


def test_the_api_names_an_unreadable_or_missing_file(staff: TestClient, services: Services):
    reply = staff.post("/api/assistants/metabolic/records", files={"file": ("기록.txt", b"sex\n", "text/plain")})
    assert reply.status_code == 400
    assert reply.json()["error"]["field"] == "file" and "기록.txt" in reply.json()["error"]["message"]
    big = staff.post("/api/assistants/metabolic/records",
                     files={"file": ("큰기록.csv", b"id,sex\n" + b"A,M\n" * 300_000, "text/csv")})
    assert big.status_code == 413 and big.json()["error"]["field"] == "file"
    with TestClient(create_app(services, start_background=False)) as anonymous:
        assert anonymous.post("/api/assistants/metabolic/records",
                              files={"file": ("기록.csv", CSV.encode(), "text/csv")}).status_code == 401
