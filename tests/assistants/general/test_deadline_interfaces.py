"""The deadline tool from the CLI (`seoul-assist general deadline`) and the API
(`POST /api/assistants/general/deadline`): the same JSON, errors naming the field, and the
basis quoting the indexed article where there is one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import build_services

from .conftest import write_minwon_statute

STATUTE_TEXT = "시험용 조문: 처리기간이 6일 이상이면 일 단위로 계산하고 첫날을 산입한다."




# --- CLI ---

def test_cli_json_without_an_index_names_the_articles(run):
    code, out, _ = run("general", "deadline", "--received", "2026-02-12", "--period", "7일", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["due"], data["unit"]) == ("2026-02-25", "일")
    assert {"date": "2026-02-17", "reason": "공휴일(설날)"} in data["skipped"]
    assert data["basis"][0]["label"] == "민원 처리에 관한 법률 제19조제2항"
    assert "text" not in data["basis"][0]


def test_cli_hours_with_an_exclusion_as_text(run):
    code, out, _ = run("general", "deadline", "--received", "2026-02-12T15:00", "--period", "3일",
                       "--exclude", "2026-02-19..2026-02-19")
    assert code == 0
    assert "처리기한: 2026-02-23T15:00 (시간 단위" in out
    assert "2026-02-19: 제외 기간" in out
    assert "민원 처리에 관한 법률 시행령 제20조" in out


def test_cli_bad_period_is_an_error_naming_the_field(run):
    code, out, err = run("general", "deadline", "--received", "2026-02-12", "--period", "칠일")
    assert code == 2
    assert out == ""
    assert "오류: period: 처리기간 '칠일'을(를) 읽을 수 없습니다" in err


def test_cli_quotes_the_indexed_article(run, tmp_path: Path):
    folder = write_minwon_statute(tmp_path / "corpus")
    assert run("ingest", str(folder), "--collection", "general")[0] == 0
    code, out, _ = run("general", "deadline", "--received", "2026-02-12", "--period", "7일", "--json")
    assert code == 0
    first = json.loads(out)["basis"][0]
    assert STATUTE_TEXT in first["text"]
    assert first["text"].startswith("제19조 (처리기간의 계산)")
    assert "제20조" not in first["text"]
    assert first["effective_date"] == "2025-01-01"


# --- API ---

@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("deadline_api")
    svc = build_services(root)
    folder = write_minwon_statute(root / "minwon")
    from ingest.discovery import discover

    files, _ = discover(folder)
    svc.context.ingest.ingest("general", folder, files, progress=False)
    yield svc
    svc.close()



def test_api_answers_a_signed_in_user_with_the_cli_json(staff: TestClient):
    reply = staff.post("/api/assistants/general/deadline",
                       json={"received": "2026-02-12T15:00", "period": "3일", "exclude": []})
    assert reply.status_code == 200, reply.text
    data = reply.json()
    assert (data["due"], data["unit"]) == ("2026-02-20T15:00", "시간")
    assert [d["date"] for d in data["skipped"]] == ["2026-02-14", "2026-02-15", "2026-02-16", "2026-02-17",
                                                    "2026-02-18"]
    assert STATUTE_TEXT in data["basis"][0]["text"]
    assert data["basis"][1]["label"] == "지방공무원 복무규정 제2조제2항"


def test_api_bad_input_names_the_field(staff: TestClient):
    reply = staff.post("/api/assistants/general/deadline", json={"received": "2026-02-12", "period": "-3일"})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["field"] == "period"
    assert "period: 처리기간은 1 이상이어야 합니다" in error["message"]
    reply = staff.post("/api/assistants/general/deadline",
                       json={"received": "2026-02-12", "period": "7일", "exclude": ["2026-02-14..2026-02-13"]})
    assert (reply.status_code, reply.json()["error"]["field"]) == (400, "exclude")


def test_api_needs_a_signed_in_user(services: Services):
    with TestClient(create_app(services, start_background=False)) as anonymous:
        reply = anonymous.post("/api/assistants/general/deadline", json={"received": "2026-02-12", "period": "7일"})
    assert reply.status_code == 401
