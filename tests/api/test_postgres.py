"""The same records on PostgreSQL (server.database_url), when a test server is named by
SEOUL_ASSIST_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@/seoul_test?host=/tmp&port=55432).
The database is emptied first: point it at a throwaway one."""

from __future__ import annotations

import importlib.util
import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.db import Base, Database
from tests.api.conftest import build_services, login

URL = os.environ.get("SEOUL_ASSIST_TEST_POSTGRES_URL", "")
pytestmark = [
    pytest.mark.skipif(not URL, reason="PostgreSQL 테스트 서버가 없습니다 (SEOUL_ASSIST_TEST_POSTGRES_URL)"),
    pytest.mark.skipif(importlib.util.find_spec("psycopg") is None,
                       reason="psycopg가 없습니다 (pip install -e '.[postgres]')"),
]


def _empty(url: str) -> None:
    db = Database(url)
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.close()


def test_server_records_on_postgresql(tmp_path):
    _empty(URL)
    svc = build_services(tmp_path, server={"database_url": URL})
    try:
        with TestClient(create_app(svc, start_background=False)) as c:
            login(c, "kim")
            turn = c.post("/api/chat/childcare", json={"question": "녹화된 영상은 며칠 이상 보관해야 하나요? 010-1234-5678"}).json()
            assert c.post(f"/api/messages/{turn['message_id']}/feedback", json={"rating": 1}).status_code == 200
            conv = c.get(f"/api/conversations/{turn['conversation_id']}").json()
            assert conv["messages"][1]["feedback"]["rating"] == 1
        asked = svc.audit.recent(action="ask")[0]
        assert "010-1234-5678" not in asked["detail"] and "[전화번호]" in asked["detail"]
        assert svc.db.engine.dialect.name == "postgresql"
    finally:
        svc.close()
        _empty(URL)
