"""`seoul-assist eval run --suite FILE --corpus DIR --out DIR --retrieval-only`."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from rag.errors import ConfigError

from .common import context_from, show_progress


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
    run_p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.retrieval_only:
        raise ConfigError("답변 평가는 아직 없습니다 (LLM 답변 기능 이후): --retrieval-only 로 실행하세요")
    if not args.corpus.is_dir():
        raise ConfigError(f"코퍼스 폴더가 없습니다: {args.corpus}")
    from eval.retrieval_runner import run_retrieval

    base = context_from(args).settings
    # Each corpus gets its own cached index, so the samples never leak into a suite's numbers.
    key = hashlib.sha1(str(args.corpus.resolve()).encode()).hexdigest()[:10]
    ctx = context_from(args, data_dir=str(base.data_dir / "eval" / key))
    try:
        metrics = run_retrieval(ctx, args.suite, args.corpus, args.out, k=args.k, mode=args.mode,
                                progress=show_progress())
    finally:
        ctx.close()
    r = metrics["retrieval"]
    print(f"n={metrics['n']}  hit@1 {r['hit@1']:.3f}  hit@5 {r['hit@5']:.3f}  hit@10 {r['hit@10']:.3f}  "
          f"MRR@10 {r['mrr@10']:.3f}  nDCG@10 {r['ndcg@10']:.3f}  "
          f"p50 {metrics['latency_ms']['search_p50']} ms  p95 {metrics['latency_ms']['search_p95']} ms")
    print(f"결과: {args.out / 'metrics.json'}")
    return 0
