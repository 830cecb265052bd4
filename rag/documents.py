"""What readers produce and what the index stores: parsed documents, sections, chunks."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from functools import cached_property

from rag.embedding.passage_text import passage_hash

# Fixed namespace so a chunk keeps the same point id across runs: re-ingesting after a
# crash overwrites points instead of duplicating them.
_CHUNK_NAMESPACE = uuid.UUID("5b0f6a52-6f1c-4d7e-9a43-0c7c1f0d2a11")

MetadataValue = str | int

#: "별표 2", "별표 1의2", "[별표 3]": how an article refers to an appendix of its law.
APPENDIX_REFERENCE = re.compile(r"별표\s*(\d+)(?:\s*의\s*(\d+))?(?!\d|\s*의\s*\d)")


@dataclass(frozen=True)
class Appendix:
    """An appendix (별표) of a statute that its file lists but does not contain: the
    figures an article delegates to it ("배치기준은 별표 2와 같다") are not in the index
    unless an admin uploads it."""

    label: str  # "별표 2", "별표 1의2"
    title: str  # "보육교직원의 배치기준(제10조 관련)"
    link: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "title": self.title, "link": self.link}


def appendix_label(number: int, branch: int = 0) -> str:
    return f"별표 {number}의{branch}" if branch else f"별표 {number}"


def referenced_appendices(text: str, appendices: "tuple[Appendix, ...]") -> tuple[Appendix, ...]:
    """Those of `appendices` that `text` refers to, in the order of the list."""
    labels = {appendix_label(int(m.group(1)), int(m.group(2) or 0)) for m in APPENDIX_REFERENCE.finditer(text)}
    return tuple(a for a in appendices if a.label in labels)


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
    #: Appendices of the law that this article refers to (statutes only).
    appendices: tuple[Appendix, ...] = ()
    #: What this section alone is about, over the document's metadata (a notice table's
    #: row: 공고번호, 사업명, 발주기관).
    metadata: tuple[tuple[str, MetadataValue], ...] = ()


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
    #: Appendices (별표) this chunk's text refers to, with their titles and links.
    appendices: tuple[Appendix, ...] = ()

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


def join_pieces(pieces: "list[str] | tuple[str, ...]") -> str:
    """A section cut into chunks (in their order), whole again: each later piece without
    the lines it repeats at its start, the article heading and a list's lead (ingest's
    statute chunker repeats both so that a chunk read alone says what it is part of)."""
    seen: set[str] = set()
    out: list[str] = []
    for index, piece in enumerate(pieces):
        lines = piece.split("\n")
        if index:
            start = 0
            while start < len(lines) and (not lines[start].strip() or lines[start] in seen):
                start += 1
            lines = lines[start:]
        seen.update(line for line in lines if line.strip())
        out.append("\n".join(lines))
    return "\n\n".join(out)


def statute_plain(markdown: str) -> str:
    """The statute files' Markdown marks (##### headings, **①**, 1\\.) read as plain text,
    lines kept: what an article's text is when code quotes or reads figures from it."""
    text = re.sub(r"^#+\s*", "", markdown, flags=re.M)
    return text.replace("**", "").replace("\\.", ".").strip()
