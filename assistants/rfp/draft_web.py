"""POST /api/assistants/rfp/draft (included by web.py): the inputs as JSON (the form's
shape, or an rfp_cases.jsonl line), the draft as JSON, nothing saved (saving is
/drafts, drafts_web.py). Thin: the drafting is service.draft_from_data, as for the CLI.

Body: {"input": {...}, "llm": false} or the input object itself. A bad field is a 400
naming it (`input.budget_krw` …)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.deps import current_user, services
from api.errors import INVALID_JSON, InputError
from api.services.accounts import Principal
from api.services.container import Services

from .inputs import RfpInputError
from .service import draft_from_data

router = APIRouter(tags=["제안요청서 생성 AI"])

MAX_BODY_BYTES = 1024 * 1024


@router.post("/draft", summary="제안요청서 초안 작성: 입력 JSON → 초안 JSON (법령 규칙과 조문 인용, 요구사항, 검토 전 표시)")
async def draft(request: Request, user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    data = await _body(request)
    inputs, field = (data["input"], "input") if "input" in data else (data, "body")
    use_model = data.get("llm", False) if "input" in data else False
    if not isinstance(use_model, bool):
        raise InputError("llm", "llm은 true 또는 false여야 합니다")

    def make() -> dict[str, Any]:
        try:
            if use_model:
                with svc.generation_queue.turn():
                    return draft_from_data(svc.context, inputs, llm=True).to_dict()
            return draft_from_data(svc.context, inputs).to_dict()
        except RfpInputError as exc:
            raise InputError(f"{field}.{exc.field}" if field == "input" else exc.field, exc.message) from None

    return await run_in_threadpool(make)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise InputError("body", f"요청이 너무 큽니다: {MAX_BODY_BYTES // (1024 * 1024)} MB 이내로 보내 주세요")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InputError("body", INVALID_JSON) from None
    if not isinstance(data, dict):
        raise InputError("body", "요청 본문은 JSON 객체여야 합니다")
    return data
