"""Liveness, readiness and Prometheus metrics. Who may use it: anyone who can reach the
port (monitoring); they reveal counts and timings, no content."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from api.deps import services
from api.services.container import Services

router = APIRouter(tags=["상태"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(svc: Services = Depends(services)) -> JSONResponse:
    checks: dict[str, bool] = {}
    try:
        with svc.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:
        checks["database"] = False
    checks["index"] = svc.state.corpus_indexed
    ready = all(checks.values())
    return JSONResponse({"ready": ready, "checks": checks, "message": svc.state.message,
                         "errors": svc.state.errors[:20]}, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(svc: Services = Depends(services)) -> Response:
    svc.metrics.generation_waiting.set(svc.generation_queue.waiting)
    return Response(svc.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
