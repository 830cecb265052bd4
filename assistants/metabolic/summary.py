"""A short personal summary of a participant's counselling in plain Korean, written by the
configured language model from the counselling passages and checked like a chat answer
(rag/answer/grounded.py: a sentence no passage backs is removed). It is a draft for the
counsellor: `status` says it is AI-generated and not yet reviewed.

Privacy: the prompt says which group the participant is in, which risk factors are
present and the survey's lifestyle answers as categories (counselling.survey_categories).
It never carries a name, an id, a 주민등록번호 or a phone number, and carries measured
values only where the settings allow a person's data to reach the model
(grounded.personal_data_allowed: a model on this machine, or answer.send_pii_to_external_llm).
A summary has no use for them anyway: a sentence stating the participant's own number is
backed by no passage and would be removed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Protocol

from rag.answer.grounded import Grounded, GroundedEvent, personal_data_allowed, stream_grounded
from rag.answer.service import EMBEDDED_PROMPT_TOKENS
from rag.answer.types import Passage
from rag.errors import LLMError
from rag.llm.base import LLM, GenerationParams

from .counselling import (FACTOR_TITLES, GuidePassage, NumberedSections, counselling_view, first_sentences,
                          survey_categories)
from .criteria import MEASURE_LABELS

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.retrieval.korean import KoreanAnalyzer

STATUS = "AI 생성 초안 · 검토 전"
#: The audit log's action for a summary: who asked, never about whom.
SUMMARY_AUDIT_ACTION = "metabolic_summary"
NO_LLM = "언어 모델이 설정되지 않아 요약을 만들지 않았습니다: 아래 상담 내용(문서 발췌)을 보세요."
NO_PASSAGES = "색인된 사업 안내서·상담가이드북에서 이 참여자의 상담 내용을 찾지 못해 요약하지 않았습니다."
#: How the summary is laid out (rules 6– after the grounding rules).
LAYOUT = (
    "참여자에게 건넬 생활습관 안내를 쉬운 말로 3~5문장 쓰십시오. 전문 용어는 풀어 쓰십시오.",
    "[참여자]는 문서가 아닙니다. 참여자에게 맞는 내용을 [문서]에서 골라 쓰고, 진단하거나 검사 수치를 말하지 마십시오.",
    "이름, 연락처 같은 개인정보는 쓰지 마십시오.",
)
#: The least of a passage a budgeted prompt shows (about one sentence).
_MIN_SHARE = 80
_HABITS = {"smoking": "흡연", "alcohol": "음주", "physical_activity": "신체활동", "diet": "식습관"}


def participant_lines(result: Mapping, survey: Mapping | None, with_values: bool) -> list[str]:
    """What the prompt says about the participant: the group, the risk factors present,
    the survey's categories, and only `with_values` the measured values of those factors."""
    present = [f for f, v in result.get("risk_factors", {}).items() if v is True]
    lines = [f"- 군: {result.get('group') or '판정 불가'}",
             "- 해당하는 위험요인: " + (", ".join(FACTOR_TITLES[f] for f in present) or "없음")]
    if with_values:
        measured = [f"{MEASURE_LABELS[b['measure']]} {b['value']}{' ' + b['unit'] if b.get('unit') else ''} "
                    f"(기준 {b['threshold']})"
                    for b in result.get("basis", ()) if b.get("rule") in present and b.get("result") is True
                    and b.get("measure")]
        if measured:
            lines.append("- 측정값: " + "; ".join(measured))
    lines.extend(f"- {_HABITS[k]}: {v}" for k, v in survey_categories(survey).items())
    return lines


def summary_task(result: Mapping, survey: Mapping | None, with_values: bool) -> str:
    return ("[참여자]\n" + "\n".join(participant_lines(result, survey, with_values)) +
            "\n\n이 참여자에게 맞는 생활습관 상담 내용을 [문서]에서 골라 요약해 주십시오.")


