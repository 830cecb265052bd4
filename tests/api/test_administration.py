"""Administration and sign-in as services: each change and each sign-in attempt is audited
by the service itself, whoever calls it (a router, the CLI)."""

from __future__ import annotations

import pytest

from api.db import Database
from api.errors import AuthError, InputError
from api.services.accounts import AccountService
from api.services.administration import Administration
from api.services.audit import AuditLog
from api.services.history import HistoryService
from api.services.sign_in import SignIn
from rag.config.settings import ServerSettings

PASSWORD = "correct-horse-1"


@pytest.fixture
def db(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    db.migrate()
    return db


@pytest.fixture
def audit(db) -> AuditLog:
    return AuditLog(db)


@pytest.fixture
def accounts(db) -> AccountService:
    return AccountService(db, ["general", "childcare"])


@pytest.fixture
def admin(accounts, db, audit) -> Administration:
    return Administration(accounts, HistoryService(db, 30), audit)


def actions(audit: AuditLog) -> list[tuple[str, str, str]]:
    return [(e["username"], e["action"], e["detail"]) for e in reversed(audit.recent())]


def test_each_administrative_change_is_audited_with_who_did_it(admin, audit):
    admin.create_user("root", "kim", PASSWORD, "staff", groups=["보육과"])
    admin.update_user("root", "kim", groups=["보육과", "복지과"], password="another-pass-2")
    key = admin.create_api_key("root", "kim", "batch")
    admin.set_readers("cli", "childcare", ["보육과"])
    admin.unlock_user("root", "kim")
    admin.unlock_address("root", "10.0.0.9")
    admin.purge_history("cli", 30)

    assert actions(audit) == [
        ("root", "create_user", "kim (staff, 그룹 보육과)"),
        ("root", "update_user", "kim: groups=['보육과', '복지과'], 비밀번호 변경"),
        ("root", "create_api_key", f"kim: batch ({key[:8]}…)"),
        ("cli", "set_readers", "childcare: 보육과"),
        ("root", "login_unlock", "계정 kim"),
        ("root", "login_unlock", "주소 10.0.0.9"),
        ("cli", "purge_history", "대화 0개, 메시지 0개 삭제 (30일 보관)"),
    ]
    assert all("another-pass-2" not in detail for _, _, detail in actions(audit))


def test_an_admin_cannot_take_away_their_own_administration(admin, audit):
    admin.create_user("cli", "root", PASSWORD, "admin")

    with pytest.raises(InputError, match="자기 자신의 관리자 권한"):
        admin.update_user("root", "root", role="staff")
    with pytest.raises(InputError, match="자기 자신의 관리자 권한"):
        admin.update_user("root", "root", active=False)
    assert [a for _, a, _ in actions(audit)] == ["create_user"]


def test_sign_in_audits_success_and_failure(accounts, audit):
    accounts.create_user("kim", PASSWORD, "staff")
    sign_in = SignIn(accounts, audit, ServerSettings())

    with pytest.raises(AuthError):
        sign_in.with_password("kim", "wrong-password", "10.0.0.9")
    token, user = sign_in.with_password("kim", PASSWORD, "10.0.0.9")

    assert token and user.username == "kim"
    assert actions(audit) == [("kim", "login_failed", "from 10.0.0.9"), ("kim", "login", "from 10.0.0.9")]


def test_the_trusted_header_signs_in_only_through_a_trusted_proxy(accounts, audit):
    sign_in = SignIn(accounts, audit, ServerSettings(trusted_header="X-Remote-User", trusted_proxies=["10.0.0.1"]))

    with pytest.raises(AuthError, match="허용된 프록시가 아닙니다"):
        sign_in.with_trusted_header("10.0.0.66", {"X-Remote-User": "park"})
    _, user = sign_in.with_trusted_header("10.0.0.1", {"X-Remote-User": "park"})

    assert user.username == "park"
    assert actions(audit) == [("park", "login", "trusted header from 10.0.0.1")]
