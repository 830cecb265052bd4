"""Administration: users, API keys, sign-in locks, who reads which collection, the audit
log and the feedback on answers. Who may use it: admins only."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import require_role, services
from api.errors import NotFound
from api.services.accounts import Principal
from api.services.container import Services

router = APIRouter(prefix="/api", tags=["관리"])
admin_only = require_role("admin")


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str | None = Field(None, max_length=256, description="없으면 SSO(신뢰 헤더)로만 로그인")
    role: str = Field("staff", description="admin | staff | evaluator")
    display_name: str = Field("", max_length=128)
    groups: list[str] = Field(default_factory=list, description="문서 접근 그룹 (예: 보육과)")


class UserChange(BaseModel):
    role: str | None = None
    groups: list[str] | None = None
    active: bool | None = None
    password: str | None = Field(None, max_length=256)


class Readers(BaseModel):
    readers: list[str] = Field(description='"*" = 모든 사용자, "role:staff" = 역할, 그 밖에는 그룹 이름')


class KeyRequest(BaseModel):
    name: str = Field("default", min_length=1, max_length=64)


@router.get("/users", summary="사용자 목록")
def users(_: Principal = Depends(admin_only), svc: Services = Depends(services)) -> list[dict]:
    return svc.accounts.list_users()


@router.post("/users", summary="사용자 만들기")
def create_user(body: NewUser, user: Principal = Depends(admin_only), svc: Services = Depends(services)) -> dict:
    return svc.admin.create_user(user.username, body.username, body.password, body.role,
                                 display_name=body.display_name, groups=body.groups)


@router.patch("/users/{username}", summary="역할·그룹·사용 여부·비밀번호 바꾸기")
def update_user(username: str, body: UserChange, user: Principal = Depends(admin_only),
                svc: Services = Depends(services)) -> dict:
    return svc.admin.update_user(user.username, username, role=body.role, groups=body.groups, active=body.active,
                                 password=body.password)


@router.post("/users/{username}/unlock", summary="틀린 비밀번호로 잠긴 로그인 풀기")
def unlock_user(username: str, user: Principal = Depends(admin_only), svc: Services = Depends(services)) -> dict:
    was_locked = svc.admin.unlock_user(user.username, username)
    return {"username": username, "unlocked": was_locked}


@router.get("/login-locks", summary="지금 잠긴 계정과 주소")
def login_locks(_: Principal = Depends(admin_only), svc: Services = Depends(services)) -> list[dict]:
    return svc.accounts.throttle.locked()


@router.post("/login-addresses/{address}/unlock", summary="틀린 비밀번호로 잠긴 주소 풀기")
def unlock_address(address: str, user: Principal = Depends(admin_only), svc: Services = Depends(services)) -> dict:
    was_locked = svc.admin.unlock_address(user.username, address)
    return {"address": address, "unlocked": was_locked}


@router.post("/users/{username}/api-keys", summary="API 키 발급 (이번 한 번만 보여 줌)")
def create_api_key(username: str, body: KeyRequest | None = None, user: Principal = Depends(admin_only),
                   svc: Services = Depends(services)) -> dict:
    name = body.name if body else "default"
    key = svc.admin.create_api_key(user.username, username, name)
    return {"username": username, "name": name, "key": key,
            "notice": "이 키는 다시 보여 주지 않습니다. 지금 안전한 곳에 저장하세요"}


@router.get("/collections/{collection}/readers", summary="컬렉션을 읽을 수 있는 사용자·그룹")
def readers(collection: str, _: Principal = Depends(admin_only), svc: Services = Depends(services)) -> dict:
    if collection not in svc.collections:
        raise NotFound(f"컬렉션 '{collection[:64]}'")
    return {"collection": collection, "readers": svc.accounts.readers().get(collection, [])}


@router.put("/collections/{collection}/readers", summary="컬렉션 읽기 권한 바꾸기")
def set_readers(collection: str, body: Readers, user: Principal = Depends(admin_only),
                svc: Services = Depends(services)) -> dict:
    chosen = svc.admin.set_readers(user.username, collection, body.readers)
    return {"collection": collection, "readers": chosen}


@router.get("/audit", summary="감사 기록 (최근 순)")
def audit(limit: int = Query(200, ge=1, le=1000), username: str | None = None, action: str | None = None,
          _: Principal = Depends(admin_only), svc: Services = Depends(services)) -> list[dict]:
    return svc.audit.recent(limit, username=username, action=action)


@router.get("/feedback", summary="답변 평가 목록")
def feedback(limit: int = Query(500, ge=1, le=2000), _: Principal = Depends(admin_only),
             svc: Services = Depends(services)) -> list[dict]:
    return svc.history.all_feedback(limit)