def prompt_passages(sections: NumberedSections, shown: int, budget: int | None = None) -> list[Passage]:
    """Every counselling passage under its number; the first `shown` of them, taken a
    section's best first in turn, are given to the model, the others only to verification
    (an empty excerpt keeps a passage out of the prompt, as the chat does). With a
    `budget` (characters, about tokens in Korean) each shown passage is cut to its first
    whole sentences, an equal share each."""
    by_n: dict[int, GuidePassage] = {}
    order: list[int] = []
    depth = max((len(p) for _, p in sections), default=0)
    for rank in range(depth):  # round-robin: each section's first passage, then the seconds …
        for _, passages in sections:
            if rank < len(passages):
                n, found = passages[rank]
                if n not in by_n:
                    by_n[n] = found
                    order.append(n)
    chosen = order[:shown]
    share = max(_MIN_SHARE, budget // len(chosen)) if budget and chosen else None

    def shown_text(n: int) -> str:
        if n not in chosen:
            return ""
        return first_sentences(by_n[n].text, share) if share else by_n[n].text

    return [Passage(n, by_n[n].chunk, excerpt=shown_text(n)) for n in sorted(by_n)]


def prompt_budget(settings: "Settings") -> int | None:
    """The chat's passage budget: llm.prompt_tokens, else 260 for the CPU models (on 2
    cores every prompt token delays the first word), else none."""
    if settings.llm.prompt_tokens is not None:
        return settings.llm.prompt_tokens
    return EMBEDDED_PROMPT_TOKENS if settings.llm.mode in ("embedded", "llamacpp") else None


def summary_view(grounded: Grounded) -> dict:
    """The result's `counselling_summary`."""
    citations = [{k: v for k, v in asdict(c).items()} for c in grounded.citations]
    return {"text": grounded.text, "citations": citations, "removed": list(grounded.removed), "status": STATUS,
            "notice": grounded.notice, "llm": grounded.llm}


def stream_summary(llm: LLM, analyzer: "KoreanAnalyzer", settings: "Settings", role: str,
                   sections: NumberedSections, result: Mapping,
                   survey: Mapping | None) -> Iterator[GroundedEvent]:
    """The summary as the model writes it, checked sentence by sentence, then final."""
    shown = settings.llm.prompt_passages or settings.answer.max_passages
    passages = prompt_passages(sections, shown, prompt_budget(settings))
    task = summary_task(result, survey, personal_data_allowed(settings))
    params = GenerationParams(max_tokens=settings.llm.max_tokens, temperature=settings.llm.temperature)
    yield from stream_grounded(llm, analyzer, passages, task, role=role, layout=LAYOUT, params=params)


def summarise(llm: LLM, analyzer: "KoreanAnalyzer", settings: "Settings", role: str,
              sections: NumberedSections, result: Mapping,
              survey: Mapping | None) -> dict | None:
    """The `counselling_summary` at once; None when there is nothing to summarise."""
    if not any(passages for _, passages in sections):
        return None
    final = None
    try:
        for event in stream_summary(llm, analyzer, settings, role, sections, result, survey):
            if event.type == "final":
                final = event.result
    except LLMError as exc:
        return {"text": "", "citations": [], "removed": [], "status": STATUS,
                "notice": f"언어 모델 오류로 요약을 만들지 못했습니다: {exc}", "llm": llm.name}
    assert final is not None
    return summary_view(final)


class ModelTurns(Protocol):
    """One model, one answer at a time (api.services.generation_queue.GenerationQueue)."""

    def wait_turn(self) -> Iterator[int]: ...

    def release(self) -> None: ...


def summary_events(llm: LLM | None, analyzer: "KoreanAnalyzer", settings: "Settings", role: str,
                   sections: NumberedSections, result: Mapping, survey: Mapping | None,
                   turns: ModelTurns | None = None) -> Iterator[tuple[str, dict]]:
    """The summary endpoint's events, as (name, data): `counselling` (the numbered passages
    the summary cites, at once), `queued` (waiting for the model), `token` (unverified
    text), `verified` (the summary so far, checked), then `final` ({"summary": … or None,
    "notice"}) or `error`."""
    yield "counselling", {"id": result.get("id"), "counselling": counselling_view(sections)}
    if llm is None:
        yield "final", {"summary": None, "notice": NO_LLM}
        return
    if not any(passages for _, passages in sections):
        yield "final", {"summary": None, "notice": NO_PASSAGES}
        return
    holding = False
    try:
        if turns is not None:
            for position in turns.wait_turn():
                yield "queued", {"position": position}
            holding = True
        for event in stream_summary(llm, analyzer, settings, role, sections, result, survey):
            if event.type == "token":
                yield "token", {"text": event.text}
            elif event.type == "verified":
                yield "verified", {"summary": summary_view(event.result), "checked": event.checked}
            else:
                yield "final", {"summary": summary_view(event.result), "notice": event.result.notice}
    except LLMError as exc:
        yield "error", {"message": f"언어 모델 오류로 요약을 만들지 못했습니다: {exc}"}
    finally:
        if holding and turns is not None:
            turns.release()
