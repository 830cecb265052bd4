"""Saved RFP drafts over HTTP, under /api/assistants/rfp/drafts (included by web.py). Thin:
the rules are in store.py (saving, access, approval, export), draft_edits.py (edits) and
redraft.py (the drafting pipeline on a saved draft).

  POST   /drafts                                  save {"draft": <draft JSON>} or draft {"input": {...}}
  GET    /drafts                                  the user's drafts (admins: all)
  GET    /drafts/{id}                             reopen one
  DELETE /drafts/{id}
  PUT    /drafts/{id}/sections/{number}           {"paragraphs": [...]}
  POST   /drafts/{id}/requirements                a new row {category, name, definition, …}
  PATCH  /drafts/{id}/requirements/{req_id}       change some fields of a row
  DELETE /drafts/{id}/requirements/{req_id}
  POST   /drafts/{id}/sections/{number}/regenerate   a proposal and its diff (the draft unchanged)
  GET    /drafts/{id}/proposal                    the pending proposal and its diff
  POST   /drafts/{id}/proposal/apply              apply it
  DELETE /drafts/{id}/proposal                    discard it
  POST   /drafts/{id}/approve                     {"officer": "홍길동"}
  GET    /drafts/{id}/export?format=docx|hwpx|json"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import current_user, services
from api.errors import InputError
from api.json_body import json_object
from api.services.accounts import Principal
from api.services.container import Services

from . import redraft
from .draft_edits import draft_from_json
from .inputs import RfpInputError
from .service import draft_from_data
from .store import DraftStore

router = APIRouter(prefix="/drafts", tags=["제안요청서 생성 AI"])

MAX_BODY_BYTES = 5 * 1024 * 1024


def draft_store(svc: Services = Depends(services)) -> DraftStore:
    return DraftStore(svc.db, svc.audit, redraft.indexed_articles(svc.context))


async def _body(request: Request) -> dict[str, Any]:
    return await json_object(request, MAX_BODY_BYTES)


def _use_model(data: dict[str, Any]) -> bool:
    value = data.get("llm", False)
    if not isinstance(value, bool):
        raise InputError("llm", "llm은 true 또는 false여야 합니다")
    return value


@router.post("", summary="제안요청서 초안 저장: 초안 JSON({\"draft\": …}) 또는 입력({\"input\": …})으로 작성해 저장")
async def create_draft(request: Request, user: Principal = Depends(current_user), svc: Services = Depends(services),
                       store: DraftStore = Depends(draft_store)) -> dict:
    data = await _body(request)
    if ("draft" in data) == ("input" in data):
        raise InputError("draft", "저장할 초안(draft) 또는 초안을 작성할 입력(input) 중 하나를 보내 주세요")
    if "draft" in data:
        draft = draft_from_json(data["draft"])
        return await run_in_threadpool(store.create, user, draft, imported=True)
    use_model = _use_model(data)

    def make():
        try:
            if use_model:
                with svc.generation_queue.turn():
                    return draft_from_data(svc.context, data["input"], llm=True)
            return draft_from_data(svc.context, data["input"])
        except RfpInputError as exc:
            raise InputError(f"input.{exc.field}", exc.message) from None

    draft = await run_in_threadpool(make)
    return await run_in_threadpool(store.create, user, draft)


@router.get("", summary="저장한 제안요청서 초안 목록 (본인 것; 관리자는 전체)")
async def list_drafts(user: Principal = Depends(current_user), store: DraftStore = Depends(draft_store)) -> dict:
    return {"drafts": await run_in_threadpool(store.list, user)}


@router.get("/{number}", summary="저장한 초안 다시 열기 (본인 또는 관리자)")
async def read_draft(number: int, user: Principal = Depends(current_user),
                     store: DraftStore = Depends(draft_store)) -> dict:
    return await run_in_threadpool(store.get, user, number)


@router.delete("/{number}", summary="저장한 초안 삭제 (본인 또는 관리자)")
async def delete_draft(number: int, user: Principal = Depends(current_user),
                       store: DraftStore = Depends(draft_store)) -> dict:
    await run_in_threadpool(store.delete, user, number)
    return {"deleted": number}


@router.put("/{number}/sections/{section}", summary="한 절의 문단 수정 (승인된 초안은 승인 취소)")
async def edit_section(number: int, section: str, request: Request, user: Principal = Depends(current_user),
                       store: DraftStore = Depends(draft_store)) -> dict:
    data = await _body(request)
    if "paragraphs" not in data:
        raise InputError("paragraphs", "바꿀 문단(paragraphs)을 보내 주세요")
    return await run_in_threadpool(store.edit_section, user, number, section, data["paragraphs"])


@router.post("/{number}/requirements", summary="요구사항 추가 (고유번호는 분류별로 자동 부여)")
async def add_requirement(number: int, request: Request, user: Principal = Depends(current_user),
                          store: DraftStore = Depends(draft_store)) -> dict:
    data = await _body(request)
    return await run_in_threadpool(store.add_requirement, user, number, data)


@router.patch("/{number}/requirements/{requirement_id}", summary="요구사항 수정 (분류를 바꾸면 고유번호 다시 부여)")
async def edit_requirement(number: int, requirement_id: str, request: Request, user: Principal = Depends(current_user),
                           store: DraftStore = Depends(draft_store)) -> dict:
    data = await _body(request)
    return await run_in_threadpool(store.edit_requirement, user, number, requirement_id, data)


@router.delete("/{number}/requirements/{requirement_id}", summary="요구사항 삭제 (뒤 번호를 당겨 다시 부여)")
async def delete_requirement(number: int, requirement_id: str, user: Principal = Depends(current_user),
                             store: DraftStore = Depends(draft_store)) -> dict:
    return await run_in_threadpool(store.delete_requirement, user, number, requirement_id)


@router.post("/{number}/sections/{section}/regenerate",
             summary="한 절 다시 생성: 제안과 현재 문안의 차이 (적용 전에는 초안이 바뀌지 않음)")
async def regenerate_section(number: int, section: str, request: Request, user: Principal = Depends(current_user),
                             svc: Services = Depends(services), store: DraftStore = Depends(draft_store)) -> dict:
    use_model = _use_model(await _body(request))

    def propose() -> dict:
        writer = redraft.model_writer(svc.context) if use_model else None
        if writer is None:
            return store.propose_section(user, number, section)
        with svc.generation_queue.turn():
            return store.propose_section(user, number, section, writer)

    return await run_in_threadpool(propose)


@router.get("/{number}/proposal", summary="대기 중인 재생성 제안과 차이")
async def read_proposal(number: int, user: Principal = Depends(current_user),
                        store: DraftStore = Depends(draft_store)) -> dict:
    return await run_in_threadpool(store.proposal, user, number)


@router.post("/{number}/proposal/apply", summary="재생성 제안 적용 (승인된 초안은 승인 취소)")
async def apply_proposal(number: int, user: Principal = Depends(current_user),
                         store: DraftStore = Depends(draft_store)) -> dict:
    return await run_in_threadpool(store.apply_proposal, user, number)


@router.delete("/{number}/proposal", summary="재생성 제안 버리기 (초안은 그대로)")
async def discard_proposal(number: int, user: Principal = Depends(current_user),
                           store: DraftStore = Depends(draft_store)) -> dict:
    return await run_in_threadpool(store.discard_proposal, user, number)


@router.post("/{number}/approve", summary="담당자 검토 승인: 승인자와 시각 기록, 내보내기에 승인 표시")
async def approve_draft(number: int, request: Request, user: Principal = Depends(current_user),
                        store: DraftStore = Depends(draft_store)) -> dict:
    data = await _body(request)
    return await run_in_threadpool(store.approve, user, number, data.get("officer"))


@router.get("/{number}/export", summary="초안 내보내기: format=docx | hwpx | json")
async def export_draft(number: int, format: str | None = None, user: Principal = Depends(current_user),
                       store: DraftStore = Depends(draft_store)) -> Response:
    exported = await run_in_threadpool(store.export, user, number, format)
    # RFC 6266 / 5987: an ASCII fallback, and the Korean name percent-encoded as UTF-8.
    disposition = f"attachment; filename=\"{exported.ascii_filename}\"; filename*=UTF-8''{quote(exported.filename)}"
    return Response(exported.content, media_type=exported.media_type,
                    headers={"Content-Disposition": disposition})
