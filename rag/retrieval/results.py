"""A retrieved passage, as callers see it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_ARTICLE = re.compile(r"^제\d+조")


@dataclass(frozen=True)
class RetrievedChunk:
    id: str
    score: float
    source: str
    title: str
    locator: str
    text: str
    version: str = "current"
    page: int | None = None
    heading_path: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Cosine of the question to the chunk's title, where the title re-rank compared them.
    title_similarity: float | None = None

    @classmethod
    def from_payload(cls, point_id: str, score: float, payload: dict[str, Any]) -> "RetrievedChunk":
        known = {"source", "title", "locator", "text", "version", "page", "heading_path"}
        return cls(
            id=point_id, score=float(score), source=payload.get("source", ""), title=payload.get("title", ""),
            locator=payload.get("locator", ""), text=payload.get("text", ""),
            version=payload.get("version", "current"), page=payload.get("page"),
            heading_path=tuple(payload.get("heading_path") or ()),
            metadata={k: v for k, v in payload.items() if k not in known},
        )

    @property
    def is_article(self) -> bool:
        """A statute article ("제14조", "제20조의5"), cited by its law and number."""
        return bool(_ARTICLE.match(self.locator))

    @property
    def citation(self) -> str:
        """How a person cites it: 영유아보육법 제14조, 안내서 p. 3, 가이드북 › 식습관 관리."""
        if self.is_article:
            effective = self.metadata.get("시행일자")
            suffix = f" (시행 {effective})" if effective and self.version == "previous" else ""
            return f"{self.title} {self.locator}{suffix}"
        if self.page is not None:
            return f"{self.title} p. {self.page}"
        return f"{self.title} › {self.locator}" if self.locator else self.title
