"""Readers, one module per format, chosen by extension and checked by magic bytes.

Every reader has the same contract: `read(path: Path, source: str, limits: ReadLimits)
-> ParsedDocument`, raising a `rag.errors.DocumentError` subclass that names the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rag.documents import ParsedDocument
from rag.errors import UnsupportedFormat

from .safety import ReadLimits, check_file

Reader = Callable[[Path, str, ReadLimits], ParsedDocument]


def _markdown(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    from . import markdown, statute

    text = path.read_text(encoding="utf-8")
    if statute.looks_like_statute(text):
        return statute.parse(text, source)
    return markdown.parse(text, source)


def _pdf(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    from . import pdf

    return pdf.read(path, source, limits)


def _docx(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    from . import docx

    return docx.read(path, source, limits)


def _hwpx(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    from . import hwpx

    return hwpx.read(path, source, limits)


def _hwp(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    from . import hwp

    return hwp.read(path, source, limits)


def _notices(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    from . import notices

    return notices.read(path, source, limits)


READERS: dict[str, Reader] = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _markdown,
    ".pdf": _pdf,
    ".docx": _docx,
    ".hwpx": _hwpx,
    ".hwp": _hwp,
    # Tables of past notices, one row each (an assistant's example collection names the file).
    ".csv": _notices,
}

#: What ingestion reads from a corpus folder.
INDEXED_EXTENSIONS = frozenset(READERS)
#: What users may upload or name on the command line: documents, not notice tables.
SUPPORTED_EXTENSIONS = INDEXED_EXTENSIONS - {".csv"}


def read_document(path: Path, source: str, limits: ReadLimits | None = None) -> ParsedDocument:
    """Read one file into a ParsedDocument after the size and magic-byte checks."""
    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise UnsupportedFormat(source, f"지원하지 않는 파일 형식입니다 ({suffix or '확장자 없음'}). 지원 형식: {supported}")
    check_file(path, source, suffix, limits)
    return reader(path, source, limits)
