"""Paths, table printing and result files shared by the benchmark scripts."""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpora"
SUITES = SHARED / "benchmarks" / "dev"
RESULTS = REPO / "benchmarks" / "results"
BENCH_DATA = Path(os.environ.get("SEOUL_ASSIST_BENCH_DIR", REPO / "var" / "bench"))


def require_shared() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} 가 없어 벤치마크를 건너뜁니다 (../shared/corpora 필요)")


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))


def write_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    # An absolute name (e.g. /tmp/x.json) puts the file there; say where it went either way.
    print(f"\n→ {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)
