"""A model writes the prose sections (배경, 현황, 목표 시스템, 기대효과) through the core's
grounded generation: its passages are the officer's inputs (사업 개요, 현황 및 문제점) and
the sections written before, so every sentence it keeps is backed by what the officer gave;
a sentence that is not is removed by `citations.verify_answer`, as in chat answers.

A section is `truncated` when the model stopped at its token limit (the output reached
`max_tokens`, or its last sentence is unfinished). When nothing it wrote is verified, or the
model fails, the extractive text stays (None); `last_output` keeps what it wrote, so the
articles it named are checked all the same."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from rag.errors import LLMError
from rag.llm.base import LLM, GenerationParams
from rag.retrieval.results import RetrievedChunk

from .drafting import DraftContext, SectionWriter

if TYPE_CHECKING:
    from rag.retrieval.korean import KoreanAnalyzer

log = logging.getLogger(__name__)

MAX_TOKENS = 400
_FINISHED = re.compile(r"(다|요|음|함|됨|\.|\)|\])\s*$")


class GroundedSectionWriter(SectionWriter):
    def __init__(self, llm: LLM, analyzer: "KoreanAnalyzer", role: str, max_tokens: int = MAX_TOKENS) -> None:
        self._llm, self._analyzer, self._role, self._max_tokens = llm, analyzer, role, max_tokens
        self.name = llm.name

    def write(self, number: str, title: str, ctx: DraftContext, extractive: list[str]) -> tuple[list[str], bool] | None:
        from rag.answer.grounded import generate_grounded
        from rag.answer.types import Passage

        passages = [Passage(i, chunk) for i, chunk in enumerate(_input_chunks(ctx), start=1)]
        task = (f"제안요청서 '{ctx.input.project_name}'의 '{number} {title}' 절을 3~5문장으로 써 주세요. "
                f"발주기관: {ctx.input.agency}. 앞서 쓴 절: {', '.join(s.number + ' ' + s.title for s in ctx.done)}. "
                "문서에 없는 수치·기관·법령은 쓰지 말고, 모르는 값은 [확인 필요: 항목]으로 남기세요.")
        try:
            result = generate_grounded(self._llm, self._analyzer, passages, task, role=self._role,
                                       params=GenerationParams(max_tokens=self._max_tokens))
        except LLMError as exc:
            log.warning("%s 절을 모델로 쓰지 못해 발췌 문안을 씁니다: %s", number, exc)
            return None
        self.last_output = result.generated
        if not result.text.strip():
            return None
        paragraphs = [p.strip() for p in result.text.split("\n") if p.strip()]
        return paragraphs, truncated(result.generated, self._llm, self._max_tokens)


def truncated(generated: str, llm: LLM, max_tokens: int) -> bool:
    """Cut off by the token limit: as long as allowed, or ending mid-sentence."""
    text = generated.strip()
    if not text:
        return False
    try:
        at_limit = llm.count_tokens(text) >= max_tokens - 1
    except Exception:  # noqa: BLE001 - a backend without a tokenizer: judge by the ending alone
        at_limit = False
    return at_limit or not _FINISHED.search(text)


def _input_chunks(ctx: DraftContext) -> list[RetrievedChunk]:
    inp = ctx.input
    chunks = [RetrievedChunk(id="input:summary", score=1.0, source="입력/사업 개요", title=inp.project_name,
                             locator="사업 개요", text=inp.summary)]
    if inp.current_issues:
        chunks.append(RetrievedChunk(id="input:issues", score=1.0, source="입력/현황 및 문제점", title=inp.project_name,
                                     locator="현황 및 문제점", text=inp.current_issues))
    return chunks
