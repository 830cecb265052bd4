"""The metric table: every metric of metrics.json defined once, by what it reads of each
cases.jsonl record (one row of numbers per case) and how rows reduce to the metric.
metrics.json and its per-group blocks (eval.run_metrics), the keys and directions the
gates accept (eval.metric_keys), `eval compare` with its paired bootstrap, the report's
summary and per-group charts and the summary `eval run` prints all read this table, so
a new metric is one entry in CASE_METRICS (or one `register_metric` call).

Rows reduce two ways with the same arithmetic: over one run's rows in plain Python,
summed in record order, for the value metrics.json stores (so the numbers are the ones
earlier versions wrote), and vectorised over bootstrap resamples for `eval compare`.
Ratios are sums over sums, not means of per-case ratios, so a resample of all cases
reproduces metrics.json (citation precision is micro over citations).

Definitions: an errored case is neither answered nor abstained; ranks count over
answerable cases only; a ratio with nothing to divide by is null (never 0, so "nothing to
measure" is not read as "bad"), except ranks and latencies, which metrics.json has always
written as 0."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

Direction = Literal["higher", "lower", "neutral"]
RunKind = Literal["retrieval", "answers"]
#: Which runs write a metric: every run, answer runs, or answer runs whose model generates.
Runs = Literal["every", "answers", "generating"]
#: Which records a metric reads: question-answer records, or a generator's (an assistant's
#: scorer, eval.generation: e.g. the metabolic classification), or both ("all": a count that
#: means the same in either, such as invented citations, which an RFP draft can have too).
Cases = Literal["qa", "generation", "all"]
Row = tuple[float, ...]

#: Per-case judge scores a judge may add to a record (their means land in "answer").
JUDGE_SCORES = ("correctness", "faithfulness")
TOKEN_F1_NOTE = "Kiwi 형태소 F1 (오프라인 지표)"


# --- reducers ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reducer:
    """`many`: (..., n_cases, n_columns) -> (...), NaN where undefined (the bootstrap).
    `one`: one run's rows -> the value, None where undefined (metrics.json)."""

    many: Callable[[np.ndarray], np.ndarray]
    one: Callable[[list[Row]], float | None]

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        return self.many(rows)


def _ratio_many(rows: np.ndarray) -> np.ndarray:
    numerator, denominator = rows[..., 0].sum(-1), rows[..., 1].sum(-1)
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def _ratio_one(rows: list[Row]) -> float | None:
    denominator = sum(row[1] for row in rows)
    return sum(row[0] for row in rows) / denominator if denominator else None


def _total_many(rows: np.ndarray) -> np.ndarray:
    return rows[..., 0].sum(-1)


def _total_one(rows: list[Row]) -> float:
    return sum(row[0] for row in rows)


ratio = Reducer(_ratio_many, _ratio_one)
total = Reducer(_total_many, _total_one)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


def nearest_rank(q: float) -> Reducer:
    """The nearest-rank percentile over the values that are not NaN (a case without the time)."""
    def many(rows: np.ndarray) -> np.ndarray:
        ordered = np.sort(rows[..., 0], axis=-1)  # NaN sorts last
        count = (~np.isnan(ordered)).sum(-1)
        index = np.maximum(0, np.ceil(q / 100 * count).astype(int) - 1)
        picked = np.take_along_axis(ordered, index[..., None], -1)[..., 0]
        return np.where(count > 0, picked, np.nan)

    def one(rows: list[Row]) -> float | None:
        values = [row[0] for row in rows if not math.isnan(row[0])]
        return percentile(values, q) if values else None

    return Reducer(many, one)


def _f1_many(rows: np.ndarray) -> np.ndarray:
    # 2PR/(P+R) with P = c/abstained and R = c/positive simplifies to 2c/(abstained + positive);
    # null whenever P or R is.
    correct, abstained, positive = (rows[..., i].sum(-1) for i in range(3))
    defined = (abstained > 0) & (positive > 0)
    return np.where(defined, 2 * correct / np.where(defined, abstained + positive, 1), np.nan)


