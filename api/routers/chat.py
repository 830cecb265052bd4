"""Chat per assistant, streamed as server-sent events, and conversation history.
Who may use it: signed-in users, on assistants whose collection they may read."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.deps import current_user, services
from api.services.accounts import Principal
from api.services.chat import ChatEvent
from api.services.container import Services
from api.views import answer_view, assistant_view, passages_view
from rag.answer.types import Answer

router = APIRouter(prefix="/api", tags=["대화"])


class ChatRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description="질문")
    conversation_id: int | None = Field(None, description="이어서 물을 대화 (없으면 새 대화)")
    use_llm: bool = Field(True, description="False면 발췌 답변만")


class FeedbackRequest(BaseModel):
    rating: int = Field(description="1 = 👍, -1 = 👎")
    comment: str = Field("", max_length=2000)


@router.get("/assistants")
def assistants(request: Request, user: Principal = Depends(current_user),
               svc: Services = Depends(services)) -> list[dict]:
    pages = getattr(request.app.state, "assistant_pages", {})
    return [assistant_view(m, user.scope.can_read(m.collection), pages.get(m.name)) for m in svc.assistants.values()]


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def draft_view(answer: Answer) -> dict:
    """The verified sentences so far, without the passages the `passages` event sent."""
    return {key: value for key, value in answer_view(answer).items() if key not in ("passages", "timings_ms")}


def _events(events: Iterator[ChatEvent]) -> Iterator[str]:
    try:
        for item in events:
            ev = item.event
            if ev.type == "passages":
                yield sse("passages", {"passages": passages_view(ev.answer.passages)})
            elif ev.type == "extractive":
                yield sse("extractive", {"answer": answer_view(ev.answer)})
            elif ev.type == "queued":
                yield sse("queued", {"position": ev.position})
            elif ev.type == "token":
                yield sse("token", {"text": ev.text})
            elif ev.type == "verified":
                yield sse("verified", {"answer": draft_view(ev.answer), "checked": ev.checked})
            elif ev.type == "final":
                yield sse("final", {"answer": answer_view(ev.answer), "conversation_id": item.conversation_id,
                                    "message_id": item.message_id})
    except Exception as exc:  # the stream has started: report in-band, never a stack trace
        import logging

        logging.getLogger(__name__).exception("답변 스트림 오류")
        yield sse("error", {"message": "답변을 만드는 중 오류가 발생했습니다", "detail": type(exc).__name__})


@router.post("/chat/{assistant}/stream", summary="질문하고 답변을 SSE로 받기")
def chat_stream(assistant: str, body: ChatRequest, user: Principal = Depends(current_user),
                svc: Services = Depends(services)) -> StreamingResponse:
    turn = svc.chat.start(user, assistant, body.question, conversation_id=body.conversation_id, use_llm=body.use_llm)
    return StreamingResponse(_events(svc.chat.stream(turn)), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/chat/{assistant}", summary="질문하고 답변을 한 번에 받기")
def chat(assistant: str, body: ChatRequest, user: Principal = Depends(current_user),
         svc: Services = Depends(services)) -> dict:
    final = svc.chat.ask(user, assistant, body.question, conversation_id=body.conversation_id, use_llm=body.use_llm)
    return {"answer": answer_view(final.event.answer), "conversation_id": final.conversation_id,
            "message_id": final.message_id}


@router.get("/conversations")
def conversations(assistant: str | None = None, user: Principal = Depends(current_user),
                  svc: Services = Depends(services)) -> list[dict]:
    return svc.history.conversations(user.id, assistant)


@router.get("/conversations/{conversation_id}")
def conversation(conversation_id: int, user: Principal = Depends(current_user),
                 svc: Services = Depends(services)) -> dict:
    return svc.history.conversation(user.id, conversation_id)


@router.post("/messages/{message_id}/feedback")
def feedback(message_id: int, body: FeedbackRequest, user: Principal = Depends(current_user),
             svc: Services = Depends(services)) -> dict:
    saved = svc.chat.feedback(user, message_id, body.rating, body.comment)
    return {"message_id": saved["message_id"], "rating": saved["rating"], "comment": saved["comment"]}
