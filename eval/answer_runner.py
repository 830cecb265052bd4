"""`seoul-assist eval run` (answers): ingest the corpus per the assistants' definitions (cached and
incremental), search every case as `--retrieval-only` does, then stream every case's
answer through the answering service with timings. Each finished case is appended to
the run's cases.jsonl at once (eval.runs), so an interrupted run resumes where it
stopped; metrics.json (the retrieval-only keys plus answer, citation, abstention,
latency, token and per-group blocks) is computed from those records at the end, and
report.html is written beside it.

With a judge (`eval run --judge`, eval.judging) each answered case is also scored by
the LLM judge before its record is written, so a resumed run judges only the cases it
had not recorded, and metrics.json gains answer.correctness and answer.faithfulness,
labelled with the judge's engine (`judge`: our own prompts or ragas, whose scores mean
different things). A server judge takes cases side by side: the default worker count
counts it as a server.

Test hook: SEOUL_ASSIST_EVAL_STOP_AFTER=N makes the run stop as Ctrl-C would once it
has recorded N cases in this process (the resume tests use it)."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from rag.answer.types import Answer, Passage
from appcontext import AppContext
from rag.errors import ConfigError, SeoulAssistError
from rag.llm.base import LLM
from rag.llm.tokens import estimate_tokens

from .answer_metrics import Timing, citation_hits, invented_citations, is_abstained, token_f1, ttft_ms
from .failures import diagnose
from .generation import generation_record, generation_summary, scorer_for
from .hits import first_hit_rank
from .judge import Judge
from .judging import SERVER_MODES as JUDGE_SERVER_MODES
from .judging import JudgeSpec, judge_case, judge_lock, judge_meta, metrics_label
from .report_html import write_report_safely
from .retrieval_runner import CaseResult, prepare_index, read_documents, score_cases
from .run_metrics import breakdowns, llm_names, measure, qa_records
from .runs import Resume, RunDir, RunPlan, start_run, suite_infos
from .suites import Case, GenerationCase, QACase, generation_cases, load_suites, qa_cases, suite_names

if TYPE_CHECKING:
    from .ragas_judge import RagasJudge

log = logging.getLogger(__name__)

STOP_AFTER_ENV = "SEOUL_ASSIST_EVAL_STOP_AFTER"
#: Modes whose model answers over the network: several questions may be in flight.
SERVER_MODES = {"openai", "vllm"}
#: Modes whose model lives in this process and generates one answer at a time.
SINGLE_MODES = {"embedded", "llamacpp", "vllm-local"}


@dataclass(frozen=True)
class StreamedCase:
    """What one streamed answer produced: the passages it saw, the final answer (None
    when the stream failed), the error message if any, and event times."""

    passages: list[Passage]
    answer: Answer | None
    error: str
    timing: Timing


def default_workers(llm_mode: str, judge_server: bool = False) -> int:
    """4 when the answers or the judge's verdicts come from a server (several requests in
    flight), unless the answering model lives in this process (one answer at a time)."""
    if llm_mode in SERVER_MODES or (judge_server and llm_mode not in SINGLE_MODES):
        return 4
    return 1


def effective_workers(llm_mode: str, requested: int | None, judge_server: bool = False) -> int:
    if requested is None:
        return default_workers(llm_mode, judge_server)
    if requested < 1:
        raise ConfigError("--workers는 1 이상이어야 합니다")
    if llm_mode in SINGLE_MODES and requested > 1:
        log.warning("%s 모델은 한 번에 한 답변만 생성하므로 --workers %d 대신 1로 실행합니다", llm_mode, requested)
        return 1
    return requested


def run_answers(ctx: AppContext, suites: Path | Sequence[Path], corpus: Path, out_dir: Path, progress: bool = True,
                limit: int | None = None, *, name: str | None = None, workers: int | None = None,
                resume: Resume = "auto", judge: "Judge | RagasJudge | None" = None,
                judge_spec: JudgeSpec | None = None) -> dict:
    """Run (or resume) the suites into `out_dir` and return metrics.json's content.
    `limit`: the first N cases of each suite. `resume`: see eval.runs.start_run.
    `judge`: score each answered case with this LLM judge (eval.judge.Judge, or
    eval.ragas_judge.RagasJudge); `judge_spec` (how its model was built) is recorded so
    that `--resume` builds the same one."""
    paths = [suites] if isinstance(suites, Path) else list(suites)
    cases = load_suites(paths, limit, assistants=ctx.assistants)
    mode = ctx.settings.llm.mode
    names = suite_names(paths)
    judge_server = judge is not None and judge_spec is not None and judge_spec.mode in JUDGE_SERVER_MODES
    plan = RunPlan(suite_infos(paths, names, [sum(1 for c in cases if c.suite == n) for n in names]), corpus,
                   mode, limit, name, "answers", effective_workers(mode, workers, judge_server),
                   judge_meta(judge, judge_spec) if judge is not None else None)
    run, resumed = start_run(out_dir, plan, ctx.settings, resume)
    if resumed:
        log.info("%s: 기록된 문항 %d개를 건너뛰고 이어서 실행합니다", out_dir, len(run.done_ids()))
    with run.recording():
        return _run(ctx, run, plan, cases, ", ".join(str(p) for p in paths), progress, judge, judge_lock(judge_spec))


def _run(ctx: AppContext, run: RunDir, plan: RunPlan, cases: list[Case], suite_label: str, progress: bool,
         judge: "Judge | RagasJudge | None" = None, judge_lock: threading.Lock | None = None) -> dict:
    generating = plan.llm_mode != "extractive"
    done = run.done_ids()
    questions = qa_cases(cases)
    pending = [c for c in questions if c.id not in done]
    # What will get a record: generation cases without a scorer are only counted.
    scored_generation = sum(1 for c in generation_cases(cases) if scorer_for(c.assistant))
    run.set_status("running", cases_total=len(questions) + scored_generation)
    collections = {name: spec.collection for name, spec in ctx.assistants.items()}
    assistants = sorted({c.assistant for c in questions})
    index_info = prepare_index(ctx, plan.corpus, assistants, progress) if assistants else {}
    scored = sorted({c.assistant for c in generation_cases(cases) if scorer_for(c.assistant)} - set(assistants))
    if scored:
        read_documents(ctx, plan.corpus, scored, progress)
    # Built here, once: the service loads its model lazily, and two worker threads must
    # not both load it.
    llm = ctx.answers.llm() if generating and pending else None
    # The plain top-10 search keeps the retrieval block identical to --retrieval-only;
    # the answer itself only sees its top few passages (reported apart).
    searched = score_cases(ctx, pending, collections, k=10, progress=progress)

    def answer_one(case: QACase, search: CaseResult) -> dict:
        streamed = stream_case(ctx, case, collections[case.assistant], generating)
        return case_record(ctx, case, search, streamed, generating, llm, judge=judge, judge_lock=judge_lock)

    bar = tqdm(total=len(questions), initial=len(questions) - len(pending), desc="답변 평가", unit="문항",
               disable=not progress, leave=False)
    try:
        _answer_all(answer_one, list(zip(pending, searched)), plan.workers, run, bar)
    finally:
        bar.close()
    _score_generation(ctx, generation_cases(cases), done, run, plan.corpus, judge, judge_lock)

    wanted = {c.id for c in cases}
    records = _unique([r for r in run.records() if r["id"] in wanted])
    metrics = build_metrics(records, generating=generating, suite=suite_label, llm_mode=plan.llm_mode,
                            limit=plan.limit, generation=generation_summary(
                                generation_cases(cases), [r for r in records if r.get("kind") == "generation"]),
                            context={"mode": ctx.settings.retrieval.fusion, "embedder": ctx.embedder.name,
                                     "index": index_info},
                            run_id=str(run.meta.get("id", "")),
                            judge=run.meta.get("judge") if judge is not None else None)
    run.write_metrics(metrics)
    run.finish(cases_done=len(records), llm={"mode": plan.llm_mode, "name": metrics["llm"]["name"]})
    write_report_safely(run.path)
    return metrics


def _answer_all(answer_one: Callable[[QACase, CaseResult], dict], work: list[tuple[QACase, CaseResult]],
                workers: int, run: RunDir, bar: tqdm) -> None:
    """Answer the cases (in a thread pool against a server model), appending each record
    as it finishes. The stop hook counts records written by this process."""
    stop_after = _stop_after()
    written = 0

    def record(result: dict) -> None:
        nonlocal written
        run.append(result)
        bar.update(1)
        written += 1
        if stop_after is not None and written >= stop_after:
            raise KeyboardInterrupt(f"{STOP_AFTER_ENV}={stop_after}")

    if workers <= 1:
        for case, search in work:
            record(answer_one(case, search))
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="eval-answer")
    try:
        futures = [pool.submit(answer_one, case, search) for case, search in work]
        for future in as_completed(futures):
            record(future.result())
    finally:
        # On Ctrl-C the queued cases are dropped; those in flight finish unrecorded and are
        # asked again on resume.
        pool.shutdown(wait=False, cancel_futures=True)


def _score_generation(ctx: AppContext, cases: list[GenerationCase], done: set[str], run: RunDir,
                      corpus: Path, judge: "Judge | RagasJudge | None" = None,
                      lock: threading.Lock | None = None) -> None:
    # The judge goes with each case: a scorer may have its output judged (the RFP drafts).
    for case in cases:
        scorer = scorer_for(case.assistant)
        if scorer is not None and case.id not in done:
            run.append(generation_record(ctx, replace(case, corpus=corpus, judge=judge, judge_lock=lock), scorer))


def _stop_after() -> int | None:
    value = os.environ.get(STOP_AFTER_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _unique(records: list[dict]) -> list[dict]:
    # A case recorded twice (two processes on one run despite the guard) counts once.
    seen: set[str] = set()
    out = []
    for record in records:
        if record["id"] not in seen:
            seen.add(record["id"])
            out.append(record)
    return out


def build_metrics(records: list[dict], *, generating: bool, suite: str, llm_mode: str, limit: int | None,
                  generation: dict, context: dict, run_id: str = "", judge: dict | None = None) -> dict:
    """metrics.json from the records: the measured blocks (every metric of the table in
    eval.case_metrics, each over its kind of record), what was run (search mode, embedder,
    index, model, limit), the generation cases and the per-assistant, per-category and
    per-suite blocks; a judged
    run adds who judged at the end (`judge`: engine, model, prompt hash and what the two
    scores mean under that engine; eval.judging.metrics_label)."""
    qa = qa_records(records)
    metrics = {
        "suite": suite, **measure(records, generating),
        "mode": context.get("mode"), "embedder": context.get("embedder"), "index": context.get("index", {}),
        "llm": {"mode": llm_mode, "name": llm_names(qa)}, "limit": limit, "generation": generation,
        **breakdowns(records, generating),
        "run": run_id,
    }
    label = metrics_label(judge)
    if label is not None:
        metrics["judge"] = label
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


def case_record(ctx: AppContext, case: QACase, search: CaseResult, run: StreamedCase, generating: bool,
                llm: LLM | None = None, *, judge: "Judge | RagasJudge | None" = None,
                judge_lock: threading.Lock | None = None) -> dict:
    """One line of cases.jsonl: everything the metric table (eval.case_metrics) and the
    report read, so that metrics can be recomputed from the records alone. With a judge,
    its verdict on the answer is the record's `judge` block (eval.judging.judge_case)."""
    answer = run.answer
    hit_flags = citation_hits(answer, case) if answer is not None else []
    passage_rank = _passage_rank(case, run.passages)
    failure = diagnose(case, error=run.error or None, abstained=is_abstained(answer), rank=search.rank,
                       passage_rank=passage_rank, citation_hits=hit_flags)
    record = {
        "id": case.id, "assistant": case.assistant, "question": case.question, "answerable": case.answerable,
        "reference_answer": case.reference_answer,
        "answer": answer.text if answer else "",
        "mode": answer.mode if answer else None,
        "abstained": is_abstained(answer),
        "notice": answer.notice if answer else "",
        "llm": answer.llm if answer else "",
        # Unrounded, so that the run's mean is the mean of exactly these numbers.
        "token_f1": token_f1(answer.text if answer else "", case.reference_answer, ctx.analyzer)
        if case.answerable and case.reference_answer.strip() else None,
        "citations": [{"n": c.n, "source": c.source, "locator": c.locator, "label": c.label, "hit": hit}
                      for c, hit in zip(answer.citations, hit_flags)] if answer else [],
        "invented_citations": invented_citations(answer),
        "checks": [{"text": c.text, "supported": c.supported, "reason": c.reason} for c in answer.checks]
        if answer else [],
        "removed": list(answer.removed) if answer else [],
        "rank": search.rank,
        "passage_rank": passage_rank,
        "passages": [{"n": p.n, "source": p.chunk.source, "locator": p.chunk.locator} for p in run.passages],
        "search_ms": search.search_ms,
        "ttft_ms": ttft_ms(run.timing, generating),
        "ttft_extractive_ms": run.timing.extractive_ms,
        "total_ms": run.timing.total_ms,
        "error": run.error or None,
        "kind": "qa",
        "suite": case.suite,
        "category": case.category,
        "output_tokens": output_tokens(answer, llm),
        "failure": failure.reason if failure else None,
        "failure_kinds": list(failure.kinds) if failure else [],
    }
    if judge is not None:
        record["judge"] = judge_case(judge, case.question, case.reference_answer, answer, run.passages,
                                     judge_lock)
    return record


def output_tokens(answer: Answer | None, llm: LLM | None) -> int:
    """Tokens the model generated for this answer, by its own tokenizer (0 when the
    answer was quoted, not generated)."""
    if answer is None or llm is None or not answer.generated:
        return 0
    try:
        return llm.count_tokens(answer.generated)
    except SeoulAssistError:
        return estimate_tokens(answer.generated)


def _passage_rank(case: QACase, passages: list[Passage]) -> int | None:
    if not case.answerable:
        return None
    return first_hit_rank([(p.chunk.source, p.chunk.text) for p in passages], case.evidence)
