"""Administration: users, API keys, sign-in locks, who reads which collection and purging
old conversations, each change written to the audit log here, so the web UI and the CLI record the same thing and
no router or command has to remember to.

Who may use it: admins (the routers check the role) and the operator on the server's
machine (the CLI, which records itself as "cli")."""

from __future__ import annotations

from collections.abc import Iterable

from api.errors import InputError
from api.services.accounts import AccountService
from api.services.audit import AuditLog
from api.services.history import HistoryService, Purged


class Administration:
    def __init__(self, accounts: AccountService, history: HistoryService, audit: AuditLog) -> None:
        self.accounts = accounts
        self.history = history
        self.audit = audit

    def create_user(self, actor: str, username: str, password: str | None, role: str = "staff", *,
                    display_name: str = "", groups: Iterable[str] = ()) -> dict:
        created = self.accounts.create_user(username, password, role, display_name=display_name, groups=groups)
        self.audit.record(actor, "create_user",
                          f"{created['username']} ({created['role']}, 그룹 {', '.join(created['groups']) or '없음'})")
        return created

    def update_user(self, actor: str, username: str, *, role: str | None = None,
                    groups: Iterable[str] | None = None, active: bool | None = None,
                    password: str | None = None) -> dict:
        if username == actor and (active is False or (role is not None and role != "admin")):
            # Otherwise the last admin can lock everyone out of administration.
            raise InputError("role" if role is not None else "active", "자기 자신의 관리자 권한은 해제할 수 없습니다")
        groups = list(groups) if groups is not None else None
        updated = self.accounts.update_user(username, role=role, groups=groups, active=active, password=password)
        changes = [f"{name}={value}" for name, value in (("role", role), ("groups", groups), ("active", active))
                   if value is not None]
        if password is not None:
            changes.append("비밀번호 변경")  # never the password itself
        self.audit.record(actor, "update_user", f"{username}: {', '.join(changes) or '변경 없음'}")
        return updated

    def unlock_user(self, actor: str, username: str) -> bool:
        """Lifts the account's sign-in lock; False if it was not locked."""
        was_locked = self.accounts.unlock(username)
        self.audit.record(actor, "login_unlock", f"계정 {username}")
        return was_locked

    def unlock_address(self, actor: str, address: str) -> bool:
        """Lifts the client address's sign-in lock; False if it was not locked."""
        was_locked = self.accounts.throttle.unlock_address(address)
        self.audit.record(actor, "login_unlock", f"주소 {address[:128]}")
        return was_locked

    def create_api_key(self, actor: str, username: str, name: str = "default") -> str:
        key = self.accounts.create_api_key(username, name)
        self.audit.record(actor, "create_api_key", f"{username}: {name} ({key[:8]}…)")
        return key

    def set_readers(self, actor: str, collection: str, readers: Iterable[str]) -> list[str]:
        chosen = self.accounts.set_readers(collection, readers)
        self.audit.record(actor, "set_readers", f"{collection}: {', '.join(chosen) or '(없음)'}",
                          collection=collection)
        return chosen

    def purge_history(self, actor: str, days: int) -> Purged:
        """Deletes conversations older than `days` now, whatever the retention setting."""
        purged = self.history.purge(days)
        self.audit.record(actor, "purge_history",
                          f"대화 {purged.conversations}개, 메시지 {purged.messages}개 삭제 ({days}일 보관)")
        return purged
