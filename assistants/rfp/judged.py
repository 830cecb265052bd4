"""A judged quality score of one RFP draft (`eval run --judge`): the run's judge model reads
the draft and scores it against a rubric of four criteria, each 0, 0.5 or 1:

- specific: names this project's system, users, data and integrations (not boilerplate);
- complete: every part of a public SW RFP present with real content;
- measurable: requirements that can be verified (numbers and units, or marked slots);
- cited: legal statements carry the article they rest on.

The score is their mean; the reasons are kept in the record. A judge that fails or a reply
that cannot be read leaves the score None with the reason (the case is still scored on
everything else). The judge model is the harness's (eval.judging): the embedded one, a
server, or the fake in tests."""

from __future__ import annotations

import logging
import threading
from contextlib import nullcontext
from typing import Any

from eval.judge import extract_json
from rag.errors import LLMError, SeoulAssistError
from rag.llm.base import ChatMessage, GenerationParams, complete

from .draft import CATEGORIES, RfpDraft

log = logging.getLogger(__name__)

#: The rubric: key → what the judge checks.
RUBRIC: dict[str, str] = {
    "specific": "사업 특정성: 이 사업의 시스템·사용자·데이터·연계 대상을 구체적으로 다루는가 (어느 사업에나 쓸 상투 문구만이면 0)",
    "complete": "목차 완결성: 사업 안내, 현황, 추진 방안, 요구사항, 작성 요령, 평가 방법, 제안 안내 사항이 실제 내용을 갖추었는가",
    "measurable": "요구사항 측정 가능성: 요구사항이 수치·단위나 채울 자리([확인 필요])로 검증할 수 있게 쓰였는가",
    "cited": "법적 진술의 근거: 계약 방법·하도급·하자담보 등 법적 진술마다 근거 조문이 인용되었는가",
}
SYSTEM = ("당신은 공공 소프트웨어 사업의 제안요청서(RFP) 초안을 심사하는 조달 전문가입니다. 초안을 읽고 기준마다 "
          "0(미흡), 0.5(부분 충족), 1(충족) 가운데 하나로 점수를 매기고 이유를 한 문장으로 쓰세요. "
          "JSON으로만 답하세요.\n\n기준:\n" + "\n".join(f"- {key}: {text}" for key, text in RUBRIC.items()))
USER = "사업명: {name}\n발주기관: {agency}\n사업 개요:\n{summary}\n\n[초안]\n{draft}\n[초안 끝]"
SCHEMA: dict[str, Any] = {
    "type": "object", "required": list(RUBRIC),
    "properties": {key: {"type": "object", "required": ["score", "reason"],
                         "properties": {"score": {"type": "number", "enum": [0, 0.5, 1]},
                                        "reason": {"type": "string"}}} for key in RUBRIC},
}
MAX_TOKENS = 400
_MARGIN_TOKENS = 64
_CUT = "…(이하 생략)"


def judge_draft(judge: Any, draft: RfpDraft, lock: threading.Lock | None = None) -> dict[str, Any]:
    """The record's `rfp_judge` block: {"quality": mean or None, "criteria": {key: score},
    "reasons": {key: reason}} (plus "raw" when the reply could not be read). Never raises."""
    llm = getattr(judge, "llm", None)
    if llm is None:
        return _unscored("판정 모델이 없어 초안 품질을 판정하지 않았습니다")
    header = USER.format(name=draft.input.project_name, agency=draft.input.agency, summary=draft.input.summary,
                         draft="")
    budget = llm.context_window - MAX_TOKENS - _MARGIN_TOKENS - llm.count_tokens(SYSTEM) - llm.count_tokens(header)
    text = fit(llm, draft_text(draft), budget)
    user = USER.format(name=draft.input.project_name, agency=draft.input.agency, summary=draft.input.summary,
                       draft=text)
    params = GenerationParams(max_tokens=MAX_TOKENS, temperature=0.0, json_schema=SCHEMA)
    try:
        with lock or nullcontext():
            raw = complete(llm, [ChatMessage("system", SYSTEM), ChatMessage("user", user)], params)
    except (LLMError, SeoulAssistError) as exc:
        log.warning("초안 품질 판정 실패: %s", exc)
        return _unscored(f"판정 모델 오류: {exc}")
    return parse(raw)


def parse(raw: str) -> dict[str, Any]:
    data = extract_json(raw)
    criteria: dict[str, float] = {}
    reasons: dict[str, str] = {}
    for key in RUBRIC:
        item = data.get(key) if isinstance(data, dict) else None
        score = item.get("score") if isinstance(item, dict) else None
        if isinstance(score, bool) or not isinstance(score, int | float) or score not in (0, 0.5, 1):
            block = _unscored(f"판정 응답에서 '{key}' 점수(0, 0.5, 1)를 읽지 못했습니다")
            block["raw"] = raw
            return block
        criteria[key] = float(score)
        reasons[key] = str(item.get("reason", ""))
    return {"quality": round(sum(criteria.values()) / len(criteria), 4), "criteria": criteria, "reasons": reasons}


def draft_text(draft: RfpDraft) -> str:
    """The draft as the judge reads it: each section with its paragraphs, then each
    requirement block (ID, 분류, 명칭, 정의, 세부내용, 출처)."""
    lines: list[str] = []
    for section in draft.sections:
        lines.append(f"## {section.number} {section.title}")
        lines.extend(section.paragraphs)
        if section.citations:
            lines.append("인용: " + "; ".join(f"[{i}] {c.label}" for i, c in enumerate(section.citations, start=1)))
    lines.append("## 요구사항 블록")
    for r in draft.requirements:
        lines.append(f"{r.id} ({CATEGORIES.get(r.category, r.category)}) {r.name}: {r.definition} "
                     f"세부내용: {'; '.join(r.details)} 출처: {r.source}")
    return "\n".join(lines)


def fit(llm: Any, text: str, budget_tokens: int) -> str:
    """`text` cut at a line to fit `budget_tokens` of the judge's window."""
    if llm.count_tokens(text) <= budget_tokens:
        return text
    kept: list[str] = []
    used = llm.count_tokens(_CUT)
    for line in text.splitlines():
        cost = llm.count_tokens(line) + 1
        if used + cost > budget_tokens:
            break
        kept.append(line)
        used += cost
    return "\n".join([*kept, _CUT])


def _unscored(reason: str) -> dict[str, Any]:
    return {"quality": None, "criteria": {}, "reasons": {"quality": reason}}
