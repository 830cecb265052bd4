"""Hand-made evaluation run folders (metrics.json + cases.jsonl) for the compare and
gate tests, and the `eval compare` command behind a parser of the test's own (cli.main
registers it once the lead wires it into `eval`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.eval_compare_cmd import register


def record(case_id: str, *, rank: int | None = 1, answerable: bool = True, abstained: bool = False,
           hits: tuple[bool, ...] = (True,), token_f1: float | None = 0.5, error: str | None = None,
           ttft: float | None = 100.0, total: float = 200.0, answer: str = "답변입니다 [1]", **extra: object) -> dict:
    """One cases.jsonl line as the answer runner writes it. An abstained or failed case
    carries no citations, as in the runner."""
    cited = not abstained and error is None
    return {
        "id": case_id, "assistant": "childcare", "question": f"{case_id} 질문", "answerable": answerable,
        "answer": "" if error else answer, "abstained": abstained and error is None,
        "token_f1": token_f1 if answerable else None,
        "citations": [{"n": i, "hit": hit} for i, hit in enumerate(hits, start=1)] if cited else [],
        "invented_citations": 0, "rank": rank if answerable else None, "passage_rank": None,
        "search_ms": 10.0, "ttft_ms": ttft, "total_ms": total, "error": error, **extra,
    }


def write_run(folder: Path, cases: list[dict], metrics: dict | None = None, with_cases: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    base = {"suite": "suite.jsonl", "n": sum(1 for c in cases if c.get("answerable", True)), "n_total": len(cases)}
    (folder / "metrics.json").write_text(json.dumps({**base, **(metrics or {})}, ensure_ascii=False),
                                         encoding="utf-8")
    if with_cases:
        lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
        (folder / "cases.jsonl").write_text(lines, encoding="utf-8")
    return folder


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="seoul-assist")
    sub = parser.add_subparsers(dest="command", required=True)
    eval_sub = sub.add_parser("eval").add_subparsers(dest="eval_command", required=True)
    register(eval_sub)
    return parser.parse_args(argv)


def run_cli(argv: list[str]) -> int:
    args = parse(argv)
    return int(args.handler(args) or 0)
