"""Evaluation runs for the evaluation dashboard: the list, one run, its cases and its
HTML report (api.services.evaluations), and starting a run in the background
(api.services.eval_launch). Who may use it: admins and evaluators."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import require_role, services
from api.services import eval_launch
from api.services.accounts import Principal
from api.services.container import Services
from api.services.evaluations import MAX_PAGE, EvalRuns

router = APIRouter(prefix="/api/eval", tags=["평가"])

evaluators = require_role("admin", "evaluator")

#: The report is one file with inline styles and SVG: it may style itself and nothing
#: else (no scripts at all), and only our own pages may frame it.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src 'none'; "
              "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


class StartRun(BaseModel):
    suite: str = Field(min_length=1, max_length=1000, description="서버에 있는 평가 세트 .jsonl 경로")
    llm: str = Field(description="답변 방식: extractive, fake, embedded, openai, vllm, …")
    corpus: str | None = Field(None, max_length=1000, description="코퍼스 폴더 (기본: 설정의 첫 코퍼스)")
    name: str | None = Field(None, max_length=80, description="실행 이름")
    limit: int | None = Field(None, ge=1, description="각 세트의 앞 N개 문항만")


def runs(svc: Services = Depends(services)) -> EvalRuns:
    return EvalRuns(svc.settings)


@router.get("/runs", summary="저장된 평가 실행 목록 (최신순; 막 시작한 실행이 맨 앞)")
def list_runs(_: Principal = Depends(evaluators), store: EvalRuns = Depends(runs)) -> list[dict]:
    return eval_launch.pending() + store.list()


@router.post("/runs", status_code=202, summary="평가 실행을 백그라운드로 시작")
def start_run(body: StartRun, user: Principal = Depends(evaluators), svc: Services = Depends(services)) -> dict:
    return eval_launch.start(svc.settings, svc.audit, user.username, suite=body.suite, llm=body.llm,
                             corpus=body.corpus, name=body.name, limit=body.limit)


@router.get("/runs/{run_id}", summary="평가 실행 하나: run.json과 metrics.json")
def run_detail(run_id: str, _: Principal = Depends(evaluators), store: EvalRuns = Depends(runs)) -> dict:
    return store.detail(run_id)


@router.get("/runs/{run_id}/cases", summary="평가 문항별 결과 (필터, 페이지)")
def run_cases(run_id: str, failed: bool | None = Query(None, description="true: 실패한 문항만, false: 통과만"),
              assistant: str | None = None, category: str | None = None,
              failure: str | None = Query(None, description="실패 종류 (retrieval, citation, …)"),
              suite: str | None = None, offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=MAX_PAGE),
              _: Principal = Depends(evaluators), store: EvalRuns = Depends(runs)) -> dict:
    return store.cases(run_id, failed=failed, assistant=assistant, category=category, failure=failure, suite=suite,
                       offset=offset, limit=limit)


@router.get("/runs/{run_id}/report", summary="평가 보고서 (HTML)", response_class=HTMLResponse)
def run_report(run_id: str, _: Principal = Depends(evaluators), store: EvalRuns = Depends(runs)) -> HTMLResponse:
    page = store.report(run_id).read_text(encoding="utf-8")
    return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP, "X-Frame-Options": "SAMEORIGIN",
                                       "Cache-Control": "private, no-cache"})
