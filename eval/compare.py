"""Compare two evaluation runs of the same suite: each metric in A and in B, the change,
and a paired bootstrap 95% interval of the change over the cases both runs share, plus
the cases whose outcome flipped.

The values shown for A and B are the runs' own metrics.json numbers (what a reader and
the gates see); the interval is computed from cases.jsonl over the common cases only,
since a case present on one side says nothing about a change. Where the case sets are
equal the two agree."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.errors import ConfigError

from .case_metrics import CaseMetric, Direction, finite, metric_table, paired_deltas
from .flips import Flip, find_flips
from .metric_keys import lookup

CONFIDENCE = 95
# Float noise must not read as a significant change when both sides are equal.
_EPSILON = 1e-12


@dataclass(frozen=True)
class Run:
    path: Path
    metrics: dict
    cases: list[dict] | None  # None: the run has no cases.jsonl
    #: Its generation records (a scorer's, e.g. the metabolic classification): paired apart
    #: for the metrics that read them (CaseMetric.cases == "generation").
    generated: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class MetricDelta:
    key: str
    direction: Direction
    a: float | None
    b: float | None
    delta: float | None  # B − A of the values shown
    delta_common: float | None  # B − A over the common cases: what the interval is about
    ci: tuple[float, float] | None

    @property
    def significant(self) -> bool:
        return self.ci is not None and (self.ci[0] > _EPSILON or self.ci[1] < -_EPSILON)

    @property
    def verdict(self) -> str | None:
        """better | worse when the interval excludes 0, else None."""
        if not self.significant or self.direction == "neutral" or self.ci is None:
            return None
        rose = self.ci[0] > 0
        return "better" if rose == (self.direction == "higher") else "worse"

    def to_dict(self) -> dict:
        return {"key": self.key, "direction": self.direction, "a": _round(self.a), "b": _round(self.b),
                "delta": _round(self.delta), "delta_common": _round(self.delta_common),
                "ci95": [_round(v) for v in self.ci] if self.ci else None,
                "significant": self.significant, "verdict": self.verdict}


@dataclass(frozen=True)
class Comparison:
    run_a: str
    run_b: str
    n_a: int
    n_b: int
    n_common: int
    only_a: list[str]
    only_b: list[str]
    rows: list[MetricDelta]
    flips: list[Flip]
    notes: list[str]
    n_boot: int
    seed: int
    metrics_a: dict = field(repr=False, default_factory=dict)
    metrics_b: dict = field(repr=False, default_factory=dict)

    def row(self, key: str) -> MetricDelta | None:
        return next((r for r in self.rows if r.key == key), None)

    def value(self, key: str, side: str) -> tuple[bool, float | None]:
        """(present, value) of a metric in run A or B ("a" / "b"): metrics.json first,
        then the value recomputed from the cases."""
        present, value = lookup(self.metrics_a if side == "a" else self.metrics_b, key)
        if present:
            return present, value
        row = self.row(key)
        if row is None:
            return False, None
        return True, row.a if side == "a" else row.b

    def to_dict(self) -> dict:
        return {
            "run_a": self.run_a, "run_b": self.run_b,
            "cases": {"a": self.n_a, "b": self.n_b, "common": self.n_common},
            "only_a": self.only_a, "only_b": self.only_b,
            "bootstrap": {"resamples": self.n_boot, "seed": self.seed, "confidence": CONFIDENCE},
            "metrics": [r.to_dict() for r in self.rows],
            "flips": [f.to_dict() for f in self.flips],
            "notes": self.notes,
        }


def compare_runs(run_a: Path, run_b: Path, *, n_boot: int = 2000, seed: int = 0) -> Comparison:
    a, b = load_run(Path(run_a)), load_run(Path(run_b))
    notes = _run_notes(a, b)
    cases_a, cases_b = a.cases or [], b.cases or []
    # Match by suite too only when every record names one; a mix would match nothing.
    with_suite = bool(cases_a and cases_b) and all("suite" in r for r in cases_a + cases_b)
    keyed_a, keyed_b = _keyed(cases_a, with_suite, "A", notes), _keyed(cases_b, with_suite, "B", notes)
    common = [key for key in keyed_b if key in keyed_a]
    only_a = [_label(key) for key in keyed_a if key not in keyed_b]
    only_b = [_label(key) for key in keyed_b if key not in keyed_a]
    if (only_a or only_b) and common:
        notes.append(f"A에만 있는 문항 {len(only_a)}개, B에만 있는 문항 {len(only_b)}개: "
                     f"신뢰구간과 뒤집힌 문항은 공통 문항 {len(common)}개로 계산했습니다")
    elif cases_a and cases_b and not common:
        notes.append("두 실행에 공통 문항이 없어 신뢰구간을 계산할 수 없습니다")
    pairs = [(keyed_a[key], keyed_b[key]) for key in common]
    rng = np.random.default_rng(seed)
    resamples = rng.integers(0, len(pairs), size=(n_boot, len(pairs))) if pairs and n_boot > 0 else None
    generated = _generated_pairs(a, b)
    resamples_generated = (rng.integers(0, len(generated), size=(n_boot, len(generated)))
                           if generated and n_boot > 0 else None)
    rows = [row for metric in metric_table() if metric.direction != "neutral"
            if (row := _metric_row(metric, a, b, *((pairs, resamples) if metric.cases != "generation"
                                                   else (generated, resamples_generated)))) is not None]
    return Comparison(str(a.path), str(b.path), len(cases_a), len(cases_b), len(common), only_a, only_b,
                      rows, find_flips(pairs), notes, n_boot, seed, a.metrics, b.metrics)


def load_run(path: Path) -> Run:
    """A run directory (metrics.json, cases.jsonl beside it) or its metrics.json."""
    folder, metrics_path = (path, path / "metrics.json") if path.is_dir() else (path.parent, path)
    if not metrics_path.is_file():
        raise ConfigError(f"평가 결과를 찾을 수 없습니다: {path} (metrics.json이 있는 폴더나 그 파일을 주세요)")
    metrics = _read_json(metrics_path)
    cases_path = folder / "cases.jsonl"
    cases = _read_jsonl(cases_path) if cases_path.is_file() else None
    generated = []
    if cases is not None:
        # Generation records have measures of their own (their scorer's), not these.
        generated = [r for r in cases if r.get("kind", "qa") == "generation"]
        cases = [r for r in cases if r.get("kind", "qa") == "qa"]
    return Run(folder, metrics, cases, generated)


def _generated_pairs(a: Run, b: Run) -> list[tuple[dict, dict]]:
    """The generation cases both runs scored, matched by suite and id."""
    keyed_a = {(r.get("suite"), r.get("id")): r for r in a.generated}
    return [(keyed_a[key], r) for r in b.generated if (key := (r.get("suite"), r.get("id"))) in keyed_a]


def _metric_row(metric: CaseMetric, a: Run, b: Run, pairs: list[tuple[dict, dict]],
                resamples: np.ndarray | None) -> MetricDelta | None:
    present_a, value_a = _shown_value(a, metric)
    present_b, value_b = _shown_value(b, metric)
    if not (present_a or present_b):
        return None
    delta = value_b - value_a if value_a is not None and value_b is not None else None
    delta_common, ci = None, None
    if pairs:
        side_a, side_b = [p[0] for p in pairs], [p[1] for p in pairs]
        if metric.available(side_a) and metric.available(side_b):
            rows_a, rows_b = metric.table(side_a), metric.table(side_b)
            delta_common = finite(float(metric.reduce(rows_b[None])[0] - metric.reduce(rows_a[None])[0]))
            if resamples is not None and delta_common is not None:
                ci = _interval(paired_deltas(metric, rows_a, rows_b, resamples))
    return MetricDelta(metric.key, metric.direction, value_a, value_b, delta, delta_common, ci)


def _shown_value(run: Run, metric: CaseMetric) -> tuple[bool, float | None]:
    present, value = lookup(run.metrics, metric.key)
    if present:
        return present, value
    records = run.cases if metric.cases != "generation" else run.generated
    if records and metric.available(records):
        return True, metric.value(records)
    return False, None


def _interval(deltas: np.ndarray) -> tuple[float, float] | None:
    """Percentile interval over the resamples where the metric is defined; when most
    resamples leave it undefined (a rare class drawn out), there is nothing to report."""
    defined = deltas[~np.isnan(deltas)]
    if len(defined) == 0 or len(defined) * 2 < len(deltas):
        return None
    tail = (100 - CONFIDENCE) / 2
    low, high = np.percentile(defined, [tail, 100 - tail])
    return float(low), float(high)


def _keyed(cases: list[dict], with_suite: bool, side: str, notes: list[str]) -> dict[tuple[str, str], dict]:
    keyed: dict[tuple[str, str], dict] = {}
    duplicates = 0
    for record in cases:
        key = (str(record.get("suite", "")) if with_suite else "", str(record.get("id", "")))
        if key in keyed:
            duplicates += 1  # the first record wins; a duplicated id is a suite bug to surface
            continue
        keyed[key] = record
    if duplicates:
        notes.append(f"{side}에 id가 겹치는 문항 {duplicates}개는 첫 기록만 비교했습니다")
    return keyed


def _run_notes(a: Run, b: Run) -> list[str]:
    notes = []
    suite_a, suite_b = a.metrics.get("suite"), b.metrics.get("suite")
    if suite_a and suite_b and Path(str(suite_a)).name != Path(str(suite_b)).name:
        notes.append(f"두 실행의 평가 세트가 다릅니다: {suite_a} / {suite_b}")
    judge_a, judge_b = (_judge_label(run.metrics) for run in (a, b))
    engine_a, engine_b = (_judge_engine(run.metrics) for run in (a, b))
    if judge_a and judge_b and engine_a != engine_b:
        # Not the same quantity: ragas' correctness is a claim-level F1, ours a 0 / 0.5 / 1 grade.
        notes.append(f"두 실행의 LLM 판정 방식이 다릅니다: {engine_a} / {engine_b} ({judge_a} / {judge_b}; "
                     "정답성·충실성은 방식마다 뜻이 달라(ragas: 주장 단위 F1, prompt: 0/0.5/1 등급) "
                     "차이를 그대로 비교할 수 없습니다)")
    elif judge_a and judge_b and judge_a != judge_b:
        notes.append(f"두 실행의 LLM 판정 모델이나 프롬프트가 다릅니다: {judge_a} / {judge_b} "
                     "(정답성·충실성의 차이에는 판정의 차이도 섞여 있습니다)")
    for side, run in (("A", a), ("B", b)):
        if run.cases is None:
            notes.append(f"{side}에 cases.jsonl이 없어 신뢰구간과 뒤집힌 문항을 계산할 수 없습니다: {run.path}")
    return notes


def _judge_label(metrics: dict) -> str:
    judge = metrics.get("judge") if isinstance(metrics.get("judge"), dict) else {}
    if not judge.get("model"):
        return ""
    return f"{judge['model']} ({judge.get('prompt_sha256') or '?'})"


def _judge_engine(metrics: dict) -> str:
    # metrics.json from before engines were recorded was judged by our own prompts.
    judge = metrics.get("judge") if isinstance(metrics.get("judge"), dict) else {}
    return str(judge.get("engine") or "prompt")


def _label(key: tuple[str, str]) -> str:
    suite, case_id = key
    return f"{suite}:{case_id}" if suite else case_id


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}를 읽을 수 없습니다: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: 지표 객체(JSON object)가 아닙니다")
    return data


def _read_jsonl(path: Path) -> list[dict]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise ConfigError(f"{path}:{number}: JSON이 아닙니다 ({exc})") from exc
            if isinstance(record, dict):
                records.append(record)
    return records


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
