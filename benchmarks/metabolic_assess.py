"""대사증후군 검진 결과 분류 speed, without a language model (target ≤ 200 ms per assessment):
the real 2025 안내서 indexed (sparse only: reading the criteria needs no vectors), then for
each of the 20 synthetic personas with their surveys, repeated, the time of

  - criteria: reading the criteria from the index (load_criteria: fetch + parse),
  - assess: classifying one record with those criteria,
  - request: both, as one API or CLI request for one record does.

    .venv/bin/python benchmarks/metabolic_assess.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import BENCH_DATA, CORPUS, peak_rss_mb, print_table, require_shared, write_json  # noqa: E402

from appcontext import AppContext  # noqa: E402
from assistants.metabolic.assessment import assess  # noqa: E402
from assistants.metabolic.criteria import load_criteria  # noqa: E402
from assistants.metabolic.guide_text import GUIDE_TITLE  # noqa: E402
from eval.metrics import percentile  # noqa: E402
from ingest.discovery import discover  # noqa: E402
from rag.config import load_settings  # noqa: E402

TARGET_MS = 200.0
GUIDE = f"metabolic/parsed/20250307_{GUIDE_TITLE}"
PERSONAS = CORPUS / "metabolic" / "synthetic_personas"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="how many times each persona is assessed")
    args = parser.parse_args()
    require_shared()
    records = json.loads((PERSONAS / "test_data.json").read_text(encoding="utf-8"))
    surveys = {s["survey"]["patient_name"]: s for s in
               json.loads((PERSONAS / "survey_data.json").read_text(encoding="utf-8"))}
    data_dir = BENCH_DATA / "metabolic_assess"
    shutil.rmtree(data_dir, ignore_errors=True)
    ctx = AppContext(load_settings("test", data_dir=str(data_dir)))
    try:
        files, _ = discover(CORPUS, [GUIDE])
        started = time.perf_counter()
        ctx.ingest.ingest("metabolic", CORPUS, files, progress=False)
        ingest_s = time.perf_counter() - started
        timings: dict[str, list[float]] = {"criteria": [], "assess": [], "request": []}
        source = None
        for _ in range(args.repeat):
            for record in records:
                t0 = time.perf_counter()
                criteria = load_criteria(ctx.retriever, "metabolic")
                t1 = time.perf_counter()
                result = assess(record, criteria, surveys.get(record["name"]))
                t2 = time.perf_counter()
                assert "errors" not in result, result
                source = result["criteria_source"]["from"]
                timings["criteria"].append((t1 - t0) * 1000)
                timings["assess"].append((t2 - t1) * 1000)
                timings["request"].append((t2 - t0) * 1000)
    finally:
        ctx.close()
    rows, summary = [], {}
    for name, values in timings.items():
        stats = {"n": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
                 "max_ms": max(values)}
        summary[name] = stats
        rows.append([name, stats["n"], stats["p50_ms"], stats["p95_ms"], stats["max_ms"]])
    print_table(["step", "n", "p50 ms", "p95 ms", "max ms"], rows)
    met = summary["request"]["p95_ms"] <= TARGET_MS
    print(f"\n목표 ≤ {TARGET_MS:.0f} ms (request p95): {'충족' if met else '미달'}; 기준 출처: {source}; "
          f"안내서 색인 {ingest_s:.1f} s")
    write_json("metabolic_assess.json", {"target_ms": TARGET_MS, "target_met": met, "criteria_source": source,
                                         "personas": len(records), "repeat": args.repeat,
                                         "ingest_s": round(ingest_s, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
                                         "timings": summary})


if __name__ == "__main__":
    main()
