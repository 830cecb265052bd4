"""대사증후군 검진 결과 분류 speed, without a language model (target ≤ 200 ms per assessment):
the programme's three guides indexed (sparse only: reading the criteria and finding the
counselling need no vectors), then for each of the 20 synthetic personas with their
surveys, repeated, the time of

  - criteria: the criteria as a request gets them (service.criteria_for: read from the
    index once per state of the guides, then kept; `criteria_cold_ms` is the first read,
    fetch + parse),
  - assess: classifying one record with those criteria,
  - counselling: the cited guide passages for its factors and survey answers (kept per
    factor and stage, so only a section not seen before is retrieved: `counselling_cold`
    is the first persona's, before anything was kept),
  - request: all three, as one API or CLI request for one record does.

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
from assistants.metabolic.counselling import CounsellingGuide, guides_state  # noqa: E402
from assistants.metabolic.service import criteria_for  # noqa: E402
from eval.metrics import percentile  # noqa: E402
from ingest.discovery import discover  # noqa: E402
from rag.config import load_settings  # noqa: E402

TARGET_MS = 200.0
GUIDES = "metabolic/parsed"  # the 2025 안내서, the 2023 상담가이드북 and FAQ 사례집
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
        files, _ = discover(CORPUS, [GUIDES])
        started = time.perf_counter()
        ctx.ingest.ingest("metabolic", CORPUS, files, progress=False)
        ingest_s = time.perf_counter() - started
        guide = CounsellingGuide(ctx.retriever, lambda c: guides_state(ctx.state.documents(c)))
        timings: dict[str, list[float]] = {"criteria": [], "assess": [], "counselling": [], "request": []}
        source, cold, passages, criteria_cold = None, None, 0, None
        for _ in range(args.repeat):
            for record in records:
                survey = surveys.get(record["name"])
                t0 = time.perf_counter()
                criteria = criteria_for(ctx.retriever, "metabolic", ctx.state)
                t1 = time.perf_counter()
                criteria_cold = (t1 - t0) * 1000 if criteria_cold is None else criteria_cold
                result = assess(record, criteria, survey)
                t2 = time.perf_counter()
                result["counselling"] = guide.counselling("metabolic", result, survey)
                t3 = time.perf_counter()
                assert "errors" not in result, result
                source = result["criteria_source"]["from"]
                cold = (t3 - t2) * 1000 if cold is None else cold
                passages = max(passages, sum(len(e["passages"]) for e in result["counselling"]))
                timings["criteria"].append((t1 - t0) * 1000)
                timings["assess"].append((t2 - t1) * 1000)
                timings["counselling"].append((t3 - t2) * 1000)
                timings["request"].append((t3 - t0) * 1000)
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
          f"첫 기준표 읽기 {criteria_cold:.1f} ms, 첫 상담 내용 검색 {cold:.1f} ms (캐시 전); 참여자당 상담 발췌 최대 {passages}개; 안내서 색인 {ingest_s:.1f} s")
    write_json("metabolic_assess.json", {"target_ms": TARGET_MS, "target_met": met, "criteria_source": source,
                                         "counselling_cold_ms": round(cold, 1),
                                         "criteria_cold_ms": round(criteria_cold, 1), "max_passages": passages,
                                         "personas": len(records), "repeat": args.repeat,
                                         "ingest_s": round(ingest_s, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
                                         "timings": summary})


if __name__ == "__main__":
    main()
