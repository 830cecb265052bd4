"""The plain services behind the routers: queue, rate limit, accounts, access scope."""

from __future__ import annotations

import threading
import time

import pytest

from api.db import Database
from api.errors import AuthError, InputError, RateLimited
from api.services.accounts import EVERYONE, AccountService
from api.services.generation_queue import GenerationQueue
from api.services.ratelimit import RateLimiter
from rag.access import AccessScope
from rag.errors import AccessDenied
from rag.store.base import PointFilter


@pytest.fixture
def accounts(tmp_path) -> AccountService:
    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    db.migrate()
    return AccountService(db, ["general", "childcare"])


def test_queue_gives_positions_in_order_and_one_slot_at_a_time():
    queue = GenerationQueue(1)
    with queue.turn():
        seen: dict[str, list[int]] = {"b": [], "c": []}
        order: list[str] = []

        def wait(name: str) -> None:
            for position in queue.wait_turn(poll_s=0.01):
                seen[name].append(position)
            order.append(name)
            time.sleep(0.02)
            queue.release()

        b = threading.Thread(target=wait, args=("b",))
        b.start()
        time.sleep(0.05)
        c = threading.Thread(target=wait, args=("c",))
        c.start()
        time.sleep(0.05)
        assert queue.waiting == 2
    b.join(2)
    c.join(2)
    assert order == ["b", "c"]
    assert seen["b"] == [1]
    assert seen["c"][0] == 2 and seen["c"][-1] == 1
    assert queue.running == 0


def test_queue_forgets_a_caller_that_leaves_the_line():
    queue = GenerationQueue(1)
    with queue.turn():
        waiting = queue.wait_turn(poll_s=0.01)
        assert next(waiting) == 1
        waiting.close()  # the client disconnected
        assert queue.waiting == 0
    with queue.turn():
        assert queue.running == 1


def test_rate_limiter_refuses_then_refills():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.take("kim")
    limiter.take("kim")
    with pytest.raises(RateLimited) as refused:
        limiter.take("kim")
    assert refused.value.retry_after == 30
    limiter.take("lee")  # per user
    now[0] = 31.0
    limiter.take("kim")


def test_passwords_are_hashed_and_checked(accounts):
    accounts.create_user("kim", "correct-horse-1", "staff")
    with accounts.db.session() as s:
        from api.db import User

        stored = s.query(User).one().password_hash
    assert "correct-horse-1" not in stored and stored.startswith("$argon2")
    token, user = accounts.login("KIM", "correct-horse-1")
    assert user.username == "kim" and accounts.resolve_session(token).username == "kim"
    with pytest.raises(AuthError):
        accounts.login("kim", "wrong-password")
    with pytest.raises(AuthError):
        accounts.login("nobody", "whatever-123")
    accounts.logout(token)
    assert accounts.resolve_session(token) is None


def test_bad_account_input_names_the_field(accounts):
    with pytest.raises(InputError) as short:
        accounts.create_user("kim", "short", "staff")
    assert short.value.field == "password"
    with pytest.raises(InputError) as role:
        accounts.create_user("kim", "long-enough-1", "root")
    assert role.value.field == "role"
    with pytest.raises(InputError) as name:
        accounts.create_user("../etc", "long-enough-1", "staff")
    assert name.value.field == "username"


def test_deactivating_a_user_ends_their_sessions(accounts):
    accounts.create_user("kim", "correct-horse-1", "staff")
    token, _ = accounts.login("kim", "correct-horse-1")
    accounts.update_user("kim", active=False)
    assert accounts.resolve_session(token) is None
    with pytest.raises(AuthError):
        accounts.login("kim", "correct-horse-1")


def test_readers_decide_the_scope(accounts):
    accounts.create_user("kim", "correct-horse-1", "staff", groups=["보육과"])
    accounts.create_user("boss", "correct-horse-1", "admin")
    accounts.set_readers("general", [EVERYONE])
    accounts.set_readers("childcare", ["보육과"])
    _, kim = accounts.login("kim", "correct-horse-1")
    assert kim.readable == {"general", "childcare"}
    accounts.set_readers("childcare", ["role:evaluator"])
    kim = accounts.resolve_session(accounts.login("kim", "correct-horse-1")[0])
    assert kim.readable == {"general"}
    # Her role is a document group too ("role:staff"), as it is a reader of collections.
    assert kim.scope.groups == ("보육과", "role:staff") and not kim.scope.every_group
    assert kim.scope.sees("role:staff") and not kim.scope.sees("role:evaluator")
    _, boss = accounts.login("boss", "correct-horse-1")
    assert boss.readable == {"general", "childcare"}
    assert boss.scope.every_group and boss.scope.sees("기획과")


def test_api_keys_are_stored_hashed(accounts):
    accounts.create_user("kim", "correct-horse-1", "staff")
    key = accounts.create_api_key("kim")
    assert accounts.resolve_api_key(key).username == "kim"
    assert accounts.resolve_api_key(key + "x") is None
    with accounts.db.session() as s:
        from api.db import ApiKey

        assert s.query(ApiKey).one().key_hash != key


def test_trusted_header_creates_the_user_once(accounts):
    _, first = accounts.login_trusted("Hong.GD", "staff")
    _, again = accounts.login_trusted("hong.gd", "staff")
    assert first.id == again.id and first.role == "staff"
    with pytest.raises(AuthError):
        accounts.login_trusted("../x", "staff")


def test_scope_narrows_filters_and_refuses_collections():
    scope = AccessScope(collections=frozenset({"general"}), groups=("보육과",))
    scope.check("general")
    with pytest.raises(AccessDenied):
        scope.check("childcare")
    asked = PointFilter(access=("public", "보육과", "감사실"))
    assert scope.narrow(asked).access == ("public", "보육과")
    assert scope.narrow(PointFilter(access=None)).access == ("public", "보육과")
    # Asking only for a group you are not in gives a filter nothing matches.
    assert scope.narrow(PointFilter(access=("감사실",))).access == ("\x00none",)
