"""Answer tools: an assistant's code that answers part of a question by computation (a
민원's 처리기한 from its received date and 처리기간), so that a legal fact a rule yields
is computed and cited instead of left to a language model.

A tool says whether a question is one it answers (`applies`), then answers it (`run`) with
a text and the statute articles it rests on. The answering service puts that text before
the quoted or generated answer, fetches the articles from the collection under the
user's access scope and cites them as passages, so the reader's citation chips open the
indexed text. The core defines the hook; each assistant registers its tools in its own
package (`assistants/<name>/chat_tools.py`, found by the app layer), since the core never
imports an assistant."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ArticleRef:
    """A statute article a tool's answer rests on: the law's title as the index holds it
    (the statute file's 제목) and the article's locator ("제19조")."""

    law: str
    article: str

    @property
    def label(self) -> str:
        return f"{self.law} {self.article}"


@dataclass(frozen=True)
class ToolResult:
    """What a tool adds to an answer. `text` leads the answer (Korean, without citation
    markers: the service adds them for the articles it finds). `answers_question`: the text
    answers the question (a computed result), so the answer stands even when retrieval
    alone would abstain; False for a note such as what the question lacks."""

    text: str
    cite: tuple[ArticleRef, ...] = ()
    answers_question: bool = False


@runtime_checkable
class AnswerTool(Protocol):
    """A tool that may answer part of a question by computation."""

    name: str

    def applies(self, question: str) -> Any | None:
        """What the tool read from the question (its request), or None when the question
        is not one it answers. Cheap: it runs on every question of its assistant."""

    def run(self, request: Any) -> ToolResult:
        """The answer to the request `applies` returned. Bad input in the question is a
        result whose text says what is wrong, not an exception."""


#: An assistant's tools, by the assistant's name.
ToolsFor = Callable[[str], Sequence[AnswerTool]]


def first_result(tools: Sequence[AnswerTool], question: str) -> ToolResult | None:
    """The result of the first tool the question applies to, or None."""
    for tool in tools:
        request = tool.applies(question)
        if request is not None:
            return tool.run(request)
    return None
