"""Collections, their documents, uploads and their jobs, re-indexing and original files.
Who may use it: admins upload, delete and re-index; readers of a collection list its
documents and open its files (api.services.documents decides)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.deps import current_user, services
from api.services.accounts import Principal
from api.services.container import Services
from api.upload_form import MIB, read_upload_form

router = APIRouter(prefix="/api", tags=["문서"])


@router.get("/collections", summary="읽을 수 있는 컬렉션과 색인 현황")
def collections(user: Principal = Depends(current_user), svc: Services = Depends(services)) -> list[dict]:
    return svc.documents.collections(user)


@router.get("/collections/{collection}/documents", summary="컬렉션의 문서와 색인 상태")
def documents(collection: str, user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    return svc.documents.list_documents(user, collection)


# The form is read by hand while it streams (api.upload_form), so FastAPI cannot see
# its fields: they are described here for /docs and API clients.
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "올릴 파일 (PDF, HWP, HWPX, DOCX, MD, TXT; 여러 개 가능, 파일당 server.max_upload_mb 이내). "
                                 "너무 크거나 읽을 수 없는 파일은 이름과 함께 실패 작업이 되고 나머지는 계속 처리됩니다."},
        "access": {"type": "string", "default": "public",
                   "description": "문서를 읽을 수 있는 그룹: public (모든 사용자), 사용자 그룹 이름, 또는 role:staff · "
                                  "role:evaluator · role:admin (역할). 관리자는 모든 문서를 봅니다. "
                                  "선택지는 GET /api/access-groups, 나중에 PATCH …/documents/access 로 바꿀 수 있습니다."},
    }}}}}}


class AccessChange(BaseModel):
    access: str = Field(description="public, 그룹 이름 또는 role:<역할> (GET /api/access-groups)", max_length=64)


@router.post("/collections/{collection}/documents", summary="문서 올리기 (multipart 필드 files, 여러 개 가능, access)",
             openapi_extra=_UPLOAD_BODY)
async def upload(collection: str, request: Request, user: Principal = Depends(current_user),
                 svc: Services = Depends(services)) -> dict:
    # Role and collection first, so a refused upload is not read at all.
    await run_in_threadpool(svc.documents.check_upload, user, collection)
    form = await read_upload_form(request, max_file_bytes=svc.settings.server.max_upload_mb * MIB)
    try:
        files = [(f.filename, None if f.too_large else f.file) for f in form.files]
        jobs = await run_in_threadpool(svc.documents.upload_many, user, collection, files,
                                       form.fields.get("access", "public"))
    finally:
        form.close()
    return {"jobs": jobs}


@router.delete("/collections/{collection}/documents",
               summary="업로드한 문서 삭제 (색인 중이거나 실패한 업로드도: 작업을 취소하고 파일과 색인에서 지움)")
def delete(collection: str, source: str = Query(min_length=1, max_length=1024), user: Principal = Depends(current_user),
           svc: Services = Depends(services)) -> dict:
    return svc.documents.delete(user, collection, source)


@router.patch("/collections/{collection}/documents/access", summary="업로드한 문서의 접근 그룹 바꾸기 (관리자)")
def set_access(collection: str, body: AccessChange, source: str = Query(min_length=1, max_length=1024),
               user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    return svc.documents.set_access(user, collection, source, body.access)


@router.get("/access-groups", summary="문서에 줄 수 있는 접근 그룹 (관리자)")
def access_groups(user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    return svc.documents.access_groups(user)


@router.post("/collections/{collection}/reindex", summary="컬렉션 다시 색인")
def reindex(collection: str, user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    return svc.documents.reindex(user, collection)


@router.get("/collections/{collection}/file", summary="원본 문서 파일")
def file(collection: str, source: str = Query(min_length=1, max_length=1024), user: Principal = Depends(current_user),
         svc: Services = Depends(services)) -> FileResponse:
    path, media_type = svc.documents.file(user, collection, source)
    pdf = media_type == "application/pdf"
    disposition = "inline" if pdf or media_type.startswith("text/plain") else "attachment"
    # The passage viewer shows PDFs in a frame of our own page, nowhere else; browsers'
    # PDF viewers do not run in a sandboxed document, other files get the sandbox.
    policy = "frame-ancestors 'self'" if pdf else "default-src 'none'; frame-ancestors 'self'; sandbox"
    return FileResponse(path, media_type=media_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(path.name)}",
        "X-Frame-Options": "SAMEORIGIN", "Content-Security-Policy": policy, "Cache-Control": "private, max-age=300"})


@router.get("/jobs", summary="업로드 작업 목록")
def jobs(collection: str | None = None, limit: int = Query(100, ge=1, le=500), user: Principal = Depends(current_user),
         svc: Services = Depends(services)) -> list[dict]:
    return svc.documents.jobs(user, collection, limit)


@router.get("/jobs/{job_id}", summary="업로드 작업 진행 상황")
def job(job_id: int, user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    return svc.documents.job(user, job_id)
