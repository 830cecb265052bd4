"""The harness's scorer of metabolic classification cases (`*_cases.jsonl` with
`assistant: "metabolic"`, format in benchmarks/suites/README.md): one participant's record
is assessed (assessment.assess) and the result compared, field by field, with the case's
hand-built `expected` (the five risk factors, their count, the group, the recheck months).

The record is inline (`record`) or a reference into the corpora folder (`record_ref`:
`{"file", "index"}`, relative to the run's corpus, so no participant data is copied into
a suite). A reference the corpus lacks (no ../shared) skips the case with the reason; it
is not a failure. Nothing identifying leaves the scorer: the record itself is not stored
in cases.jsonl, only the compared fields.

`METRICS` are this assistant's lines of metrics.json (the `classification` block), read
into the harness's metric table (eval.case_metrics.metric_table)."""

from __future__ import annotations

import json
import math
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.case_metrics import MS, Bar, CaseMetric, Row, nearest_rank, ratio, total
from eval.case_metrics import COUNT as COUNT_UNIT

if TYPE_CHECKING:
    from appcontext import AppContext
    from eval.suites import GenerationCase

FACTORS = ("waist", "bp", "glucose", "tg", "hdl")
#: The compared fields, in the order failures name them.
FIELDS = (*(f"risk_factors.{f}" for f in FACTORS), "risk_factor_count", "group", "recheck_months")
FIELD_LABELS = {"risk_factors.waist": "허리둘레", "risk_factors.bp": "혈압", "risk_factors.glucose": "혈당",
                "risk_factors.tg": "중성지방", "risk_factors.hdl": "HDL", "risk_factor_count": "위험요인 수",
                "group": "군", "recheck_months": "재검진"}
FAILURE_KIND = "classification"
TASK = "검진 결과 분류"


