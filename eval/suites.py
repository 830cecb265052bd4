"""Benchmark suites in the shared JSON Lines format (see ../shared/benchmarks/README.md).
Unknown fields are kept but ignored; malformed lines raise SuiteError naming file:line."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import SuiteError

ASSISTANTS = ("general", "childcare", "rfp", "metabolic")


@dataclass(frozen=True)
class Evidence:
    source: str
    locator: str
    quote: str


@dataclass(frozen=True)
class QACase:
    id: str
    assistant: str
    question: str
    reference_answer: str
    evidence: tuple[Evidence, ...]
    answerable: bool
    category: str = ""
    origin: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def load_suite(path: Path) -> list[QACase]:
    if not path.is_file():
        raise SuiteError(f"{path}: 평가 세트 파일이 없습니다")
    cases: list[QACase] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{where}: JSON이 아닙니다 ({exc.msg})") from exc
        case = _parse_case(raw, where)
        if case.id in seen:
            raise SuiteError(f"{where}: id가 중복됩니다: {case.id}")
        seen.add(case.id)
        cases.append(case)
    return cases


def _parse_case(raw: Any, where: str) -> QACase:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: 한 줄은 JSON 객체여야 합니다")
    for key, kind in (("id", str), ("assistant", str), ("question", str), ("answerable", bool)):
        if not isinstance(raw.get(key), kind):
            raise SuiteError(f"{where}: '{key}' 필드가 없거나 형식이 틀렸습니다 ({kind.__name__} 필요)")
    if raw["assistant"] not in ASSISTANTS:
        raise SuiteError(f"{where}: assistant는 {', '.join(ASSISTANTS)} 중 하나여야 합니다: {raw['assistant']!r}")
    evidence = raw.get("evidence") or []
    if not isinstance(evidence, list):
        raise SuiteError(f"{where}: 'evidence'는 목록이어야 합니다")
    items = []
    for i, item in enumerate(evidence):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("source", "quote")):
            raise SuiteError(f"{where}: evidence[{i}]에 source, quote 문자열이 필요합니다")
        items.append(Evidence(item["source"], str(item.get("locator", "")), item["quote"]))
    known = {"id", "assistant", "question", "reference_answer", "evidence", "answerable", "category", "origin"}
    return QACase(
        id=raw["id"], assistant=raw["assistant"], question=raw["question"],
        reference_answer=str(raw.get("reference_answer", "")), evidence=tuple(items),
        answerable=raw["answerable"], category=str(raw.get("category", "")), origin=str(raw.get("origin", "")),
        extra={k: v for k, v in raw.items() if k not in known},
    )
