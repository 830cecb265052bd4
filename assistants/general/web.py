"""The 범용 업무매뉴얼's own endpoints, mounted at /api/assistants/general/ (api/app.py).
Thin: each tool's logic lives in its own module of this package."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import current_user, services
from api.errors import InputError
from api.services.accounts import Principal
from api.services.container import Services

from .article_texts import IndexedArticles
from .deadline import DeadlineInputError, cite_articles, compute_deadline

router = APIRouter(tags=["범용 업무매뉴얼"])

# --- 민원 처리기간 계산 (deadline.py) ---


class DeadlineRequest(BaseModel):
    received: str = Field(max_length=40, description="접수 일시: 2026-02-12 또는 2026-02-12T15:00")
    period: str = Field(max_length=20, description="처리기간: 즉시, 3일, 7일, 2주, 1개월, 1년")
    exclude: list[str] = Field(default_factory=list, max_length=50,
                               description="처리기간에 넣지 않는 기간 (시행령 제20조): 2026-02-13..2026-02-14")


@router.post("/deadline", summary="민원 처리기한 계산 (민원 처리에 관한 법률 제19조, 시행령 제19조·제20조)")
def deadline(body: DeadlineRequest, user: Principal = Depends(current_user),
             svc: Services = Depends(services)) -> dict:
    try:
        result = compute_deadline(body.received, body.period, body.exclude,
                                  extra_holidays=svc.settings.general.extra_holidays)
    except DeadlineInputError as exc:
        raise InputError(exc.field, exc.message) from None
    lookup = IndexedArticles(svc.context.retriever, svc.assistants.require("general").collection)
    return cite_articles(result, lookup).to_dict()

# --- 공문서 검토 (document_check.py) ---
