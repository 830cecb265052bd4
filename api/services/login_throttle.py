"""Sign-in throttling (OWASP ASVS 2.2.1): wrong passwords are counted per account and per
client address; past a threshold sign-in is locked, for a time that doubles with each
further failure up to a cap. While locked even the right password is refused, so guessing
gains nothing. The counters live in the database, so every server process shares them.

Who may use it: AccountService.login consults it; admins unlock (routers and CLI)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from api.db import Database, LoginFailure
from api.errors import RateLimited, ServiceError

ACCOUNT = "user"
ADDRESS = "ip"
#: A counter not touched for this long starts again from zero (while locked it is kept).
FORGET_AFTER = timedelta(hours=1)


class LoginLocked(RateLimited):
    code = "login_locked"
    english = "Too many sign-in attempts"

    def __init__(self, retry_after: int) -> None:
        ServiceError.__init__(self, f"로그인 시도가 너무 많습니다. {retry_after}초 후 다시 시도하세요")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThrottlePolicy:
    """0 for a threshold turns that counter off."""

    per_account: int = 5
    per_address: int = 20
    first_lock_s: int = 30
    max_lock_s: int = 900

    def lock_for(self, failures: int, threshold: int) -> timedelta | None:
        if not threshold or failures < threshold:
            return None
        doublings = min(failures - threshold, 32)
        return timedelta(seconds=min(self.first_lock_s * 2 ** doublings, self.max_lock_s))


@dataclass(frozen=True)
class Lockout:
    """A lock that a failure just started, for the audit log."""

    kind: str
    key: str
    failures: int
    seconds: int


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class LoginThrottle:
    def __init__(self, db: Database, policy: ThrottlePolicy = ThrottlePolicy(),
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = db
        self.policy = policy
        self.clock = clock
        self.forget_after = max(FORGET_AFTER, timedelta(seconds=2 * policy.max_lock_s))

    def check(self, username: str, address: str) -> None:
        """LoginLocked when the account or the address is locked now."""
        now = self.clock()
        keys = [(ACCOUNT, username)] + ([(ADDRESS, address)] if address else [])
        with self.db.session() as s:
            rows = s.scalars(select(LoginFailure).where(
                or_(*(and_(LoginFailure.kind == kind, LoginFailure.key == key) for kind, key in keys)),
                LoginFailure.locked_until.is_not(None))).all()
            until = max((_aware(r.locked_until) for r in rows), default=None)
        if until is not None and until > now:
            raise LoginLocked(max(1, math.ceil((until - now).total_seconds())))

    def failed(self, username: str, address: str) -> list[Lockout]:
        """Counts a wrong password; returns the locks it started."""
        started = [self._count(ACCOUNT, username, self.policy.per_account)]
        if address:
            started.append(self._count(ADDRESS, address, self.policy.per_address))
        return [lock for lock in started if lock is not None]

    def succeeded(self, username: str) -> None:
        """A right password clears the account's counter. The address keeps its count: one
        known password must not buy an address fresh guesses at other accounts."""
        self._clear(ACCOUNT, username)

    def unlock_account(self, username: str) -> bool:
        return self._clear(ACCOUNT, username)

    def unlock_address(self, address: str) -> bool:
        return self._clear(ADDRESS, address)

    def locked(self) -> list[dict]:
        """The locks in force now (for admins)."""
        now = self.clock()
        with self.db.session() as s:
            rows = s.scalars(select(LoginFailure).where(LoginFailure.locked_until > now)
                             .order_by(LoginFailure.kind, LoginFailure.key)).all()
            return [{"kind": r.kind, "key": r.key, "failures": r.failures,
                     "locked_until": _aware(r.locked_until).isoformat()} for r in rows]

    def _count(self, kind: str, key: str, threshold: int) -> Lockout | None:
        if not threshold:
            return None
        try:
            return self._increment(kind, key, threshold)
        except IntegrityError:  # another process inserted the first row at the same moment
            return self._increment(kind, key, threshold)

    def _increment(self, kind: str, key: str, threshold: int) -> Lockout | None:
        now = self.clock()
        stale = now - self.forget_after
        forgotten = and_(LoginFailure.last_failed_at < stale,
                         or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < now))
        with self.db.session() as s:
            # An UPDATE first: it takes the row (or SQLite's write) lock before anything is
            # read, so two processes counting at once both count.
            changed = s.execute(
                update(LoginFailure).where(LoginFailure.kind == kind, LoginFailure.key == key).values(
                    failures=case((forgotten, 1), else_=LoginFailure.failures + 1),
                    first_failed_at=case((forgotten, now), else_=LoginFailure.first_failed_at),
                    last_failed_at=now).execution_options(synchronize_session=False)).rowcount
            if not changed:
                s.add(LoginFailure(kind=kind, key=key, failures=1, first_failed_at=now, last_failed_at=now))
                s.flush()
            # Old counters (typos long ago, usernames that never existed) go on the way.
            s.execute(delete(LoginFailure).where(forgotten).execution_options(synchronize_session=False))
            row = s.scalar(select(LoginFailure).where(LoginFailure.kind == kind, LoginFailure.key == key))
            lock = self.policy.lock_for(row.failures, threshold)
            if lock is None:
                return None
            row.locked_until = now + lock
            return Lockout(kind, key, row.failures, int(lock.total_seconds()))

    def _clear(self, kind: str, key: str) -> bool:
        with self.db.session() as s:
            return bool(s.execute(delete(LoginFailure).where(LoginFailure.kind == kind,
                                                             LoginFailure.key == key)).rowcount)
