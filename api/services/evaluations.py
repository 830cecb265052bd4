"""Stored evaluation runs (eval.runs) as the evaluation dashboard reads them: the list
with headline metrics, one run's run.json and metrics.json, its cases with filters and
pages, and the path of its self-contained report.html.

Who may use it: admins and evaluators (the router checks the role). A run is named by
its folder under data_dir/eval/runs; anything that is not a plain folder name there
(`..`, slashes, a link that leads elsewhere) is reported as not found."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from api.errors import InputError, NotFound
from eval.failures import diagnose_record
from eval.run_metrics import NO_CATEGORY, judge_value
from eval.runs import (CASES_FILE, METRICS_FILE, REPORT_FILE, RUN_FILE, RunInfo, list_runs, load_run, read_meta,
                       runs_root)
from rag.config import Settings
from rag.errors import ConfigError

#: What eval.runs writes run folder names with (see eval.runs._safe); a leading dot
#: would allow `.` and `..`.
_RUN_ID = re.compile(r"^[\w+-][\w.+-]{0,199}$")
MAX_PAGE = 500
#: Record fields a case row shows under names of its own; the rest go to `extra`.
_SHOWN = {"id", "suite", "kind", "assistant", "category", "question", "answerable", "reference_answer", "answer",
          "mode", "abstained", "notice", "llm", "citations", "passages", "removed", "checks", "token_f1", "rank",
          "passage_rank", "invented_citations", "correctness", "faithfulness", "judge", "failure", "failure_kinds",
          "error", "search_ms", "ttft_ms", "ttft_extractive_ms", "total_ms", "output_tokens"}


class EvalRuns:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = runs_root(settings)

    # -- finding a run --------------------------------------------------------------------

    def folder(self, run_id: str) -> Path:
        """The run's folder, or NotFound for a missing run and any name that is not a
        plain folder name directly under the runs folder."""
        if not _RUN_ID.fullmatch(run_id):
            raise NotFound(f"평가 실행 '{run_id}'")
        path = self.root / run_id
        if not self._inside(path) or not any((path / name).is_file() for name in (RUN_FILE, CASES_FILE, METRICS_FILE)):
            raise NotFound(f"평가 실행 '{run_id}'")
        return path

    def _inside(self, path: Path) -> bool:
        # A link in the runs folder may lead anywhere; only real folders there count.
        try:
            return path.is_dir() and path.resolve().parent == self.root.resolve()
        except OSError:
            return False

    # -- the list and one run -----------------------------------------------------------------

    def list(self) -> list[dict[str, Any]]:
        """Stored runs, newest first."""
        return [summary(info, read_meta(info.path) or {}) for info in list_runs(self.settings)
                if self._inside(info.path)]

    def detail(self, run_id: str) -> dict[str, Any]:
        run = self._load(run_id)
        return {"id": run_id, "summary": summary(run.info, run.meta), "run": run.meta, "metrics": run.metrics}

    def cases(self, run_id: str, *, failed: bool | None = None, assistant: str | None = None,
              category: str | None = None, failure: str | None = None, suite: str | None = None,
              offset: int = 0, limit: int = 50) -> dict[str, Any]:
        """One page of case rows matching every filter given (`failed`: only failed, or
        with False only passed; `failure`: a failure kind of eval.failures), with the
        values each filter can take over the whole run. An empty filter is no filter;
        category "(분류 없음)" picks the cases without one, as metrics.json names them."""
        if offset < 0:
            raise InputError("offset", "0 이상이어야 합니다")
        if not 1 <= limit <= MAX_PAGE:
            raise InputError("limit", f"1에서 {MAX_PAGE} 사이여야 합니다")
        rows = [case_row(r) for r in self._load(run_id).records]
        chosen = [r for r in rows
                  if (failed is None or r["failed"] == failed)
                  and (not assistant or r["assistant"] == assistant)
                  and (not category or (r["category"] or NO_CATEGORY) == category)
                  and (not failure or failure in r["failure_kinds"])
                  and (not suite or r["suite"] == suite)]
        return {"run": run_id, "total": len(chosen), "offset": offset, "limit": limit,
                "items": chosen[offset:offset + limit], "facets": facets(rows)}

    def report(self, run_id: str) -> Path:
        path = self.folder(run_id) / REPORT_FILE
        if not path.is_file():
            raise NotFound(f"평가 실행 '{run_id}'의 보고서 (seoul-assist eval report 로 만들 수 있습니다)")
        return path

    def _load(self, run_id: str):
        try:
            return load_run(self.folder(run_id))
        except ConfigError as exc:
            raise NotFound(f"평가 실행 '{run_id}'") from exc


def summary(info: RunInfo, meta: dict[str, Any]) -> dict[str, Any]:
    judge = meta.get("judge") or {}
    return {"id": info.path.name, "name": info.name, "suite": "+".join(info.suites), "suites": info.suites,
            "kind": meta.get("kind", "answers"), "llm": {"mode": info.llm_mode, "name": info.llm_name},
            "judge": judge.get("model"), "started": info.created, "finished": meta.get("finished"),
            "status": info.status, "n": info.cases_done, "n_total": info.cases_total, "metrics": info.headline,
            "has_report": (info.path / REPORT_FILE).is_file()}


def case_row(record: dict[str, Any]) -> dict[str, Any]:
    """A cases.jsonl record as the dashboard shows it. Records written before they said
    why they failed are diagnosed here the same way."""
    kinds = record.get("failure_kinds")
    reason = record.get("failure")
    if kinds is None and "failure" not in record:
        found = diagnose_record(record)
        kinds, reason = (list(found.kinds), found.reason) if found else ([], None)
    kinds = list(kinds or ([] if not reason else ["other"]))
    if record.get("error") and "error" not in kinds:
        kinds.insert(0, "error")
    return {
        "id": record.get("id"), "suite": record.get("suite", ""), "kind": record.get("kind", "qa"),
        "assistant": record.get("assistant", ""), "category": record.get("category") or "",
        "question": record.get("question", ""), "answerable": record.get("answerable"),
        "reference_answer": record.get("reference_answer", ""), "answer": record.get("answer", ""),
        "mode": record.get("mode"), "abstained": record.get("abstained"), "notice": record.get("notice", ""),
        "llm": record.get("llm"),
        "sources": record.get("citations") or [], "passages": record.get("passages") or [],
        "removed": record.get("removed") or [], "checks": record.get("checks") or [],
        "scores": {"token_f1": record.get("token_f1"), "rank": record.get("rank"),
                   "passage_rank": record.get("passage_rank"),
                   "invented_citations": record.get("invented_citations"),
                   "correctness": judge_value(record, "correctness"),
                   "faithfulness": judge_value(record, "faithfulness")},
        "judge": record.get("judge"),
        "failed": bool(kinds or reason or record.get("error")), "failure": reason or record.get("error"),
        "failure_kinds": kinds, "error": record.get("error"),
        "latency_ms": {"search": record.get("search_ms"), "ttft": record.get("ttft_ms"),
                       "ttft_extractive": record.get("ttft_extractive_ms"), "total": record.get("total_ms")},
        "output_tokens": record.get("output_tokens"),
        "extra": {k: v for k, v in record.items() if k not in _SHOWN},
    }


def facets(rows: list[dict[str, Any]]) -> dict[str, Any]:
    failures: dict[str, int] = {}
    for row in rows:
        for kind in row["failure_kinds"]:
            failures[kind] = failures.get(kind, 0) + 1
    return {"assistants": sorted({r["assistant"] for r in rows if r["assistant"]}),
            "categories": sorted({r["category"] or NO_CATEGORY for r in rows}),
            "suites": sorted({r["suite"] for r in rows if r["suite"]}),
            "failures": dict(sorted(failures.items())), "failed": sum(1 for r in rows if r["failed"]),
            "n": len(rows)}
