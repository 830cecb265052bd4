"""The 영유아 보육행정 업무매뉴얼's own endpoints, mounted at /api/assistants/childcare/
(api/app.py). Thin: the 별표 list is gathered in appendix_catalog.py; uploads go through
the core's document API (POST /api/collections/{collection}/documents)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import current_user, services
from api.services.accounts import Principal
from api.services.container import Services

from .appendix_catalog import AppendixCatalog

router = APIRouter(tags=["영유아 보육행정 업무매뉴얼"])
_catalog = AppendixCatalog()


@router.get("/appendices", summary="별표 안내: 보육 법령의 별표, 관련 조문, 원문 링크와 색인 여부")
def appendices(user: Principal = Depends(current_user), svc: Services = Depends(services)) -> dict:
    """{collection, can_upload, laws: [{law, kind, effective_date, appendices: [{label,
    title, link, articles, indexed}]}]}; `can_upload`: the user may upload a 별표 file
    through the core's document API, where it is indexed and cited like the rest."""
    spec = svc.assistants.require("childcare")
    user.scope.check(spec.collection)
    records = svc.context.state.documents(spec.collection).values()
    laws = _catalog.laws(svc.context.retriever, spec.collection, records, named_first=spec.role)
    return {"collection": spec.collection, "can_upload": user.is_admin and spec.accepts_uploads,
            "laws": [law.to_dict() for law in laws]}
