"""A deterministic language model for tests: queued replies, recorded prompts, failures
on demand.

With nothing queued it answers with the first sentence of passage [1] followed by
" [1]", or with NO_PASSAGE_REPLY when the prompt has no passage, so a pipeline test gets
a cited, verifiable answer without scripting one. A passage starts with "[n]" at the
beginning of a line and runs to the next one; when it spans several lines its first
line is its label (`[1] 영유아보육법 제15조의4` then the text), otherwise the line is
the text."""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from rag.errors import LLMError

from .base import ChatMessage, GenerationParams
from .tokens import estimate_tokens

Reply = str | Callable[[list[ChatMessage]], str]
# The answering layer's "not found" sentence (rag.answer.prompts.NOT_FOUND).
NO_PASSAGE_REPLY = "제공된 문서에서 확인할 수 없습니다."
_FIRST_PASSAGE = re.compile(r"^\[1\][ \t]*(.*?)(?=^\[\d+\]|^\[문서 끝\]|\Z)", re.M | re.S)
_EMPHASIS = re.compile(r"\*\*")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s")


class FakeLLM:
    def __init__(self, replies: Sequence[str] | Callable[[list[ChatMessage]], str] | None = None, *,
                 name: str = "fake", context_window: int = 4096, piece_chars: int = 3) -> None:
        self.name = name
        self.context_window = context_window
        self.piece_chars = piece_chars
        self._replies: deque[str] = deque()
        self._responder: Callable[[list[ChatMessage]], str] | None = None
        if callable(replies):
            self._responder = replies
        elif replies is not None:
            self._replies.extend(replies)
        #: Every prompt received, in order (also those that then failed).
        self.prompts: list[list[ChatMessage]] = []
        #: The generation parameters of each prompt.
        self.params: list[GenerationParams] = []
        self._failures: deque[tuple[str, int]] = deque()
        self._holds: deque[dict[int, threading.Event]] = deque()

    def queue(self, *replies: str) -> None:
        self._replies.extend(replies)

    def fail_next(self, message: str = "가짜 언어 모델 오류", after_pieces: int = 0) -> None:
        """Make the next call raise LLMError, after yielding `after_pieces` pieces of its reply."""
        self._failures.append((message, after_pieces))

    def hold_next(self, *after_pieces: int) -> list[threading.Event]:
        """Make the next reply stop after each of `after_pieces` pieces until the matching
        event is set (or 30 s pass), so a test can look at a half-streamed answer."""
        holds = {n: threading.Event() for n in after_pieces}
        self._holds.append(holds)
        return [holds[n] for n in after_pieces]

    @property
    def last_prompt(self) -> list[ChatMessage]:
        return self.prompts[-1]

    def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[str]:
        # Recorded and decided when called, not at the first next(), like a real request.
        messages = list(messages)
        self.prompts.append(messages)
        self.params.append(params)
        failure = self._failures.popleft() if self._failures else None
        holds = self._holds.popleft() if self._holds else {}
        reply = self._reply(messages)
        return self._pieces(reply, failure, holds)

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def _reply(self, messages: list[ChatMessage]) -> str:
        if self._replies:
            return self._replies.popleft()
        if self._responder is not None:
            return self._responder(messages)
        return default_reply(messages)

    def _pieces(self, reply: str, failure: tuple[str, int] | None,
                holds: dict[int, threading.Event] | None = None) -> Iterator[str]:
        pieces = [reply[i:i + self.piece_chars] for i in range(0, len(reply), self.piece_chars)]
        for i, piece in enumerate(pieces):
            if failure is not None and i == failure[1]:
                raise LLMError(failure[0])
            if holds and i in holds:
                holds[i].wait(30)
            yield piece
        if failure is not None:
            raise LLMError(failure[0])


def default_reply(messages: Sequence[ChatMessage]) -> str:
    for message in reversed(messages):
        if match := _FIRST_PASSAGE.search(message.content):
            lines = [line.strip() for line in match.group(1).strip().splitlines() if line.strip()]
            # The first line is the citation label; markdown headings are not sentences.
            body_lines = [_EMPHASIS.sub("", ln) for ln in lines[1:] if not ln.startswith("#")] or lines
            body = " ".join(body_lines)
            first = _SENTENCE_END.split(body, maxsplit=1)[0]
            return f"{first} [1]"
    return NO_PASSAGE_REPLY
