"""The metrics of metrics.json recomputed from cases.jsonl records, in a shape a paired
bootstrap can resample: each metric turns every record into a few numbers (one row per
case), and a reducer turns any set of rows into the metric (NaN where metrics.json says
null). Ratios are sums over sums, not means of per-case ratios, so a resample of all
cases reproduces metrics.json exactly (citation precision is micro over citations).

The definitions mirror eval/answer_metrics.py and eval/metrics.py: an errored case is
neither answered nor abstained; ranks count over answerable cases only."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .run_metrics import judge_value

Reducer = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class CaseMetric:
    key: str
    needs: str | Callable[[dict], bool]  # the record field (or test) without which a run has no such metric
    row: Callable[[dict], tuple[float, ...]]
    reduce: Reducer  # (..., n_cases, n_columns) -> (...)

    def available(self, records: Sequence[dict]) -> bool:
        needs = self.needs
        if isinstance(needs, str):
            return any(needs in r for r in records)
        return any(needs(r) for r in records)

    def table(self, records: Sequence[dict]) -> np.ndarray:
        return np.array([self.row(r) for r in records], dtype=float).reshape(len(records), -1)

    def value(self, records: Sequence[dict]) -> float | None:
        if not records or not self.available(records):
            return None
        return finite(self.reduce(self.table(records)[None])[0])


def finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


# --- reducers ----------------------------------------------------------------------------

def ratio(rows: np.ndarray) -> np.ndarray:
    numerator, denominator = rows[..., 0].sum(-1), rows[..., 1].sum(-1)
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def total(rows: np.ndarray) -> np.ndarray:
    return rows[..., 0].sum(-1)


def nearest_rank(q: float) -> Reducer:
    """Nearest-rank percentile as eval.metrics.percentile, over the non-NaN values."""
    def reduce(rows: np.ndarray) -> np.ndarray:
        ordered = np.sort(rows[..., 0], axis=-1)  # NaN sorts last
        count = (~np.isnan(ordered)).sum(-1)
        index = np.maximum(0, np.ceil(q / 100 * count).astype(int) - 1)
        picked = np.take_along_axis(ordered, index[..., None], -1)[..., 0]
        return np.where(count > 0, picked, np.nan)
    return reduce


def f1_of_abstention(rows: np.ndarray) -> np.ndarray:
    # 2PR/(P+R) with P = c/abstained and R = c/positive simplifies to 2c/(abstained + positive);
    # null whenever P or R is, as in answer_metrics.abstention_summary.
    correct, abstained, positive = (rows[..., i].sum(-1) for i in range(3))
    defined = (abstained > 0) & (positive > 0)
    return np.where(defined, 2 * correct / np.where(defined, abstained + positive, 1), np.nan)


# --- per-case rows -----------------------------------------------------------------------

def answerable(record: dict) -> bool:
    return bool(record.get("answerable", True))


def failed(record: dict) -> bool:
    return record.get("error") is not None


def answered(record: dict) -> bool:
    return not failed(record) and not record.get("abstained")


def citation_flags(record: dict) -> list[bool]:
    return [bool(c.get("hit")) for c in record.get("citations") or []]


def cites_evidence(record: dict) -> bool:
    """An answered, answerable case with at least one citation that hits the evidence."""
    return answerable(record) and answered(record) and any(citation_flags(record))



def _rank_rows(field: str, k: int, credit: Callable[[int], float]) -> Callable[[dict], tuple[float, ...]]:
    def row(record: dict) -> tuple[float, ...]:
        rank = record.get(field)
        scored = answerable(record) and rank is not None and rank <= k
        return (credit(rank) if scored else 0.0, 1.0 if answerable(record) else 0.0)
    return row


def _token_f1(record: dict) -> tuple[float, ...]:
    value = record.get("token_f1")
    return (value or 0.0, 0.0 if value is None else 1.0)


def _precision(record: dict) -> tuple[float, ...]:
    if not (answerable(record) and answered(record)):
        return (0.0, 0.0)
    flags = citation_flags(record)
    return (float(sum(flags)), float(len(flags)))


def _recall(record: dict) -> tuple[float, ...]:
    counted = answerable(record) and answered(record)
    return (float(cites_evidence(record)), float(counted))


def _recall_all(record: dict) -> tuple[float, ...]:
    return (float(cites_evidence(record)), float(answerable(record)))


def _abstention(record: dict) -> tuple[float, ...]:
    abstained = bool(record.get("abstained")) and not failed(record)
    positive = not answerable(record)
    return (float(positive and abstained), float(abstained), float(positive))


def _abstention_precision(record: dict) -> tuple[float, ...]:
    correct, abstained, _ = _abstention(record)
    return (correct, abstained)


def _abstention_recall(record: dict) -> tuple[float, ...]:
    correct, _, positive = _abstention(record)
    return (correct, positive)


def _judge(name: str) -> Callable[[dict], tuple[float, ...]]:
    def row(record: dict) -> tuple[float, ...]:
        score = judge_value(record, name)
        return (score or 0.0, 0.0 if score is None else 1.0)
    return row


def _judged(name: str) -> Callable[[dict], bool]:
    # As in metrics.json, a judge metric exists only where some case was judged.
    return lambda record: judge_value(record, name) is not None


def _latency(field: str) -> Callable[[dict], tuple[float, ...]]:
    def row(record: dict) -> tuple[float, ...]:
        value = record.get(field)
        return (math.nan if value is None else float(value),)
    return row


def _whole(rank: int) -> float:
    return 1.0


def _rank_metrics(prefix: str, field: str) -> list[CaseMetric]:
    return [
        CaseMetric(f"{prefix}.hit@1", field, _rank_rows(field, 1, _whole), ratio),
        CaseMetric(f"{prefix}.hit@5", field, _rank_rows(field, 5, _whole), ratio),
        CaseMetric(f"{prefix}.hit@10", field, _rank_rows(field, 10, _whole), ratio),
        CaseMetric(f"{prefix}.mrr@10", field, _rank_rows(field, 10, lambda r: 1.0 / r), ratio),
        CaseMetric(f"{prefix}.ndcg@10", field, _rank_rows(field, 10, lambda r: 1.0 / math.log2(r + 1)), ratio),
    ]


def _latency_metrics() -> list[CaseMetric]:
    fields = {"search": "search_ms", "ttft": "ttft_ms", "ttft_extractive": "ttft_extractive_ms", "total": "total_ms"}
    return [CaseMetric(f"latency_ms.{name}_p{q}", field, _latency(field), nearest_rank(q))
            for name, field in fields.items() for q in (50, 95)]


CASE_METRICS: tuple[CaseMetric, ...] = (
    *_rank_metrics("retrieval", "rank"),
    *_rank_metrics("retrieval_passages", "passage_rank"),
    CaseMetric("answer.token_f1", "token_f1", _token_f1, ratio),
    CaseMetric("answer.correctness", _judged("correctness"), _judge("correctness"), ratio),
    CaseMetric("answer.faithfulness", _judged("faithfulness"), _judge("faithfulness"), ratio),
    CaseMetric("citation.precision", "citations", _precision, ratio),
    CaseMetric("citation.recall", "citations", _recall, ratio),
    CaseMetric("citation.recall_all", "citations", _recall_all, ratio),
    CaseMetric("citation.invented", "invented_citations",
               lambda r: (float(r.get("invented_citations") or 0),), total),
    CaseMetric("abstention.precision", "abstained", _abstention_precision, ratio),
    CaseMetric("abstention.recall", "abstained", _abstention_recall, ratio),
    CaseMetric("abstention.f1", "abstained", _abstention, f1_of_abstention),
    *_latency_metrics(),
    CaseMetric("errors", "error", lambda r: (float(failed(r)),), total),
)


def paired_deltas(metric: CaseMetric, rows_a: np.ndarray, rows_b: np.ndarray, resamples: np.ndarray,
                  block: int = 256) -> np.ndarray:
    """B − A of the metric on each resample of the common cases (the same cases on both
    sides, which is what makes the bootstrap paired). Blocks bound the memory a large
    suite needs: resamples × cases × columns floats at a time."""
    out = [metric.reduce(rows_b[chunk]) - metric.reduce(rows_a[chunk])
           for start in range(0, len(resamples), block) for chunk in [resamples[start:start + block]]]
    return np.concatenate(out) if out else np.empty(0)
