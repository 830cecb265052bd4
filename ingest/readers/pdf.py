"""PDF reader: one section per page, wording kept as pypdf extracts it, except for the
spaces it puts between the syllables of one word (pdf_spacing)."""

from __future__ import annotations

import logging
import re
import struct
import zlib
from pathlib import Path

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import PyPdfError

from rag.documents import ParsedDocument, Section
from rag.errors import DocumentTooLarge, EmptyDocument, EncryptedDocument, UnsupportedFormat

from .pdf_spacing import join_spaced_syllables
from .safety import ReadLimits

logger = logging.getLogger(__name__)

# pypdf reports malformed input through many exception types besides its own, depending
# on which object is broken; all of them mean "this file cannot be read", not a bug here.
_MALFORMED = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    RecursionError,
    struct.error,
    zlib.error,
)
# A metadata title that is a file name or path ("doc.html", "C:\\문서\\규정.hwp") names
# the file the PDF was printed from, not the document: citations would read "doc.html p. 1".
_FILE_NAME_TITLE = re.compile(
    r"\.(?:html?|hwpx?|docx?|pdf|txt|md|rtf|odt|pptx?|xlsx?|hwt|jpe?g|png|tiff?)$|\\|^/|^[A-Za-z]:", re.IGNORECASE)


def read(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    """Read a PDF into one Section per page that has text; pages without text become warnings."""
    reader, page_count = _open(path, source)
    if page_count > limits.max_pages:
        raise DocumentTooLarge(source, f"쪽수가 너무 많습니다 ({page_count}쪽, 한도 {limits.max_pages}쪽)")
    sections: list[Section] = []
    warnings: list[str] = []
    for number in range(1, page_count + 1):
        text = _page_text(reader, number, warnings)
        if text:
            sections.append(Section(text=text, locator=f"p. {number}", page=number))
    if not sections:
        raise EmptyDocument(
            source,
            f"텍스트를 추출할 수 없습니다 ({page_count}쪽 중 텍스트가 있는 쪽 없음) — 스캔본이면 OCR 후 올려 주세요",
        )
    return ParsedDocument(
        source=source,
        title=_title(reader) or path.stem,  # the uploaded file's name
        format="pdf",
        sections=sections,
        metadata={"pages": page_count},
        warnings=warnings,
    )


def _open(path: Path, source: str) -> tuple[PdfReader, int]:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            _decrypt(reader, source)
        return reader, len(reader.pages)
    except _MALFORMED as exc:
        # pypdf's own words go to the log; the uploader gets a reason in Korean.
        logger.warning("%s: unreadable PDF: %s: %s", source, exc.__class__.__name__, exc)
        raise UnsupportedFormat(source, "PDF를 읽을 수 없습니다 — 파일이 손상되었을 수 있습니다") from exc


def _decrypt(reader: PdfReader, source: str) -> None:
    # Many official PDFs are encrypted with an empty user password only to restrict
    # printing or editing; those open without asking anyone for a password.
    try:
        result = reader.decrypt("")
    except PyPdfError as exc:  # e.g. an AES file without the `cryptography` package
        logger.warning("%s: PDF decryption failed: %s", source, exc)
        raise EncryptedDocument(source, "암호화된 PDF를 풀 수 없습니다 — 암호를 해제한 뒤 올려 주세요") from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise EncryptedDocument(source, "암호가 걸린 PDF입니다 — 암호를 해제한 뒤 올려 주세요")


def _page_text(reader: PdfReader, number: int, warnings: list[str]) -> str:
    try:
        page = reader.pages[number - 1]
        raw = page.extract_text()
    except _MALFORMED as exc:
        logger.warning("p. %d: text extraction failed: %s: %s", number, exc.__class__.__name__, exc)
        warnings.append(f"p. {number}: 텍스트 추출 실패 (손상된 쪽일 수 있음)")
        return ""
    text = "\n".join(line.rstrip() for line in raw.splitlines()).strip("\n")
    if not text.strip():
        warnings.append(f"p. {number}: 텍스트 없음 (스캔 이미지일 수 있음)")
        return ""
    return join_spaced_syllables(text, lambda: _layout_text(page, number))


def _layout_text(page: PageObject, number: int) -> str:
    """The page's text placed by position; empty (nothing joined) when pypdf cannot."""
    try:
        return page.extract_text(extraction_mode="layout", layout_mode_space_vertically=False)
    except Exception as exc:  # noqa: BLE001 - a second, optional reading of a page already read
        logger.info("p. %d: layout extraction failed: %s: %s", number, exc.__class__.__name__, exc)
        return ""


def _title(reader: PdfReader) -> str:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata else None
    except _MALFORMED:
        return ""
    title = str(title).strip() if title else ""
    return "" if _FILE_NAME_TITLE.search(title) else title
