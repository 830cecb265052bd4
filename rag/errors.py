"""Errors of the suite, under one root so the CLI and API can map them in one place.

Hierarchy::

    SeoulAssistError
    ├── ConfigError            bad or missing settings
    │   └── UnknownAssistant   a name no assistant folder defines
    ├── DocumentError          one input file cannot be ingested (names the file)
    │   ├── UnsupportedFormat  unknown extension, or content that is not what the name says
    │   ├── DocumentTooLarge   over the configured size limit
    │   ├── UnsafeDocument     zip bomb, path traversal, too many entries
    │   ├── EncryptedDocument  password-protected PDF/HWP/DOCX
    │   └── EmptyDocument      no extractable text (empty or scanned-only)
    ├── StoreError             the vector store failed or its schema does not match
    ├── EmbeddingError         the embedder failed or returned a wrong shape
    └── SuiteError             an evaluation suite line is malformed (names file and line)
"""

from __future__ import annotations


class SeoulAssistError(Exception):
    """Root of every error the suite raises on purpose."""


class ConfigError(SeoulAssistError):
    pass


class UnknownAssistant(ConfigError):
    """No `assistants/<name>/assistant.yaml` defines this name (see rag.assistants)."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"알 수 없는 도우미: {name} (가능: {', '.join(known) or '없음'})")
        self.name = name


class DocumentError(SeoulAssistError):
    """A single document could not be read; `path` names it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message


class UnsupportedFormat(DocumentError):
    pass


class DocumentTooLarge(DocumentError):
    pass


class UnsafeDocument(DocumentError):
    pass


class EncryptedDocument(DocumentError):
    pass


class EmptyDocument(DocumentError):
    pass


class StoreError(SeoulAssistError):
    pass


class EmbeddingError(SeoulAssistError):
    pass


class SuiteError(SeoulAssistError):
    pass


class LLMError(SeoulAssistError):
    """The language model failed (server down, timeouts, malformed stream) after retries."""


class LLMUnavailable(LLMError):
    """No language model can be used here (not installed, not configured); callers fall
    back to the extractive answer."""


class AccessDenied(SeoulAssistError):
    """The caller may not read this collection (enforced in retrieval)."""

    def __init__(self, collection: str) -> None:
        super().__init__(f"'{collection}' 컬렉션을 읽을 권한이 없습니다")
        self.collection = collection
