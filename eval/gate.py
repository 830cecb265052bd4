"""Quality gates over metrics.json: `--fail-under METRIC=VALUE` (a floor for a
higher-is-better metric), `--fail-over METRIC=VALUE` (a ceiling for a lower-is-better one,
latency say) and `--max-drop METRIC=DELTA` (run B may not be worse than run A by more
than DELTA, in the metric's own direction).

A metric that is null or absent fails its gate: a gate that passes because nothing was
measured would let a broken run through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rag.errors import ConfigError

from .metric_keys import BREAKDOWNS, direction, known_metrics, lookup, suggestion

if TYPE_CHECKING:
    from .compare import Comparison

Kind = Literal["under", "over", "drop"]
FLAGS: dict[Kind, str] = {"under": "--fail-under", "over": "--fail-over", "drop": "--max-drop"}
# Values in metrics.json are rounded to 4 places: a floor of 0.8 must pass 0.8 exactly.
_TOLERANCE = 1e-9


class GateError(ConfigError):
    """A gate that cannot be checked as written (unknown metric, wrong direction)."""


@dataclass(frozen=True)
class Gate:
    kind: Kind
    key: str
    limit: float

    def describe(self) -> str:
        return f"{FLAGS[self.kind]} {self.key}={self.limit:g}"


def parse_assignment(text: str) -> tuple[str, float]:
    """METRIC=VALUE → (metric, value); ValueError with a Korean message otherwise."""
    key, sep, number = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"'{text}': 지표=값 꼴로 적어 주세요 (예: citation.recall=0.8)")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"'{text}': '{number}'는 숫자가 아닙니다") from None
    return key.strip(), value


def build_gates(fail_under: Sequence[tuple[str, float]] = (), fail_over: Sequence[tuple[str, float]] = (),
                max_drop: Sequence[tuple[str, float]] = ()) -> list[Gate]:
    """Validated gates. Checked before any work, so that a typo in a gate fails in a
    second, not after an hour-long evaluation run."""
    gates = ([Gate("under", k, v) for k, v in fail_under] + [Gate("over", k, v) for k, v in fail_over]
             + [Gate("drop", k, v) for k, v in max_drop])
    for gate in gates:
        _validate(gate)
    return gates


def check_gates(gates: Sequence[Gate], metrics: dict, comparison: Comparison | None = None) -> list[str]:
    """One Korean line per violated gate; empty when every gate holds. Floors and
    ceilings read `metrics` (run B in a comparison); drops need the comparison."""
    violations = []
    for gate in gates:
        if gate.kind == "drop":
            if comparison is None:
                raise GateError("--max-drop은 두 실행을 비교할 때(eval compare)만 쓸 수 있습니다")
            message = _check_drop(gate, comparison)
        else:
            message = _check_bound(gate, metrics)
        if message:
            violations.append(message)
    return violations


def valid_keys_text() -> str:
    known = known_metrics()
    names = ", ".join(key for key, way in known.items() if way != "neutral")
    breakdowns = ", ".join(f"{b}.<이름>.<지표>" for b in BREAKDOWNS)
    counts = ", ".join(key for key, way in known.items() if way == "neutral")
    return f"쓸 수 있는 지표: {names}; 하한·상한만: {counts} (나눠 본 값: {breakdowns})"


def _validate(gate: Gate) -> None:
    way = direction(gate.key)
    if way is None:
        hint = suggestion(gate.key)
        guess = f" 혹시 '{hint}'인가요?" if hint else ""
        raise GateError(f"{FLAGS[gate.kind]}: 알 수 없는 지표 '{gate.key}'입니다.{guess}\n{valid_keys_text()}")
    if gate.kind == "under" and way == "lower":
        raise GateError(f"'{gate.key}'는 낮을수록 좋은 지표입니다: 하한(--fail-under)이 아니라 "
                        f"상한 --fail-over {gate.key}={gate.limit:g} 을 쓰세요")
    if gate.kind == "over" and way == "higher":
        raise GateError(f"'{gate.key}'는 높을수록 좋은 지표입니다: 상한(--fail-over)이 아니라 "
                        f"하한 --fail-under {gate.key}={gate.limit:g} 을 쓰세요")
    if gate.kind == "drop":
        if way == "neutral":
            raise GateError(f"--max-drop: '{gate.key}'는 좋고 나쁨의 방향이 없는 값이라 하락을 따질 수 없습니다")
        if gate.limit < 0:
            raise GateError(f"--max-drop {gate.key}: 허용 하락폭은 0 이상이어야 합니다 ({gate.limit:g})")


def _check_bound(gate: Gate, metrics: dict) -> str | None:
    present, value = lookup(metrics, gate.key)
    if not present:
        return f"{gate.key}: 이 실행의 지표에 없는 값이라 기준을 확인할 수 없습니다 ({gate.describe()})"
    if value is None:
        return f"{gate.key}: 값이 없어(null) 기준을 확인할 수 없습니다 ({gate.describe()})"
    if gate.kind == "under" and value < gate.limit - _TOLERANCE:
        return f"{gate.key} = {_fmt(value)} < 하한 {_fmt(gate.limit)} ({gate.describe()})"
    if gate.kind == "over" and value > gate.limit + _TOLERANCE:
        return f"{gate.key} = {_fmt(value)} > 상한 {_fmt(gate.limit)} ({gate.describe()})"
    return None


def _check_drop(gate: Gate, comparison: Comparison) -> str | None:
    _, before = comparison.value(gate.key, "a")
    _, after = comparison.value(gate.key, "b")
    if before is None or after is None:
        missing = [side for side, value in (("A", before), ("B", after)) if value is None]
        return f"{gate.key}: {'·'.join(missing)}에 값이 없어 하락폭을 확인할 수 없습니다 ({gate.describe()})"
    change = after - before
    worse = -change if direction(gate.key) == "higher" else change
    if worse > gate.limit + _TOLERANCE:
        word = "하락" if direction(gate.key) == "higher" else "상승"
        return (f"{gate.key}: {_fmt(before)} → {_fmt(after)} ({_fmt(change, signed=True)}), "
                f"허용 {word}폭 {_fmt(gate.limit)} 초과 ({gate.describe()})")
    return None


def _fmt(value: float, signed: bool = False) -> str:
    # Ratios keep 4 significant digits; latencies in ms read better without an exponent.
    sign = "+" if signed else ""
    if abs(value) < 100:
        return f"{value:{sign}.4g}"
    return f"{value:{sign}.0f}" if value == int(value) else f"{value:{sign}.1f}"
