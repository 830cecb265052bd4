"""Administration over HTTP: users, API keys, collection readers, audit log, feedback;
all refused to everyone but admins."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, login


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/users", None),
    ("POST", "/api/users", {"username": "x", "password": "long-enough-1", "role": "admin"}),
    ("PATCH", "/api/users/kim", {"role": "admin"}),
    ("POST", "/api/users/kim/api-keys", {"name": "mine"}),
    ("GET", "/api/collections/childcare/readers", None),
    ("PUT", "/api/collections/childcare/readers", {"readers": ["*"]}),
    ("GET", "/api/audit", None),
    ("GET", "/api/feedback", None),
])
def test_admin_endpoints_are_refused_to_staff(staff, method, path, body):
    reply = staff.request(method, path, json=body)
    assert reply.status_code == 403, reply.text
    assert reply.json()["error"]["code"] == "forbidden"


def test_admin_endpoints_need_login(client):
    assert client.get("/api/users").status_code == 401


def test_create_list_and_update_users(admin, app):
    created = admin.post("/api/users", json={"username": "choi", "password": "first-pass-1", "role": "staff",
                                             "display_name": "최주무관", "groups": ["보육과"]})
    assert created.status_code == 200, created.text
    assert created.json() == {"username": "choi", "display_name": "최주무관", "role": "staff", "groups": ["보육과"],
                              "active": True, "has_password": True}
    assert "choi" in [u["username"] for u in admin.get("/api/users").json()]
    duplicate = admin.post("/api/users", json={"username": "choi", "password": "first-pass-1"})
    assert duplicate.status_code == 400 and duplicate.json()["error"]["field"] == "username"

    changed = admin.patch("/api/users/choi", json={"role": "evaluator", "groups": ["감사과"], "password": "second-pass-2"})
    assert changed.status_code == 200
    assert changed.json()["role"] == "evaluator" and changed.json()["groups"] == ["감사과"]
    with TestClient(app) as other:
        assert other.post("/api/auth/login", json={"username": "choi", "password": "first-pass-1"}).status_code == 401
        login(other, "choi", "second-pass-2")
        assert other.get("/api/auth/me").json()["user"]["role"] == "evaluator"
        admin.patch("/api/users/choi", json={"active": False})
        assert other.get("/api/auth/me").status_code == 401  # sessions end with the account

    assert admin.patch("/api/users/nobody", json={"active": False}).status_code == 404
    weak = admin.patch("/api/users/choi", json={"password": "short"})
    assert weak.status_code == 400 and weak.json()["error"]["field"] == "password"
    bad_role = admin.post("/api/users", json={"username": "jung", "password": "long-enough-1", "role": "root"})
    assert bad_role.status_code == 400 and bad_role.json()["error"]["field"] == "role"


def test_admin_cannot_remove_their_own_admin_rights(admin):
    for change in ({"role": "staff"}, {"active": False}):
        reply = admin.patch("/api/users/admin", json=change)
        assert reply.status_code == 400, reply.text
    assert admin.get("/api/users").status_code == 200


def test_api_key_is_shown_once_and_works(admin, app):
    reply = admin.post("/api/users/lee/api-keys", json={"name": "평가 스크립트"})
    assert reply.status_code == 200
    key = reply.json()["key"]
    assert key.startswith("sa-") and reply.json()["username"] == "lee"
    with TestClient(app) as tool:
        me = tool.get("/api/auth/me", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200 and me.json()["user"]["username"] == "lee"
    audit = admin.get("/api/audit", params={"action": "create_api_key"}).json()
    assert audit and key not in audit[0]["detail"]
    assert admin.post("/api/users/nobody/api-keys", json={"name": "x"}).status_code == 404


def test_collection_readers_decide_who_may_ask(admin, staff):
    assert admin.get("/api/collections/childcare/readers").json() == {"collection": "childcare", "readers": ["*"]}
    question = {"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"}
    try:
        reply = admin.put("/api/collections/childcare/readers", json={"readers": ["감사과", "role:admin"]})
        assert reply.json()["readers"] == ["role:admin", "감사과"]
        assert staff.post("/api/chat/childcare", json=question).status_code == 403
        reply = admin.put("/api/collections/childcare/readers", json={"readers": ["보육과"]})
        assert staff.post("/api/chat/childcare", json=question).status_code == 200  # kim is in 보육과
    finally:
        admin.put("/api/collections/childcare/readers", json={"readers": ["*"]})
    assert admin.get("/api/collections/nope/readers").status_code == 404
    assert admin.put("/api/collections/nope/readers", json={"readers": ["*"]}).status_code == 404


def test_audit_log_masks_phone_numbers_and_filters(admin, staff):
    staff.post("/api/chat/childcare", json={"question": "010-9876-5432 번호로 CCTV 영상 보관 기간을 알려 주세요"})
    events = admin.get("/api/audit", params={"username": "kim", "action": "ask"}).json()
    assert events, "the question was not audited"
    assert all(e["username"] == "kim" and e["action"] == "ask" for e in events)
    assert "010-9876-5432" not in events[0]["detail"] and "[전화번호]" in events[0]["detail"]
    assert len(admin.get("/api/audit", params={"limit": 1}).json()) == 1
    assert admin.get("/api/audit", params={"limit": 0}).status_code == 422


def test_feedback_list_shows_ratings_with_the_answer(admin, staff):
    answer = staff.post("/api/chat/childcare", json={"question": "급식은 누가 작성한 식단에 따르나요?"}).json()
    staff.post(f"/api/messages/{answer['message_id']}/feedback", json={"rating": -1, "comment": "근거 부족"})
    rows = admin.get("/api/feedback").json()
    [row] = [r for r in rows if r["message_id"] == answer["message_id"]]
    assert row["rating"] == -1 and row["comment"] == "근거 부족" and row["answer"] and row["sources"]


def test_user_changes_are_audited(admin):
    admin.post("/api/users", json={"username": "yoon", "password": PASSWORD, "role": "staff"})
    admin.patch("/api/users/yoon", json={"groups": ["보육과"], "password": "another-pass-3"})
    actions: dict[str, str] = {}
    for event in admin.get("/api/audit", params={"username": "admin"}).json():  # newest first
        actions.setdefault(event["action"], event["detail"])
    assert "yoon" in actions["create_user"]
    assert "비밀번호 변경" in actions["update_user"] and "another-pass-3" not in actions["update_user"]
