"""The assessment from the CLI (`seoul-assist metabolic assess`) and the API
(`POST /api/assistants/metabolic/assess`): the same results, surveys matched by id or name,
errors naming the field, signed-in users only, and nothing about a participant kept — not in
the logs, not in the audit log (which says only that an assessment was made, by whom, how
many records), not in the database."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.services.container import Services
from ingest.discovery import discover
from tests.api.conftest import build_services

from .conftest import man, survey, woman, write_guide

SECRET_NAME = "홍길순비밀"
SECRET_WAIST = 97.3


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- CLI ---

def test_cli_json_batch_with_survey_and_a_bad_record(run, tmp_path: Path):
    records = write_json(tmp_path / "records.json", [man(id="A", name="가", waist=95), man(id="B", waist=0),
                                                      woman(id="C", name="다")])
    surveys = write_json(tmp_path / "survey.json", [survey(name="다", patient_id="X", q9=2),
                                                    survey(name="?", patient_id="A", q1=3, q2=3, q3=3, q4=1)])
    code, out, _ = run("metabolic", "assess", str(records), "--survey", str(surveys), "--json")
    assert code == 1  # one record was refused
    results = json.loads(out)["results"]
    assert [r["id"] for r in results] == ["A", "B", "C"]
    assert results[0]["group"] == "건강주의군"
    assert results[0]["referrals"][0]["kind"] == "우울 상담창구 안내"  # matched by id
    assert results[1]["errors"][0]["field"] == "waist"
    assert results[2]["referrals"][0]["kind"] == "자살 위험 상담창구 안내"  # matched by name
    assert results[0]["criteria_source"]["from"] == "builtin"  # no index in this data dir


def test_cli_jsonl_readable_report(run, tmp_path: Path):
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in
                              [man(id="A", waist=95, tg=160, fbg=100, new_registration=True), man(id="B")]) + "\n",
                    encoding="utf-8")
    code, out, _ = run("metabolic", "assess", str(path))
    assert code == 0
    assert "[A] 검진 결과 분류" in out and "군: 대사증후군 (위험요인 3개)" in out
    assert "재검진: 3개월, 6개월, 9개월, 12개월" in out
    assert "복부비만(허리둘레): 해당 — 95 cm (허리둘레 ≥ 90 cm (남))" in out
    assert "건강관리계획 수립: 의사 (간호사)" in out
    assert "표 8" in out and "최종 진단은 의사가 합니다" in out
    assert "[B] 검진 결과 분류" in out and "군: 정상군" in out


def test_cli_reads_the_criteria_from_the_index(run, tmp_path: Path):
    root = write_guide(tmp_path / "corpus", decoy=False)
    assert run("ingest", str(root / "metabolic"), "--collection", "metabolic")[0] == 0
    records = write_json(tmp_path / "one.json", man())
    code, out, _ = run("metabolic", "assess", str(records), "--json")
    assert code == 0
    assert json.loads(out)["results"][0]["criteria_source"]["from"] == "indexed"


def test_cli_unreadable_file_is_an_error_naming_it(run, tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json\n", encoding="utf-8")
    code, out, err = run("metabolic", "assess", str(bad))
    assert code == 2 and out == ""
    assert "오류: file: 1번째 줄이 올바른 JSON이 아닙니다" in err
    code, _, err = run("metabolic", "assess", str(tmp_path / "missing.json"))
    assert code == 2 and "file: 파일" in err


# --- API ---

@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("metabolic_api")
    svc = build_services(root)
    guide = write_guide(root / "guide", decoy=False)
    files, _ = discover(guide)
    svc.context.ingest.ingest("metabolic", guide, files, progress=False)
    yield svc
    svc.close()



def test_api_one_record_with_its_survey(staff: TestClient):
    body = {"records": man(waist=95, sys=[128, 134], dia=[80, 84]), "survey": survey(q9=1)}
    reply = staff.post("/api/assistants/metabolic/assess", json=body)
    assert reply.status_code == 200, reply.text
    (result,) = reply.json()["results"]
    assert result["id"] == "P-1"
    assert result["risk_factors"]["bp"] is True  # average 131/82
    assert result["group"] == "건강주의군" and result["recheck_months"] == [6, 12]
    assert result["criteria_source"]["from"] == "indexed"
    assert result["referrals"][0]["always_show"] is True


def test_api_basis_citations_open_the_indexed_passage_stating_the_rule(staff: TestClient):
    """Each rule's citation carries the chunk id of the indexed passage holding it, and
    GET /api/passages/metabolic/{chunk_id} opens that passage with the threshold in it."""
    body = {"records": man(waist=95, sys=[128, 134], dia=[80, 84], hdl=38, new_registration=True), "survey": survey(q9=1)}
    (result,) = staff.post("/api/assistants/metabolic/assess", json=body).json()["results"]
    entries = {b["rule"]: b for b in result["basis"]}
    expected = {"waist": "허리둘레≥90cm(남), ≥85cm(여)", "hdl": "HDL콜레스테롤<40mg/dL(남), <50mg/dL(여)",
                "bp": "수축기혈압≥130mmHg 또는 이완기혈압≥85mmHg", "group": "위험요인 1-2개 인 자",
                "recheck": "총 2회(6개월, 12개월)", "bp_average": "혈압은 두 번 측정하여 평균값으로 함"}
    referral = result["referrals"][0]
    for rule, citation, stated in [(rule, entries[rule]["citation"], text) for rule, text in expected.items()] + \
            [("referral", referral["citation"], "자살의도(9번 항목)")]:
        assert citation.get("chunk_id"), f"{rule}: chunk_id 없음"
        reply = staff.get(f"/api/passages/metabolic/{citation['chunk_id']}")
        assert reply.status_code == 200, (rule, reply.text)
        passage = reply.json()
        assert stated in passage["text"], f"{rule}: 근거 문단에 '{stated}'이(가) 없습니다"
        assert passage["source"] == citation["source"]


def test_api_list_body_reports_a_bad_record_by_id(staff: TestClient):
    reply = staff.post("/api/assistants/metabolic/assess", json=[man(id="A"), man(id="B", sex="?")])
    assert reply.status_code == 200
    results = reply.json()["results"]
    assert results[0]["group"] == "정상군"
    assert results[1]["id"] == "B" and results[1]["errors"][0]["field"] == "sex"


def test_api_bad_body_is_a_korean_error_naming_the_field(staff: TestClient):
    reply = staff.post("/api/assistants/metabolic/assess", content=b"{oops",
                       headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]["field"] == "body"
    assert "올바른 JSON이 아닙니다" in reply.json()["error"]["message"]
    empty = staff.post("/api/assistants/metabolic/assess", json={"records": []})
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "records"
    bad_survey = staff.post("/api/assistants/metabolic/assess", json={"records": man(), "survey": [1]})
    assert bad_survey.status_code == 400 and bad_survey.json()["error"]["field"] == "survey"


def test_api_needs_a_signed_in_user(services: Services):
    with TestClient(create_app(services, start_background=False)) as anonymous:
        reply = anonymous.post("/api/assistants/metabolic/assess", json=man())
    assert reply.status_code == 401


def test_nothing_about_a_participant_is_kept(staff: TestClient, services: Services, caplog):
    record = man(id="비밀-ID-77", name=SECRET_NAME, waist=SECRET_WAIST, rrn="790101-1234567", sys=[150, 152],
                 dia=[95, 97], new_registration=True)
    del record["medications"]
    with caplog.at_level(logging.DEBUG):
        reply = staff.post("/api/assistants/metabolic/assess",
                           json={"records": [record, man(id="X", waist=0)],
                                 "survey": survey(name=SECRET_NAME, patient_id="비밀-ID-77", q9=3)})
    assert reply.status_code == 200
    assert reply.json()["results"][0]["group"] is not None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (SECRET_NAME, str(SECRET_WAIST), "790101", "비밀-ID-77"):
        assert secret not in logged
    (event,) = services.audit.recent(limit=1, action="metabolic_assess")
    assert event["username"] == "kim" and event["assistant"] == "metabolic"
    assert event["detail"] == "2건 분류 (오류 1건)"
    dump = _database_text(services)
    for secret in (SECRET_NAME, str(SECRET_WAIST), "790101", "비밀-ID-77"):
        assert secret not in dump


def _database_text(services: Services) -> str:
    """Every row of every table, as text."""
    with services.db.engine.connect() as connection:
        names = [row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        return "\n".join(str(row) for name in names for row in connection.execute(text(f'SELECT * FROM "{name}"')))
