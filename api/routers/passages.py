"""The source passage behind a citation chip: its text, where it stands (article, page)
and, for PDFs, the whole page so the viewer can highlight the passage in it.
Who may use it: readers of the collection, for passages of their access groups (the
retriever enforces both; a passage outside the groups is not found)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import current_user, services
from api.services.accounts import Principal
from api.services.container import Services

router = APIRouter(prefix="/api", tags=["근거"])


@router.get("/passages/{collection}/{chunk_id}", summary="인용된 근거 문단과 그 쪽의 전문")
def passage(collection: str, chunk_id: str, user: Principal = Depends(current_user),
            svc: Services = Depends(services)) -> dict:
    return svc.documents.passage(user, collection, chunk_id)
