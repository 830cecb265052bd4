"""The harness's scorer of RFP cases (`rfp_cases.jsonl`, `assistant: "rfp"`): the case's
inputs are drafted (extractive, or by the run's model when it generates) and the draft is
compared with what the case says a correct RFP states:

- rule_facts: each non-null value of the case's `rule_facts` against the draft's;
- required content: each `required_rfp_content` item is stated with a citation to (one of)
  its `basis` articles (a section paragraph citing that law and article);
- structure: every section of the outline present and non-empty;
- requirement IDs: well-formed (CAT-NNN), unique, in a known category;
- specificity: a requirement's definition or details (the system name stamped on every
  block and the [확인 필요] slots taken out) name a content word of the 사업명 or 사업 개요
  that is not generic — the scorer's own measure and word list (specificity.py);
- invented citations: cited articles that are not in the index (must be 0);
- the drafting time;
- with a judge (`eval run --judge`): the judge model's rubric score of the draft
  (judged.py: specific, complete, measurable, cited), `rfp.judged_quality`.

`METRICS` are this assistant's lines of metrics.json (`rfp.*`, `latency_ms.draft_p50/p95`);
`citation.invented` is the table's own, which reads these records too."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.case_metrics import MS, Bar, CaseMetric, Row, nearest_rank, ratio, total
from eval.case_metrics import COUNT as COUNT_UNIT

from .checker import valid_id
from .draft import RfpDraft
from .drafting import OUTLINE, invented_citations
from .inputs import RfpInputError
from .service import draft_from_data
from .specificity import specific_flags
from .statutes import SHORT_NAMES

if TYPE_CHECKING:
    from appcontext import AppContext
    from eval.suites import GenerationCase

ASSISTANT = Path(__file__).parent.name
TASK = "제안요청서 초안"
_ARTICLE = re.compile(r"제\d+조(?:의\d+)?")


def score(ctx: "AppContext", case: "GenerationCase") -> dict[str, Any]:
    inputs = case.inputs
    base: dict[str, Any] = {"question": f"{TASK}: {inputs.get('project_name', '')}"}
    roots = [case.corpus] if case.corpus is not None else None
    generating = ctx.settings.llm.mode != "extractive"
    try:
        started = time.perf_counter()
        draft = draft_from_data(ctx, inputs, llm=generating, corpus_roots=roots)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
    except RfpInputError as exc:
        return {**base, "error": exc.message, "failure": f"입력 오류: {exc}", "failure_kinds": ["error"]}
    record = evaluate(draft, inputs)
    if case.judge is not None:
        from .judged import judge_draft

        record["rfp_judge"] = judge_draft(case.judge, draft, case.judge_lock)
    wrong = [k for k, right in record["rfp"]["rule_facts"].items() if not right]
    missing = [item for item, right in record["rfp"]["content"].items() if not right]
    failure = "; ".join([*(f"규칙 불일치: {k}" for k in wrong), *(f"근거 인용 없음: {m}" for m in missing)]) or None
    return {**base, **record, "draft_ms": elapsed, "llm": draft.generator,
            "answer": f"절 {len(draft.sections)}개, 요구사항 {len(draft.requirements)}건, 규칙 {len(draft.rule_facts)}건",
            "removed_citations": draft.removed_citations, "similar": [s.notice_no or s.project_name for s in draft.similar],
            "failure": failure, "failure_kinds": ["rfp"] if failure else []}



def evaluate(draft: RfpDraft, case: dict[str, Any]) -> dict[str, Any]:
    """Per-check results of one draft against one case (the fields METRICS read)."""
    facts = {key: _same(draft.rule_facts[key].value if key in draft.rule_facts else _MISSING, want)
             for key, want in (case.get("rule_facts") or {}).items() if not key.endswith("_note") and want is not None}
    cited = {(c.law, c.article) for s in draft.sections for c in s.citations}
    content = {item.get("item", ""): _basis_cited(str(item.get("basis", "")), cited)
               for item in case.get("required_rfp_content") or [] if isinstance(item, dict)}
    numbers = {s.number: bool(s.paragraphs and any(p.strip() for p in s.paragraphs)) for s in draft.sections}
    structure = {number: numbers.get(number, False) for number, _, _ in OUTLINE}
    ids = [r.id for r in draft.requirements]
    id_valid = [valid_id(r.id, r.category) and ids.count(r.id) == 1 for r in draft.requirements]
    specific = specific_flags(draft.requirements, draft.input.project_name, draft.input.summary)
    return {"rfp": {"rule_facts": facts, "content": content, "structure": structure,
                    "id_valid": [sum(id_valid), len(id_valid)], "specific": [sum(specific), len(specific)]},
            "invented_citations": invented_citations(draft)}


_MISSING = object()


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or want is None:
        return got is want
    if isinstance(want, int | float):
        return not isinstance(got, bool) and isinstance(got, int | float) and got == want
    if isinstance(want, str) and isinstance(got, str):
        squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
        return squash(got) == squash(want)
    return got == want


def _basis_cited(basis: str, cited: set[tuple[str, str]]) -> bool:
    """`basis` ("소프트웨어 진흥법 제44조제2항", "국가계약법 시행령 제43조제2항 / 지방계약법 …"):
    any of its alternatives cited by law and article."""
    for alternative in basis.split("/"):
        for part in re.split(r"[·,]\s*(?=[가-힣 ]+제\d)", alternative.strip()):
            law, article = _law_article(part)
            if law and article and (law, article) in cited:
                return True
    return False


def _law_article(text: str) -> tuple[str | None, str | None]:
    match = _ARTICLE.search(text)
    if not match:
        return None, None
    law = text[:match.start()].strip()
    for short, full in SHORT_NAMES.items():
        if law.startswith(short):
            law = full + law[len(short):]
    return law, match.group(0)


# --- the metrics -----------------------------------------------------------------------------

def _scored(record: dict) -> bool:
    return isinstance(record.get("rfp"), dict)


def _share(part: str) -> Callable[[dict], Row]:
    def row(record: dict) -> Row:
        if not _scored(record):
            return (0.0, 0.0)
        values = record["rfp"].get(part) or {}
        if isinstance(values, list):
            return (float(values[0]), float(values[1]))
        return (float(sum(bool(v) for v in values.values())), float(len(values)))
    return row


def _judged_quality(record: dict) -> Row:
    quality = (record.get("rfp_judge") or {}).get("quality")
    return (float(quality), 1.0) if isinstance(quality, int | float) else (0.0, 0.0)


def _any_judged(records) -> bool:
    # Only a judged run has the metric (as for the answers' judge scores).
    return any(r.get("assistant") == ASSISTANT and isinstance(r.get("rfp_judge"), dict) for r in records)


def _draft_ms(record: dict) -> Row:
    value = record.get("draft_ms")
    return (float(value) if isinstance(value, int | float) else math.nan,)


def _any_case(records) -> bool:
    # A case this scorer drafted (or failed to): a bare record of the assistant is not one.
    return any(r.get("assistant") == ASSISTANT and ("rfp" in r or "error" in r) for r in records)


def _metric(key: str, label: str, row: Callable[[dict], Row], **more: Any) -> CaseMetric:
    return CaseMetric(key, more.pop("direction", "higher"), more.pop("title", "제안요청서 초안"), _scored, row,
                      more.pop("reduce", ratio), label=label, when=_any_case, cases="generation", **more)


METRICS: tuple[CaseMetric, ...] = (
    _metric("rfp.rule_facts_accuracy", "규칙 사실 정확도", _share("rule_facts"), bar=Bar("answers", "RFP 규칙 사실"),
            why_empty="채점한 제안요청서 사례가 없습니다"),
    _metric("rfp.required_content_coverage", "필수 기재사항(근거 인용)", _share("content")),
    _metric("rfp.structure_completeness", "목차 완결성", _share("structure")),
    _metric("rfp.requirement_id_valid", "요구사항 고유번호", _share("id_valid")),
    _metric("rfp.requirement_specificity", "요구사항 구체성", _share("specific")),
    CaseMetric("rfp.judged_quality", "higher", "제안요청서 초안 판정 품질", lambda r: _judged_quality(r)[1] > 0,
               _judged_quality, ratio, label="평균 (0–1)", when=_any_judged, cases="generation",
               why_empty="판정 점수를 얻은 제안요청서 사례가 없습니다"),
    # The bound: an extractive draft within 5 s.
    *(_metric(f"latency_ms.draft_p{q}", f"p{q}", _draft_ms, title="제안요청서 초안 작성 시간", direction="lower",
              reduce=nearest_rank(q), unit=MS, empty=0.0) for q in (50, 95)),
    _metric("rfp.n", "", lambda r: (float(_scored(r)),), title="채점한 제안요청서 사례 수", direction="neutral",
            reduce=total, unit=COUNT_UNIT, detail=True),
)
