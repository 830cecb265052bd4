"""What readers produce and what the index stores: parsed documents, sections, chunks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property

from rag.embedding.passage_text import passage_hash

# Fixed namespace so a chunk keeps the same point id across runs: re-ingesting after a
# crash overwrites points instead of duplicating them.
_CHUNK_NAMESPACE = uuid.UUID("5b0f6a52-6f1c-4d7e-9a43-0c7c1f0d2a11")

MetadataValue = str | int


@dataclass(frozen=True)
class Section:
    """A unit of a document as its reader sees it: one statute article, one page, one
    heading's body. `locator` is how a citation points at it (제14조, p. 3, a heading)."""

    text: str
    locator: str = ""
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    # Statute articles: the heading line (##### 제14조 (…)) repeated on every split piece.
    heading: str = ""


@dataclass
class ParsedDocument:
    """A document after reading, before chunking. `source` is the path relative to the
    ingest root with '/' separators; it is what citations and evaluation compare."""

    source: str
    title: str
    format: str
    sections: list[Section]
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chunk:
    """One indexed passage. `text` keeps the document's wording verbatim."""

    source: str
    ordinal: int
    text: str
    locator: str
    title: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    @property
    def point_id(self) -> str:
        return str(uuid.uuid5(_CHUNK_NAMESPACE, f"{self.source}\x00{self.ordinal}"))

    @cached_property  # asked several times per chunk while ingesting; the regexes add up
    def content_hash(self) -> str:
        return passage_hash(self.embedding_text)

    @property
    def embedding_text(self) -> str:
        """Text given to the embedders: document title and heading path first, because
        an article body rarely names its own law ("이 법", "제1항")."""
        context = " > ".join(p for p in (self.title, *self.heading_path) if p)
        return f"{context}\n{self.text}" if context else self.text