def _f1_one(rows: list[Row]) -> float | None:
    # metrics.json has always computed F1 from the precision and recall it shows (rounded to
    # 4 places), which can differ from 2c/(abstained + positive) in the 4th place.
    correct, abstained, positive = (sum(row[i] for row in rows) for i in range(3))
    if not abstained or not positive:
        return None
    precision, recall = round(correct / abstained, 4), round(correct / positive, 4)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


f1_of_abstention = Reducer(_f1_many, _f1_one)


def finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


# --- units -------------------------------------------------------------------------------

def _count_text(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


@dataclass(frozen=True)
class Unit:
    """How a value is stored in metrics.json (`store`), shown in the summaries (`show`, with
    `suffix` once per line) and how many decimals `eval compare` prints."""

    store: Callable[[float], float | int]
    show: Callable[[float], str]
    decimals: int
    suffix: str = ""


RATIO = Unit(lambda v: round(v, 4), lambda v: f"{v:.3f}", 3)
MS = Unit(lambda v: round(v, 2), str, 1, " ms")
COUNT = Unit(int, _count_text, 0)
MEAN = Unit(lambda v: round(v, 1), lambda v: f"{v:g}", 1)


class Bar(NamedTuple):
    """A bar per group in the report's per-assistant/category/suite charts of one kind of run."""

    run: RunKind
    label: str


# --- the metric --------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseMetric:
    """One metric. `key`: its dotted place in metrics.json (block.name). `title`: the line of
    the summaries it is shown on (metrics in a row with one title share a line, each named
    by its `label` there). `needs`: the record field (or test) without which a set of
    records has no such metric (`eval compare` leaves the other side's interval out).
    `when`: metrics.json has it only if this holds for the records (judge scores). `empty`:
    the value written when it is undefined. `why_empty`: the block's Korean note then.
    `note`: a fixed note stored beside it as `<name>_note`. `detail`: shown folded in the
    report, not in `eval run`'s summary. `cases`: the records it reads (eval.run_metrics
    hands each metric only its kind)."""

    key: str
    direction: Direction
    title: str
    needs: str | Callable[[dict], bool]
    row: Callable[[dict], Row]
    reduce: Reducer
    label: str = ""
    unit: Unit = RATIO
    runs: Runs = "answers"
    when: Callable[[Sequence[dict]], bool] | None = None
    empty: float | None = None
    why_empty: str = ""
    note: str = ""
    detail: bool = False
    bar: Bar | None = None
    cases: Cases = "qa"

    def written(self, records: Sequence[dict], kind: RunKind, generating: bool) -> bool:
        """Does metrics.json of such a run have this metric?"""
        if self.runs != "every" and (kind != "answers" or (self.runs == "generating" and not generating)):
            return False
        return self.when is None or self.when(records)

    def stored(self, records: Sequence[dict]) -> float | int | None:
        """The value metrics.json holds."""
        value = self.reduce.one([self.row(r) for r in records])
        return self.empty if value is None else self.unit.store(value)

    def available(self, records: Sequence[dict]) -> bool:
        needs = self.needs
        if isinstance(needs, str):
            return any(needs in r for r in records)
        return any(needs(r) for r in records)

    def table(self, records: Sequence[dict]) -> np.ndarray:
        return np.array([self.row(r) for r in records], dtype=float).reshape(len(records), -1)

    def value(self, records: Sequence[dict]) -> float | None:
        """Unrounded, from the records alone (`eval compare` when metrics.json lacks it)."""
        if not records or not self.available(records):
            return None
        return finite(self.reduce(self.table(records)[None])[0])


# --- per-case rows -----------------------------------------------------------------------

def answerable(record: dict) -> bool:
    return bool(record.get("answerable", True))


def failed(record: dict) -> bool:
    return record.get("error") is not None


def answered(record: dict) -> bool:
    return not failed(record) and not record.get("abstained")


def abstained(record: dict) -> bool:
    return bool(record.get("abstained")) and not failed(record)


def citation_flags(record: dict) -> list[bool]:
    return [bool(c.get("hit")) for c in record.get("citations") or []]


def cites_evidence(record: dict) -> bool:
    """An answered, answerable case with at least one citation that hits the evidence."""
    return answerable(record) and answered(record) and any(citation_flags(record))


def judge_value(record: dict, name: str) -> float | None:
    """A judge's score of one case: the record's own `correctness` / `faithfulness` field
    (a number, or a verdict dict with "score"), else the same under "judge"."""
    value = record.get(name)
    if value is None and isinstance(record.get("judge"), dict):
        value = record["judge"].get(name)
    if isinstance(value, dict):
        value = value.get("score")
    return float(value) if isinstance(value, bool | int | float) else None


def _rank_rows(field: str, k: int, credit: Callable[[int], float]) -> Callable[[dict], Row]:
    def row(record: dict) -> Row:
        rank = record.get(field)
        scored = answerable(record) and rank is not None and rank <= k
        return (credit(rank) if scored else 0.0, 1.0 if answerable(record) else 0.0)
    return row


def _token_f1(record: dict) -> Row:
    value = record.get("token_f1")
    return (value or 0.0, 0.0 if value is None else 1.0)


def _precision(record: dict) -> Row:
    if not (answerable(record) and answered(record)):
        return (0.0, 0.0)
    flags = citation_flags(record)
    return (float(sum(flags)), float(len(flags)))


def _recall(record: dict) -> Row:
    counted = answerable(record) and answered(record)
    return (float(cites_evidence(record)), float(counted))


def _recall_all(record: dict) -> Row:
    return (float(cites_evidence(record)), float(answerable(record)))


def _abstention(record: dict) -> Row:
    positive = not answerable(record)
    return (float(positive and abstained(record)), float(abstained(record)), float(positive))


def _abstention_precision(record: dict) -> Row:
    correct, abstaining, _ = _abstention(record)
    return (correct, abstaining)


def _abstention_recall(record: dict) -> Row:
    correct, _, positive = _abstention(record)
    return (correct, positive)


def _right_choice(record: dict) -> Row:
    # Abstaining on an unanswerable case, answering an answerable one; an error is neither.
    right = abstained(record) if not answerable(record) else answered(record)
    return (float(right), 1.0)


def _judge(name: str) -> Callable[[dict], Row]:
    def row(record: dict) -> Row:
        score = judge_value(record, name)
        return (score or 0.0, 0.0 if score is None else 1.0)
    return row


def _judge_count(name: str) -> Callable[[dict], Row]:
    return lambda record: (float(judge_value(record, name) is not None),)


def _judged(name: str) -> Callable[[dict], bool]:
    # As in metrics.json, a judge metric exists only where some case was judged.
    return lambda record: judge_value(record, name) is not None


def _judged_run(name: str) -> Callable[[Sequence[dict]], bool]:
    """metrics.json has a judge score where some record has one, or where the run was
    judged (records carry a `judge` block, eval.judging): then a group with no scored case
    says null, as other ratios do."""
    return lambda records: any(isinstance(r.get("judge"), dict) or judge_value(r, name) is not None
                               for r in records)


def _latency(field: str) -> Callable[[dict], Row]:
    def row(record: dict) -> Row:
        value = record.get(field)
        return (math.nan if value is None else float(value),)
    return row


def _output_tokens(record: dict) -> Row:
    # Failed cases are left out; an answer the model did not generate counts 0.
    return (math.nan,) if failed(record) else (float(int(record.get("output_tokens") or 0)),)


def _output_mean(record: dict) -> Row:
    tokens = _output_tokens(record)[0]
    return (0.0, 0.0) if math.isnan(tokens) else (tokens, 1.0)


def _count(test: Callable[[dict], bool]) -> Callable[[dict], Row]:
    return lambda record: (float(test(record)),)


def _every(record: dict) -> bool:
    return True


def _whole(rank: int) -> float:
    return 1.0


# --- the table ---------------------------------------------------------------------------

def _rank_metrics(block: str, field: str, title: str, runs: Runs, detail: tuple[str, ...] = (),
                  bars: dict[str, str] | None = None) -> list[CaseMetric]:
    credits = {"hit@1": (1, _whole), "hit@5": (5, _whole), "hit@10": (10, _whole),
               "mrr@10": (10, lambda r: 1.0 / r), "ndcg@10": (10, lambda r: 1.0 / math.log2(r + 1))}
    labels = {"hit@1": "hit@1", "hit@5": "hit@5", "hit@10": "hit@10", "mrr@10": "MRR@10", "ndcg@10": "nDCG@10"}
    bars = bars or {}
    return [CaseMetric(f"{block}.{name}", "higher", title, field, _rank_rows(field, k, credit), ratio,
                       label=labels[name], runs=runs, empty=0.0, detail=name in detail,
                       bar=Bar("retrieval", bars[name]) if name in bars else None)
            for name, (k, credit) in credits.items()]


def _latency_metrics(name: str, field: str, title: str, runs: Runs) -> list[CaseMetric]:
    return [CaseMetric(f"latency_ms.{name}_p{q}", "lower", title, field, _latency(field), nearest_rank(q),
                       label=f"p{q}", unit=MS, runs=runs, empty=0.0) for q in (50, 95)]


def _judge_metrics(name: str, title: str, bar: str | None = None) -> list[CaseMetric]:
    return [CaseMetric(f"answer.{name}", "higher", title, _judged(name), _judge(name), ratio, label="평균",
                       when=_judged_run(name), bar=Bar("answers", bar) if bar else None),
            CaseMetric(f"answer.n_{name}", "neutral", title, _judged(name), _judge_count(name), total,
                       label="판정 문항 수", unit=COUNT, when=_judged_run(name))]


CASE_METRICS: tuple[CaseMetric, ...] = (
    CaseMetric("n", "neutral", "문항 수 (답변 가능 / 전체)", "answerable", _count(answerable), total,
               unit=COUNT, runs="every"),
    CaseMetric("n_total", "neutral", "문항 수 (답변 가능 / 전체)", _every, _count(_every), total,
               unit=COUNT, runs="every"),
    *_rank_metrics("retrieval", "rank", "검색", "every",
                   bars={"hit@1": "hit@1", "hit@5": "hit@5", "mrr@10": "MRR@10"}),
    # The same ranks over the few passages the answer was given (hit@10 = hit@5 there).
    *_rank_metrics("retrieval_passages", "passage_rank", "답변에 쓴 구절", "answers",
                   detail=("hit@10", "mrr@10", "ndcg@10")),
    CaseMetric("answer.token_f1", "higher", "토큰 F1 (형태소, 오프라인)", "token_f1", _token_f1, ratio,
               note=TOKEN_F1_NOTE, bar=Bar("answers", "토큰 F1")),
    CaseMetric("answer.n", "neutral", "토큰 F1을 잰 문항 수", "token_f1",
               _count(lambda r: r.get("token_f1") is not None), total, unit=COUNT, detail=True),
    *_judge_metrics("correctness", "정답성 (LLM 판정)", bar="정답성 (LLM)"),
    *_judge_metrics("faithfulness", "충실성 (LLM 판정)"),
    CaseMetric("citation.precision", "higher", "인용", "citations", _precision, ratio, label="정밀도",
               why_empty="인용이 하나도 없어 정밀도를 계산할 수 없습니다"),
    CaseMetric("citation.recall", "higher", "인용", "citations", _recall, ratio, label="재현율",
               why_empty="답변한 답변 가능 문항이 없어 재현율을 계산할 수 없습니다", bar=Bar("answers", "인용 재현율")),
    CaseMetric("citation.recall_all", "higher", "인용", "citations", _recall_all, ratio, label="재현율(전체)",
               why_empty="답변 가능 문항이 없습니다"),
    CaseMetric("citation.invented", "lower", "지어낸 인용 (0이어야 함)", "invented_citations",
               lambda r: (float(r.get("invented_citations") or 0),), total, unit=COUNT, cases="all"),
    CaseMetric("citation.n_answered", "neutral", "답변한 답변 가능 문항 수", "citations",
               _count(lambda r: answerable(r) and answered(r)), total, unit=COUNT, detail=True),
    CaseMetric("citation.n_citations", "neutral", "채점한 인용 수", "citations",
               lambda r: (_precision(r)[1],), total, unit=COUNT, detail=True),
    CaseMetric("abstention.precision", "higher", "답변 거절", "abstained", _abstention_precision, ratio,
               label="정밀도", why_empty="답변을 거절한 문항이 없어 정밀도를 계산할 수 없습니다"),
    CaseMetric("abstention.recall", "higher", "답변 거절", "abstained", _abstention_recall, ratio,
               label="재현율", why_empty="답변 불가(answerable: false) 문항이 없어 재현율을 계산할 수 없습니다"),
    CaseMetric("abstention.f1", "higher", "답변 거절", "abstained", _abstention, f1_of_abstention, label="F1"),
    CaseMetric("abstention.accuracy", "higher", "답변·거절 판단 정확도", "abstained", _right_choice, ratio,
               bar=Bar("answers", "답변·거절 판단 정확도")),
    CaseMetric("abstention.n_positive", "neutral", "답변 불가 문항 수", "answerable",
               _count(lambda r: not answerable(r)), total, unit=COUNT, detail=True),
    CaseMetric("abstention.n_abstained", "neutral", "거절한 문항 수", "abstained", _count(abstained), total,
               unit=COUNT, detail=True),
    *_latency_metrics("search", "search_ms", "검색 시간", "every"),
    # With generation the first token (the final answer's time when none came); without it
    # the extractive answer, which is then the first thing a reader sees (eval.answer_metrics.ttft_ms).
    *_latency_metrics("ttft", "ttft_ms", "첫 응답 TTFT", "answers"),
    *_latency_metrics("ttft_extractive", "ttft_extractive_ms", "발췌 답변 TTFT", "generating"),
    *_latency_metrics("total", "total_ms", "전체 응답", "answers"),
    CaseMetric("tokens.output_p50", "neutral", "답변당 출력 토큰", "output_tokens", _output_tokens,
               nearest_rank(50), label="p50", unit=COUNT, empty=0.0),
    CaseMetric("tokens.output_p95", "neutral", "답변당 출력 토큰", "output_tokens", _output_tokens,
               nearest_rank(95), label="p95", unit=COUNT, empty=0.0),
    CaseMetric("tokens.output_mean", "neutral", "답변당 출력 토큰", "output_tokens", _output_mean, ratio,
               label="평균", unit=MEAN, empty=0.0),
    CaseMetric("tokens.output_total", "neutral", "출력 토큰 합계", "output_tokens",
               lambda r: (_output_mean(r)[0],), total, unit=COUNT, detail=True),
    CaseMetric("tokens.n", "neutral", "출력 토큰을 센 문항 수", "output_tokens", _count(lambda r: not failed(r)),
               total, unit=COUNT, detail=True),
    CaseMetric("errors", "lower", "오류 문항", "error", _count(failed), total, unit=COUNT),
)


def metric_table() -> tuple[CaseMetric, ...]:
    """The table as it stands now: with any registered metric, then the assistants' scorers'
    own (`METRICS` in assistants/<name>/scorer.py, eval.generation.scorer_metrics)."""
    from .generation import scorer_metrics  # the scorers import this module

    keys = {m.key for m in CASE_METRICS}
    return (*CASE_METRICS, *(m for m in scorer_metrics() if m.key not in keys))


def register_metric(metric: CaseMetric) -> None:
    """Add a metric (an assistant's own measure, say) after the others."""
    global CASE_METRICS
    if any(m.key == metric.key for m in metric_table()):
        raise ValueError(f"지표 '{metric.key}'는 이미 있습니다")
    CASE_METRICS = (*CASE_METRICS, metric)


def unregister_metric(key: str) -> None:
    global CASE_METRICS
    CASE_METRICS = tuple(m for m in CASE_METRICS if m.key != key)


def find_metric(key: str) -> CaseMetric | None:
    return next((m for m in metric_table() if m.key == key), None)


def paired_deltas(metric: CaseMetric, rows_a: np.ndarray, rows_b: np.ndarray, resamples: np.ndarray,
                  block: int = 256) -> np.ndarray:
    """B − A of the metric on each resample of the common cases (the same cases on both
    sides, which is what makes the bootstrap paired). Blocks bound the memory a large
    suite needs: resamples × cases × columns floats at a time."""
    out = [metric.reduce(rows_b[chunk]) - metric.reduce(rows_a[chunk])
           for start in range(0, len(resamples), block) for chunk in [resamples[start:start + block]]]
    return np.concatenate(out) if out else np.empty(0)
