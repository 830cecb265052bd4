"""Local accounts, sessions, API keys and who may read which collection.

Who may use it: creating users, changing readers and unlocking sign-in are for admins
(the routers check the role; the CLI runs with the operator's rights). Passwords are
stored as Argon2 hashes; session cookies and API keys are stored as SHA-256 hashes only.
Wrong passwords are counted and lock sign-in for a while (api.services.login_throttle)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from api.db import ApiKey, CollectionReader, Database, User, UserSession
from api.errors import AuthError, InputError, NotFound
from api.services.login_throttle import ACCOUNT, Lockout, LoginThrottle
from rag.access import AccessScope

Role = Literal["admin", "staff", "evaluator"]
ROLES: tuple[str, ...] = ("admin", "staff", "evaluator")
EVERYONE = "*"
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the services see it."""

    id: int
    username: str
    display_name: str
    role: str
    groups: tuple[str, ...] = ()
    csrf_token: str = ""
    #: How this request proved who it is: session cookie, API key or trusted header.
    via: str = "session"
    readable: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scope(self) -> AccessScope:
        # A document given to "role:evaluator" is read by evaluators, as a collection is;
        # admins see every document (they set the groups and list every document anyway).
        return AccessScope(collections=self.readable, groups=(*self.groups, f"role:{self.role}"),
                           every_group=self.is_admin)

    def public(self) -> dict:
        return {"username": self.username, "display_name": self.display_name, "role": self.role,
                "groups": list(self.groups), "collections": sorted(self.readable)}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class AccountService:
    def __init__(self, db: Database, collections: Iterable[str], session_hours: float = 12.0,
                 throttle: LoginThrottle | None = None,
                 on_lockout: Callable[[Lockout], None] = lambda lock: None) -> None:
        self.db = db
        self.collections = tuple(collections)
        self.session_hours = session_hours
        self.throttle = throttle or LoginThrottle(db)
        #: Told about every lock a wrong password starts (the server audits it).
        self.on_lockout = on_lockout

    # -- users ---------------------------------------------------------------------------

    def create_user(self, username: str, password: str | None, role: str = "staff", *,
                    display_name: str = "", groups: Iterable[str] = ()) -> dict:
        username = username.strip().lower()
        if not username or not set(username) <= _USERNAME_CHARS or len(username) > 64:
            raise InputError("username", "사용자 이름은 영문 소문자, 숫자, . _ - @ 로 64자 이내여야 합니다")
        if role not in ROLES:
            raise InputError("role", f"역할은 {', '.join(ROLES)} 중 하나여야 합니다")
        if password is not None and len(password) < 8:
            raise InputError("password", "비밀번호는 8자 이상이어야 합니다")
        with self.db.session() as s:
            if s.scalar(select(User).where(User.username == username)):
                raise InputError("username", f"'{username}' 사용자가 이미 있습니다")
            user = User(username=username, display_name=display_name or username,
                        password_hash=_hasher.hash(password) if password else None, role=role,
                        groups=sorted(set(groups)))
            s.add(user)
            s.flush()
            return _user_dict(user)

    def list_users(self) -> list[dict]:
        """Each user, with `locked_until` set while wrong passwords keep them from signing in."""
        locks = {lock["key"]: lock["locked_until"] for lock in self.throttle.locked() if lock["kind"] == ACCOUNT}
        with self.db.session() as s:
            return [_user_dict(u) | {"locked_until": locks.get(u.username)}
                    for u in s.scalars(select(User).order_by(User.username))]

    def update_user(self, username: str, *, role: str | None = None, groups: Iterable[str] | None = None,
                    active: bool | None = None, password: str | None = None) -> dict:
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(f"사용자 '{username}'")
            if role is not None:
                if role not in ROLES:
                    raise InputError("role", f"역할은 {', '.join(ROLES)} 중 하나여야 합니다")
                user.role = role
            if groups is not None:
                user.groups = sorted(set(groups))
            if active is not None:
                user.active = active
                if not active:
                    s.execute(delete(UserSession).where(UserSession.user_id == user.id))
            if password is not None:
                if len(password) < 8:
                    raise InputError("password", "비밀번호는 8자 이상이어야 합니다")
                user.password_hash = _hasher.hash(password)
            return _user_dict(user)

    def has_admin(self) -> bool:
        with self.db.session() as s:
            return s.scalar(select(User.id).where(User.role == "admin", User.active.is_(True))) is not None

    # -- sign-in -------------------------------------------------------------------------

    def login(self, username: str, password: str, address: str = "") -> tuple[str, Principal]:
        """A new session token (the cookie value) for a correct password. `address`: the
        client's, counted with the account for throttling. LoginLocked (429) while the
        account or address is locked, whatever the password."""
        username = username.strip().lower()
        self.throttle.check(username, address)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            ok = False
            if user is not None and user.active and user.password_hash:
                try:
                    ok = _hasher.verify(user.password_hash, password)
                except (VerificationError, InvalidHashError):
                    ok = False
            else:
                # Same work for unknown users, so timing does not reveal who exists.
                _hasher.hash(password)
            if ok:
                opened = self._open_session(s, user)
        if not ok:
            for lock in self.throttle.failed(username, address):
                self.on_lockout(lock)
            raise AuthError("사용자 이름 또는 비밀번호가 올바르지 않습니다")
        self.throttle.succeeded(username)
        return opened

    def unlock(self, username: str) -> bool:
        """Lifts the account's sign-in lock and forgets its failures; False if none."""
        username = username.strip().lower()
        with self.db.session() as s:
            if s.scalar(select(User.id).where(User.username == username)) is None:
                raise NotFound(f"사용자 '{username}'")
        return self.throttle.unlock_account(username)

    def login_trusted(self, username: str, role: str = "staff") -> tuple[str, Principal]:
        """Sign in a user the SSO proxy vouched for, creating them on first sight."""
        username = username.strip().lower()
        if not username or not set(username) <= _USERNAME_CHARS:
            raise AuthError("신뢰 헤더의 사용자 이름이 올바르지 않습니다")
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(username=username, display_name=username, password_hash=None, role=role, groups=[])
                s.add(user)
                s.flush()
            if not user.active:
                raise AuthError("사용이 중지된 계정입니다")
            return self._open_session(s, user)

    def _open_session(self, s, user: User) -> tuple[str, Principal]:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        s.add(UserSession(token_hash=_digest(token), csrf_token=csrf, user_id=user.id,
                          expires_at=_now() + timedelta(hours=self.session_hours)))
        return token, self._principal(s, user, csrf, "session")

    def resolve_session(self, token: str) -> Principal | None:
        with self.db.session() as s:
            row = s.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
            if row is None or _aware(row.expires_at) < _now() or not row.user.active:
                return None
            return self._principal(s, row.user, row.csrf_token, "session")

    def logout(self, token: str) -> None:
        with self.db.session() as s:
            s.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))

    # -- API keys (the OpenAI-compatible API and other tools) ------------------------------

    def create_api_key(self, username: str, name: str = "default") -> str:
        key = "sa-" + secrets.token_urlsafe(32)
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(f"사용자 '{username}'")
            s.add(ApiKey(user_id=user.id, name=name, key_hash=_digest(key), prefix=key[:8]))
        return key

    def resolve_api_key(self, key: str) -> Principal | None:
        with self.db.session() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(key), ApiKey.revoked.is_(False)))
            if row is None or not row.user.active:
                return None
            return self._principal(s, row.user, "", "api_key")

    # -- who reads which collection -------------------------------------------------------

    def groups(self) -> list[str]:
        """Every group some user belongs to."""
        with self.db.session() as s:
            return sorted({g for groups in s.scalars(select(User.groups)) for g in (groups or ())})

    def readers(self) -> dict[str, list[str]]:
        with self.db.session() as s:
            rows = s.scalars(select(CollectionReader)).all()
        found: dict[str, list[str]] = {c: [] for c in self.collections}
        for row in rows:
            found.setdefault(row.collection, []).append(row.reader)
        return {c: sorted(r) for c, r in found.items()}

    def set_readers(self, collection: str, readers: Iterable[str]) -> list[str]:
        if collection not in self.collections:
            raise NotFound(f"컬렉션 '{collection}'")
        chosen = sorted({r.strip() for r in readers if r.strip()})
        with self.db.session() as s:
            s.execute(delete(CollectionReader).where(CollectionReader.collection == collection))
            s.add_all(CollectionReader(collection=collection, reader=r) for r in chosen)
        return chosen

    def seed_readers(self, defaults: dict[str, list[str]]) -> None:
        """Readers for collections that have none recorded yet (first start)."""
        current = self.readers()
        for collection, readers in defaults.items():
            if collection in self.collections and not current.get(collection):
                self.set_readers(collection, readers)

    def _principal(self, s, user: User, csrf: str, via: str) -> Principal:
        groups = tuple(user.groups or ())
        if user.role == "admin":
            readable = frozenset(self.collections)
        else:
            wanted = {EVERYONE, f"role:{user.role}", *groups}
            rows = s.scalars(select(CollectionReader).where(CollectionReader.reader.in_(wanted))).all()
            readable = frozenset(r.collection for r in rows if r.collection in self.collections)
        return Principal(user.id, user.username, user.display_name, user.role, groups, csrf, via, readable)


def _user_dict(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "groups": list(user.groups or []), "active": user.active,
            "has_password": user.password_hash is not None}
