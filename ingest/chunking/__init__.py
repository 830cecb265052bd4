"""Chunkers: statute articles split at 항, other documents packed by paragraph."""

from __future__ import annotations

from rag.documents import Chunk, ParsedDocument, referenced_appendices

from .blocks import split_blocks
from .statute import split_article

DEFAULT_MAX_CHARS = 900


def chunk_document(doc: ParsedDocument, max_chars: int = DEFAULT_MAX_CHARS) -> list[Chunk]:
    """Cut a parsed document into indexable chunks, in document order."""
    chunks: list[Chunk] = []
    for section in doc.sections:
        pieces = (split_article(section, max_chars) if doc.format == "statute"
                  else split_blocks(section.text, max_chars))
        for piece in pieces:
            chunks.append(Chunk(
                source=doc.source, ordinal=len(chunks), text=piece, locator=section.locator,
                title=doc.title, heading_path=section.heading_path, page=section.page,
                metadata={**doc.metadata, **dict(section.metadata)},
                appendices=referenced_appendices(piece, section.appendices) if section.appendices else (),
            ))
    return chunks
