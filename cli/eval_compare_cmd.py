"""`seoul-assist eval compare RUN_A RUN_B [--fail-under ...] [--fail-over ...] [--max-drop ...]
[--json] [--flips N]`, and the gate options `eval run` shares (add_gate_arguments,
apply_gate). Exit codes: 0 gates hold (or none given), 1 a gate failed, 2 a gate cannot
be checked as written."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path
from typing import TextIO

from eval.case_metrics import find_metric
from eval.compare import CONFIDENCE, Comparison, MetricDelta, compare_runs
from eval.flips import Flip
from eval.gate import Gate, GateError, build_gates, check_gates, parse_assignment
from rag.errors import ConfigError

MARKS = {"better": "▲ 좋아짐", "worse": "▼ 나빠짐"}
FLIP_MARKS = {"better": "▲", "worse": "▼", "mixed": "◆"}


def register(eval_sub) -> None:
    p = eval_sub.add_parser("compare", help="두 평가 실행을 비교합니다 (B가 A보다 나은지, 어느 문항이 달라졌는지)")
    p.add_argument("run_a", type=Path, metavar="RUN_A", help="기준 실행: 결과 폴더 또는 그 metrics.json")
    p.add_argument("run_b", type=Path, metavar="RUN_B", help="비교할 실행: 결과 폴더 또는 그 metrics.json")
    p.add_argument("--json", action="store_true", help="비교 전체를 JSON으로 출력 (기준 검사 결과는 stderr)")
    p.add_argument("--flips", type=int, default=10, metavar="N", help="보여 줄 뒤집힌 문항 수 (기본 10, 0이면 생략)")
    p.add_argument("--n-boot", type=int, default=2000, metavar="N", help="부트스트랩 재표집 횟수 (기본 2000)")
    p.add_argument("--seed", type=int, default=0, help="부트스트랩 난수 시드 (기본 0)")
    add_gate_arguments(p, max_drop=True)
    p.set_defaults(handler=run)


def add_gate_arguments(parser: argparse.ArgumentParser, *, max_drop: bool = False) -> None:
    group = parser.add_argument_group("품질 기준 (어기면 종료 코드 1)")
    group.add_argument("--fail-under", action="append", type=_assignment, default=[], metavar="METRIC=VALUE",
                       help="지표가 VALUE보다 낮으면 실패; 높을수록 좋은 지표용 (예: citation.recall=0.8, 반복 가능)")
    group.add_argument("--fail-over", action="append", type=_assignment, default=[], metavar="METRIC=VALUE",
                       help="지표가 VALUE보다 높으면 실패; 낮을수록 좋은 지표용 (예: latency_ms.ttft_p95=2000)")
    if max_drop:
        group.add_argument("--max-drop", action="append", type=_assignment, default=[], metavar="METRIC=DELTA",
                           help="B가 A보다 DELTA 넘게 나빠지면 실패; 지연 시간처럼 낮을수록 좋은 지표는 "
                                "상승이 나빠짐 (예: retrieval.hit@5=0.02)")


def check_gate_arguments(args: argparse.Namespace) -> list[Gate]:
    """The gates of the parsed options; raises GateError (a ConfigError: exit 2 through
    cli.main) for one that cannot be checked. `eval run` calls it before the run."""
    return build_gates(getattr(args, "fail_under", None) or [], getattr(args, "fail_over", None) or [],
                       getattr(args, "max_drop", None) or [])


def apply_gate(args: argparse.Namespace, metrics: dict, comparison: Comparison | None = None,
               out: TextIO | None = None) -> int:
    """Check the gates against `metrics` (and the comparison for --max-drop), print the
    verdict to `out` and return the exit code: 0 pass or no gates, 1 fail, 2 bad gate."""
    out = out or sys.stdout
    try:
        gates = check_gate_arguments(args)
        violations = check_gates(gates, metrics, comparison)
    except GateError as exc:
        return _gate_error(exc)
    if not gates:
        return 0
    if violations:
        print(f"기준 미달 {len(violations)}건:", file=out)
        for line in violations:
            print(f"  - {line}", file=out)
        return 1
    print(f"기준 통과 ({len(gates)}개)", file=out)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.flips < 0 or args.n_boot < 0:
        raise ConfigError("--flips와 --n-boot는 0 이상이어야 합니다")
    try:
        check_gate_arguments(args)  # a typo in a gate fails before any work
    except GateError as exc:
        return _gate_error(exc)
    comparison = compare_runs(args.run_a, args.run_b, n_boot=args.n_boot, seed=args.seed)
    if args.json:
        print(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2))
        return apply_gate(args, comparison.metrics_b, comparison, out=sys.stderr)
    print(render(comparison, flips=args.flips))
    return apply_gate(args, comparison.metrics_b, comparison)


# --- rendering ---------------------------------------------------------------------------

def render(comparison: Comparison, flips: int = 10) -> str:
    c = comparison
    lines = [f"A  {c.run_a}  (문항 {c.n_a})", f"B  {c.run_b}  (문항 {c.n_b}, 공통 {c.n_common})", ""]
    lines += _table(c.rows)
    lines.append(f"▲/▼: {CONFIDENCE}% 신뢰구간이 0을 포함하지 않는 변화 "
                 f"(공통 문항 {c.n_common}개를 짝지어 부트스트랩 {c.n_boot}회)")
    lines += [f"참고: {note}" for note in c.notes]
    if flips and c.flips:
        lines += ["", *_flip_lines(c.flips, flips)]
    elif flips and c.n_common:
        lines += ["", "뒤집힌 문항 없음"]
    return "\n".join(lines)


def _table(rows: list[MetricDelta]) -> list[str]:
    header = ("지표", "A", "B", "Δ", f"{CONFIDENCE}% 신뢰구간", "")
    body = [(r.key, _num(r.key, r.a), _num(r.key, r.b), _num(r.key, r.delta, signed=True), _ci(r),
             MARKS.get(r.verdict or "", "")) for r in rows]
    table = [header, *body]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for row in table:
        cells = [_pad(row[0], widths[0])] + [_pad(cell, widths[i], right=True) for i, cell in enumerate(row[1:5], 1)]
        lines.append("  ".join(cells + [row[5]]).rstrip())
    return lines


def _flip_lines(flips: list[Flip], limit: int) -> list[str]:
    counts = {v: sum(1 for f in flips if f.verdict == v) for v in ("worse", "better", "mixed")}
    shown = f", 앞의 {limit}개" if len(flips) > limit else ""
    lines = [f"뒤집힌 문항 {len(flips)}개 (나빠짐 {counts['worse']}, 좋아짐 {counts['better']}, "
             f"섞임 {counts['mixed']}){shown}:"]
    for flip in flips[:limit]:
        where = f"{flip.suite}:{flip.id}" if flip.suite else flip.id
        lines.append(f"{FLIP_MARKS[flip.verdict]} {where} [{flip.assistant}] {flip.question}")
        lines.append("    " + " · ".join(change.label for change in flip.changes))
        lines.append(f"    A: {flip.answer_a or '(답변 없음)'}")
        lines.append(f"    B: {flip.answer_b or '(답변 없음)'}")
    return lines


def _num(key: str, value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    sign = "+" if signed else ""
    found = find_metric(key)  # ratios to 3 decimals, milliseconds to 1, counts whole
    return f"{value:{sign}.{found.unit.decimals if found else 3}f}"


def _ci(row: MetricDelta) -> str:
    if row.ci is None:
        return "-"
    low, high = row.ci
    return f"[{_num(row.key, low, signed=True)}, {_num(row.key, high, signed=True)}]"


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def _width(text: str) -> int:
    # Hangul takes two terminal columns: pad by columns, not characters, to keep the table straight.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _assignment(text: str) -> tuple[str, float]:
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _gate_error(exc: GateError) -> int:
    print(f"오류: {exc}", file=sys.stderr)
    return 2
