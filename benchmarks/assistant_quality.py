"""Answer quality per assistant on the dev question suites: citation precision/recall,
abstention, hit@5 and latency for the cases of each assistant (a case's `assistant`
field), extractive, in one table for two builds measured on the same index and machine.

    # run the cases with the code on PYTHONPATH (the current tree, or a worktree of an
    # older commit) and keep its records under a label:
    .venv/bin/python benchmarks/assistant_quality.py run --label after
    PYTHONPATH=/tmp/old SEOUL_ASSIST_BENCH_DIR=/tmp/bench_copy \\
        .venv/bin/python benchmarks/assistant_quality.py run --label before
    # the table (measured with this tree's metric definitions, whichever code answered):
    .venv/bin/python benchmarks/assistant_quality.py table --labels before after

A baseline from an older commit should run on a copy of the index: older code may
re-read documents it considers stale."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import BENCH_DATA, CORPUS, SUITES, print_table, require_shared, write_json  # noqa: E402

RUNS = Path(__file__).resolve().parents[1] / "var" / "bench" / "assistant_runs"
SUITE_NAMES = ("statutes", "metabolic", "metabolic_paraphrased")


def run(label: str) -> None:
    from eval.answer_runner import run_answers
    from rag.config import load_settings
    try:
        from appcontext import AppContext
    except ImportError:  # the layout before issue 15, for a baseline run of an older commit
        from rag.context import AppContext  # type: ignore[no-redef]

    ctx = AppContext(load_settings("local", data_dir=BENCH_DATA / "answers", llm={"mode": "extractive"},
                                   model_cache_dir=BENCH_DATA / "models"))
    try:
        for suite in SUITE_NAMES:
            out = RUNS / label / suite
            shutil.rmtree(out, ignore_errors=True)
            started = time.perf_counter()
            run_answers(ctx, SUITES / f"{suite}.jsonl", CORPUS, out, progress=sys.stderr.isatty())
            print(f"{label}/{suite}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    finally:
        ctx.close()


def records_of(label: str) -> list[dict]:
    records = []
    for suite in SUITE_NAMES:
        path = RUNS / label / suite / "cases.jsonl"
        if not path.is_file():
            sys.exit(f"{path} 가 없습니다: 먼저 'run --label {label}'을 실행하세요")
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return records


def per_assistant(records: list[dict]) -> dict[str, dict]:
    from eval.run_metrics import measure

    out = {}
    for name in sorted({r["assistant"] for r in records}):
        mine = [r for r in records if r["assistant"] == name]
        m = measure(mine, generating=False)
        totals = sorted(r["total_ms"] for r in mine if r.get("total_ms") is not None)
        out[name] = {"n": len(mine), "suites": sorted({r.get("suite", "") for r in mine}),
                     "hit@5": m.get("retrieval", {}).get("hit@5"),
                     "citation.precision": m.get("citation", {}).get("precision"),
                     "citation.recall": m.get("citation", {}).get("recall"),
                     "abstention.f1": m.get("abstention", {}).get("f1"),
                     "total_p50_ms": statistics.median(totals) if totals else None,
                     "total_p95_ms": totals[min(len(totals) - 1, int(0.95 * len(totals)))] if totals else None}
    return out


def table(labels: list[str], out: str) -> None:
    results = {label: per_assistant(records_of(label)) for label in labels}
    rows = []
    for name in sorted({a for r in results.values() for a in r}):
        for label in labels:
            m = results[label].get(name)
            if m:
                rows.append([name, label, m["n"], m["hit@5"], m["citation.precision"], m["citation.recall"],
                             m["abstention.f1"] if m["abstention.f1"] is not None else "—",
                             m["total_p50_ms"], m["total_p95_ms"]])
    print_table(["assistant", "build", "cases", "hit@5", "cite P", "cite R", "abst F1", "total p50 ms",
                 "total p95 ms"], rows)
    write_json(out, {"llm": "extractive", "suites": list(SUITE_NAMES), "results": results})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--label", required=True)
    t = sub.add_parser("table")
    t.add_argument("--labels", nargs="+", required=True)
    t.add_argument("--out", default="assistant_quality.json")
    args = parser.parse_args()
    require_shared()
    if args.command == "run":
        run(args.label)
    else:
        table(args.labels, args.out)


if __name__ == "__main__":
    main()
