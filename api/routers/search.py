"""Search without answering. Who may use it: signed-in readers of the collection."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from api.deps import current_user, services
from api.services.accounts import Principal
from api.services.container import Services

router = APIRouter(prefix="/api", tags=["검색"])


@router.get("/search/{assistant}", summary="도우미의 컬렉션에서 관련 조문·문단 찾기")
def search(assistant: str, q: str = Query(min_length=1, max_length=2000, description="검색어"),
           k: int = Query(10, description="결과 수 (1~50)"), user: Principal = Depends(current_user),
           svc: Services = Depends(services)) -> list[dict]:
    hits = svc.search.search(user, assistant, q, k)
    return [{"rank": i, "chunk_id": h.id, "label": h.citation, "source": h.source, "locator": h.locator,
             "page": h.page, "score": round(h.score, 4), "effective_date": h.metadata.get("시행일자"),
             "text": h.text} for i, h in enumerate(hits, 1)]
