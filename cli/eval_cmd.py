"""`seoul-assist eval run --suite FILE --corpus DIR --out DIR [--retrieval-only | --llm MODE]`."""

from __future__ import annotations

import argparse
import hashlib
import unicodedata
from pathlib import Path

from rag.errors import ConfigError

from .common import context_from, settings_from, show_progress

LLM_MODES = ["extractive", "embedded", "openai", "vllm", "vllm-local", "fake"]


def register(sub) -> None:
    p = sub.add_parser("eval", help="평가 세트 실행")
    eval_sub = p.add_subparsers(dest="eval_command", required=True, metavar="SUBCOMMAND")
    run_p = eval_sub.add_parser("run", help="평가 세트를 실행하고 metrics.json을 씁니다")
    run_p.add_argument("--suite", type=Path, required=True, help="JSONL 평가 세트")
    run_p.add_argument("--corpus", type=Path, required=True, help="코퍼스 폴더 (예: ../shared/corpora)")
    run_p.add_argument("--out", type=Path, required=True, help="결과 폴더")
    run_p.add_argument("--retrieval-only", action="store_true", help="검색 품질만 평가")
    run_p.add_argument("-k", type=int, default=10)
    run_p.add_argument("--mode", choices=["weighted", "rrf", "dbsf", "sparse", "dense"])
    run_p.add_argument("--llm", choices=LLM_MODES,
                       help="답변에 쓸 언어 모델 (기본: 설정의 llm.mode; extractive는 생성 없이 발췌만)")
    run_p.add_argument("--limit", type=int, metavar="N", help="앞의 N개 문항만 답변 평가 (빠른 확인용)")
    run_p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.corpus.is_dir():
        raise ConfigError(f"코퍼스 폴더가 없습니다: {args.corpus}")
    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit은 1 이상이어야 합니다")
    base = settings_from(args)
    # Each corpus gets its own cached index, so the samples never leak into a suite's numbers.
    key = hashlib.sha1(str(args.corpus.resolve()).encode()).hexdigest()[:10]
    overrides: dict = {"data_dir": str(base.data_dir / "eval" / key)}
    if args.llm:
        overrides["llm"] = {"mode": args.llm}  # merged into the profile's llm block
    ctx = context_from(args, **overrides)
    try:
        if args.retrieval_only:
            from eval.retrieval_runner import run_retrieval

            metrics = run_retrieval(ctx, args.suite, args.corpus, args.out, k=args.k, mode=args.mode,
                                    progress=show_progress())
        else:
            from eval.answer_runner import run_answers

            metrics = run_answers(ctx, args.suite, args.corpus, args.out, progress=show_progress(),
                                  limit=args.limit)
    finally:
        ctx.close()
    if not args.retrieval_only:
        print(summary_table(metrics))
        print(f"결과: {args.out / 'metrics.json'}")
        return 0
    r = metrics["retrieval"]
    print(f"n={metrics['n']}  hit@1 {r['hit@1']:.3f}  hit@5 {r['hit@5']:.3f}  hit@10 {r['hit@10']:.3f}  "
          f"MRR@10 {r['mrr@10']:.3f}  nDCG@10 {r['ndcg@10']:.3f}  "
          f"p50 {metrics['latency_ms']['search_p50']} ms  p95 {metrics['latency_ms']['search_p95']} ms")
    print(f"결과: {args.out / 'metrics.json'}")
    return 0


def summary_table(metrics: dict) -> str:
    """The headline numbers of an answer run, one per line (null: nothing to measure)."""
    r, c, a, lat = metrics["retrieval"], metrics["citation"], metrics["abstention"], metrics["latency_ms"]
    rows = [
        ("문항 n (답변 가능/전체)", f"{metrics['n']}/{metrics['n_total']}"),
        ("검색 hit@5 / MRR@10", f"{_num(r['hit@5'])} / {_num(r['mrr@10'])}"),
        ("토큰 F1 (형태소, 오프라인)", _num(metrics["answer"]["token_f1"])),
        ("인용 정밀도 / 재현율 (전체)",
         f"{_num(c['precision'])} / {_num(c['recall'])} ({_num(c['recall_all'])})"),
        ("지어낸 인용 invented", str(c["invented"])),
        ("답변 거절 P / R / F1", f"{_num(a['precision'])} / {_num(a['recall'])} / {_num(a['f1'])}"),
        ("첫 응답 TTFT p50 / p95", f"{lat['ttft_p50']} / {lat['ttft_p95']} ms"),
    ]
    if "ttft_extractive_p50" in lat:
        rows.append(("발췌 답변 TTFT p50 / p95", f"{lat['ttft_extractive_p50']} / {lat['ttft_extractive_p95']} ms"))
    rows += [
        ("전체 total p50 / p95", f"{lat['total_p50']} / {lat['total_p95']} ms"),
        ("언어 모델 LLM", f"{metrics['llm']['mode']} {metrics['llm']['name']}".strip()),
    ]
    if metrics.get("errors"):
        rows.append(("오류 문항 errors", str(metrics["errors"])))
    width = max(_width(label) for label, _ in rows)
    return "\n".join(f"{label}{' ' * (width - _width(label))}  {value}" for label, value in rows)


def _width(text: str) -> int:
    # Hangul takes two terminal columns: pad by columns, not characters, to keep the table straight.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
