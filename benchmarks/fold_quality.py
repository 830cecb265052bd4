"""Answer quality per fold of the dev suites: the same run, its cases split into fixed
folds by a hash of the case id, so a rule tuned on one fold is judged on the other.

    .venv/bin/python benchmarks/fold_quality.py [--llm extractive] [--suites ...] [--folds 2]

Fold 0 is where rules, bonuses, constants and thesaurus entries may be tuned from now on;
the others are held out. A case and its paraphrase (`…-para`) share a fold, so a rule
tuned on a question is never judged on the same question in other words. The table shows
each suite's tuned and held-out folds side by side and the gap between them; a rule is
kept only if it helps on a held-out fold (ablate it and run this again).

The project's own question suites (``benchmarks/suites/``: ``--unseen``) were written
without the dev suites; the table shows them whole, below the dev folds, as the check
closest to the independent suites run against every landing. Those rules were later tuned
on (batches 1-6: ``TUNED_OWN``) say so in the table; the rest are held out.

A dev fold has about twenty answerable statute questions, so one case moves its recall by
~0.05 and a gap target of 0.05 is at the resolution of one case. The last table pools what
rules were tuned on (dev fold 0 and ``TUNED_OWN``) against what they were not (the other
folds and the remaining statute batches), about 390 questions a side, with the same
bootstrap interval: the gap a reader can act on."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import BENCH_DATA, CORPUS, REPO, SUITES, print_table, require_shared, write_json  # noqa: E402

import numpy as np  # noqa: E402

from eval.answer_runner import run_answers  # noqa: E402
from eval.case_metrics import CASE_METRICS  # noqa: E402
from eval.run_metrics import measure  # noqa: E402
from rag.config import load_settings  # noqa: E402
from appcontext import AppContext  # noqa: E402

#: Targets on the held-out folds (issue 15): statutes, extractive.
TARGETS = {"citation.recall": 0.75, "citation.precision": 0.65, "abstention.f1": 0.85, "gap": 0.05}
PARAPHRASE_SUFFIX = "-para"
OWN_SUITES = REPO / "benchmarks" / "suites"
#: Our question suites written without looking at the dev suites.
UNSEEN = ["statutes_unseen_admin", "statutes_unseen_care", "childcare_topics",
          *(f"statutes_unseen{batch}_{side}" for batch in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13) for side in ("admin", "care"))]
#: Those of them that shares, rules and thesaurus entries were tuned on since the third pass
#: (fold_ablations.json: "designed from" / "chosen on batches 1-6"). A batch written later
#: is held out until a pass tunes on it; then it belongs here.
TUNED_OWN = frozenset({"statutes_unseen_admin", "statutes_unseen_care",
                       *(f"statutes_unseen{batch}_{side}" for batch in (2, 3, 4, 5, 6) for side in ("admin", "care"))})
#: The dev suite whose folds are pooled with the statute batches (same corpus, same kind).
POOLED_DEV = "statutes"


def fold_of(case_id: str, folds: int) -> int:
    """A fixed fold for a case: the same on every machine and run (not Python's hash)."""
    base = case_id.removesuffix(PARAPHRASE_SUFFIX)
    return int(hashlib.sha256(base.encode("utf-8")).hexdigest(), 16) % folds


def pooled_side(suite: str, case_id: str, folds: int = 2) -> str | None:
    """Where a statute question goes in the pooled table: "tuned" (dev fold 0 and
    ``TUNED_OWN``) or "held out" (the rest); None for a question of another suite."""
    if suite == POOLED_DEV:
        return "tuned" if fold_of(case_id, folds) == 0 else "held out"
    if suite.startswith("statutes_"):
        return "tuned" if suite in TUNED_OWN else "held out"
    return None


def fold_metrics(records: list[dict], folds: int) -> dict[str, dict]:
    """metrics per fold ("0", "1", …) and for all cases ("all")."""
    out = {"all": measure(records, generating=False)}
    for fold in range(folds):
        part = [r for r in records if fold_of(r["id"], folds) == fold]
        out[str(fold)] = measure(part, generating=False)
    return out


def gap_interval(tuned: list[dict], held: list[dict], key: str, resamples: int = 2000,
                 seed: int = 0) -> tuple[float, float] | None:
    """95 % bootstrap interval of tuned − held-out for the metric ``key``, each fold's
    cases drawn with replacement: with 20-odd cases a fold, one case moves recall by
    ~0.05, so a gap is read against this interval, not alone."""
    metric = next(m for m in CASE_METRICS if m.key == key)
    rows_tuned, rows_held = metric.table(tuned), metric.table(held)
    if not len(rows_tuned) or not len(rows_held):
        return None
    rng = np.random.default_rng(seed)
    tuned_values = metric.reduce(rows_tuned[rng.integers(0, len(rows_tuned), (resamples, len(rows_tuned)))])
    held_values = metric.reduce(rows_held[rng.integers(0, len(rows_held), (resamples, len(rows_held)))])
    deltas = np.asarray(tuned_values, dtype=float) - np.asarray(held_values, dtype=float)
    deltas = deltas[~np.isnan(deltas)]
    if len(deltas) * 2 < resamples:
        return None
    low, high = np.percentile(deltas, [2.5, 97.5])
    return round(float(low), 3), round(float(high), 3)


def summary(m: dict) -> dict[str, float | int | None]:
    cit, abst, ret = m.get("citation", {}), m.get("abstention", {}), m.get("retrieval", {})
    return {"n": m.get("n_total"), "hit@1": ret.get("hit@1"), "hit@5": ret.get("hit@5"),
            "citation.precision": cit.get("precision"), "citation.recall": cit.get("recall"),
            "abstention.f1": abst.get("f1")}


def run_suite(ctx: AppContext, path: Path, llm: str, label: str) -> list[dict]:
    """The case records of one fresh run of the suite at ``path`` with this code."""
    out_dir = BENCH_DATA / "fold_runs" / llm / (label or "current").replace("/", "_") / path.stem
    shutil.rmtree(out_dir, ignore_errors=True)  # always a fresh run of this code
    run_answers(ctx, path, CORPUS, out_dir, progress=sys.stderr.isatty())
    lines = (out_dir / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", default="extractive")
    parser.add_argument("--suites", nargs="*", default=["statutes", "metabolic_paraphrased", "metabolic"])
    parser.add_argument("--unseen", nargs="*", default=UNSEEN,
                        help="own suites in benchmarks/suites/, shown whole (TUNED_OWN: tuned on; the rest held out)")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--out", default="fold_quality.json")
    parser.add_argument("--label", default="", help="what this run measures (e.g. 'without the title re-rank')")
    args = parser.parse_args()
    require_shared()

    results: dict[str, dict] = {}
    rows = []
    pooled: dict[str, list[dict]] = {"tuned": [], "held out": []}
    ctx = AppContext(load_settings("local", data_dir=BENCH_DATA / "answers", llm={"mode": args.llm},
                                   model_cache_dir=BENCH_DATA / "models"))
    try:
        for suite in args.suites:
            started = time.perf_counter()
            records = run_suite(ctx, SUITES / f"{suite}.jsonl", args.llm, args.label)
            per_fold = {k: summary(v) for k, v in fold_metrics(records, args.folds).items()}
            results[suite] = {"folds": per_fold, "wall_s": round(time.perf_counter() - started, 1)}
            for fold in ["all", *map(str, range(args.folds))]:
                s = per_fold[fold]
                name = {"all": "all", "0": "0 (tuned)"}.get(fold, f"{fold} (held out)")
                rows.append([suite, name, s["n"], s["hit@1"], s["hit@5"], s["citation.precision"],
                             s["citation.recall"], s["abstention.f1"] if s["abstention.f1"] is not None else "—"])
            held = [per_fold[str(f)] for f in range(1, args.folds)]
            tuned_records = [r for r in records if fold_of(r["id"], args.folds) == 0]
            held_records = [r for r in records if fold_of(r["id"], args.folds) != 0]
            pool(pooled, suite, records, args.folds)
            for key in ("citation.precision", "citation.recall"):
                mean_held = sum(h[key] for h in held) / len(held)
                results[suite].setdefault("gap", {})[key] = round(per_fold["0"][key] - mean_held, 3)
                results[suite].setdefault("gap_95", {})[key] = gap_interval(tuned_records, held_records, key)
        for suite in args.unseen:
            started = time.perf_counter()
            records = run_suite(ctx, OWN_SUITES / f"{suite}.jsonl", args.llm, args.label)
            s = summary(measure(records, generating=False))
            tuned = suite in TUNED_OWN
            results[suite] = {"unseen": s, "tuned_on": tuned, "wall_s": round(time.perf_counter() - started, 1)}
            pool(pooled, suite, records, args.folds)
            rows.append([suite, "own, tuned on" if tuned else "own, held out", s["n"], s["hit@1"], s["hit@5"],
                         s["citation.precision"], s["citation.recall"],
                         s["abstention.f1"] if s["abstention.f1"] is not None else "—"])
    finally:
        ctx.close()
    print_table(["suite", "fold", "cases", "hit@1", "hit@5", "cite P", "cite R", "abst F1"], rows)
    print("\ngap (tuned − held out), 95 % bootstrap interval in brackets:")
    for name, r in results.items():
        if "gap" in r:
            print(f"  {name}: " + ", ".join(
                f"{short} {r['gap'][key]:+.3f} {_interval_text(r['gap_95'][key])}"
                for short, key in (("P", "citation.precision"), ("R", "citation.recall"))))
    if pooled["tuned"] and pooled["held out"]:
        results["pooled"] = pooled_gap(pooled["tuned"], pooled["held out"])
        print_pooled(results["pooled"])
    write_json(args.out, {"llm": args.llm, "folds": args.folds, "label": args.label, "results": results,
                          "targets_held_out": TARGETS})


def pool(pooled: dict[str, list[dict]], suite: str, records: list[dict], folds: int) -> None:
    for record in records:
        side = pooled_side(suite, record["id"], folds)
        if side is not None:
            pooled[side].append(record)


def pooled_gap(tuned: list[dict], held: list[dict]) -> dict:
    """Metrics of every statute question rules were tuned on against every one they were
    not, and the gap with its 95 % bootstrap interval."""
    sides = {"tuned": summary(measure(tuned, generating=False)),
             "held_out": summary(measure(held, generating=False))}
    out: dict = {**sides, "gap": {}, "gap_95": {}}
    for key in ("citation.precision", "citation.recall", "abstention.f1"):
        a, b = sides["tuned"][key], sides["held_out"][key]
        out["gap"][key] = round(a - b, 3) if a is not None and b is not None else None
        out["gap_95"][key] = gap_interval(tuned, held, key)
    return out


def print_pooled(pooled: dict) -> None:
    print("\nstatute questions pooled: tuned on (dev fold 0, own suites 'tuned on') against held out (the rest):")
    print_table(["questions", "cases", "cite P", "cite R", "abst F1"],
                [[name, pooled[side]["n"], pooled[side]["citation.precision"], pooled[side]["citation.recall"],
                  pooled[side]["abstention.f1"]] for name, side in (("tuned on", "tuned"), ("held out", "held_out"))])
    print("  gap (tuned − held out): " + ", ".join(
        f"{short} {pooled['gap'][key]:+.3f} {_interval_text(pooled['gap_95'][key])}"
        for short, key in (("P", "citation.precision"), ("R", "citation.recall"), ("abst F1", "abstention.f1"))
        if pooled["gap"][key] is not None))


def _interval_text(interval: tuple[float, float] | None) -> str:
    return f"[{interval[0]:+.3f}, {interval[1]:+.3f}]" if interval else "[—]"


if __name__ == "__main__":
    main()
