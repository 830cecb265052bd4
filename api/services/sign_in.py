"""Signing in, by password or by the name a trusted SSO proxy puts in a header; every
attempt, failed and locked ones included, is written to the audit log here.

Who may use it: anyone (a password); only the configured proxies (the header)."""

from __future__ import annotations

from collections.abc import Mapping

from api.errors import AuthError
from api.services.accounts import AccountService, Principal
from api.services.audit import AuditLog
from api.services.login_throttle import LoginLocked
from rag.config.settings import ServerSettings


class SignIn:
    def __init__(self, accounts: AccountService, audit: AuditLog, server: ServerSettings) -> None:
        self.accounts = accounts
        self.audit = audit
        self.server = server

    def with_password(self, username: str, password: str, client: str) -> tuple[str, Principal]:
        """A session token and the user; `client` (the caller's address) is counted for
        throttling and written to the log. AuthError or LoginLocked otherwise."""
        who = username[:64]
        try:
            token, user = self.accounts.login(username, password, client)
        except AuthError:
            self.audit.record(who, "login_failed", f"from {client}")
            raise
        except LoginLocked as locked:
            self.audit.record(who, "login_failed", f"from {client} (잠김, {locked.retry_after}초 남음)")
            raise
        self.audit.record(user.username, "login", f"from {client}")
        return token, user

    def with_trusted_header(self, peer: str, headers: Mapping[str, str]) -> tuple[str, Principal]:
        """Sign in the user the configured header names, if `peer` (the direct caller, not
        a forwarded address) is one of the trusted proxies; off unless configured."""
        header = self.server.trusted_header
        username = headers.get(header, "") if header else ""
        if not header or peer not in self.server.trusted_proxies or not username:
            raise AuthError("신뢰 헤더 로그인이 설정되지 않았거나 허용된 프록시가 아닙니다")
        token, user = self.accounts.login_trusted(username, self.server.trusted_header_role)
        self.audit.record(user.username, "login", f"trusted header from {peer}")
        return token, user
