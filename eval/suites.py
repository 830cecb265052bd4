"""Benchmark suites in the shared JSON Lines format (see ../shared/benchmarks/README.md).
Unknown fields are kept but ignored; malformed lines raise SuiteError naming file:line.

Two kinds of case share the format: question-answer cases, and generation cases
(`*_cases.jsonl`: inputs for a generator such as the RFP drafter, no question).

A case's `assistant` must be one the assistants' folders define (rag.assistants): the
runners pass the registry of their settings; without one, the assistants shipped with the
code are the known ones."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rag.assistants import load_assistants
from rag.config.settings import PACKAGED_ASSISTANTS
from rag.errors import SuiteError


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
    #: The name of the suite file the case came from (set by load_suites).
    suite: str = ""


@dataclass(frozen=True)
class GenerationCase:
    """Inputs for a generator (e.g. project_name, budget_krw, agency, summary for an RFP
    draft) and the facts a correct output must state (`rule_facts`), all in `inputs`."""

    id: str
    assistant: str
    inputs: dict[str, Any]
    origin: str = ""
    category: str = ""
    suite: str = ""
    #: The run's corpora folder, where a case's file references resolve (set by the runner;
    #: e.g. the metabolic cases' `record_ref`).
    corpus: Path | None = None
    #: The run's LLM judge (`eval run --judge`; set by the runner, None otherwise) and the
    #: lock to hold while asking it (eval.judging.judge_lock): a scorer may judge its output.
    judge: Any = field(default=None, compare=False, repr=False)
    judge_lock: Any = field(default=None, compare=False, repr=False)


Case = QACase | GenerationCase


def load_suite(path: Path, assistants: Collection[str] | None = None) -> list[Case]:
    """`assistants`: the names a case may name (default: the packaged assistants)."""
    known = tuple(assistants if assistants is not None else load_assistants(PACKAGED_ASSISTANTS))
    if not path.is_file():
        raise SuiteError(f"{path}: 평가 세트 파일이 없습니다")
    generation_file = path.name.endswith("_cases.jsonl")
    cases: list[Case] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{where}: JSON이 아닙니다 ({exc.msg})") from exc
        case = (_parse_generation(raw, where, known) if _is_generation(raw, generation_file)
                else _parse_case(raw, where, known))
        if case.id in seen:
            raise SuiteError(f"{where}: id가 중복됩니다: {case.id}")
        seen.add(case.id)
        cases.append(case)
    return cases


def load_suites(paths: Sequence[Path], limit: int | None = None,
                assistants: Collection[str] | None = None) -> list[Case]:
    """Several suite files as one list, each case tagged with its suite's name. Ids need
    only be unique within a file: an id that two files share is prefixed with the suite
    name in both (`statutes/cc-01`), the others stay as they are so that runs of a single
    suite and of several compare case by case. `limit`: the first N cases of each file."""
    names = suite_names(paths)
    loaded = []
    for path, name in zip(paths, names):
        cases = load_suite(path, assistants)
        loaded.append([replace(c, suite=name) for c in (cases[:limit] if limit is not None else cases)])
    counts = Counter(c.id for cases in loaded for c in cases)
    return [replace(c, id=f"{c.suite}/{c.id}") if counts[c.id] > 1 else c for cases in loaded for c in cases]


def suite_names(paths: Sequence[Path]) -> list[str]:
    """The file stem, or parent/stem where two files share a stem (dev/ and test/)."""
    stems = Counter(p.stem for p in paths)
    names = [p.stem if stems[p.stem] == 1 else f"{p.parent.name}/{p.stem}" for p in paths]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return unique


def qa_cases(cases: Sequence[Case]) -> list[QACase]:
    return [c for c in cases if isinstance(c, QACase)]


def generation_cases(cases: Sequence[Case]) -> list[GenerationCase]:
    return [c for c in cases if isinstance(c, GenerationCase)]


#: Keys only a generator's input line has: an RFP's project, a participant's record.
GENERATION_KEYS = ("project_name", "record", "record_ref")


def _is_generation(raw: Any, generation_file: bool) -> bool:
    # The README names generation files *_cases.jsonl. Elsewhere only a generator's input
    # line (an RFP project, a metabolic participant) without question or answerable counts,
    # so a QA line with a misspelt key still fails.
    if not isinstance(raw, dict):
        return False
    return generation_file or ("question" not in raw and "answerable" not in raw
                               and any(key in raw for key in GENERATION_KEYS))


def _check_assistant(raw: dict, where: str, known: Sequence[str]) -> None:
    if raw["assistant"] not in known:
        raise SuiteError(f"{where}: assistant는 {', '.join(known)} 중 하나여야 합니다: {raw['assistant']!r} "
                         "(도우미는 assistants/<이름>/assistant.yaml로 정의합니다)")


def _parse_generation(raw: Any, where: str, known: Sequence[str]) -> GenerationCase:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: 한 줄은 JSON 객체여야 합니다")
    for key in ("id", "assistant"):
        if not isinstance(raw.get(key), str):
            raise SuiteError(f"{where}: '{key}' 필드가 없거나 형식이 틀렸습니다 (str 필요)")
    _check_assistant(raw, where, known)
    inputs = {k: v for k, v in raw.items() if k not in {"id", "assistant", "origin", "category"}}
    return GenerationCase(raw["id"], raw["assistant"], inputs, origin=str(raw.get("origin", "")),
                          category=str(raw.get("category") or ""))


def _parse_case(raw: Any, where: str, known: Sequence[str]) -> QACase:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: 한 줄은 JSON 객체여야 합니다")
    for key, kind in (("id", str), ("assistant", str), ("question", str), ("answerable", bool)):
        if not isinstance(raw.get(key), kind):
            raise SuiteError(f"{where}: '{key}' 필드가 없거나 형식이 틀렸습니다 ({kind.__name__} 필요)")
    _check_assistant(raw, where, known)
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
