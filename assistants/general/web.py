"""The 범용 업무매뉴얼's own endpoints, mounted at /api/assistants/general/ (api/app.py).
Thin: each tool's logic lives in its own module of this package."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["범용 업무매뉴얼"])

# --- 민원 처리기간 계산 (deadline.py) ---

# --- 공문서 검토 (document_check.py) ---
