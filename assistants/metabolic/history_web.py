"""Saved 검진 결과 분류 over HTTP, under /api/assistants/metabolic/ (mounted by web.py):
GET /history, GET /history/{id}, DELETE /history/{id}; saving is `"save": true` in the body
of POST /assess (web.py asks `save_request` and `save_if_asked`). Thin: the rules are in
history.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from api.deps import current_user, services
from api.errors import InputError
from api.services.accounts import Principal
from api.services.container import Services
from rag.config.settings import MetabolicSettings

from .history import AssessmentHistory, HistoryOff, clean_label, history_of

router = APIRouter(tags=["대사증후군 상담 매뉴얼"])


def assessment_history(svc: Services = Depends(services)) -> AssessmentHistory:
    return history_of(svc)


@dataclass(frozen=True)
class SaveRequest:
    label: str


def save_request(data: Any, settings: MetabolicSettings) -> SaveRequest | None:
    """Takes `save` (and `label`, the counsellor's own name for the participant) out of an
    /assess body before the records are read, so a refusal comes before any work."""
    if not isinstance(data, dict) or "save" not in data:
        return None
    save, label = data.pop("save"), data.pop("label", None)
    if not isinstance(save, bool):
        raise InputError("save", "save는 true 또는 false여야 합니다")
    if not save:
        return None
    if not settings.store_history:
        raise HistoryOff()
    return SaveRequest(clean_label(label))


async def save_if_asked(asked: SaveRequest | None, svc: Services, user: Principal, records: Sequence[Any],
                        surveys: Sequence[Mapping], results: Sequence[dict]) -> dict:
    """{"saved": [number or None per result]} when saving was asked, else {}."""
    if asked is None:
        return {}
    history = assessment_history(svc)
    return {"saved": await run_in_threadpool(history.save, user, records, surveys, results, asked.label)}


@router.get("/history", summary="저장한 검진 결과 분류 목록 (본인 것; 관리자는 전체)")
async def list_saved(user: Principal = Depends(current_user),
                     history: AssessmentHistory = Depends(assessment_history)) -> dict:
    return {"store_history": history.enabled, "retention_days": history.retention_days,
            "assessments": await run_in_threadpool(history.list, user)}


@router.get("/history/{number}", summary="저장한 검진 결과 분류 하나: 기록, 기초설문, 결과 (본인 또는 관리자)")
async def read_saved(number: int, user: Principal = Depends(current_user),
                     history: AssessmentHistory = Depends(assessment_history)) -> dict:
    return await run_in_threadpool(history.read, user, number)


@router.delete("/history/{number}", summary="저장한 검진 결과 분류 삭제 (본인 또는 관리자)")
async def delete_saved(number: int, user: Principal = Depends(current_user),
                       history: AssessmentHistory = Depends(assessment_history)) -> dict:
    await run_in_threadpool(history.delete, user, number)
    return {"deleted": number}
