"""POST /api/assistants/rfp/drafts/stream (included by web.py): a draft from inputs, its
progress streamed to the page section by section as server-sent events, then saved for the
user like POST /drafts. Thin: the events are progress.drafting_events, the drafting is
service.draft_from_data (as for the CLI's progress bar), the saving store.py's.

Body: {"input": {...}, "llm": false}. A bad field is a 400 naming it (`input.budget_krw` …)
before the stream starts; nothing is saved then. Events: `queued` {position}, `progress`
{section, done, total}, `done` {id, title, status_label, notices}, `error` {message}."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from api.deps import current_user, services
from api.errors import InputError
from api.json_body import json_object
from api.services.accounts import Principal
from api.services.container import Services

from .drafts_web import draft_store
from .inputs import RfpInputError, parse_input
from .progress import Event, drafting_events
from .service import draft_from_data
from .store import DraftStore

router = APIRouter(tags=["제안요청서 생성 AI"])

MAX_BODY_BYTES = 1024 * 1024


@router.post("/drafts/stream",
             summary="제안요청서 초안 작성과 저장, 절마다 진행 상황을 SSE로 (progress → done: 저장한 초안 번호)")
async def draft_with_progress(request: Request, user: Principal = Depends(current_user),
                              svc: Services = Depends(services),
                              store: DraftStore = Depends(draft_store)) -> StreamingResponse:
    data = await _body(request)
    if "input" not in data:
        raise InputError("input", "초안을 작성할 입력(input)을 보내 주세요")
    use_model = data.get("llm", False)
    if not isinstance(use_model, bool):
        raise InputError("llm", "llm은 true 또는 false여야 합니다")
    inputs = data["input"]
    try:
        parse_input(inputs)  # a bad field is refused before the stream starts
    except RfpInputError as exc:
        raise InputError(f"input.{exc.field}", exc.message) from None

    def make(progress):
        return draft_from_data(svc.context, inputs, llm=use_model, progress=progress)

    queue = svc.generation_queue if use_model else None
    events = drafting_events(make, lambda draft: store.create(user, draft),
                             wait_turn=queue.wait_turn if queue else None, release=queue.release if queue else None)
    return StreamingResponse(_sse(events), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(events: Iterator[Event]) -> Iterator[str]:
    for name, data in events:
        yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _body(request: Request) -> dict[str, Any]:
    return await json_object(request, MAX_BODY_BYTES)
