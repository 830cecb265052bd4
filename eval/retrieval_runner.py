"""`seoul-assist eval run --retrieval-only`: ingest the corpus per the assistants' definitions (cached
and incremental), search every question in its assistant's collection, score first-hit
ranks, write metrics.json and cases.jsonl (with run.json and report.html, eval.runs)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from ingest.corpus import ingest_corpora
from appcontext import AppContext

from .failures import retrieval_failure
from .hits import first_hit_rank
from .report_html import write_report_safely
from .run_metrics import measure
from .runs import RunPlan, start_run, suite_infos
from .suites import QACase, load_suites, qa_cases, suite_names

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseResult:
    id: str
    assistant: str
    question: str
    answerable: bool
    rank: int | None
    search_ms: float
    retrieved: list[dict]


def prepare_index(ctx: AppContext, corpus: Path, assistants: list[str], progress: bool = True) -> dict:
    """Phase 1 + phase 2 for the collections the suite needs. Returns ingest counts."""
    reports = ingest_corpora(ctx.ingest, ctx.assistants, [corpus], assistants=assistants, progress=progress)
    for report in reports.values():
        for source, reason in report.failed:
            log.warning("색인 실패 %s: %s", source, reason)
        ctx.ingest.embed_pending(report.collection, progress=progress)
    return {name: {"documents": len(r.added) + len(r.updated) + len(r.unchanged), "failed": len(r.failed)}
            for name, r in reports.items()}


def read_documents(ctx: AppContext, corpus: Path, assistants: list[str], progress: bool = True) -> None:
    """Phase 1 only, for assistants whose cases read documents by law and article or by
    title (the RFP rules, the metabolic criteria) rather than search them by meaning."""
    reports = ingest_corpora(ctx.ingest, ctx.assistants, [corpus], assistants=assistants, progress=progress)
    for report in reports.values():
        for source, reason in report.failed:
            log.warning("색인 실패 %s: %s", source, reason)


def run_retrieval(ctx: AppContext, suites: Path | Sequence[Path], corpus: Path, out_dir: Path, k: int = 10,
                  mode: str | None = None, progress: bool = True, name: str | None = None) -> dict:
    """Searches are quick, so a retrieval run is never resumed: it starts over."""
    paths = [suites] if isinstance(suites, Path) else list(suites)
    loaded = load_suites(paths, assistants=ctx.assistants)
    cases = qa_cases(loaded)
    names = suite_names(paths)
    plan = RunPlan(suite_infos(paths, names, [sum(1 for c in loaded if c.suite == n) for n in names]), corpus,
                   "retrieval", name=name, kind="retrieval")
    run, _ = start_run(out_dir, plan, ctx.settings, resume="never")
    with run.recording():
        collections = {name: spec.collection for name, spec in ctx.assistants.items()}
        index_info = prepare_index(ctx, corpus, sorted({c.assistant for c in cases}), progress) if cases else {}
        results = score_cases(ctx, cases, collections, k, mode, progress)
        records = [{**asdict(result), "suite": case.suite, "category": case.category,
                    "failure": retrieval_failure(case, result.rank, k)} for case, result in zip(cases, results)]
        metrics = {
            "suite": ", ".join(str(p) for p in paths), **measure(records, False, "retrieval"),
            "mode": mode or ctx.settings.retrieval.fusion, "embedder": ctx.embedder.name, "index": index_info,
        }
        for record in records:
            run.append(record)
        run.write_metrics(metrics)
        run.finish(cases_done=len(results))
    write_report_safely(out_dir)
    return metrics


def score_cases(ctx: AppContext, cases: list[QACase], collections: dict[str, str], k: int = 10,
                mode: str | None = None, progress: bool = False) -> list[CaseResult]:
    return [_run_case(ctx, case, collections[case.assistant], k, mode)
            for case in tqdm(cases, desc="검색 평가", unit="문항", disable=not progress, leave=False)]


def _run_case(ctx: AppContext, case: QACase, collection: str, k: int, mode: str | None) -> CaseResult:
    started = time.perf_counter()
    chunks = ctx.retriever.search(case.question, collection, k=k, mode=mode)
    elapsed = (time.perf_counter() - started) * 1000
    rank = first_hit_rank([(c.source, c.text) for c in chunks], case.evidence) if case.answerable else None
    retrieved = [{"rank": i, "source": c.source, "locator": c.locator, "score": round(c.score, 4)}
                 for i, c in enumerate(chunks, start=1)]
    return CaseResult(case.id, case.assistant, case.question, case.answerable, rank, round(elapsed, 2), retrieved)
