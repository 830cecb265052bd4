"""Retrieval quality on the dev suites, in one run: this pipeline (each fusion mode,
with and without the thesaurus, with and without the title re-rank), whitespace BM25,
char-bigram BM25 and llama-index's default pipeline with the same embedder. Also the
title re-rank's own time when every title is new to the process.

    .venv/bin/python benchmarks/retrieval_quality.py [--suites statutes metabolic_paraphrased]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bm25s  # noqa: E402
from _shared import BENCH_DATA, CORPUS, SUITES, print_table, require_shared, write_json  # noqa: E402

from eval.hits import first_hit_rank  # noqa: E402
from eval.metrics import percentile, retrieval_summary  # noqa: E402
from eval.retrieval_runner import prepare_index, score_cases  # noqa: E402
from eval.suites import load_suite  # noqa: E402
from rag.config import load_settings  # noqa: E402
from appcontext import AppContext  # noqa: E402
from rag.retrieval.retriever import HybridRetriever  # noqa: E402

import llama_index_baseline  # noqa: E402

TARGETS = {"statutes": 0.80, "metabolic_paraphrased": 0.75}


def whitespace(text: str) -> list[str]:
    return text.split()


def char_bigrams(text: str) -> list[str]:
    compact = "".join(text.split())
    return [compact[i:i + 2] for i in range(len(compact) - 1)]


class Bm25Baseline:
    def __init__(self, chunks: list[tuple[str, str, str]], tokenize) -> None:
        self.chunks, self.tokenize = chunks, tokenize
        self.model = bm25s.BM25()
        self.model.index([tokenize(text) for _, _, text in chunks], show_progress=False)
        self.vocab = self.model.vocab_dict

    def ranked(self, question: str, k: int = 10) -> list[tuple[str, str]]:
        terms = [t for t in self.tokenize(question) if t in self.vocab]
        if not terms:
            return []
        docs, _ = self.model.retrieve([terms], k=min(k, len(self.chunks)), show_progress=False)
        return [(self.chunks[i][1], self.chunks[i][2]) for i in docs[0]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suites", nargs="+", default=["statutes", "metabolic_paraphrased"])
    parser.add_argument("--skip-llama-index", action="store_true")
    args = parser.parse_args()
    require_shared()
    ctx = AppContext(load_settings("local", data_dir=str(BENCH_DATA / "pipeline"), corpus_roots=[str(CORPUS)],
                                   model_cache_dir=str(BENCH_DATA / "models")))
    collections = {name: spec.collection for name, spec in ctx.assistants.items()}
    prepare_index(ctx, CORPUS, list(ctx.assistants), progress=sys.stderr.isatty())
    no_expansion = HybridRetriever(ctx.collection, ctx.embedder,
                                   ctx.settings.retrieval.model_copy(update={"expansion": False}), ctx.analyzer)
    no_titles = HybridRetriever(ctx.collection, ctx.embedder,
                                ctx.settings.retrieval.model_copy(update={"title_rerank_depth": 0}), ctx.analyzer)
    # A retriever of its own, so that every title is embedded for the first time here.
    cold = HybridRetriever(ctx.collection, ctx.embedder, ctx.settings.retrieval, ctx.analyzer)
    rerank_ms: list[float] = []
    baselines = {name: {c: Bm25Baseline(ctx.state.chunk_texts(c), tok) for c in collections.values()}
                 for name, tok in (("whitespace BM25", whitespace), ("char-bigram BM25", char_bigrams))}
    llama = {} if args.skip_llama_index else _llama_indexes(ctx)
    report = {}
    default = ctx.settings.retrieval.fusion
    for suite in args.suites:
        cases = [c for c in load_suite(SUITES / f"{suite}.jsonl") if c.answerable]
        systems: dict[str, list] = {}
        for case in cases:
            cold.search(case.question, collections[case.assistant], k=10)
            rerank_ms.append(cold.last_timings.rerank_ms)
        for mode in ("weighted", "rrf", "dbsf", "sparse", "dense"):
            systems[f"ours {mode}"] = [r.rank for r in score_cases(ctx, cases, collections, 10, mode)]
        original = ctx.retriever
        ctx.__dict__["retriever"] = no_expansion
        systems[f"ours {default}, no thesaurus"] = [r.rank for r in score_cases(ctx, cases, collections, 10, default)]
        ctx.__dict__["retriever"] = no_titles
        systems[f"ours {default}, no title re-rank"] = [r.rank for r in score_cases(ctx, cases, collections, 10, default)]
        ctx.__dict__["retriever"] = original
        for name, per_collection in baselines.items():
            systems[name] = [first_hit_rank(per_collection[collections[c.assistant]].ranked(c.question), c.evidence)
                             for c in cases]
        if llama:
            systems["llama-index default"] = [_llama_rank(llama[collections[c.assistant]], c) for c in cases]
        report[suite] = {name: retrieval_summary(ranks) for name, ranks in systems.items()}
        _print_suite(suite, len(cases), report[suite], default)
    rerank = {"p50": percentile(rerank_ms, 50), "p95": percentile(rerank_ms, 95)}
    print(f"\ntitle re-rank, titles seen for the first time: p50 {rerank['p50']:.1f} ms, p95 {rerank['p95']:.1f} ms")
    write_json("retrieval_quality.json", {"embedder": ctx.embedder.name, "default_fusion": default, "suites": report,
                                          "targets_hit@5": TARGETS, "title_rerank_cold_ms": rerank})
    ctx.close()


def _llama_indexes(ctx: AppContext) -> dict:
    persist = BENCH_DATA / "llama_index"
    indexes = {m.collection: llama_index_baseline.load(persist, m.collection, ctx.embedder)
               for m in ctx.assistants.values()}
    if any(i is None for i in indexes.values()):
        print("llama-index 기본 파이프라인 색인을 만듭니다 (전체 임베딩, 수 분)…", file=sys.stderr)
        llama_index_baseline.build(CORPUS, ctx.assistants, ctx.embedder, persist)
        indexes = {m.collection: llama_index_baseline.load(persist, m.collection, ctx.embedder)
                   for m in ctx.assistants.values()}
    return {name: index.as_retriever(similarity_top_k=10) for name, index in indexes.items()}


def _llama_rank(retriever, case) -> int | None:
    nodes = retriever.retrieve(case.question)
    return first_hit_rank([(n.node.metadata.get("source", ""), n.node.get_content()) for n in nodes], case.evidence)


def _print_suite(suite: str, n: int, results: dict, default: str) -> None:
    target = TARGETS.get(suite)
    print(f"\n## {suite} (n={n}{f', target hit@5 ≥ {target}' if target else ''})")
    rows = [[name, *m.values()] for name, m in results.items()]
    print_table(["system", "hit@1", "hit@5", "hit@10", "MRR@10", "nDCG@10"], rows)
    best_bm25 = max(results[n]["hit@5"] for n in ("whitespace BM25", "char-bigram BM25"))
    ours = results[f"ours {default}"]["hit@5"]
    print(f"ours {default} (default) / best BM25 baseline (hit@5): {ours / best_bm25 if best_bm25 else float('inf'):.2f}×")


if __name__ == "__main__":
    main()
