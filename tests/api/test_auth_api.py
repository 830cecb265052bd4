"""Sign-in paths: local accounts, SSO trusted header (off by default), API keys; rate limits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import build_services, login


def test_trusted_header_is_off_by_default(client):
    reply = client.post("/api/auth/trusted", headers={"X-Remote-User": "hong"})
    assert reply.status_code == 401


def test_trusted_header_signs_in_only_from_the_configured_proxy(tmp_path):
    # TestClient's peer address is "testclient".
    svc = build_services(tmp_path / "a", server={"trusted_header": "X-Remote-User", "trusted_proxies": ["testclient"]})
    other = build_services(tmp_path / "b", server={"trusted_header": "X-Remote-User", "trusted_proxies": ["10.0.0.5"]})
    try:
        with TestClient(create_app(svc, start_background=False)) as c:
            reply = c.post("/api/auth/trusted", headers={"X-Remote-User": "hong.gd"})
            assert reply.status_code == 200, reply.text
            assert reply.json()["user"]["role"] == "staff"
            assert c.get("/api/auth/me").json()["user"]["username"] == "hong.gd"
            assert c.post("/api/auth/trusted").status_code == 401  # header missing
        with TestClient(create_app(other, start_background=False)) as c:
            assert c.post("/api/auth/trusted", headers={"X-Remote-User": "hong.gd"}).status_code == 401
    finally:
        svc.close()
        other.close()


def test_api_key_works_without_cookie_or_csrf(app, services):
    key = services.accounts.create_api_key("kim", "tool")
    with TestClient(app) as c:
        reply = c.post("/api/chat/childcare", json={"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"},
                       headers={"Authorization": f"Bearer {key}"})
        assert reply.status_code == 200
        bad = c.get("/api/assistants", headers={"Authorization": "Bearer sa-wrong"})
        assert bad.status_code == 401


def test_logout_ends_the_session(app):
    with TestClient(app) as c:
        login(c, "lee")
        assert c.post("/api/auth/logout").status_code == 200
        assert c.get("/api/auth/me").status_code == 401


def test_questions_over_the_rate_limit_get_429_with_retry_after(tmp_path):
    svc = build_services(tmp_path, server={"rate_limit_per_minute": 2})
    try:
        with TestClient(create_app(svc, start_background=False)) as c:
            login(c, "kim")
            ask = {"question": "급식은 누가 작성한 식단에 따르나요?", "use_llm": False}
            assert c.post("/api/chat/childcare", json=ask).status_code == 200
            assert c.post("/api/chat/childcare", json=ask).status_code == 200
            third = c.post("/api/chat/childcare/stream", json=ask)
            assert third.status_code == 429
            assert int(third.headers["Retry-After"]) >= 1
            assert "요청이 너무 많습니다" in third.json()["error"]["message"]
            login(c, "lee")  # another user has their own allowance
            assert c.post("/api/chat/childcare", json=ask).status_code == 200
    finally:
        svc.close()
