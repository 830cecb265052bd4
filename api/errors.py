"""Errors of the server's services and how every error reaches a client: JSON with a
Korean message (and an English one for tools), never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import AccessDenied, ConfigError, DocumentError, SeoulAssistError

log = logging.getLogger(__name__)


class ServiceError(SeoulAssistError):
    status = 400
    code = "bad_request"
    english = "Bad request"


class InputError(ServiceError):
    """A field of the request is wrong; `field` names it."""

    code = "invalid_input"
    english = "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class AuthError(ServiceError):
    status = 401
    code = "unauthenticated"
    english = "Authentication required"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    english = "Not allowed"


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    english = "Not found"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}을(를) 찾을 수 없습니다")


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"
    english = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"요청이 너무 많습니다. {retry_after}초 뒤에 다시 시도하세요")
        self.retry_after = retry_after


class PayloadTooLarge(ServiceError):
    status = 413
    code = "too_large"
    english = "Payload too large"


_HTTP_MESSAGES = {
    401: ("로그인이 필요합니다", "Authentication required"),
    403: ("권한이 없습니다", "Not allowed"),
    404: ("찾을 수 없습니다", "Not found"),
    405: ("허용되지 않는 메서드입니다", "Method not allowed"),
    413: ("요청이 너무 큽니다", "Payload too large"),
}


INVALID_JSON = "요청 본문이 올바른 JSON이 아닙니다"


def is_invalid_json(exc: RequestValidationError) -> bool:
    """The body did not parse. Its loc is ("body", <byte offset>), which read as a field
    name gives "입력값이 올바르지 않습니다: 13"; callers say INVALID_JSON instead."""
    return any(e.get("type") == "json_invalid" for e in exc.errors())


def error_body(code: str, message: str, english: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, "message_en": english, **extra}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        extra = {"field": exc.field} if isinstance(exc, InputError) else {}
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return JSONResponse(error_body(exc.code, str(exc), exc.english, **extra), status_code=exc.status,
                            headers=headers)

    @app.exception_handler(AccessDenied)
    async def _denied(_: Request, exc: AccessDenied) -> JSONResponse:
        return JSONResponse(error_body("forbidden", str(exc), "You may not read this collection"), status_code=403)

    @app.exception_handler(DocumentError)
    async def _document(_: Request, exc: DocumentError) -> JSONResponse:
        return JSONResponse(error_body("bad_document", str(exc), "The document cannot be read"), status_code=400)

    @app.exception_handler(SeoulAssistError)
    async def _domain(_: Request, exc: SeoulAssistError) -> JSONResponse:
        status = 500 if isinstance(exc, ConfigError) else 400
        return JSONResponse(error_body("error", str(exc), "Request failed"), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if is_invalid_json(exc):
            log.info("invalid JSON body: %s %s: %s", request.method, request.url.path, exc.errors())
            return JSONResponse(error_body("invalid_input", INVALID_JSON,
                                           "Request body is not valid JSON", field="body",
                                           problems=[{"field": "body", "problem": "JSON 구문 오류"}]),
                                status_code=422)
        problems = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg", "")}
                    for e in exc.errors()]
        names = ", ".join(p["field"] for p in problems) or "요청"
        return JSONResponse(error_body("invalid_input", f"입력값이 올바르지 않습니다: {names}", "Invalid input",
                                       problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        korean, english = _HTTP_MESSAGES.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        return JSONResponse(error_body(f"http_{exc.status_code}", korean, english), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("처리되지 않은 오류: %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "서버 오류가 발생했습니다. 관리자에게 문의하세요",
                                       "Internal server error"), status_code=500)