def score(ctx: "AppContext", case: "GenerationCase") -> dict[str, Any]:
    """The record of one case: `classification` ({exact, fields: {field: right?}}), the
    expected and obtained values, the time the assessment took, and `failure` naming every
    wrong field; `skipped` when the referenced record is not there; `error` when the case
    or its record is unusable (every field then counts wrong)."""
    inputs = case.inputs
    expected = inputs.get("expected")
    base: dict[str, Any] = {"question": TASK + (f": {inputs['note']}" if inputs.get("note") else ""),
                            "expected": expected}
    try:
        record = _record(ctx, case)
    except _Skip as skip:
        return {**base, "skipped": str(skip), "failure": None}
    except ValueError as exc:
        return _error(base, str(exc))
    if not isinstance(expected, dict) or not expected:
        return _error(base, "사례에 expected(기대 결과)가 없습니다")
    try:
        criteria = _criteria(ctx)  # read once per run: not part of an assessment's time
        started = time.perf_counter()
        result = _assess(record, criteria, inputs.get("survey"))
        elapsed = round((time.perf_counter() - started) * 1000, 2)
    except Exception as exc:  # noqa: BLE001 - a rejected record is this case's result, not the run's end
        return _error(base, f"{type(exc).__name__}: {exc}")
    if result.get("errors"):  # impossible values: the record is refused, each error naming its field
        return _error(base, "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                                      for e in result["errors"]))
    got = {"risk_factors": result.get("risk_factors"), "risk_factor_count": result.get("risk_factor_count"),
           "group": result.get("group"), "recheck_months": result.get("recheck_months")}
    fields = compare(expected, got)
    wrong = [name for name, right in fields.items() if not right]
    return {**base, "got": got, "classification": {"exact": not wrong, "fields": fields},
            "answer": summary(got), "reference_answer": summary(expected),
            "criteria_source": result.get("criteria_source"), "assess_ms": elapsed,
            "failure": _failure_text(wrong, expected, got) if wrong else None,
            "failure_kinds": [FAILURE_KIND] if wrong else []}


def compare(expected: dict[str, Any], got: dict[str, Any]) -> dict[str, bool]:
    """Right or wrong per field the case expects (a case may leave fields out)."""
    out: dict[str, bool] = {}
    for name in FIELDS:
        present, want = _lookup(expected, name)
        if present:
            out[name] = _same(name, want, _lookup(got, name)[1])
    return out


def summary(values: dict[str, Any]) -> str:
    """One line: 군, 위험요인 (수), 재검진 months — what the report's failure table shows."""
    factors = values.get("risk_factors") or {}
    marks = ", ".join(f"{FIELD_LABELS['risk_factors.' + f]} {_mark(factors.get(f))}" for f in FACTORS
                      if f in factors)
    months = values.get("recheck_months")
    months_text = "·".join(str(m) for m in months) + "개월" if isinstance(months, list) else "?"
    return f"{values.get('group')} / 위험요인 {values.get('risk_factor_count')}개 ({marks}) / 재검진 {months_text}"


# --- the record --------------------------------------------------------------------------

class _Skip(Exception):
    """The case refers to a file this run's corpus does not have."""


def _record(ctx: "AppContext", case: "GenerationCase") -> dict[str, Any]:
    """The participant's record with the case's medications and new_registration."""
    inputs = case.inputs
    if isinstance(inputs.get("record"), dict):
        record = dict(inputs["record"])
    elif "record_ref" in inputs:
        record = _referenced(ctx, case, inputs["record_ref"])
    else:
        raise ValueError("사례에 record(참여자 기록) 또는 record_ref가 없습니다")
    for key in ("medications", "new_registration"):
        if key in inputs:
            record[key] = inputs[key]
    record.setdefault("id", case.id)
    return record


def _referenced(ctx: "AppContext", case: "GenerationCase", ref: Any) -> dict[str, Any]:
    if not isinstance(ref, dict) or not isinstance(ref.get("file"), str) or not isinstance(ref.get("index"), int):
        raise ValueError("record_ref는 {\"file\": 코퍼스 기준 경로, \"index\": 번호} 형식이어야 합니다")
    roots = [case.corpus] if case.corpus is not None else list(ctx.settings.corpus_roots)
    found = next((root / ref["file"] for root in roots if (root / ref["file"]).is_file()), None)
    if found is None:
        where = ", ".join(str(r) for r in roots) or "코퍼스 없음"
        raise _Skip(f"참조한 기록 파일이 코퍼스에 없어 건너뜀: {ref['file']} ({where})")
    data = _read_json(found)
    if isinstance(data, dict):  # a file of {"records": [...]} or a single record
        data = data.get("records", [data])
    if not isinstance(data, list) or not 0 <= ref["index"] < len(data) or not isinstance(data[ref["index"]], dict):
        raise ValueError(f"record_ref.index {ref['index']}: {ref['file']}에 그 번호의 기록이 없습니다")
    return dict(data[ref["index"]])


_FILES: dict[Path, Any] = {}


def _read_json(path: Path) -> Any:
    # The 20 personas share one file: read it once per run.
    key = path.resolve()
    if key not in _FILES:
        try:
            _FILES[key] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: 기록 파일을 읽을 수 없습니다 ({exc})") from exc
    return _FILES[key]


# --- the assessment ----------------------------------------------------------------------

def _assess(record: dict[str, Any], criteria: Any, survey: Any) -> dict[str, Any]:
    from .assessment import assess

    return assess(record, criteria, survey=survey)


_CRITERIA: "weakref.WeakKeyDictionary[AppContext, Any]" = weakref.WeakKeyDictionary()


def _criteria(ctx: "AppContext") -> Any:
    """The criteria as the assistant reads them: from the run's index where it holds the
    2025 안내서, else the built-in copy (the result's `criteria_source` says which); read
    once per context. A guide that is indexed but unreadable fails every case with why."""
    from .criteria import load_criteria

    if ctx not in _CRITERIA:
        _CRITERIA[ctx] = load_criteria(ctx.retriever, ctx.assistants["metabolic"].collection)
    return _CRITERIA[ctx]


# --- comparing ---------------------------------------------------------------------------

def _lookup(values: Any, dotted: str) -> tuple[bool, Any]:
    node = values
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _same(name: str, want: Any, got: Any) -> bool:
    if name == "recheck_months":
        return isinstance(got, list | tuple) and isinstance(want, list) and [int(m) for m in got] == want
    if name == "group":
        return isinstance(got, str) and got.strip() == str(want).strip()
    if name == "risk_factor_count":
        return not isinstance(got, bool) and isinstance(got, int) and got == want
    return got is want  # true / false / null, exactly


def _mark(value: Any) -> str:
    return {True: "✓", False: "✗"}.get(value, "판정 불가") if isinstance(value, bool | None) else str(value)


def _failure_text(wrong: list[str], expected: dict[str, Any], got: dict[str, Any]) -> str:
    return "; ".join(f"{FIELD_LABELS[name]}: {_show(_lookup(got, name)[1])} (기대 {_show(_lookup(expected, name)[1])})"
                     for name in wrong)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _error(base: dict[str, Any], message: str) -> dict[str, Any]:
    fields = {name: False for name in compare(base.get("expected") or {}, {})} if isinstance(
        base.get("expected"), dict) else {}
    return {**base, "error": message, "classification": {"exact": False, "fields": fields},
            "failure": f"오류: {message}", "failure_kinds": ["error"]}


# --- the metrics (metrics.json's `classification` block) ---------------------------------

def _classified(record: dict) -> bool:
    return isinstance(record.get("classification"), dict)


def _exact(record: dict) -> Row:
    return (float(bool(record["classification"].get("exact"))), 1.0) if _classified(record) else (0.0, 0.0)


def _field(name: str) -> Callable[[dict], Row]:
    def row(record: dict) -> Row:
        fields = (record["classification"].get("fields") or {}) if _classified(record) else {}
        return (float(bool(fields.get(name))), 1.0) if name in fields else (0.0, 0.0)
    return row


def _assess_ms(record: dict) -> Row:
    value = record.get("assess_ms")
    return (float(value) if isinstance(value, int | float) else math.nan,)


ASSISTANT = Path(__file__).parent.name


def _any_case(records) -> bool:
    # Any case of this assistant, scored or skipped: all skipped reads null with the reason.
    return any(r.get("assistant") == ASSISTANT for r in records)


def _metric(key: str, title: str, label: str, row: Callable[[dict], Row], **more: Any) -> CaseMetric:
    return CaseMetric(f"classification.{key}", more.pop("direction", "higher"), title, _classified, row,
                      more.pop("reduce", ratio), label=label, when=_any_case, cases="generation", **more)


METRICS: tuple[CaseMetric, ...] = (
    _metric("exact", "검진 결과 분류", "전체 일치", _exact, bar=Bar("answers", "분류 전체 일치"),
            why_empty="채점한 분류 사례가 없습니다"),
    *(_metric(name, "검진 결과 분류", FIELD_LABELS[name], _field(name))
      for name in ("group", "recheck_months", "risk_factor_count")),
    *(_metric(f"risk_factors.{f}", "검진 결과 분류 위험요인별", FIELD_LABELS[f"risk_factors.{f}"],
              _field(f"risk_factors.{f}")) for f in FACTORS),
    # The bound: an assessment without a model within 200 ms.
    *(_metric(f"assess_ms_p{q}", "분류 판정 시간 (기준표 읽기 제외)", f"p{q}", _assess_ms, direction="lower",
              reduce=nearest_rank(q), unit=MS, empty=0.0) for q in (50, 95)),
    _metric("n", "분류 채점 사례 수", "", lambda r: (float(_classified(r)),), direction="neutral", reduce=total,
            unit=COUNT_UNIT, detail=True),
)
