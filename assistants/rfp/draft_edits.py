"""Edits an officer makes to a saved RFP draft, each leaving it valid: a draft read from
JSON (every field checked, named in the error), one section's paragraphs replaced, a
requirement row added, changed or deleted, and the comparison of a section with a proposed
rewrite. Pure functions on ``RfpDraft``; storing, access and the checker are store.py's.

Requirement IDs are the drafting's: ``CAT-NNN``, unique and sequential per category in
the order the rows stand. After a row is added, deleted or moved to another category every
ID is renumbered, and the old IDs are rewritten wherever the draft names them (관련 요구사항,
section text), so "SFR-003" never comes to mean another requirement."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from api.errors import InputError

from .checker import valid_id
from .draft import (CATEGORIES, Finding, LawCitation, Requirement, ReviewStatus, RfpDraft, RfpInput, RuleFact, Section,
                    SimilarNotice)
from .inputs import RfpInputError, parse_input

MAX_PARAGRAPHS = 500
MAX_PARAGRAPH_CHARS = 20_000
MAX_REQUIREMENTS = 1_000
MAX_NAME_CHARS = 300
MAX_TEXT_CHARS = 5_000
#: What an officer may set on a requirement row (its ID and findings are computed).
REQUIREMENT_FIELDS = ("category", "name", "definition", "details", "outputs", "related", "source")
_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Z]{3}-\d{3})(?![0-9])")


# --- a draft from JSON -------------------------------------------------------------------------

def draft_from_json(data: Any, field: str = "draft") -> RfpDraft:
    """The draft `data` describes (the shape of ``RfpDraft.to_dict``, as the JSON export
    and the drafting API give it). Every wrong field is an InputError naming its path
    ("draft.requirements[3].category"). Of the review status only whether it was approved
    is read (store.py does not keep a file's approval)."""
    record = _record(data, RfpDraft, field, required=("input",))
    review = record.pop("review", None)
    inp = _record(record["input"], RfpInput, f"{field}.input", required=("project_name", "agency"))
    try:
        # The drafter's own reading of inputs: the same limits and messages as the form.
        parsed = parse_input(inp, require_budget=False).input
    except RfpInputError as exc:
        raise InputError(f"{field}.input.{exc.field}", exc.message) from None
    inp.update(project_name=parsed.project_name, agency=parsed.agency, budget_krw=parsed.budget_krw,
               period_months=parsed.period_months, summary=parsed.summary)
    _strings(inp.get("deliverables"), f"{field}.input.deliverables")
    _strings(inp.get("attachments"), f"{field}.input.attachments")
    sections = [_section(s, f"{field}.sections[{i}]") for i, s in enumerate(_list(record.get("sections"),
                                                                                  f"{field}.sections"))]
    numbers = [s.number for s in sections]
    for i, number in enumerate(numbers):
        if number in numbers[:i]:
            raise InputError(f"{field}.sections[{i}].number", f"절 번호 '{number}'가 두 번 나옵니다")
    rows = _list(record.get("requirements"), f"{field}.requirements")
    if len(rows) > MAX_REQUIREMENTS:
        raise InputError(f"{field}.requirements", f"요구사항은 {MAX_REQUIREMENTS:,}개 이내여야 합니다")
    requirements = [_requirement(r, f"{field}.requirements[{i}]") for i, r in enumerate(rows)]
    facts = record.get("rule_facts") or {}
    if not isinstance(facts, dict):
        raise InputError(f"{field}.rule_facts", "rule_facts는 항목 이름을 키로 하는 객체여야 합니다")
    rule_facts = {}
    for key, fact in facts.items():
        path = f"{field}.rule_facts.{key}"
        fact = _record(fact, RuleFact, path, required=("key", "text"))
        rule_facts[key] = RuleFact(**{**fact, "citations": _citations(fact.get("citations"), f"{path}.citations")})
    similar = [SimilarNotice(**_record(s, SimilarNotice, f"{field}.similar[{i}]",
                                       required=("notice_no", "project_name")))
               for i, s in enumerate(_list(record.get("similar"), f"{field}.similar"))]
    draft = RfpDraft(
        input=RfpInput(**inp), sections=sections, requirements=requirements, rule_facts=rule_facts, similar=similar,
        assumptions=_strings(record.get("assumptions"), f"{field}.assumptions"),
        generator=_string(record.get("generator", "extractive"), f"{field}.generator", limit=100),
        removed_citations=_strings(record.get("removed_citations"), f"{field}.removed_citations"),
    )
    if isinstance(review, dict) and isinstance(review.get("approved_by"), str) and review["approved_by"].strip():
        draft.review = ReviewStatus(approved_by=review["approved_by"], approved_at=str(review.get("approved_at")))
    return draft


def drop_dangling_related(draft: RfpDraft) -> list[str]:
    """관련 요구사항 naming no row of this draft (a file's rows may point elsewhere) are
    taken out; returns them as "SFR-001 → DAR-001"."""
    ids = {r.id for r in draft.requirements}
    dropped = []
    for requirement in draft.requirements:
        dangling = [rid for rid in requirement.related if rid not in ids or rid == requirement.id]
        dropped.extend(f"{requirement.id} → {rid}" for rid in dangling)
        requirement.related = [rid for rid in requirement.related if rid not in dangling]
    return dropped


# --- sections ----------------------------------------------------------------------------------

def find_section(draft: RfpDraft, number: str) -> Section:
    for section in draft.sections:
        if section.number == number:
            return section
    known = ", ".join(s.number for s in draft.sections)
    raise InputError("section", f"이 초안에 '{number}' 절이 없습니다 (있는 절: {known})")


def clean_paragraphs(value: Any, field: str = "paragraphs") -> list[str]:
    """An officer's paragraphs: a list of strings (or one text, a paragraph per line), blank
    ones dropped."""
    if isinstance(value, str):
        value = value.split("\n")
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise InputError(field, "문단은 문자열 목록으로 주세요")
    paragraphs = [p.strip() for p in value if p.strip()]
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise InputError(field, f"문단은 {MAX_PARAGRAPHS}개 이내여야 합니다")
    for i, p in enumerate(paragraphs):
        if len(p) > MAX_PARAGRAPH_CHARS:
            raise InputError(f"{field}[{i}]", f"문단이 너무 깁니다 ({len(p):,}자): {MAX_PARAGRAPH_CHARS:,}자 이내로 나눠 주세요")
    return paragraphs


def set_paragraphs(draft: RfpDraft, number: str, paragraphs: Any) -> Section:
    section = find_section(draft, number)
    section.paragraphs = clean_paragraphs(paragraphs)
    # The officer wrote the end of the section: it is no longer cut off.
    section.truncated = False
    return section


def paragraph_diff(before: Sequence[str], after: Sequence[str], label: str = "") -> dict[str, Any]:
    """Current paragraphs against proposed ones: per paragraph (same / removed / added, in
    reading order) and as a unified diff, a paragraph a line."""
    changes: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(None, list(before), list(after), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            changes.extend({"op": "same", "text": p} for p in before[i1:i2])
            continue
        changes.extend({"op": "removed", "text": p} for p in before[i1:i2])
        changes.extend({"op": "added", "text": p} for p in after[j1:j2])
    unified = "\n".join(difflib.unified_diff(list(before), list(after), fromfile=f"{label} 현재".strip(),
                                             tofile=f"{label} 제안".strip(), lineterm=""))
    return {"paragraphs": changes, "unified": unified,
            "added": sum(c["op"] == "added" for c in changes), "removed": sum(c["op"] == "removed" for c in changes)}


# --- requirements ------------------------------------------------------------------------------

def find_requirement(draft: RfpDraft, requirement_id: str) -> Requirement:
    for requirement in draft.requirements:
        if requirement.id == requirement_id:
            return requirement
    raise InputError("requirement_id", f"이 초안에 요구사항 '{requirement_id}'가 없습니다")


def add_requirement(draft: RfpDraft, fields: Any) -> tuple[Requirement, dict[str, str | None]]:
    """A new row at the end of its category (categories in their usual order); returns it
    and the renaming of IDs (old → new) it caused."""
    values = _requirement_fields(fields, creating=True)
    if len(draft.requirements) >= MAX_REQUIREMENTS:
        raise InputError("requirements", f"요구사항은 {MAX_REQUIREMENTS:,}개 이내여야 합니다")
    requirement = Requirement(category=values["category"], id="", name=values["name"],
                              definition=values["definition"], details=values.get("details", []),
                              outputs=values.get("outputs", []), related=values.get("related", []),
                              source=values.get("source") or "담당자 작성")
    _place(draft.requirements, requirement)
    _check_related(draft, requirement, "related")
    return requirement, renumber(draft)


def update_requirement(draft: RfpDraft, requirement_id: str, fields: Any) -> tuple[Requirement, dict[str, str | None]]:
    """Changes the given fields of one row; a new category moves it to the end of that
    category and renumbers."""
    requirement = find_requirement(draft, requirement_id)
    values = _requirement_fields(fields, creating=False)
    moved = "category" in values and values["category"] != requirement.category
    for name, value in values.items():
        setattr(requirement, name, value)
    if moved:
        draft.requirements.remove(requirement)
        _place(draft.requirements, requirement)
    _check_related(draft, requirement, "related")
    return requirement, renumber(draft)


def delete_requirement(draft: RfpDraft, requirement_id: str) -> dict[str, str | None]:
    requirement = find_requirement(draft, requirement_id)
    draft.requirements.remove(requirement)
    mapping = renumber(draft, deleted={requirement.id: requirement.name})
    return mapping


def renumber(draft: RfpDraft, deleted: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """Numbers the rows CAT-001, CAT-002 … per category in their order and rewrites the
    old IDs in 관련 요구사항 and in the sections' text; returns the IDs that changed
    (a deleted one maps to None)."""
    deleted = dict(deleted or {})
    old_ids = [r.id for r in draft.requirements]
    counts: dict[str, int] = {}
    for requirement in draft.requirements:
        counts[requirement.category] = counts.get(requirement.category, 0) + 1
        requirement.id = f"{requirement.category}-{counts[requirement.category]:03d}"
    # An old ID that stood on two rows cannot be followed: mentions of it stay as they are.
    unique_old = {old for old in old_ids if old_ids.count(old) == 1}
    renamed = {old: r.id for old, r in zip(old_ids, draft.requirements) if old in unique_old and old != r.id}
    changes: dict[str, str | None] = {**renamed, **{old: None for old in deleted}}
    if not changes:
        return {}
    for requirement in draft.requirements:
        requirement.related = [renamed.get(rid, rid) for rid in requirement.related if rid not in deleted]

    def swap(match: re.Match[str]) -> str:
        old = match.group(1)
        if old in deleted:
            return f"[삭제된 요구사항: {deleted[old]}]"
        return renamed.get(old, old)

    for section in draft.sections:
        section.paragraphs = [_ID_IN_TEXT.sub(swap, p) for p in section.paragraphs]
    return changes


def check_invariants(draft: RfpDraft) -> None:
    """What every saved draft keeps: known categories, well-formed IDs, unique and
    sequential per category, 관련 요구사항 naming rows that exist."""
    counts: dict[str, int] = {}
    for i, requirement in enumerate(draft.requirements):
        counts[requirement.category] = counts.get(requirement.category, 0) + 1
        expected = f"{requirement.category}-{counts[requirement.category]:03d}"
        if requirement.id != expected:
            raise InputError(f"requirements[{i}].id", f"고유번호가 '{expected}'이어야 하는데 '{requirement.id}'입니다")
        _check_related(draft, requirement, f"requirements[{i}].related")


def _place(requirements: list[Requirement], requirement: Requirement) -> None:
    order = list(CATEGORIES)
    rank = order.index(requirement.category)
    same = [i for i, r in enumerate(requirements) if r.category == requirement.category]
    if same:
        requirements.insert(same[-1] + 1, requirement)
        return
    later = [i for i, r in enumerate(requirements) if r.category in CATEGORIES and order.index(r.category) > rank]
    requirements.insert(later[0] if later else len(requirements), requirement)


def _requirement_fields(fields: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(fields, dict):
        raise InputError("requirement", "요구사항은 JSON 객체로 주세요 (category, name, definition, details …)")
    if "id" in fields:
        raise InputError("id", "고유번호는 분류별로 자동으로 매깁니다: id 없이 보내 주세요")
    unknown = sorted(set(fields) - set(REQUIREMENT_FIELDS))
    if unknown:
        raise InputError(unknown[0], f"알 수 없는 항목입니다 (가능: {', '.join(REQUIREMENT_FIELDS)})")
    if creating:
        for name in ("category", "name", "definition"):
            if name not in fields:
                raise InputError(name, f"새 요구사항에 {_LABELS[name]}이(가) 없습니다")
    elif not fields:
        raise InputError("requirement", "바꿀 항목이 없습니다")
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "category":
            if value not in CATEGORIES:
                raise InputError("category", f"알 수 없는 요구사항 분류입니다: {value!r} (가능: {', '.join(CATEGORIES)})")
            values[name] = value
        elif name in ("name", "definition"):
            values[name] = _string(value, name, required=True,
                                   limit=MAX_NAME_CHARS if name == "name" else MAX_TEXT_CHARS)
        elif name == "source":
            values[name] = _string(value, name, limit=MAX_NAME_CHARS)
        else:
            values[name] = [v for v in _strings(value, name, limit=MAX_TEXT_CHARS) if v.strip()]
    return values


_LABELS = {"category": "분류(category)", "name": "명칭(name)", "definition": "정의(definition)"}


def _check_related(draft: RfpDraft, requirement: Requirement, field: str) -> None:
    ids = {r.id for r in draft.requirements}
    for rid in requirement.related:
        if rid == requirement.id and rid:
            raise InputError(field, f"요구사항이 자기 자신({rid})을 관련 요구사항으로 둘 수 없습니다")
        if rid not in ids:
            raise InputError(field, f"관련 요구사항 '{rid}'가 이 초안에 없습니다")


# --- reading JSON, field by field --------------------------------------------------------------

def _record(data: Any, cls: type, field: str, required: Sequence[str] = ()) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(field, "JSON 객체여야 합니다")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known - {"review"})
    if unknown:
        raise InputError(f"{field}.{unknown[0]}", f"알 수 없는 항목입니다 (가능: {', '.join(sorted(known))})")
    for name in required:
        if name not in data:
            raise InputError(f"{field}.{name}", "필수 항목이 없습니다")
    return dict(data)


def _list(value: Any, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(field, "목록이어야 합니다")
    return value


def _string(value: Any, field: str, *, required: bool = False, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise InputError(field, "문자열이어야 합니다")
    if required and not value.strip():
        raise InputError(field, "비어 있습니다")
    if len(value) > limit:
        raise InputError(field, f"너무 깁니다 ({len(value):,}자): {limit:,}자 이내로 줄여 주세요")
    return value.strip()


def _strings(value: Any, field: str, *, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    items = _list(value, field)
    return [_string(v, f"{field}[{i}]", limit=limit) for i, v in enumerate(items)]


def _citations(value: Any, field: str) -> list[LawCitation]:
    out = []
    for i, item in enumerate(_list(value, field)):
        record = _record(item, LawCitation, f"{field}[{i}]", required=("law", "article"))
        for name in ("law", "article"):
            _string(record[name], f"{field}[{i}].{name}", required=True, limit=MAX_NAME_CHARS)
        out.append(LawCitation(**record))
    return out


def _section(data: Any, field: str) -> Section:
    record = _record(data, Section, field, required=("number", "title"))
    level = record.get("level", 1)
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 6:
        raise InputError(f"{field}.level", "수준(level)은 1에서 6 사이의 정수여야 합니다")
    truncated = record.get("truncated", False)
    if not isinstance(truncated, bool):
        raise InputError(f"{field}.truncated", "true 또는 false여야 합니다")
    return Section(number=_string(record["number"], f"{field}.number", required=True, limit=20),
                   title=_string(record["title"], f"{field}.title", required=True, limit=MAX_NAME_CHARS),
                   level=level, paragraphs=clean_paragraphs(record.get("paragraphs") or [], f"{field}.paragraphs"),
                   citations=_citations(record.get("citations"), f"{field}.citations"), truncated=truncated)


def _requirement(data: Any, field: str) -> Requirement:
    record = _record(data, Requirement, field, required=("category", "id", "name"))
    if record["category"] not in CATEGORIES:
        raise InputError(f"{field}.category", f"알 수 없는 요구사항 분류입니다: {record['category']!r} "
                                              f"(가능: {', '.join(CATEGORIES)})")
    identifier = _string(record["id"], f"{field}.id", required=True, limit=20)
    if not valid_id(identifier, record["category"]):
        raise InputError(f"{field}.id", f"고유번호 '{identifier}'는 '{record['category']}-001' 형식이어야 합니다")
    findings = [Finding(**_record(f, Finding, f"{field}.findings[{i}]", required=("rule", "message")))
                for i, f in enumerate(_list(record.get("findings"), f"{field}.findings"))]
    return Requirement(
        category=record["category"], id=identifier,
        name=_string(record["name"], f"{field}.name", required=True, limit=MAX_NAME_CHARS),
        definition=_string(record.get("definition", ""), f"{field}.definition"),
        details=_strings(record.get("details"), f"{field}.details", limit=MAX_TEXT_CHARS),
        outputs=_strings(record.get("outputs"), f"{field}.outputs", limit=MAX_TEXT_CHARS),
        related=_strings(record.get("related"), f"{field}.related", limit=20),
        source=_string(record.get("source", ""), f"{field}.source", limit=MAX_NAME_CHARS), findings=findings)
