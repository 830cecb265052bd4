"""Text generated from numbered passages for a task that is not a chat question (a
counselling summary written for one participant, a section of an RFP), held to the chat's
promise: every sentence that carries a claim is backed by a passage it cites, or it is not
shown (``citations.verify_answer``, the same check as chat answers).

``stream_grounded`` yields the model's pieces (unverified), each time they finish a
sentence the text so far as it would be shown once checked (``verified``), then the
checked result (``final``); ``generate_grounded`` returns that result alone. A model
error is raised (``rag.errors.LLMError``): the caller decides what to show instead.

What may go into the prompt is the caller's to decide; ``personal_data_allowed`` says
whether a person's own data (their measurements) may go to the configured model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

from rag.llm.base import LLM, ChatMessage, GenerationParams

from . import prompts
from .citations import verify_answer
from .drafts import finished_length
from .types import Citation, Passage, SentenceCheck

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.retrieval.korean import KoreanAnalyzer

#: Models that run on this machine: a person's data given to them does not leave it.
LOCAL_MODES = frozenset({"embedded", "llamacpp", "vllm-local"})

NOTHING_VERIFIED = "생성된 글을 문서로 확인할 수 없어 보여 드리지 않습니다."
NOT_FOUND_NOTICE = "언어 모델이 문서에서 쓸 내용을 찾지 못했습니다."


def personal_data_allowed(settings: "Settings") -> bool:
    """Whether a person's own data (names aside: those never go) may be put in a prompt:
    only for a model on this machine, or where the settings allow sending personal data to
    an external one (answer.send_pii_to_external_llm), as the chat decides for questions.
    The test double counts as external, so tests see what a remote model would get."""
    return settings.llm.mode in LOCAL_MODES or settings.answer.send_pii_to_external_llm


@dataclass
class Grounded:
    """The checked text: ``text`` holds only verified sentences (empty when none carried a
    backed claim, with ``notice`` saying why); ``removed`` the sentences taken out;
    ``generated`` the model's raw output, for reviewers."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    checks: list[SentenceCheck] = field(default_factory=list)
    invented_citations: int = 0
    generated: str = ""
    llm: str = ""
    notice: str = ""

    def to_dict(self) -> dict:
        return {"text": self.text, "citations": [asdict(c) for c in self.citations], "removed": list(self.removed),
                "notice": self.notice, "llm": self.llm}


@dataclass(frozen=True)
class GroundedEvent:
    """``token``: a piece of the model's text (unverified); ``verified``: what the first
    ``checked`` characters show once checked; ``final``: the checked result."""

    type: Literal["token", "verified", "final"]
    text: str = ""
    result: Grounded | None = None
    checked: int = 0


def grounded_messages(task: str, passages: Sequence[Passage], *, role: str,
                      layout: Sequence[str] = ()) -> list[ChatMessage]:
    """The system prompt (grounding rules, then `layout`), the numbered passages and the task."""
    user = f"{prompts.documents_block(passages)}\n\n[요청]\n{task.strip()}"
    return [ChatMessage("system", prompts.task_system_prompt(role, layout)), ChatMessage("user", user)]


def verify_grounded(generated: str, passages: Sequence[Passage], analyzer: "KoreanAnalyzer",
                    llm_name: str = "") -> Grounded:
    """The generated text checked against `passages` (those whose [n] it may cite)."""
    if prompts.NOT_FOUND.rstrip(".") in generated:
        return Grounded("", generated=generated, llm=llm_name, notice=NOT_FOUND_NOTICE)
    checked = verify_answer(generated, passages, analyzer)
    result = Grounded(checked.text, list(checked.citations), list(checked.removed), list(checked.checks),
                      checked.invalid_markers, generated, llm_name)
    if not any(c.supported and c.needs_citation for c in checked.checks):
        # Connectives and courtesy lines alone say nothing the reader can use.
        result.text, result.citations, result.notice = "", [], NOTHING_VERIFIED
    elif checked.removed:
        result.notice = f"문서로 확인되지 않은 문장 {len(checked.removed)}개를 뺐습니다."
    return result


def stream_grounded(llm: LLM, analyzer: "KoreanAnalyzer", passages: Sequence[Passage], task: str, *,
                    role: str, layout: Sequence[str] = (),
                    params: GenerationParams | None = None) -> Iterator[GroundedEvent]:
    """The model's text as it comes, checked sentence by sentence, then the final check."""
    messages = grounded_messages(task, passages, role=role, layout=layout)
    generated, checked = "", 0
    for piece in llm.stream(messages, params or GenerationParams()):
        generated += piece
        yield GroundedEvent("token", text=piece)
        finished = finished_length(generated)
        if finished > checked:
            checked = finished
            yield GroundedEvent("verified", result=verify_grounded(generated[:finished], passages, analyzer, llm.name),
                                checked=finished)
    yield GroundedEvent("final", result=verify_grounded(generated, passages, analyzer, llm.name))


def generate_grounded(llm: LLM, analyzer: "KoreanAnalyzer", passages: Sequence[Passage], task: str, *,
                      role: str, layout: Sequence[str] = (), params: GenerationParams | None = None) -> Grounded:
    """The checked result at once (the model's text is still read as a stream)."""
    messages = grounded_messages(task, passages, role=role, layout=layout)
    generated = "".join(llm.stream(messages, params or GenerationParams()))
    return verify_grounded(generated, passages, analyzer, llm.name)
