"""The OpenAI-compatible API under /v1 (models = assistants, chat completions), so the
`openai` package and existing chat front-ends work unchanged; the logic is in
api.services.openai_chat. Who may use it: signed-in users (`Authorization: Bearer
<API key>` or the web session), on assistants whose collection they may read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from api.deps import current_user, services
from api.errors import INVALID_JSON, is_invalid_json
from api.services import openai_chat
from api.services.accounts import Principal
from api.services.container import Services

log = logging.getLogger(__name__)


class OpenAIRoute(APIRoute):
    """Errors of these routes, the sign-in check included, in OpenAI's shape
    ({"error": {"message", "type", "param", "code"}}), which OpenAI clients parse."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                if is_invalid_json(exc):
                    log.info("invalid JSON body: %s %s: %s", request.method, request.url.path, exc.errors())
                    return JSONResponse(openai_chat.openai_error(400, "invalid_input", INVALID_JSON, "body"),
                                        status_code=400)
                first = exc.errors()[0] if exc.errors() else {}
                field = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or None
                body = openai_chat.openai_error(400, "invalid_input",
                                                f"입력값이 올바르지 않습니다: {field or '요청'} ({first.get('msg', '')})",
                                                field)
                return JSONResponse(body, status_code=400)
            except Exception as exc:
                status, body = openai_chat.error_response(exc)
                if status >= 500:
                    log.exception("OpenAI 호환 API 오류: %s %s", request.method, request.url.path)
                return JSONResponse(body, status_code=status, headers=openai_chat.retry_after(exc))

        return route


router = APIRouter(prefix="/v1", tags=["OpenAI 호환"], route_class=OpenAIRoute)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; fields other than these (temperature, max_tokens, …) are
    accepted and ignored: the server's settings decide how its model answers."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description="도우미 이름 (GET /v1/models의 id)")
    messages: list[ChatMessage] = Field(min_length=1, description="마지막 user 메시지가 질문입니다")
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(1, ge=1, le=1, description="답변은 하나만 만듭니다")


@router.get("/models", summary="쓸 수 있는 도우미(모델) 목록")
def models(user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    return openai_chat.list_models(svc.assistants, user)


@router.get("/models/{model}", summary="도우미(모델) 하나")
def one_model(model: str, user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    return openai_chat.get_model(svc.assistants, user, model)


@router.post("/chat/completions", summary="질문하고 답변 받기 (OpenAI 형식, stream 지원)", response_model=None)
def chat_completions(body: ChatCompletionRequest, user: Principal = Depends(current_user),
                     svc: Services = Depends(services)) -> dict | StreamingResponse:
    messages = [m.model_dump() for m in body.messages]
    if not body.stream:
        return openai_chat.complete(svc.chat, user, body.model, messages)
    turn = openai_chat.start_stream(svc.chat, user, body.model, messages)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    chunks = openai_chat.stream_chunks(svc.chat.stream(turn), body.model, include_usage=include_usage)
    return StreamingResponse(chunks, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
