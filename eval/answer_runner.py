"""`seoul-assist eval run` (answers): ingest the corpus per the manifests (cached and
incremental), search every case as `--retrieval-only` does, then stream every case's
answer through the answering service with timings, and write metrics.json (the
retrieval-only keys plus answer, citation, abstention and latency blocks) and cases.jsonl."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ingest.manifests import load_manifests
from rag.answer.types import Answer, Passage
from rag.context import AppContext
from rag.errors import SeoulAssistError

from .answer_metrics import (Outcome, Timing, abstention_summary, answer_summary, citation_hits, citation_summary,
                             invented_citations, is_abstained, latency_summary, token_f1, ttft_ms)
from .hits import first_hit_rank
from .metrics import percentile, retrieval_summary
from .retrieval_runner import CaseResult, prepare_index, score_cases
from .suites import QACase, load_suite

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamedCase:
    """What one streamed answer produced: the passages it saw, the final answer (None
    when the stream failed), the error message if any, and event times."""

    passages: list[Passage]
    answer: Answer | None
    error: str
    timing: Timing


def run_answers(ctx: AppContext, suite_path: Path, corpus: Path, out_dir: Path, progress: bool = True,
                limit: int | None = None) -> dict:
    cases = load_suite(suite_path)
    if limit is not None:
        cases = cases[:limit]
    manifests = load_manifests(ctx.settings.manifests_dir)
    collections = {m.assistant: m.collection for m in manifests.values()}
    index_info = prepare_index(ctx, corpus, sorted({c.assistant for c in cases}), progress)
    # The plain top-10 search keeps the retrieval block identical to --retrieval-only;
    # the answer itself only sees its top few passages (reported apart).
    searched = score_cases(ctx, cases, collections, k=10, progress=progress)
    generating = ctx.settings.llm.mode != "extractive"
    streamed = [stream_case(ctx, case, collections[case.assistant], generating)
                for case in tqdm(cases, desc="답변 평가", unit="문항", disable=not progress, leave=False)]

    outcomes = [Outcome(case, run.answer) for case, run in zip(cases, streamed)]
    metrics = _metrics(ctx, suite_path, searched, streamed, outcomes, generating, index_info, limit)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    with (out_dir / "cases.jsonl").open("w", encoding="utf-8") as handle:
        for case, search, run in zip(cases, searched, streamed):
            record = case_record(ctx, case, search, run, generating)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return metrics


def stream_case(ctx: AppContext, case: QACase, collection: str, generating: bool) -> StreamedCase:
    """Consume one answer stream, timing each first event from the call."""
    started = time.perf_counter()
    passages: list[Passage] = []
    answer: Answer | None = None
    error = ""
    extractive_ms = first_token_ms = total_ms = None
    try:
        events = ctx.answers.stream(case.question, assistant=case.assistant, collection=collection,
                                    use_llm=generating)
        for event in events:
            elapsed = round((time.perf_counter() - started) * 1000, 2)
            if event.type == "passages" and event.answer is not None:
                passages = list(event.answer.passages)
            elif event.type == "extractive" and extractive_ms is None:
                extractive_ms = elapsed
            elif event.type == "token" and first_token_ms is None and event.text:
                first_token_ms = elapsed
            elif event.type == "final":
                answer, total_ms = event.answer, elapsed
            elif event.type == "error":
                error, total_ms = event.text or "알 수 없는 오류", elapsed
    except SeoulAssistError as exc:
        # One failing case (a server timeout, say) must not lose the whole run's numbers.
        error = str(exc) or type(exc).__name__
    if error:
        log.warning("답변 실패 %s: %s", case.id, error)
        answer = None
    elif answer is None:
        error = "최종 답변(final) 이벤트가 오지 않았습니다"
    if answer is not None and not passages:
        passages = list(answer.passages)
    return StreamedCase(passages, answer, error, Timing(extractive_ms, first_token_ms, total_ms))


def case_record(ctx: AppContext, case: QACase, search: CaseResult, run: StreamedCase, generating: bool) -> dict:
    answer = run.answer
    hit_flags = citation_hits(answer, case) if answer is not None else []
    return {
        "id": case.id, "assistant": case.assistant, "question": case.question, "answerable": case.answerable,
        "reference_answer": case.reference_answer,
        "answer": answer.text if answer else "",
        "mode": answer.mode if answer else None,
        "abstained": is_abstained(answer),
        "notice": answer.notice if answer else "",
        "llm": answer.llm if answer else "",
        "token_f1": round(token_f1(answer.text if answer else "", case.reference_answer, ctx.analyzer), 4)
        if case.answerable and case.reference_answer.strip() else None,
        "citations": [{"n": c.n, "source": c.source, "locator": c.locator, "label": c.label, "hit": hit}
                      for c, hit in zip(answer.citations, hit_flags)] if answer else [],
        "invented_citations": invented_citations(answer),
        "checks": [{"text": c.text, "supported": c.supported, "reason": c.reason} for c in answer.checks]
        if answer else [],
        "removed": list(answer.removed) if answer else [],
        "rank": search.rank,
        "passage_rank": _passage_rank(case, run.passages),
        "passages": [{"n": p.n, "source": p.chunk.source, "locator": p.chunk.locator} for p in run.passages],
        "search_ms": search.search_ms,
        "ttft_ms": ttft_ms(run.timing, generating),
        "ttft_extractive_ms": run.timing.extractive_ms,
        "total_ms": run.timing.total_ms,
        "error": run.error or None,
    }


def _metrics(ctx: AppContext, suite_path: Path, searched: list[CaseResult], streamed: list[StreamedCase],
             outcomes: list[Outcome], generating: bool, index_info: dict, limit: int | None) -> dict:
    answerable = [r for r in searched if r.answerable]
    search_ms = [r.search_ms for r in searched]
    passage_ranks = [_passage_rank(o.case, run.passages) for o, run in zip(outcomes, streamed) if o.case.answerable]
    names = sorted({o.answer.llm for o in outcomes if o.answer is not None and o.answer.llm})
    return {
        "suite": str(suite_path), "n": len(answerable), "n_total": len(searched),
        "retrieval": retrieval_summary([r.rank for r in answerable]),
        # The same ranks over the few passages the answer was given (hit@10 = hit@5 there).
        "retrieval_passages": retrieval_summary(passage_ranks),
        "latency_ms": {"search_p50": round(percentile(search_ms, 50), 2),
                       "search_p95": round(percentile(search_ms, 95), 2),
                       **latency_summary([run.timing for run in streamed], generating)},
        "mode": ctx.settings.retrieval.fusion, "embedder": ctx.embedder.name, "index": index_info,
        "answer": answer_summary(outcomes, ctx.analyzer),
        "citation": citation_summary(outcomes),
        "abstention": abstention_summary(outcomes),
        "llm": {"mode": ctx.settings.llm.mode, "name": ", ".join(names)},
        "errors": sum(1 for run in streamed if run.error),
        "limit": limit,
    }


def _passage_rank(case: QACase, passages: list[Passage]) -> int | None:
    if not case.answerable:
        return None
    return first_hit_rank([(p.chunk.source, p.chunk.text) for p in passages], case.evidence)
