"""Ingest all of ../shared/corpora: wall time to searchable (sparse) and to fully
embedded, peak RSS, re-ingest of the unchanged corpus (the CLI, end to end), against
llama-index's default pipeline with the same embedder, in one run. Each system runs in
its own process so peak RSS is its own.

The embedder's ONNX graph is prepared once per machine (the first `serve` does it) and
is timed on its own ("model prep"); both systems then start from a fresh data folder
with that prepared model, as every later index does.

    .venv/bin/python benchmarks/ingest_speed.py [--skip-llama-index]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import BENCH_DATA, CORPUS, REPO, peak_rss_mb, print_table, require_shared, write_json  # noqa: E402

MODELS = BENCH_DATA / "models"
TARGETS = {"searchable_s": 60, "fully_embedded_s": 600, "reingest_s": 10, "peak_rss_mb": 4096}


def ours(data_dir: str) -> dict:
    from ingest.corpus import ingest_corpora
    from rag.config import load_settings
    from appcontext import AppContext

    started = time.perf_counter()
    ctx = AppContext(load_settings("local", data_dir=data_dir, corpus_roots=[str(CORPUS)],
                                   model_cache_dir=str(MODELS)))
    reports = ingest_corpora(ctx.ingest, ctx.assistants, [CORPUS], progress=False)
    searchable = time.perf_counter() - started
    for name in reports:
        ctx.ingest.embed_pending(name, progress=False)
    embedded = time.perf_counter() - started
    chunks = sum(ctx.state.progress(name)[1] for name in reports)
    docs = sum(len(r.added) for r in reports.values())
    ctx.close()
    return {"searchable_s": searchable, "fully_embedded_s": embedded, "documents": docs, "chunks": chunks,
            "peak_rss_mb": peak_rss_mb()}


def llama(persist: str) -> dict:
    import llama_index_baseline
    from rag.assistants import load_assistants
    from rag.config import load_settings
    from rag.embedding.factory import build_embedder

    started = time.perf_counter()
    settings = load_settings("local", model_cache_dir=str(MODELS))
    result = llama_index_baseline.build(CORPUS, load_assistants(settings.assistants_dir), build_embedder(settings),
                                        Path(persist))
    return {"searchable_s": None, "fully_embedded_s": time.perf_counter() - started, "chunks": result["nodes"],
            "peak_rss_mb": peak_rss_mb()}


def prepare_models(cache: str) -> dict:
    from rag.config import load_settings
    from rag.embedding.factory import build_embedder

    started = time.perf_counter()
    build_embedder(load_settings("local", model_cache_dir=cache))
    return {"model_prep_s": time.perf_counter() - started}


def _child(kind: str, path: Path) -> dict:
    shutil.rmtree(path, ignore_errors=True)
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], cwd=REPO, check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _reingest(path: Path) -> float:
    env = {**os.environ, "SEOUL_ASSIST_CORPUS_ROOTS": json.dumps([str(CORPUS)]),
           "SEOUL_ASSIST_MODEL_CACHE_DIR": str(MODELS)}
    started = time.perf_counter()
    subprocess.run([str(REPO / ".venv" / "bin" / "seoul-assist"), "--profile", "local", "--data-dir", str(path),
                    "ingest", "--corpora"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-llama-index", action="store_true")
    parser.add_argument("--out", default="ingest_speed.json", help="file name under benchmarks/results")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        run = {"ours": ours, "llama": llama, "prep": prepare_models}[kind]
        print(json.dumps(run(path)))
        return
    require_shared()
    prep = _child("prep", MODELS)
    results = {"ours": _child("ours", BENCH_DATA / "pipeline")}
    results["ours"]["reingest_s"] = _reingest(BENCH_DATA / "pipeline")
    if not args.skip_llama_index:
        results["llama-index default"] = _child("llama", BENCH_DATA / "llama_index")
    rows = [[name, r.get("documents", "—"), r["chunks"], r["searchable_s"] or "—", r["fully_embedded_s"],
             r.get("reingest_s", "—"), r["peak_rss_mb"]] for name, r in results.items()]
    print_table(["system", "docs", "chunks", "searchable s", "fully embedded s", "re-ingest s", "peak RSS MB"], rows)
    print(f"model prep (once per machine): {prep['model_prep_s']:.1f} s; targets: {TARGETS}")
    write_json(args.out, {"results": results, "model_prep_s": prep["model_prep_s"], "targets": TARGETS,
                          "cpus": os.cpu_count()})


if __name__ == "__main__":
    main()
