"""`seoul-assist eval run | report | list`: run benchmark suites into a stored run folder
(eval.runs), resume an interrupted one, rewrite its HTML report, list stored runs.
`eval run --judge` also scores the answers with an LLM judge (eval.judging): our own
prompts (`--judge-engine prompt`, the default) or ragas' metrics (`--judge-engine ragas`,
through an OpenAI-compatible server)."""

from __future__ import annotations

import argparse
import hashlib
import signal
import sys
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path

from rag.errors import ConfigError

from . import eval_compare_cmd
from .ask_cmd import LLM_MODES

JUDGE_MODES = [mode for mode in LLM_MODES if mode != "extractive"]
JUDGE_ENGINES = ["prompt", "ragas"]  # eval.judging.ENGINES, named here for --help without importing eval
JUDGE_API_KEY_ENV = "SEOUL_ASSIST_JUDGE_API_KEY"  # eval.judging reads it; named here for --help
from .common import context_from, settings_from, show_progress
from .eval_compare_cmd import add_gate_arguments, apply_gate, check_gate_arguments


def register(sub) -> None:
    p = sub.add_parser("eval", help="평가 세트 실행, 보고서, 실행 목록")
    eval_sub = p.add_subparsers(dest="eval_command", required=True, metavar="SUBCOMMAND")
    run_p = eval_sub.add_parser("run", help="평가 세트를 실행하고 결과 폴더에 기록합니다 (중단되면 이어서 실행)")
    run_p.add_argument("--suite", type=Path, action="append", metavar="FILE",
                       help="JSONL 평가 세트 (여러 번 쓸 수 있음; --resume이면 생략 가능)")
    run_p.add_argument("--corpus", type=Path, help="코퍼스 폴더 (예: ../shared/corpora; --resume이면 생략 가능)")
    run_p.add_argument("--out", type=Path,
                       help="결과 폴더 (기본: data_dir/eval/runs/<시각>-<이름>-<llm>); 끝나지 않은 같은 실행이 "
                            "있으면 이어서 실행")
    run_p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="중단된 실행 폴더를 이어서 실행")
    run_p.add_argument("--name", help="실행 이름 (기본: 평가 세트 파일 이름)")
    run_p.add_argument("--retrieval-only", action="store_true", help="검색 품질만 평가")
    run_p.add_argument("-k", type=int, default=10)
    run_p.add_argument("--mode", choices=["weighted", "rrf", "dbsf", "sparse", "dense"])
    run_p.add_argument("--llm", choices=LLM_MODES,
                       help="답변에 쓸 언어 모델 (기본: 설정의 llm.mode; extractive는 생성 없이 발췌만)")
    run_p.add_argument("--limit", type=int, metavar="N", help="각 평가 세트의 앞 N개 문항만 (빠른 확인용)")
    run_p.add_argument("--workers", type=int, metavar="N",
                       help="동시에 답변할 문항 수 (기본: 답변이나 판정이 openai/vllm 서버면 4, 그 밖 1)")
    judge = run_p.add_argument_group("LLM 판정 (--judge)")
    judge.add_argument("--judge", action="store_true",
                       help="답변한 문항을 LLM 판정 모델로 채점합니다: 모범 답안 대비 정답성, 검색 구절 대비 충실성 "
                            "(기본: 끔; 판정한 실행을 --resume하면 같은 판정 모델로 이어서 판정)")
    judge.add_argument("--judge-llm", choices=JUDGE_MODES, metavar="MODE",
                       help="판정 모델 방식: " + ", ".join(JUDGE_MODES) + " (기본: 설정의 llm 블록; 쓰면 --judge도 켜짐)")
    judge.add_argument("--judge-base-url", metavar="URL",
                       help="OpenAI 호환 판정 서버 주소 (예: http://llm:8000/v1; --judge-llm 없으면 openai; "
                            f"API 키는 ${JUDGE_API_KEY_ENV})")
    judge.add_argument("--judge-model", metavar="NAME", help="판정 서버의 모델 이름 (기본: 설정의 llm.model)")
    judge.add_argument("--judge-engine", choices=JUDGE_ENGINES,
                       help="판정 방식: prompt(기본; 자체 한국어 판정 프롬프트, 정답성 0/0.5/1) 또는 ragas(ragas "
                            "FactualCorrectness(f1)·Faithfulness, 정답성은 주장 단위 F1; OpenAI 호환 서버와 "
                            "pip install -e '.[eval]' 필요). 쓰면 --judge도 켜짐; --resume은 처음 방식을 따름")
    add_gate_arguments(run_p)
    run_p.set_defaults(handler=run)

    report_p = eval_sub.add_parser("report", help="실행 폴더의 report.html을 다시 만듭니다")
    report_p.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    report_p.set_defaults(handler=report)

    list_p = eval_sub.add_parser("list", help="저장된 평가 실행을 최신순으로 보여 줍니다")
    list_p.add_argument("--dir", type=Path, help="실행 폴더들이 있는 곳 (기본: data_dir/eval/runs)")
    list_p.set_defaults(handler=list_command)

    eval_compare_cmd.register(eval_sub)


