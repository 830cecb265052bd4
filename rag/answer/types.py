"""What an answer is made of, shared by the answering service, the CLI, the API and the
evaluation harness."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rag.retrieval.results import RetrievedChunk

AnswerMode = Literal["extractive", "generated", "abstained"]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk as shown to the model and the reader: numbered from 1."""

    n: int
    chunk: RetrievedChunk
    #: What the model is shown when the whole chunk would not fit its prompt budget
    #: (see ``rag.answer.excerpts``); None means the whole text.
    excerpt: str | None = None

    @property
    def label(self) -> str:
        return self.chunk.citation

    @property
    def prompt_text(self) -> str:
        return self.excerpt if self.excerpt is not None else self.chunk.text

    @property
    def prompt_label(self) -> str:
        """The label the model is shown: the document title alone when the text shown
        starts with a heading naming the section. An FAQ's question heading ("Q 건강검진
        때보다 …?") is the locator too, and five passages paid for it twice: 209 label
        tokens against 60 for statutes, two seconds of prompt on 2 cores. An article's
        label stays whole, because the model cites it ("영유아보육법 제14조")."""
        chunk = self.chunk
        # The "title › locator" form of RetrievedChunk.citation: no article, no page.
        if chunk.locator and not chunk.is_article and chunk.page is None:
            first = self.prompt_text.lstrip().split("\n", 1)[0]
            if first.startswith("#") and chunk.locator in first:
                return chunk.title
        return self.label


@dataclass(frozen=True)
class Citation:
    """A ``[n]`` marker that survived verification, resolved to its passage."""

    n: int
    chunk_id: str
    source: str
    locator: str
    label: str
    page: int | None = None


@dataclass(frozen=True)
class SentenceCheck:
    """The verdict on one sentence of an answer.

    ``supported`` is True when every cited passage that the sentence relies on
    contains its content words and every number/date/amount it states; ``reason``
    explains a False in Korean (shown to reviewers, kept in the eval JSONL)."""

    text: str
    cited: tuple[int, ...]
    supported: bool
    needs_citation: bool = True
    reason: str = ""
    #: Markers that pointed at nothing retrieved (never shown as citations).
    invalid: tuple[int, ...] = ()


@dataclass
class Answer:
    question: str
    text: str
    mode: AnswerMode
    citations: list[Citation] = field(default_factory=list)
    checks: list[SentenceCheck] = field(default_factory=list)
    #: Sentences taken out because nothing retrieved supports them.
    removed: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    abstained: bool = False
    #: Why the answer abstained or fell back (Korean, for the reader).
    notice: str = ""
    #: Markers that pointed at no retrieved passage (should stay 0).
    invented_citations: int = 0
    llm: str = ""
    #: The model's raw output before verification (kept for reviewers and the harness).
    generated: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: Appendices (별표) the cited articles refer to that the index does not hold:
    #: {law, label, title, link, article} each (rag/answer/appendices.py).
    appendices: list[dict[str, str]] = field(default_factory=list)
    #: The 근거 block of a work-manual answer (answer_shape: manual), one line per cited
    #: passage with its 시행일자 or page: {n, label, effective_date, page, line}
    #: (rag/answer/basis.py). Kept apart from `text`, which holds only verified sentences.
    basis: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passages"] = [
            {"n": p.n, "id": p.chunk.id, "source": p.chunk.source, "locator": p.chunk.locator,
             "label": p.label, "score": p.chunk.score, "text": p.chunk.text}
            for p in self.passages
        ]
        return data


EventType = Literal["passages", "extractive", "queued", "token", "verified", "final", "error"]


@dataclass(frozen=True)
class AnswerEvent:
    """One step of a streamed answer: ``passages`` (what was retrieved), ``extractive``
    (the quoted answer, at once), ``queued`` (waiting for the model; ``position`` in line),
    ``token`` pieces of the generated answer (unverified), each time they finish a
    sentence ``verified`` (the answer those first ``checked`` characters make once checked
    like the final one: what the reader may see so far), then ``final`` with the verified
    answer (the authority: it may still differ from the last ``verified``), or ``error``."""

    type: EventType
    text: str = ""
    answer: Answer | None = None
    position: int = 0
    #: On ``verified``: how many characters of the generated text have been checked.
    checked: int = 0
