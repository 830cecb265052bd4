"""Sign-in and sign-out. Who may use it: anyone (login); signed-in users (the rest)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api.deps import SESSION_COOKIE, current_user, services
from api.services.accounts import Principal
from api.services.container import Services

router = APIRouter(prefix="/api/auth", tags=["인증"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def _set_cookie(response: Response, svc: Services, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=svc.settings.server.cookie_secure,
                        max_age=int(svc.settings.server.session_hours * 3600), path="/")


def client_address(request: Request, trusted_proxies: list[str]) -> str:
    """The peer's address; behind one of the trusted proxies, the address that proxy saw
    (the last X-Forwarded-For entry: earlier ones are whatever the client claimed)."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-for", "")
    if peer in trusted_proxies and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:128]
    return peer


@router.post("/login", summary="로그인 (틀린 비밀번호가 반복되면 잠시 잠김: 429와 Retry-After)")
def login(body: LoginRequest, request: Request, response: Response, svc: Services = Depends(services)) -> dict:
    client = client_address(request, svc.settings.server.trusted_proxies)
    token, user = svc.sign_in.with_password(body.username, body.password, client)
    _set_cookie(response, svc, token)
    return {"user": user.public(), "csrf_token": user.csrf_token}


@router.post("/trusted")
def trusted_login(request: Request, response: Response, svc: Services = Depends(services)) -> dict:
    """Sign in the user an SSO proxy names in the configured header (off by default)."""
    peer = request.client.host if request.client else ""
    token, user = svc.sign_in.with_trusted_header(peer, request.headers)
    _set_cookie(response, svc, token)
    return {"user": user.public(), "csrf_token": user.csrf_token}


@router.post("/logout")
def logout(request: Request, response: Response, user: Principal = Depends(current_user),
           svc: Services = Depends(services)) -> dict:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        svc.accounts.logout(token)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/me")
def me(user: Principal = Depends(current_user)) -> dict:
    return {"user": user.public(), "csrf_token": user.csrf_token}