def run(args: argparse.Namespace) -> int:
    from eval.runs import default_run_dir, read_meta, run_label
    from eval.suites import suite_names

    check_gate_arguments(args)  # a typo in a gate fails now, not after an hour of answering
    base = settings_from(args)
    resume = "auto"
    suites, corpus, limit, name = args.suite, args.corpus, args.limit, args.name
    llm_mode = args.llm
    out = args.out
    judging = args.judge or any(v is not None for v in (args.judge_llm, args.judge_base_url, args.judge_model,
                                                         args.judge_engine))
    meta = None
    if args.resume is not None:
        meta = read_meta(args.resume)
        if meta is None:
            raise ConfigError(f"{args.resume}: 이어서 실행할 평가 결과(run.json)가 없습니다")
        if meta.get("kind") == "retrieval":
            raise ConfigError("검색 평가(--retrieval-only)는 빨라서 이어서 실행하지 않습니다: 다시 실행하세요")
        if out is not None and out.resolve() != args.resume.resolve():
            raise ConfigError("--out과 --resume이 다른 폴더를 가리킵니다")
        out, resume = args.resume, "require"
        suites = suites or [Path(s["path"]) for s in meta.get("suites", [])]
        corpus = corpus or (Path(meta["corpus"]) if meta.get("corpus") else None)
        limit = limit if limit is not None else meta.get("limit")
        name = name or meta.get("name")
        llm_mode = llm_mode or (meta.get("llm") or {}).get("mode")
        judging = judging or bool((meta.get("judge") or {}).get("model"))  # a judged run goes on judged
    if judging and args.retrieval_only:
        raise ConfigError("--judge는 답변 평가에만 쓸 수 있습니다 (--retrieval-only와 함께 쓸 수 없음)")
    if not suites:
        raise ConfigError("--suite가 필요합니다 (또는 --resume 실행 폴더)")
    if corpus is None or not corpus.is_dir():
        raise ConfigError(f"코퍼스 폴더가 없습니다: {corpus}")
    if limit is not None and limit < 1:
        raise ConfigError("--limit은 1 이상이어야 합니다")
    mode_label = "retrieval" if args.retrieval_only else (llm_mode or base.llm.mode)
    if out is None:
        out = default_run_dir(base, run_label(name, suite_names(suites)), mode_label)
    # Each corpus gets its own cached index, so the samples never leak into a suite's numbers.
    key = hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:10]
    overrides: dict = {"data_dir": str(base.data_dir / "eval" / key), "model_cache_dir": str(base.cache_dir)}
    if llm_mode:
        overrides["llm"] = {"mode": llm_mode}  # merged into the profile's llm block
    judge_spec, judge_engine = _judge_spec(args, base, meta) if judging else (None, None)
    ctx = context_from(args, **overrides)
    restore = _interrupt_on_sigterm()
    try:
        if args.retrieval_only:
            from eval.retrieval_runner import run_retrieval

            metrics = run_retrieval(ctx, suites, corpus, out, k=args.k, mode=args.mode, progress=show_progress(),
                                    name=name)
        else:
            from eval.answer_runner import run_answers
            from eval.judging import build_judge, close_judge

            judge = build_judge(ctx.settings, judge_spec, judge_engine) if judge_spec is not None else None
            try:
                metrics = run_answers(ctx, suites, corpus, out, progress=show_progress(), limit=limit, name=name,
                                      workers=args.workers, resume=resume, judge=judge, judge_spec=judge_spec)
            finally:
                close_judge(judge)  # a server judge's HTTP client
    except KeyboardInterrupt:
        print(f"중단되었습니다. 끝난 문항은 {out / 'cases.jsonl'}에 남아 있습니다. "
              f"이어서 하려면: seoul-assist eval run --resume {out}", file=sys.stderr)
        return 130
    finally:
        restore()
        ctx.close()
    print(summary_table(metrics))
    print(f"결과: {out / 'metrics.json'}")
    print(f"보고서: {out / 'report.html'}")
    return apply_gate(args, metrics)


