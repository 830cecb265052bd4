"""Each assistant's answer tools (rag/answer/tools.py), found by convention like its
router and scorer: `tools(settings)` in `assistants/<name>/chat_tools.py`. Here, not in
the core, because the core never imports an assistant."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence

from rag.answer.tools import AnswerTool
from rag.config import Settings


class AssistantTools:
    """`tools_for(name)`: the assistant's tools, built once from the settings; none for an
    assistant without a `chat_tools` module."""

    def __init__(self, settings: Settings, package: str = "assistants") -> None:
        self._settings = settings
        self._package = package
        self._built: dict[str, tuple[AnswerTool, ...]] = {}
        self._lock = threading.Lock()

    def __call__(self, assistant: str) -> Sequence[AnswerTool]:
        with self._lock:
            if assistant not in self._built:
                self._built[assistant] = self._load(assistant)
            return self._built[assistant]

    def _load(self, assistant: str) -> tuple[AnswerTool, ...]:
        module = f"{self._package}.{assistant}.chat_tools"
        try:
            found = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            # Only the module itself (or a folder that is no package) may be missing; a
            # tool that fails to import what it needs is an error to see.
            if exc.name in (module, f"{self._package}.{assistant}", self._package):
                return ()
            raise
        build = getattr(found, "tools", None)
        return tuple(build(self._settings)) if build is not None else ()
