"""The one interface every language-model backend implements (embedded llama.cpp,
an OpenAI-compatible server such as vLLM, in-process vLLM, the test fake)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Literal, Protocol, Sequence, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int = 512
    # Greedy by default: the same question over the same passages should give the same answer.
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    seed: int | None = 0
    # A JSON schema the output must follow (vLLM guided decoding / response_format);
    # backends that cannot enforce it still ask for JSON in the request.
    json_schema: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class LLM(Protocol):
    """A chat model. ``stream`` yields text pieces as the model produces them and raises
    ``rag.errors.LLMError`` (after the backend's own retries) with a message a user can read."""

    name: str
    #: Tokens of prompt + output the model accepts.
    context_window: int

    def stream(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...


def chat_request(messages: Sequence[ChatMessage], params: GenerationParams, **fields: Any) -> dict[str, Any]:
    """The OpenAI-style streaming chat body both the server client and the embedded
    llama.cpp engine send; ``fields`` adds backend-specific keys (model, cache_prompt)."""
    body: dict[str, Any] = {**fields, "messages": [m.as_dict() for m in messages], "stream": True,
                            "max_tokens": params.max_tokens, "temperature": params.temperature}
    if params.stop:
        body["stop"] = list(params.stop)
    if params.seed is not None:
        body["seed"] = params.seed
    if params.json_schema is not None:
        # Enforced where the backend supports it (llama.cpp grammar, vLLM structured output).
        body["response_format"] = {"type": "json_schema",
                                   "json_schema": {"name": "answer", "schema": params.json_schema}}
    return body


def complete(llm: LLM, messages: Sequence[ChatMessage], params: GenerationParams | None = None) -> str:
    """The whole reply at once (for callers that do not stream)."""
    return "".join(llm.stream(messages, params or GenerationParams()))
