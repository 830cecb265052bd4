"""POST /api/assistants/rfp/draft (included by web.py): the inputs as JSON (the form's
shape, or an rfp_cases.jsonl line), the draft as JSON, nothing saved (saving is
/drafts, drafts_web.py). Thin: the drafting is service.draft_from_data, as for the CLI.

Body: {"input": {...}, "llm": false} or the input object itself. A bad field is a 400
naming it (`input.budget_krw` …). With attachments (a previous RFP or 과업지시서 whose
requirements are reused) the body is multipart/form-data, as for document uploads: the
field `input` (that JSON), optionally `llm` ("true"), and the files as `attachments`
(several). A file that cannot be read is named in the draft's assumptions; the rest go on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.deps import current_user, services
from api.errors import INVALID_JSON, InputError
from api.json_body import json_object
from api.services.accounts import Principal
from api.services.container import Services
from api.upload_form import MIB, ReceivedForm, read_upload_form

from .attachments import MAX_ATTACHMENTS
from .inputs import RfpInputError
from .service import draft_from_data

router = APIRouter(tags=["제안요청서 생성 AI"])

MAX_BODY_BYTES = 1024 * 1024


@router.post("/draft", summary="제안요청서 초안 작성: 입력 JSON → 초안 JSON (법령 규칙과 조문 인용, 요구사항, 검토 전 표시)")
async def draft(request: Request, user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    form: ReceivedForm | None = None
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await read_upload_form(request, max_file_bytes=svc.settings.server.max_upload_mb * MIB,
                                      max_files=MAX_ATTACHMENTS, file_fields=("attachments",))
        data = {"input": _json_field(form.fields.get("input"), "input"),
                "llm": {"true": True, "": False, "false": False}.get(form.fields.get("llm", "").lower(), "?")}
    else:
        data = await _body(request)
    inputs, field = (data["input"], "input") if "input" in data else (data, "body")
    use_model = data.get("llm", False) if "input" in data else False
    if not isinstance(use_model, bool):
        raise InputError("llm", "llm은 true 또는 false여야 합니다")

    def make() -> dict[str, Any]:
        with TemporaryDirectory(prefix="rfp-attach-") as folder:
            attachments = _saved(form, Path(folder)) if form else []
            try:
                if use_model:
                    with svc.generation_queue.turn():
                        return draft_from_data(svc.context, inputs, llm=True, attachments=attachments).to_dict()
                return draft_from_data(svc.context, inputs, attachments=attachments).to_dict()
            except RfpInputError as exc:
                raise InputError(f"{field}.{exc.field}" if field == "input" else exc.field, exc.message) from None

    try:
        return await run_in_threadpool(make)
    finally:
        if form is not None:
            form.close()


def _saved(form: ReceivedForm, folder: Path) -> list[tuple[str, Path | None]]:
    """The received files written under `folder` by position (the readers take a path; the
    user's name stays the name the draft shows), None for one refused for its size."""
    out: list[tuple[str, Path | None]] = []
    for i, received in enumerate(form.files):
        if received.too_large:
            out.append((received.filename, None))
            continue
        path = folder / f"{i}{Path(received.filename).suffix.lower()[:8]}"
        received.file.seek(0)
        with path.open("wb") as handle:
            shutil.copyfileobj(received.file, handle)
        out.append((received.filename, path))
    return out


def _json_field(text: str | None, field: str) -> Any:
    if not text:
        raise InputError(field, "입력(input) 필드에 JSON 객체를 주세요")
    try:
        return json.loads(text)
    except ValueError:
        raise InputError(field, INVALID_JSON) from None


async def _body(request: Request) -> dict[str, Any]:
    return await json_object(request, MAX_BODY_BYTES)
