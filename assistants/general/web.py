"""The 범용 업무매뉴얼's own endpoints, mounted at /api/assistants/general/ (api/app.py).
Thin: each tool's logic lives in its own module of this package."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from api.deps import current_user, services
from api.errors import InputError, PayloadTooLarge
from api.services.accounts import Principal
from api.services.container import Services
from api.upload_form import read_upload_form

from .article_texts import IndexedArticles
from .deadline import DeadlineInputError, cite_articles, compute_deadline
from .document_check import check_text, check_upload, findings_json
from .draft_reader import MAX_DRAFT_BYTES, DraftError, too_large_message

router = APIRouter(tags=["범용 업무매뉴얼"])

# --- 민원 처리기간 계산 (deadline.py) ---


class DeadlineRequest(BaseModel):
    received: str = Field(max_length=40, description="접수 일시: 2026-02-12 또는 2026-02-12T15:00")
    period: str = Field(max_length=20, description="처리기간: 즉시, 3일, 7일, 2주, 1개월, 1년")
    exclude: list[str] = Field(default_factory=list, max_length=50,
                               description="처리기간에 넣지 않는 기간 (시행령 제20조): 2026-02-13..2026-02-14")


@router.post("/deadline", summary="민원 처리기한 계산 (민원 처리에 관한 법률 제19조, 시행령 제19조·제20조)")
def deadline(body: DeadlineRequest, user: Principal = Depends(current_user),
             svc: Services = Depends(services)) -> dict:
    try:
        result = compute_deadline(body.received, body.period, body.exclude,
                                  extra_holidays=svc.settings.general.extra_holidays)
    except DeadlineInputError as exc:
        raise InputError(exc.field, exc.message) from None
    lookup = IndexedArticles(svc.context.retriever, svc.assistants.require("general").collection)
    return cite_articles(result, lookup).to_dict()

# --- 공문서 검토 (document_check.py) ---

# JSON escapes (\uXXXX) make a draft's body up to six times its text.
_MAX_JSON_BODY = 6 * MAX_DRAFT_BYTES + 1024
_CHECK_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "description": "붙여 넣은 공문 초안 (1 MB 미만)"}}}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary", "description": "초안 파일: TXT, DOCX, HWPX (1 MB 미만)"},
        "text": {"type": "string", "description": "파일 대신 보낼 짧은 초안 (64 KB까지)"}}}},
}}}


class DraftTooLarge(InputError):
    status = 413
    code = "too_large"
    english = "Payload too large"


@router.post("/check-document", openapi_extra=_CHECK_BODY,
             summary="공문서 초안 검토: 항목 구분·금액·날짜·시각 (행정업무의 운영 및 혁신에 관한 규정 제7조, 시행규칙 제2조)")
async def check_document(request: Request, user: Principal = Depends(current_user)) -> dict:
    """JSON {"text": "..."} or a multipart `file` (TXT, DOCX, HWPX); returns {"findings": [...]}."""
    kind, _ = parse_options_header(request.headers.get("content-type", ""))
    try:
        if kind == b"multipart/form-data":
            findings = await _check_form(request)
        else:
            findings = await run_in_threadpool(check_text, await _json_text(request))
    except DraftError as exc:
        error = DraftTooLarge if exc.too_large else InputError
        raise error(exc.field, exc.reason) from None
    return findings_json(findings)


async def _check_form(request: Request):
    try:
        form = await read_upload_form(request, max_file_bytes=MAX_DRAFT_BYTES - 1, max_files=1,
                                      file_fields=("file",))
    except PayloadTooLarge:
        raise DraftTooLarge("file", too_large_message(int(request.headers.get("content-length") or 0))) from None
    try:
        if form.files:
            received = form.files[0]
            if received.too_large:
                raise DraftTooLarge("file", too_large_message(received.size))
            return await run_in_threadpool(check_upload, received.filename, received.file.read())
        if "text" in form.fields:
            return await run_in_threadpool(check_text, form.fields["text"])
        raise InputError("file", "검토할 초안 파일(file)이나 본문(text)을 보내 주세요")
    finally:
        form.close()


async def _json_text(request: Request) -> str:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_JSON_BODY:
            raise DraftTooLarge("text", too_large_message(len(body)))
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InputError("body", "요청 본문이 올바른 JSON이 아닙니다 — {\"text\": \"...\"} 또는 multipart file로 보내 주세요") from None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise InputError("text", "검토할 초안(text)을 문자열로 보내 주세요")
    return text
