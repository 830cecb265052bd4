"""How often each available judge agrees with the hand labels of
eval/data/judge_labels.jsonl: the embedded model always, and the server named by
SEOUL_ASSIST_LLM__BASE_URL (model: SEOUL_ASSIST_LLM__MODEL) when it is set, and on
request ragas' own judge on that server (eval extra). Beside them, the faithfulness of
an LLM-free baseline (every number of the answer occurs in its passages): a judge that
does not beat it is not worth its time.

    .venv/bin/python benchmarks/judge_agreement.py [--judges embedded server ragas] [--limit N]

The embedded 1.5B model reads ≈ 74 prompt tok/s and writes ≈ 10 tok/s on 2 cores: two
calls per item make the 24 items take 10-20 minutes. Run nothing else meanwhile."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import print_table, write_json  # noqa: E402

from eval.judge import Judge, JudgeScores  # noqa: E402
from eval.judge_agreement import DEFAULT_LABELS, agreement, cohen_kappa, load_labels  # noqa: E402
from eval.offline_metrics import numbers_in_context  # noqa: E402
from rag.config import load_settings  # noqa: E402
from rag.llm.factory import build_llm  # noqa: E402


class RagasJudge:
    """ragas FactualCorrectness / Faithfulness on the server, its correctness (a claim
    F1) snapped to the nearest of 0 / 0.5 / 1 so that it can be compared with the labels."""

    def __init__(self, base_url: str, model: str, api_key: str | None) -> None:
        self.base_url, self.model, self.api_key = base_url, model, api_key

    def score(self, question: str, answer: str, reference: str, contexts: Sequence[str]) -> JudgeScores:
        from eval.ragas_judge import ragas_judge_scores

        s = ragas_judge_scores(self.base_url, self.model, question, answer, reference, contexts, api_key=self.api_key)
        snapped = None if s.correctness is None else round(s.correctness * 2) / 2
        return JudgeScores(snapped, s.faithfulness, s.reasons, s.raw)

    def info(self) -> dict:
        from eval.ragas_judge import ragas_judge_info

        return ragas_judge_info(self.model)


def server_settings():
    mode = os.environ.get("SEOUL_ASSIST_LLM__MODE", "openai")
    return load_settings("local", llm={"mode": mode if mode in ("openai", "vllm") else "openai"})


def make_judge(kind: str):
    if kind == "embedded":
        return Judge(build_llm(load_settings("local", llm={"mode": "embedded"})))
    cfg = server_settings().llm
    if kind == "server":
        return Judge(build_llm(server_settings()), name=cfg.model)
    if kind == "ragas":
        from eval.ragas_judge import ragas_judge_available

        if not ragas_judge_available():
            raise SystemExit("ragas 판정에는 eval extra가 필요합니다: pip install -e '.[eval]'")
        return RagasJudge(cfg.base_url, cfg.model, cfg.api_key)
    raise SystemExit(f"알 수 없는 판정 모델: {kind}")


def numbers_baseline(items) -> dict:
    """The bar a judge's faithfulness must clear: no LLM, an answer is called faithful
    when every number in it also occurs in its passages (offline.numbers_in_context)."""
    judged = [numbers_in_context(i.answer, i.contexts) in (None, 1.0) for i in items]
    labels = [i.faithful for i in items]
    return {"n": len(items),
            "faithfulness_agreement": round(sum(j == label for j, label in zip(judged, labels)) / len(items), 4),
            "cohen_kappa": cohen_kappa(judged, labels)}


def by_kind(per_item: list[dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in per_item:
        groups[row["kind"]].append(row)
    summary = {}
    for kind, rows in sorted(groups.items()):
        n = len(rows)
        summary[kind] = {
            "n": n,
            "correctness_agreement": round(sum(r["judge"]["correctness"] == r["label"]["correctness"]
                                               for r in rows) / n, 3),
            "faithfulness_agreement": round(sum(r["judge"]["faithful"] == r["label"]["faithful"]
                                                for r in rows) / n, 3),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ["embedded"] + (["server"] if os.environ.get("SEOUL_ASSIST_LLM__BASE_URL") else [])
    parser.add_argument("--judges", nargs="+", default=default, choices=["embedded", "server", "ragas"])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--limit", type=int, help="only the first N labelled items")
    parser.add_argument("--out", default="judge_agreement.json")
    args = parser.parse_args()
    items = load_labels(args.labels)[:args.limit]

    results, rows, kind_rows = {}, [], []
    for kind in args.judges:
        judge = make_judge(kind)
        info = judge.info()
        print(f"{kind}: {info['model']} — {len(items)}문항 판정 중…", file=sys.stderr)
        result = agreement(judge, items, progress=lambda done, total: print(f"  {done}/{total}", file=sys.stderr))
        result["judge"] = info
        result["by_kind"] = by_kind(result["per_item"])
        results[kind] = result
        rows.append([kind, info["model"], result["n"], result["correctness_agreement"],
                     result["correctness_within_half"], result["faithfulness_agreement"],
                     result["cohen_kappa"] if result["cohen_kappa"] is not None else "-", result["unparsed"],
                     result["seconds"], round(result["seconds"] / max(1, result["n"]), 1)])
        for name, summary in result["by_kind"].items():
            kind_rows.append([kind, name, summary["n"], summary["correctness_agreement"],
                              summary["faithfulness_agreement"]])
    baseline = numbers_baseline(items)
    rows.append(["numbers (no LLM)", "offline.numbers_in_context", baseline["n"], "-", "-",
                 baseline["faithfulness_agreement"], baseline["cohen_kappa"], "-", "-", "-"])
    print_table(["judge", "model", "n", "corr exact", "corr ±0.5", "faith agree", "kappa", "unparsed", "s", "s/item"],
                rows)
    print()
    print_table(["judge", "kind", "n", "corr exact", "faith agree"], kind_rows)
    write_json(args.out, {"labels": str(args.labels.name), "results": results, "offline_numbers_baseline": baseline,
                          "cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count()})


if __name__ == "__main__":
    main()
