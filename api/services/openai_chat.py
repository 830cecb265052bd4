"""The OpenAI-compatible API's logic: assistants as models, chat completions (whole or
streamed as `chat.completion.chunk` events) from the chat service, and errors in
OpenAI's shape, so the `openai` package and chat front-ends work unchanged.

Who may use it: signed-in users (an API key as `Authorization: Bearer`, or the web
session); a model is an assistant, listed and answered only when the user may read its
collection. Every answer goes through ChatService with save=True, so it is rate
limited, kept in the user's history and audited like an answer in the web UI.

The question is the last user message; a short follow-up ("보관 기간은요?") is asked
together with the user message before it, by the web chat's rule (follow_up.py). The
history and audit trail then keep the question as it was asked, both parts.

What is not OpenAI's: each completion carries the verified answer's `sources` (the
passages its [n] markers cite) and an `answer` block (mode, abstained, notice, removed
sentences); generation parameters (temperature, max_tokens, …) are ignored, because the
server's settings decide how its model answers."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any

from api.errors import InputError, NotFound, RateLimited, ServiceError
from api.services.accounts import Principal
from api.services.chat import MAX_QUESTION_CHARS, ChatEvent, ChatService, Turn
from api.services.follow_up import with_follow_up
from api.views import passages_view
from rag.answer.types import Answer
from rag.assistants import Assistants, AssistantSpec
from rag.errors import AccessDenied, SeoulAssistError
from rag.llm.tokens import estimate_tokens

log = logging.getLogger(__name__)

OWNER = "seoul-assist"
#: Models have no creation date of their own; the time this server started stands in.
_STARTED = int(time.time())


class ModelNotFound(NotFound):
    code = "model_not_found"
    english = "The model does not exist"

    def __init__(self, model: str) -> None:
        super().__init__(f"모델(도우미) '{model}'")


# --- models -----------------------------------------------------------------------------

def model_view(spec: AssistantSpec) -> dict[str, Any]:
    return {"id": spec.name, "object": "model", "created": _STARTED, "owned_by": OWNER,
            "title": spec.title, "collection": spec.collection}


def list_models(assistants: Assistants, user: Principal) -> dict[str, Any]:
    """The assistants whose collection the user may read; the others are not shown."""
    return {"object": "list",
            "data": [model_view(m) for m in assistants.values() if user.scope.can_read(m.collection)]}


def get_model(assistants: Assistants, user: Principal, model: str) -> dict[str, Any]:
    spec = assistants.get(model)
    # An assistant the user may not read is as absent here as in the list.
    if spec is None or not user.scope.can_read(spec.collection):
        raise ModelNotFound(model)
    return model_view(spec)


# --- the question -----------------------------------------------------------------------

def _text(content: Any) -> str:
    """A message's text: a string, or a list of parts of which the `text` ones count."""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content
                         if isinstance(part, dict) and part.get("type") == "text").strip()
    return ""


def _user_texts(messages: list[dict[str, Any]]) -> list[str]:
    return [_text(m.get("content")) for m in messages if m.get("role") == "user"]


def last_question(messages: list[dict[str, Any]]) -> str:
    """The text of the last user message."""
    asked = _user_texts(messages)
    if not asked:
        raise InputError("messages", "사용자 메시지(role: user)가 없습니다")
    if not asked[-1]:
        raise InputError("messages", "마지막 사용자 메시지에 글(text)이 없습니다")
    return asked[-1]


def question_asked(chat: ChatService, messages: list[dict[str, Any]]) -> str:
    """The last user message, preceded by the user message before it when it is a short
    follow-up: retrieval and the model see one question at a time, as in the web chat."""
    question = last_question(messages)
    asked = _user_texts(messages)
    previous = asked[-2] if len(asked) > 1 else None
    combined = with_follow_up(chat.answers.analyzer, question, previous)
    # A very long earlier message would make the pair too long to ask: the follow-up
    # alone is still a question, a refusal would not be.
    return combined if len(combined) <= MAX_QUESTION_CHARS else question


def check_model(assistants: Assistants, model: str) -> None:
    if model not in assistants:
        raise ModelNotFound(model)


# --- what an answer adds to a completion --------------------------------------------------

def sources(answer: Answer) -> list[dict[str, Any]]:
    """The passages the verified answer cites, in marker order, with their text."""
    by_n = {p["n"]: p for p in passages_view(answer.passages)}
    return [dict(by_n.get(c.n, {}), n=c.n, label=c.label, source=c.source, locator=c.locator, page=c.page,
                 chunk_id=c.chunk_id) for c in answer.citations]


