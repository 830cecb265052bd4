"""Chat with an assistant: the answer service under the user's access scope, a turn on
the language model, the conversation saved with its sources, the question audited.

Who may use it: any signed-in user, on the assistants whose collection they may read;
the retriever enforces the collection and document groups (rag.access)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

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


@dataclass
class ChatTurn:
    """What the router streams: answer events, then the saved turn's ids on `final`."""

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

    def begin(self, user: Principal, assistant: str, question: str, conversation_id: int | None) -> int:
        """Checks and the conversation row, before a stream starts: a bad question, a
        refused collection or someone else's conversation fail as plain HTTP errors."""
        self.prepare(user, assistant, question)
        return self.history.start_or_continue(user.id, assistant, question, conversation_id)

    def stream(self, user: Principal, assistant: str, question: str, *, conversation_id: int | None = None,
               use_llm: bool = True, save: bool = True, checked: bool = False) -> Iterator[ChatTurn]:
        """`checked`: the caller already ran `prepare` (the streaming router does, so bad
        input fails as a plain HTTP error before the stream starts)."""
        spec = self.assistant(assistant) if checked else self.prepare(user, assistant, question)
        conv_id = (self.history.start_or_continue(user.id, assistant, question, conversation_id)
                   if save else None)
        asked = self._with_context(user, question.strip(), conversation_id)
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
            for event in self.answers.stream(asked, assistant=assistant, collection=spec.collection,
                                             groups=user.groups, use_llm=use_llm, scope=user.scope,
                                             before_generation=wait_for_model):
                if event.type == "token":
                    self.metrics.tokens.labels(assistant).inc()
                if event.type == "final":
                    final = event.answer
                    break
                yield ChatTurn(event)
        finally:
            if holding:
                self.queue.release()
        assert final is not None
        self._observe(assistant, final)
        message_id = None
        if conv_id is not None:
            message_id = self.history.add_turn(conv_id, question.strip(), final,
                                               answer_sources(final, spec.collection))
        self.audit.record(user.username, "ask", question, assistant=assistant, collection=spec.collection,
                          documents=[p.label for p in final.passages])
        yield ChatTurn(AnswerEvent("final", answer=final), conv_id, message_id)

    def ask(self, user: Principal, assistant: str, question: str, **kwargs) -> ChatTurn:
        last: ChatTurn | None = None
        for turn in self.stream(user, assistant, question, **kwargs):
            last = turn
        assert last is not None and last.event.type == "final"
        return last

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
