"""How answers, passages and assistants look on the wire (JSON shapes shared by the
chat API, the OpenAI-compatible API and history)."""

from __future__ import annotations

from rag.answer.types import Answer, Passage
from rag.assistants import AssistantSpec


def assistant_view(spec: AssistantSpec, readable: bool, page: str | None = None) -> dict:
    """`page`: the address of the assistant's own page (its tools), where it has one."""
    return {"name": spec.name, "title": spec.title, "collection": spec.collection,
            "accepts_uploads": spec.accepts_uploads, "sample_questions": list(spec.sample_questions),
            "readable": readable, "page": page}


def passages_view(passages: list[Passage]) -> list[dict]:
    return [{"n": p.n, "chunk_id": p.chunk.id, "label": p.label, "source": p.chunk.source,
             "locator": p.chunk.locator, "page": p.chunk.page, "title": p.chunk.title,
             "effective_date": p.chunk.metadata.get("시행일자"), "version": p.chunk.version,
             "score": round(p.chunk.score, 4), "text": p.chunk.text}
            for p in passages]


def answer_view(answer: Answer) -> dict:
    return {"question": answer.question, "text": answer.text, "mode": answer.mode, "abstained": answer.abstained,
            "notice": answer.notice, "llm": answer.llm,
            "citations": [{"n": c.n, "chunk_id": c.chunk_id, "label": c.label, "source": c.source,
                           "locator": c.locator, "page": c.page} for c in answer.citations],
            "removed": answer.removed, "passages": passages_view(answer.passages),
            "appendices": answer.appendices, "basis": answer.basis, "timings_ms": answer.timings_ms}
