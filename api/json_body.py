"""Reading a JSON object body by hand, for routes that take free-form JSON (a draft, an
RFP's inputs) rather than a pydantic model: a size limit, a Korean error naming `body`
for anything that is not a JSON object, and no echo of the input in the error."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from api.errors import INVALID_JSON, InputError


async def json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """The body as a dict; an empty body is {}."""
    raw = await request.body()
    if len(raw) > max_bytes:
        raise InputError("body", f"요청이 너무 큽니다: {max_bytes // (1024 * 1024)} MB 이내로 보내 주세요")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InputError("body", INVALID_JSON) from None
    if not isinstance(data, dict):
        raise InputError("body", "요청 본문은 JSON 객체여야 합니다")
    return data
