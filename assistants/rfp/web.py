"""The 제안요청서 생성 AI's own endpoints, mounted at /api/assistants/rfp/ (api/app.py)."""

from __future__ import annotations

from fastapi import APIRouter

from .draft_web import router as draft_router
from .drafts_web import router as drafts_router

router = APIRouter(tags=["제안요청서 생성 AI"])

router.include_router(draft_router)  # POST /draft: inputs → draft JSON, nothing saved (draft_web.py)
router.include_router(drafts_router)  # saved drafts: /drafts… (drafts_web.py)
from .progress_web import router as progress_router  # noqa: E402  (kept at the end: one place to add a router)
router.include_router(progress_router)  # POST /drafts/stream: drafting progress as SSE, then saved (progress_web.py)
