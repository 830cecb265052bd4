"""Sign-in throttling: wrong passwords lock an account or a client address for a time that
grows; a lock refuses even the right password; admins unlock; the counters are in the
database, so two server processes share them; failures and locks are audited."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import Database
from api.errors import AuthError
from api.services.accounts import AccountService
from api.services.container import Services
from api.services.login_throttle import LoginLocked, LoginThrottle, ThrottlePolicy
from tests.api.conftest import PASSWORD, build_services, login

RIGHT = "correct-horse-1"


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _accounts(db_file, clock: Clock, policy: ThrottlePolicy = ThrottlePolicy()) -> AccountService:
    db = Database(f"sqlite:///{db_file}")
    db.migrate()
    return AccountService(db, ["general"], throttle=LoginThrottle(db, policy, clock))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(tmp_path, clock) -> AccountService:
    accounts = _accounts(tmp_path / "app.sqlite3", clock)
    accounts.create_user("kim", RIGHT, "staff")
    return accounts


def _fail(accounts: AccountService, times: int, username: str = "kim", address: str = "10.0.0.7") -> None:
    for _ in range(times):
        with pytest.raises(AuthError):
            accounts.login(username, "wrong-password", address)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(accounts, clock):
    _fail(accounts, 5)
    with pytest.raises(LoginLocked) as locked:
        accounts.login("kim", RIGHT, "10.0.0.7")
    assert locked.value.retry_after == 30 and locked.value.status == 429
    assert str(locked.value) == "로그인 시도가 너무 많습니다. 30초 후 다시 시도하세요"
    clock.advance(20)
    with pytest.raises(LoginLocked) as still:
        accounts.login("KIM ", RIGHT, "10.0.0.8")  # another address, the name as typed
    assert still.value.retry_after == 10
    clock.advance(10)
    _, user = accounts.login("kim", RIGHT, "10.0.0.7")
    assert user.username == "kim"


def test_each_failure_after_the_lock_doubles_it_up_to_the_cap(tmp_path, clock):
    accounts = _accounts(tmp_path / "app.sqlite3", clock, ThrottlePolicy(per_account=3, first_lock_s=30,
                                                                         max_lock_s=100))
    accounts.create_user("kim", RIGHT, "staff")
    _fail(accounts, 3)
    waits = []
    for _ in range(3):
        with pytest.raises(LoginLocked) as locked:
            accounts.login("kim", "wrong-password", "10.0.0.7")
        waits.append(locked.value.retry_after)
        clock.advance(locked.value.retry_after)
        _fail(accounts, 1)  # the lock has ended: this failure counts and locks again, longer
    assert waits == [30, 60, 100]


def test_a_right_password_clears_the_account_count(accounts):
    _fail(accounts, 4)
    accounts.login("kim", RIGHT, "10.0.0.7")
    _fail(accounts, 4)  # four more do not lock: the count started again
    accounts.login("kim", RIGHT, "10.0.0.7")


def test_failures_long_ago_are_forgotten(accounts, clock):
    _fail(accounts, 4)
    clock.advance(2 * 3600)
    _fail(accounts, 4)
    accounts.login("kim", RIGHT, "10.0.0.7")


def test_one_address_guessing_at_many_accounts_is_locked(accounts):
    for n in range(20):
        _fail(accounts, 1, username=f"guess{n}", address="10.6.6.6")
    with pytest.raises(LoginLocked):
        accounts.login("kim", RIGHT, "10.6.6.6")
    assert accounts.login("kim", RIGHT, "10.0.0.7")[1].username == "kim"  # other addresses are not
    accounts.throttle.unlock_address("10.6.6.6")
    assert accounts.login("kim", RIGHT, "10.6.6.6")[1].username == "kim"


def test_an_admin_unlocks_an_account(accounts):
    _fail(accounts, 5)
    assert accounts.list_users()[0]["locked_until"] is not None
    assert accounts.unlock("kim") is True
    assert accounts.list_users()[0]["locked_until"] is None
    assert accounts.login("kim", RIGHT, "10.0.0.7")[1].username == "kim"
    assert accounts.unlock("kim") is False


def test_two_processes_on_one_database_share_the_counts(tmp_path, clock):
    first = _accounts(tmp_path / "app.sqlite3", clock)
    second = _accounts(tmp_path / "app.sqlite3", clock)
    first.create_user("kim", RIGHT, "staff")
    for n in range(5):
        _fail(first if n % 2 else second, 1)
    for process in (first, second):
        with pytest.raises(LoginLocked):
            process.login("kim", RIGHT, "10.0.0.9")
    second.unlock("kim")
    assert first.login("kim", RIGHT, "10.0.0.9")[1].username == "kim"


# --- over HTTP --------------------------------------------------------------------------

@pytest.fixture
def server(tmp_path) -> Services:
    svc = build_services(tmp_path)
    yield svc
    svc.close()


def test_forty_wrong_passwords_then_the_right_one_get_429_with_retry_after(server):
    clock = Clock()
    server.accounts.throttle.clock = clock
    with TestClient(create_app(server, start_background=False)) as c:
        codes = [c.post("/api/auth/login", json={"username": "kim", "password": f"wrong-{n}"}).status_code
                 for n in range(40)]
        assert codes == [401] * 5 + [429] * 35
        right = c.post("/api/auth/login", json={"username": "kim", "password": PASSWORD})
        assert right.status_code == 429
        assert right.headers["Retry-After"] == "30"
        assert right.json()["error"]["message"] == "로그인 시도가 너무 많습니다. 30초 후 다시 시도하세요"
        clock.advance(30)
        login(c, "kim")

        login(c, "admin")
        audit = c.get("/api/audit", params={"username": "kim"}).json()
        actions = [e["action"] for e in audit]
        assert actions.count("login_failed") == 41 and actions.count("login_locked") == 1
        assert "from testclient (잠김, 30초 남음)" in [e["detail"] for e in audit]
        assert "계정 kim: 5회 실패, 30초 잠금" in [e["detail"] for e in audit if e["action"] == "login_locked"]


def test_an_admin_unlocks_over_http_and_it_is_audited(server):
    with TestClient(create_app(server, start_background=False)) as admin, \
            TestClient(create_app(server, start_background=False)) as c:
        login(admin, "admin")
        for _ in range(5):
            c.post("/api/auth/login", json={"username": "kim", "password": "wrong-password"})
        assert c.post("/api/auth/login", json={"username": "kim", "password": PASSWORD}).status_code == 429
        locks = admin.get("/api/login-locks").json()
        assert [(lock["kind"], lock["key"]) for lock in locks] == [("user", "kim")]
        assert [u["locked_until"] is not None for u in admin.get("/api/users").json() if u["username"] == "kim"] \
            == [True]
        reply = admin.post("/api/users/kim/unlock")
        assert reply.status_code == 200 and reply.json()["unlocked"] is True
        login(c, "kim")
        assert admin.post("/api/users/nobody/unlock").status_code == 404
        events = admin.get("/api/audit", params={"action": "login_unlock"}).json()
        assert events[0]["username"] == "admin" and events[0]["detail"] == "계정 kim"


def test_unlocking_is_for_admins(server):
    with TestClient(create_app(server, start_background=False)) as c:
        login(c, "kim")
        assert c.post("/api/users/kim/unlock").status_code == 403
        assert c.get("/api/login-locks").status_code == 403
        assert c.post("/api/login-addresses/1.2.3.4/unlock").status_code == 403


def test_two_app_instances_on_one_database_share_the_lock(server):
    other = Services(server.settings)  # a second server process on the same database
    try:
        with TestClient(create_app(server, start_background=False)) as a, \
                TestClient(create_app(other, start_background=False)) as b:
            for n in range(5):
                (a if n % 2 else b).post("/api/auth/login", json={"username": "kim", "password": "wrong-password"})
            assert a.post("/api/auth/login", json={"username": "kim", "password": PASSWORD}).status_code == 429
            assert b.post("/api/auth/login", json={"username": "kim", "password": PASSWORD}).status_code == 429
    finally:
        other.close()


def _address_policy(svc: Services) -> None:
    """Only the per-address count, locking after two failures."""
    svc.accounts.throttle.policy = ThrottlePolicy(per_account=0, per_address=2)


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(server):
    _address_policy(server)
    with TestClient(create_app(server, start_background=False)) as c:
        for n in range(2):
            c.post("/api/auth/login", json={"username": "kim", "password": "wrong-password"},
                   headers={"X-Forwarded-For": f"10.9.9.{n}"})
        assert c.post("/api/auth/login", json={"username": "kim", "password": PASSWORD},
                      headers={"X-Forwarded-For": "10.9.9.99"}).status_code == 429


def test_the_address_behind_a_trusted_proxy_is_the_forwarded_one(server):
    _address_policy(server)
    server.settings.server.trusted_proxies = ["testclient"]
    with TestClient(create_app(server, start_background=False)) as c:
        for _ in range(2):
            c.post("/api/auth/login", json={"username": "kim", "password": "wrong-password"},
                   headers={"X-Forwarded-For": "203.0.113.9, 10.1.1.1"})
        locked = c.post("/api/auth/login", json={"username": "kim", "password": PASSWORD},
                        headers={"X-Forwarded-For": "10.1.1.1"})
        assert locked.status_code == 429
        # Another client behind the same proxy is not locked out with it.
        assert c.post("/api/auth/login", json={"username": "kim", "password": PASSWORD},
                      headers={"X-Forwarded-For": "10.2.2.2"}).status_code == 200
