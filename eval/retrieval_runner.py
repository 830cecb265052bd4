"""`seoul-assist eval run --retrieval-only`: ingest the corpus per the manifests (cached
and incremental), search every answerable case in its assistant's collection, score
first-hit ranks, write metrics.json and cases.jsonl."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from ingest.corpus import ingest_corpora
from ingest.manifests import load_manifests
from rag.context import AppContext

from .hits import first_hit_rank
from .metrics import percentile, retrieval_summary
from .suites import QACase, load_suite

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
    manifests = load_manifests(ctx.settings.manifests_dir)
    reports = ingest_corpora(ctx.ingest, manifests, [corpus], assistants=assistants, progress=progress)
    for report in reports.values():
        for source, reason in report.failed:
            log.warning("색인 실패 %s: %s", source, reason)
        ctx.ingest.embed_pending(report.collection, progress=progress)
    return {name: {"documents": len(r.added) + len(r.updated) + len(r.unchanged), "failed": len(r.failed)}
            for name, r in reports.items()}


def run_retrieval(ctx: AppContext, suite_path: Path, corpus: Path, out_dir: Path, k: int = 10,
                  mode: str | None = None, progress: bool = True) -> dict:
    cases = load_suite(suite_path)
    manifests = load_manifests(ctx.settings.manifests_dir)
    collections = {m.assistant: m.collection for m in manifests.values()}
    index_info = prepare_index(ctx, corpus, sorted({c.assistant for c in cases}), progress)
    results = score_cases(ctx, cases, collections, k, mode, progress)
    answerable = [r for r in results if r.answerable]
    latencies = [r.search_ms for r in results]
    metrics = {
        "suite": str(suite_path), "n": len(answerable), "n_total": len(results),
        "retrieval": retrieval_summary([r.rank for r in answerable]),
        "latency_ms": {"search_p50": round(percentile(latencies, 50), 2),
                       "search_p95": round(percentile(latencies, 95), 2)},
        "mode": mode or ctx.settings.retrieval.fusion, "embedder": ctx.embedder.name, "index": index_info,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    with (out_dir / "cases.jsonl").open("w", encoding="utf-8") as handle:
        for result in results:
            handle.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
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
