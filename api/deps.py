"""Who is calling: a session cookie (the web UI), an API key (tools, the OpenAI API) or,
when configured, a trusted SSO header; plus the role and CSRF checks routers declare."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request

from api.errors import AuthError, Forbidden
from api.services.accounts import Principal
from api.services.container import Services

SESSION_COOKIE = "sa_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def services(request: Request) -> Services:
    return request.app.state.services


def optional_user(request: Request) -> Principal | None:
    svc: Services = request.app.state.services
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        principal = svc.accounts.resolve_api_key(auth[7:].strip())
        if principal is None:
            raise AuthError("API 키가 올바르지 않습니다")
        return principal
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        principal = svc.accounts.resolve_session(token)
        if principal is not None:
            _check_csrf(request, principal)
            return principal
    return None


def current_user(request: Request) -> Principal:
    principal = optional_user(request)
    if principal is None:
        raise AuthError("로그인이 필요합니다")
    request.state.username = principal.username
    return principal


def require_role(*roles: str) -> Callable[..., Principal]:
    def check(user: Principal = Depends(current_user)) -> Principal:
        if user.role not in roles:
            raise Forbidden(f"이 기능은 {', '.join(roles)} 역할만 쓸 수 있습니다")
        return user

    return check


def _check_csrf(request: Request, principal: Principal) -> None:
    # Cookies ride along on cross-site requests; a header another site cannot set proves
    # the request came from our own page. API keys are not ambient, so they skip this.
    if request.method in _SAFE_METHODS:
        return
    if request.headers.get(CSRF_HEADER) != principal.csrf_token:
        raise Forbidden("CSRF 토큰이 없거나 맞지 않습니다. 페이지를 새로 고치세요")
