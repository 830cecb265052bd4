"""The 대사증후군 상담 매뉴얼's own endpoints, mounted at /api/assistants/metabolic/ (api/app.py).
Thin: the logic is in service.py, shared with the CLI.

The body is read here rather than by a pydantic model so that no validation message (which
would quote the input) can carry a participant's values into a log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import current_user, services
from api.errors import InputError, PayloadTooLarge
from api.services.accounts import Principal
from api.services.container import Services
from api.services.history import HistoryPurger
from api.upload_form import read_upload_form

from .history import history_of
from .history_web import router as history_router
from .history_web import save_if_asked, save_request
from .service import (AUDIT_ACTION, AssessInputError, assess_all, audit_detail, counsel_with, counselling_guide,
                      criteria_for, one_record, parse_records_file, records_of, surveys_of)
from .summary import SUMMARY_AUDIT_ACTION, summary_events

router = APIRouter(tags=["대사증후군 상담 매뉴얼"])
log = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024
# Under the upload reader's in-memory spool (1 MiB), so an export is never written to disk.
MAX_EXPORT_BYTES = 1024 * 1024 - 1
_ASSESS_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
    {"type": "object", "description": "참여자 기록 하나 (test_data.json 형식 + medications, new_registration)"},
    {"type": "array", "items": {"type": "object"}, "description": "참여자 기록 목록"},
    {"type": "object", "required": ["records"], "properties": {
        "records": {"description": "참여자 기록 하나 또는 목록"},
        "survey": {"description": "기초설문 하나 또는 목록 (survey_data.json 형식; id 또는 이름으로 짝지음)"},
        "save": {"type": "boolean", "description": "true: 결과를 암호화해 저장 (metabolic.store_history가 켜진 경우만)"},
        "label": {"type": "string", "description": "저장할 때 붙일 상담자용 이름 (암호화해 저장)"}}},
]}}}}}


class BodyTooLarge(InputError):
    status = 413
    code = "too_large"
    english = "Payload too large"


@router.post("/assess", openapi_extra=_ASSESS_BODY,
             summary="검진 결과 분류: 위험요인 5개, 군판정, 재검진 주기, SMS, 연계 (2025 서울특별시 대사증후군 관리사업 안내서)")
async def assess_records(request: Request, user: Principal = Depends(current_user),
                         svc: Services = Depends(services)) -> dict:
    """A record, a list, or {"records": …, "survey": …}; returns {"results": [...]}, one per
    record with its `id`. Nothing about the participants is stored unless `"save": true`
    (metabolic.store_history; then encrypted, history.py, and "saved" gives the numbers);
    the audit log records that an assessment was made, by whom and for how many records."""
    data = await _json_body(request)
    to_save = save_request(data, svc.settings.metabolic)  # "save": true, metabolic.store_history
    try:
        if isinstance(data, dict) and "records" in data:
            records, surveys = records_of(data["records"], "records"), surveys_of(data.get("survey"), "survey")
        else:
            records, surveys = records_of(data, "body"), []
    except AssessInputError as exc:
        raise InputError(exc.field, exc.message) from None
    collection = svc.assistants.require("metabolic").collection
    criteria = await run_in_threadpool(criteria_for, svc.context.retriever, collection, svc.context.state)
    counsel = counsel_with(counselling_guide(svc.context.retriever, svc.context.state), collection)
    results = await run_in_threadpool(assess_all, records, criteria, surveys, counsel)
    svc.audit.record(user.username, AUDIT_ACTION, audit_detail(results), assistant="metabolic", collection=collection)
    return {"results": results, **await save_if_asked(to_save, svc, user, records, surveys, results)}


@router.post("/records", summary="참여자 기록 파일 읽기 (JSON, JSONL, CSV): 분류하지 않고 기록만 돌려줌",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"], "properties": {"file": {
                     "type": "string", "format": "binary",
                     "description": "내보낸 기록: JSON, JSONL 또는 CSV (첫 줄에 sex, age, waist … 항목 이름; 1 MB 미만)"}}}}}}})
async def read_records(request: Request, user: Principal = Depends(current_user)) -> dict:
    """The page's upload: the file's records as JSON ({"records": [...]}), for the form or
    for /assess. Read in memory, neither stored nor logged."""
    try:
        form = await read_upload_form(request, max_file_bytes=MAX_EXPORT_BYTES, max_files=1, file_fields=("file",))
    except PayloadTooLarge:
        raise BodyTooLarge("file", "파일이 너무 큽니다: 1 MB 미만으로 나눠 올려 주세요") from None
    try:
        if not form.files:
            raise InputError("file", "참여자 기록 파일(file)을 올려 주세요")
        received = form.files[0]
        if received.too_large:
            raise BodyTooLarge("file", f"'{received.filename}'이(가) 너무 큽니다: 1 MB 미만으로 나눠 올려 주세요")
        records = parse_records_file(received.filename, received.file.read(), "file")
    except AssessInputError as exc:
        raise InputError(exc.field, exc.message) from None
    finally:
        form.close()
    return {"records": records}


@router.post("/summary", openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["record"], "properties": {
        "record": {"type": "object", "description": "참여자 기록 하나 (/assess와 같은 형식)"},
        "survey": {"type": "object", "description": "그 참여자의 기초설문 (선택)"}}}}}}},
             summary="상담 요약 (AI 생성 초안, SSE): 참여자 한 명의 상담 내용을 쉬운 말로 요약하고 문장마다 근거를 확인")
async def summary_stream(request: Request, user: Principal = Depends(current_user),
                         svc: Services = Depends(services)) -> StreamingResponse:
    """Server-sent events: `counselling` (the numbered passages, at once), `queued`, `token`
    (unverified), `verified`, then `final` ({"summary": {text, citations, removed, status} or
    null without a language model, "notice"}) or `error`. The prompt carries no name or id,
    and measured values only where the settings allow (summary.py)."""
    data = await _json_body(request)
    try:
        record, survey = one_record(data)
    except AssessInputError as exc:
        raise InputError(exc.field, exc.message) from None
    spec = svc.assistants.require("metabolic")
    svc.limiter.take(user.username)
    criteria = await run_in_threadpool(criteria_for, svc.context.retriever, spec.collection, svc.context.state)
    guide = counselling_guide(svc.context.retriever, svc.context.state)
    result = (await run_in_threadpool(assess_all, [record], criteria, [survey] if survey else []))[0]
    if "errors" in result:
        first = result["errors"][0]
        raise InputError(first["field"], first["message"])
    sections = await run_in_threadpool(guide.numbered_sections, spec.collection, result, survey)
    answers = svc.context.answers
    llm = await run_in_threadpool(answers.llm)
    svc.audit.record(user.username, SUMMARY_AUDIT_ACTION, "1건 상담 요약", assistant="metabolic",
                     collection=spec.collection)
    events = summary_events(llm, answers.analyzer, svc.settings, spec.role, sections, result, survey,
                            turns=svc.generation_queue)
    return StreamingResponse(_sse(events), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(events: Iterator[tuple[str, dict]]) -> Iterator[str]:
    try:
        for name, data in events:
            yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
    except Exception as exc:  # the stream has started: report in-band (never the record's values)
        log.error("상담 요약 스트림 오류: %s", type(exc).__name__)
        yield f"event: error\ndata: {json.dumps({'message': '요약을 만드는 중 오류가 발생했습니다'}, ensure_ascii=False)}\n\n"


async def _json_body(request: Request):
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge("body", f"요청이 너무 큽니다: {MAX_BODY_BYTES // (1024 * 1024)} MB 미만으로 나눠 보내 주세요")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InputError("body", "요청 본문이 올바른 JSON이 아닙니다 — 참여자 기록(객체 또는 목록)이나 "
                                 "{\"records\": [...], \"survey\": [...]}로 보내 주세요") from None


router.include_router(history_router)


def workers(svc: Services) -> list[HistoryPurger]:
    """Saved assessments past metabolic.history_days are destroyed when the server starts
    and daily after, whether saving is on now or not (rows saved while it was on age too)."""
    return [HistoryPurger(history_of(svc), name="metabolic-history-purge")]
