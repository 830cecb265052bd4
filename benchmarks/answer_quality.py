"""Answer quality on the dev suites: citation precision/recall, invented citations,
abstention P/R/F1, token F1 and time to first token, for each answering mode, in one run
on the same index (BENCH_DATA/answers, built once per corpus).

    .venv/bin/python benchmarks/answer_quality.py [--llm extractive embedded] [--suites ...] [--limit N]

The embedded model generates one answer at a time on the CPU: a full run of both suites
with it takes most of an hour on 2 cores. Run nothing else meanwhile: llama.cpp's
threads spin, and a busy neighbour core slows generation several-fold."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import BENCH_DATA, CORPUS, SUITES, print_table, require_shared, write_json  # noqa: E402

from eval.answer_runner import run_answers  # noqa: E402
from rag.config import load_settings  # noqa: E402
from appcontext import AppContext  # noqa: E402

# From the answers issue: targets for the extractive and the embedded answers.
TARGETS = {"citation.recall": 0.80, "citation.precision": 0.60, "citation.invented": 0, "abstention.f1": 0.8,
           "ttft_extractive_p95_ms": 500, "ttft_embedded_p50_ms": 8000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", nargs="+", default=["extractive", "embedded"])
    parser.add_argument("--suites", nargs="+", default=["statutes", "metabolic_paraphrased"])
    parser.add_argument("--limit", type=int, help="only the first N cases of each suite")
    parser.add_argument("--out", default="answer_quality.json")
    args = parser.parse_args()
    require_shared()

    results: dict[str, dict] = {}
    rows = []
    for mode in args.llm:
        ctx = AppContext(load_settings("local", data_dir=BENCH_DATA / "answers", llm={"mode": mode},
                                       model_cache_dir=BENCH_DATA / "models"))
        try:
            for suite in args.suites:
                started = time.perf_counter()
                m = run_answers(ctx, SUITES / f"{suite}.jsonl", CORPUS, BENCH_DATA / "answer_runs" / mode / suite,
                                progress=sys.stderr.isatty(), limit=args.limit)
                m["wall_s"] = round(time.perf_counter() - started, 1)
                results[f"{mode}/{suite}"] = m
                rows.append(row(mode, suite, m))
        finally:
            ctx.close()
    print_table(["llm", "suite", "n", "hit@5", "cite P", "cite R", "R(all)", "invented", "abst P", "abst R",
                 "abst F1", "tokF1", "TTFT p50", "TTFT p95", "total p50", "wall s"], rows)
    write_json(args.out, {"results": results, "targets": TARGETS, "cpu": platform.processor() or platform.machine(),
                          "cpus": os.cpu_count(), "limit": args.limit})


def row(mode: str, suite: str, m: dict) -> list:
    c, a, lat = m["citation"], m["abstention"], m["latency_ms"]
    return [mode, suite, m["n_total"], m["retrieval"]["hit@5"], c["precision"], c["recall"], c["recall_all"],
            c["invented"], a["precision"], a["recall"], a["f1"], m["answer"]["token_f1"], lat["ttft_p50"],
            lat["ttft_p95"], lat["total_p50"], m["wall_s"]]


if __name__ == "__main__":
    main()