def answer_block(answer: Answer, saved: ChatEvent, streamed: str | None = None) -> dict[str, Any]:
    block = {"text": answer.text, "mode": answer.mode, "abstained": answer.abstained, "notice": answer.notice,
             "removed": answer.removed, "llm": answer.llm, "conversation_id": saved.conversation_id,
             "message_id": saved.message_id}
    if streamed is not None:
        # True when the streamed tokens are not the checked answer (sentences removed by
        # verification, or the quoted fallback shown instead): show `text` then.
        block["replaces_stream"] = streamed.strip() != answer.text.strip()
    return block


def usage(answer: Answer) -> dict[str, int]:
    """An estimate (rag.llm.tokens): the question and passages the model was shown, and
    what it wrote (or the quoted answer when nothing was generated)."""
    prompt = estimate_tokens(answer.question) + sum(estimate_tokens(p.prompt_text) for p in answer.passages)
    completion = estimate_tokens(answer.generated or answer.text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


# --- completions ---------------------------------------------------------------------------

def complete(chat: ChatService, user: Principal, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole `chat.completion`: the verified answer as the message content."""
    check_model(chat.assistants, model)
    final = chat.ask(user, model, question_asked(chat, messages), save=True)
    answer = final.event.answer
    assert answer is not None
    return {"id": _completion_id(), "object": "chat.completion", "created": int(time.time()), "model": model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": usage(answer), "sources": sources(answer), "answer": answer_block(answer, final)}


def start_stream(chat: ChatService, user: Principal, model: str, messages: list[dict[str, Any]]) -> Turn:
    """Every check a streamed completion needs (model, question, access, rate limit),
    done before the response starts so that failures are plain HTTP errors. Returns
    the started turn for `chat.stream`."""
    check_model(chat.assistants, model)
    return chat.start(user, model, question_asked(chat, messages), save=True)


def stream_chunks(events: Iterator[ChatEvent], model: str, *, include_usage: bool = False) -> Iterator[str]:
    """Server-sent events of `chat.completion.chunk`s: the role, the generated tokens as
    they come (or, when nothing is generated, the final text as one delta), then a
    chunk with finish_reason "stop" that carries `sources` and the verified `answer`,
    then `data: [DONE]`. Waiting for the model is sent as SSE comments, which clients
    skip and proxies take as a sign of life."""
    ident, created = _completion_id(), int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    streamed: list[str] = []
    try:
        for item in events:
            event = item.event
            if event.type == "queued":
                yield f": 대기 순서 {event.position}\n\n"
            elif event.type == "token" and event.text:
                streamed.append(event.text)
                yield chunk({"content": event.text})
            elif event.type == "final":
                answer = event.answer
                assert answer is not None
                if not streamed:
                    streamed.append(answer.text)
                    yield chunk({"content": answer.text})
                spent = usage(answer)
                yield chunk({}, "stop", usage=spent, sources=sources(answer),
                            answer=answer_block(answer, item, "".join(streamed)))
                if include_usage:
                    body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                            "system_fingerprint": None, "choices": [], "usage": spent}
                    yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
    except Exception as exc:  # the stream has started: report in-band, never a stack trace
        log.exception("OpenAI 호환 답변 스트림 오류")
        _, body = error_response(exc)
        yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


# --- errors -----------------------------------------------------------------------------------

_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
          404: "invalid_request_error", 413: "invalid_request_error", 422: "invalid_request_error",
          429: "rate_limit_error"}


def openai_error(status: int, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": _TYPES.get(status, "server_error"), "param": param,
                      "code": code}}


def error_response(exc: Exception) -> tuple[int, dict[str, Any]]:
    """(status, OpenAI-style body) for an exception of a request: our own errors keep
    their Korean message and code; anything unexpected is a 500 without details."""
    if isinstance(exc, ServiceError):
        param = exc.field if isinstance(exc, InputError) else None
        code = {"unauthenticated": "invalid_api_key", "rate_limited": "rate_limit_exceeded"}.get(exc.code, exc.code)
        return exc.status, openai_error(exc.status, code, str(exc), param)
    if isinstance(exc, AccessDenied):
        return 403, openai_error(403, "model_not_permitted", str(exc))
    if isinstance(exc, SeoulAssistError):
        return 400, openai_error(400, "error", str(exc))
    return 500, openai_error(500, "internal", "서버 오류가 발생했습니다. 관리자에게 문의하세요")


def retry_after(exc: Exception) -> dict[str, str] | None:
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
