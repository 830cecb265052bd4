"""The summary of a metrics.json as report.html shows it and `eval run` prints it: one
line per run of neighbouring metrics that share a title in the metric table
(eval.case_metrics), in its order, with the values metrics.json holds. A metric the file
does not have (an older run, a retrieval-only run) is left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .case_metrics import CaseMetric, metric_table
from .metric_keys import lookup


@dataclass(frozen=True)
class SummaryLine:
    title: str  # e.g. "인용 정밀도 / 재현율 / 재현율(전체)"
    text: str  # e.g. "0.600 / 0.750 / 0.500"
    detail: bool  # a count behind the headline numbers: folded in the report, not printed


def summary_lines(metrics: dict[str, Any], missing: str = "–") -> list[SummaryLine]:
    """`missing` stands for a null value (nothing to measure)."""
    shown: list[tuple[CaseMetric, float | None]] = []
    for metric in metric_table():
        present, value = lookup(metrics, metric.key)
        if present:
            shown.append((metric, value))
    lines: list[SummaryLine] = []
    start = 0
    for end in range(1, len(shown) + 1):
        if end == len(shown) or _line_of(shown[end][0]) != _line_of(shown[start][0]):
            lines.append(_line(shown[start:end], missing))
            start = end
    return lines


def _line_of(metric: CaseMetric) -> tuple[str, bool]:
    return metric.title, metric.detail


def _line(group: list[tuple[CaseMetric, float | None]], missing: str) -> SummaryLine:
    first = group[0][0]
    labels = [metric.label for metric, _ in group if metric.label]
    title = f"{first.title} {' / '.join(labels)}" if labels else first.title
    values = " / ".join(missing if value is None else metric.unit.show(value) for metric, value in group)
    return SummaryLine(title, values + first.unit.suffix, first.detail)
