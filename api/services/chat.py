"""Chat with an assistant: the answer service under the user's access scope, a turn on
the language model, the conversation saved with its sources, the question (and any
feedback on the answer) audited. `start` checks a question and opens its turn before
anything streams; `stream(turn)` answers it.

Who may use it: any signed-in user, on the assistants whose collection they may read;
the retriever enforces the collection and document groups (rag.access)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from api.errors import InputError, NotFound
from api.services.accounts import Principal
from api.services.audit import AuditLog
from api.services.follow_up import with_follow_up
from api.services.generation_queue import GenerationQueue
from api.services.history import HistoryService, answer_sources
from api.services.metrics import ServerMetrics
from api.services.ratelimit import RateLimiter
from rag.answer.service import AnswerService
from rag.answer.types import Answer, AnswerEvent
from rag.assistants import Assistants, AssistantSpec

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class Turn:
    """A question checked and ready to answer. `start` makes it before anything streams,
    so a bad question, a refused collection, the rate limit or someone else's
    conversation fail as plain HTTP errors; `stream` answers it."""

    user: Principal
    assistant: AssistantSpec
    #: As asked (trimmed): what the history and the audit log keep.
    question: str
    #: As searched and answered: a short follow-up carries the previous question along.
    asked: str
    #: Where the turn is saved; None when it is not saved.
    conversation_id: int | None
    use_llm: bool = True


@dataclass
class ChatEvent:
    """What the routers stream: answer events, then the saved turn's ids on `final`."""

    event: AnswerEvent
    conversation_id: int | None = None
    message_id: int | None = None


class ChatService:
    def __init__(self, answers: AnswerService, assistants: Assistants, history: HistoryService,
                 audit: AuditLog, queue: GenerationQueue, limiter: RateLimiter, metrics: ServerMetrics) -> None:
        self.answers = answers
        self.assistants = assistants
        self.history = history
        self.audit = audit
        self.queue = queue
        self.limiter = limiter
        self.metrics = metrics

    def assistant(self, name: str) -> AssistantSpec:
        spec = self.assistants.get(name)
        if spec is None:
            raise NotFound(f"도우미 '{name}'")
        return spec

    def prepare(self, user: Principal, assistant: str, question: str) -> AssistantSpec:
        """Checks done before anything streams, so they fail as plain HTTP errors."""
        spec = self.assistant(assistant)
        question = question.strip()
        if not question:
            raise InputError("question", "질문을 입력하세요")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError("question", f"질문은 {MAX_QUESTION_CHARS:,}자 이내여야 합니다")
        user.scope.check(spec.collection)
        self.limiter.take(user.username)
        return spec

    def start(self, user: Principal, assistant: str, question: str, *, conversation_id: int | None = None,
              use_llm: bool = True, save: bool = True) -> Turn:
        """Every check, then the conversation row (new, or `conversation_id` if it is the
        user's own) unless `save` is False."""
        spec = self.prepare(user, assistant, question)
        question = question.strip()
        saved_in = (self.history.start_or_continue(user.id, assistant, question, conversation_id)
                    if save else None)
        return Turn(user, spec, question, self._with_context(user, question, conversation_id), saved_in, use_llm)

    def stream(self, turn: Turn) -> Iterator[ChatEvent]:
        """The answer's events for a started turn; the turn is saved and audited when the
        answer is final, and the `final` event carries the saved ids."""
        user, spec = turn.user, turn.assistant
        holding = False

        def wait_for_model() -> Iterator[AnswerEvent]:
            nonlocal holding
            self.metrics.generation_waiting.inc()
            try:
                for position in self.queue.wait_turn():
                    yield AnswerEvent("queued", position=position)
            finally:
                self.metrics.generation_waiting.dec()
            holding = True

        final: Answer | None = None
        try:
            for event in self.answers.stream(turn.asked, assistant=spec.name, collection=spec.collection,
                                             scope=user.scope, use_llm=turn.use_llm,
                                             before_generation=wait_for_model):
                if event.type == "token":
                    self.metrics.tokens.labels(spec.name).inc()
                if event.type == "final":
                    final = event.answer
                    break
                yield ChatEvent(event)
        finally:
            if holding:
                self.queue.release()
        assert final is not None
        self._observe(spec.name, final)
        message_id = None
        if turn.conversation_id is not None:
            message_id = self.history.add_turn(turn.conversation_id, turn.question, final,
                                               answer_sources(final, spec.collection))
        self.audit.record(user.username, "ask", turn.question, assistant=spec.name, collection=spec.collection,
                          documents=[p.label for p in final.passages])
        yield ChatEvent(AnswerEvent("final", answer=final), turn.conversation_id, message_id)

    def ask(self, user: Principal, assistant: str, question: str, **start: Any) -> ChatEvent:
        """The whole answer at once: `start` (with its keyword arguments), then `stream`."""
        last: ChatEvent | None = None
        for last in self.stream(self.start(user, assistant, question, **start)):
            pass
        assert last is not None and last.event.type == "final"
        return last

    def feedback(self, user: Principal, message_id: int, rating: int, comment: str = "") -> dict:
        """The user's rating of one of their own answers, audited."""
        saved = self.history.feedback(user.id, message_id, rating, comment)
        self.audit.record(user.username, "feedback", f"{message_id}: {rating:+d} {comment}")
        return saved

    def _with_context(self, user: Principal, question: str, conversation_id: int | None) -> str:
        """The question as searched and answered: a short follow-up carries the previous
        question along, since retrieval and the model see one question at a time."""
        if conversation_id is None:
            return question
        return with_follow_up(self.answers.analyzer, question, self.history.last_question(user.id, conversation_id))

    def _observe(self, assistant: str, answer: Answer) -> None:
        self.metrics.answers.labels(assistant, answer.mode).inc()
        retrieval = answer.timings_ms.get("retrieval_ms")
        if retrieval is not None:
            self.metrics.retrieval.labels(assistant).observe(retrieval / 1000)
        ttft = answer.timings_ms.get("ttft_ms")
        if ttft is not None:
            self.metrics.ttft.labels(assistant).observe(ttft / 1000)