def _judge_spec(args: argparse.Namespace, base, meta: dict | None):
    """The judge model and engine: the flags, else (on --resume) the ones the run was
    judged with, else the settings' `llm` block (profile and environment; not --llm) and
    our own prompts. A resumed run keeps its judge: another model or engine is refused
    here, before any model is built. (JudgeSpec, engine)."""
    from eval.judging import DEFAULT_ENGINE, engine_from_meta, judge_spec, spec_from_meta

    flags = (args.judge_llm, args.judge_base_url, args.judge_model)
    asked = any(v is not None for v in flags)
    if meta is None:
        engine = args.judge_engine or DEFAULT_ENGINE
        return judge_spec(base.llm, *flags, engine=engine), engine
    stored = meta.get("judge") or {}
    if not stored.get("model"):
        raise ConfigError(f"{args.resume}: 판정 없이 시작한 실행은 --judge로 이어서 실행할 수 없습니다 "
                          "(한 실행은 처음부터 끝까지 같은 판정으로 채점합니다): 새로 실행하세요")
    engine = engine_from_meta(stored)
    if args.judge_engine is not None and args.judge_engine != engine:
        raise ConfigError(f"{args.resume}: 이어서 실행할 수 없습니다 (판정 방식이 다릅니다: --judge-engine "
                          f"{engine} ≠ {args.judge_engine}; 한 실행은 처음부터 끝까지 같은 판정으로 채점합니다)")
    previous = spec_from_meta(stored)
    if previous is None and not asked:
        raise ConfigError(f"{args.resume}: run.json에 판정 모델을 다시 만들 정보(judge.llm)가 없습니다: "
                          "--judge-llm으로 같은 판정 모델을 정하세요")
    spec = judge_spec(base.llm, *flags, engine=engine) if asked else previous
    if previous is not None and (spec.mode, spec.model) != (previous.mode, previous.model):
        raise ConfigError(f"{args.resume}: 이어서 실행할 수 없습니다 (판정 모델이 다릅니다: "
                          f"{previous.mode} {previous.model or ''} ≠ {spec.mode} {spec.model or ''})")
    return spec, engine


def _interrupt_on_sigterm() -> Callable[[], None]:
    """`kill` (SIGTERM) stops a run as Ctrl-C does, so run.json says "interrupted" and
    the run can be resumed. Returns what puts the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)


def report(args: argparse.Namespace) -> int:
    from eval.report_html import write_report

    if not args.run_dir.is_dir():
        raise ConfigError(f"실행 폴더가 없습니다: {args.run_dir}")
    print(f"보고서: {write_report(args.run_dir)}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    from eval.report_html import STATUS_LABELS
    from eval.runs import list_runs, runs_root

    settings = settings_from(args)
    root = args.dir or runs_root(settings)
    runs = list_runs(settings, root)
    if not runs:
        print(f"저장된 평가 실행이 없습니다 ({root})")
        return 0
    rows = []
    for info in runs:
        done = f"{info.cases_done}/{info.cases_total}" if info.cases_total is not None else str(info.cases_done)
        numbers = "  ".join(f"{label} {_num(info.headline[key])}"
                            for key, label in (("hit@5", "hit@5"), ("token_f1", "F1"), ("correctness", "정답성"),
                                               ("citation_recall", "인용R"), ("abstention_f1", "거절F1"))
                            if key in info.headline)
        rows.append((info.id, STATUS_LABELS.get(info.status, info.status), "+".join(info.suites),
                     info.llm_mode, done, numbers, str(info.path)))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(_pad(cell, w) for cell, w in zip(row, widths)) + "  " + row[-1])
    return 0


def summary_table(metrics: dict) -> str:
    """The run's numbers as the report's summary has them (eval.metric_lines: every metric
    of the table that metrics.json holds; null, nothing to measure, is "-"), then what
    answered and judged, one per line."""
    from eval.metric_lines import summary_lines

    rows = [(line.title, line.text) for line in summary_lines(metrics, missing="-") if not line.detail]
    if "llm" in metrics:
        rows.append(("언어 모델 LLM", f"{metrics['llm']['mode']} {metrics['llm']['name']}".strip()))
    if (metrics.get("judge") or {}).get("model"):
        judge = metrics["judge"]
        rows.append(("판정 모델 judge", f"{judge['model']} (프롬프트 {judge.get('prompt_sha256')})"))
        rows.append(("판정 방식 engine", f"{judge.get('engine') or 'prompt'}: "
                     + ((judge.get("scales") or {}).get("correctness") or "정답성 0 / 0.5 / 1 등급")))
    generation = metrics.get("generation") or {}
    if generation.get("skipped"):
        rows.append(("생성 문항 건너뜀", f"{generation['skipped']}/{generation['n']} ({generation.get('note', '')})"))
    width = max(_width(label) for label, _ in rows)
    return "\n".join(f"{label}{' ' * (width - _width(label))}  {value}" for label, value in rows)


def _width(text: str) -> int:
    # Hangul takes two terminal columns: pad by columns, not characters, to keep the table straight.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
