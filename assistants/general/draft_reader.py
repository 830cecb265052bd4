"""A draft 공문 to check, as numbered lines: pasted text (line numbers) or an uploaded
TXT, DOCX or HWPX (paragraph numbers, in document order, empty paragraphs counted, so
the number matches what the author counts in Word or 한글; a DOCX table counts as one
paragraph, each of its rows a line under that number)."""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
import docx
from defusedxml import DefusedXmlException
from docx.opc.exceptions import OpcError
from docx.table import Table
from lxml import etree

from ingest.readers.docx import body_blocks, table_rows
from ingest.readers.hwpx import paragraph_lines
from ingest.readers.safety import ReadLimits, check_zip
from rag.errors import DocumentError, SeoulAssistError

log = logging.getLogger(__name__)

#: A draft is a few pages; anything this large is not one (and would hold a worker).
MAX_DRAFT_BYTES = 1_000_000
SUFFIXES = (".txt", ".docx", ".hwpx")

_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_LIMITS = ReadLimits(max_uncompressed_bytes=50 * 1024 * 1024, max_zip_entries=2000)


class DraftError(SeoulAssistError):
    """The draft cannot be checked; `field` is the input at fault (`text` or `file`)."""

    def __init__(self, field: str, message: str, *, too_large: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message
        self.too_large = too_large


@dataclass(frozen=True)
class DraftLine:
    number: int  # 1-based line (text) or paragraph (DOCX/HWPX)
    text: str


def too_large_message(size: int) -> str:
    return f"초안이 너무 큽니다 ({size:,}바이트) — 1 MB({MAX_DRAFT_BYTES:,}바이트) 미만만 검토합니다"


def text_lines(text: str, field: str = "text") -> list[DraftLine]:
    """Pasted text, one DraftLine per line."""
    size = len(text.encode("utf-8"))
    if size >= MAX_DRAFT_BYTES:
        raise DraftError(field, too_large_message(size), too_large=True)
    if not text.strip():
        raise DraftError(field, "검토할 초안이 비어 있습니다 — 공문 내용을 붙여 넣어 주세요")
    return [DraftLine(n, line) for n, line in enumerate(text.splitlines(), start=1)]


def file_lines(filename: str, data: bytes) -> list[DraftLine]:
    """An uploaded draft by its extension: .txt (UTF-8 or CP949), .docx or .hwpx."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        shown = suffix or "(확장자 없음)"
        raise DraftError("file", f"지원하지 않는 파일 형식입니다: {shown} — TXT, DOCX, HWPX만 검토합니다")
    if len(data) >= MAX_DRAFT_BYTES:
        raise DraftError("file", too_large_message(len(data)), too_large=True)
    if not data.strip():
        raise DraftError("file", f"{filename}: 빈 파일입니다")
    if suffix == ".txt":
        return text_lines(_decode_text(filename, data), field="file")
    if not data.startswith(_ZIP_MAGIC):
        raise DraftError("file", f"{filename}: 확장자는 {suffix}이지만 {suffix[1:].upper()} 파일이 아닙니다"
                                 " — 문서 보안(DRM)이 걸린 파일이면 해제한 뒤 올려 주세요")
    lines = _docx_lines(filename, data) if suffix == ".docx" else _hwpx_lines(filename, data)
    if not any(line.text.strip() for line in lines):
        raise DraftError("file", f"{filename}: 문서에 텍스트가 없습니다")
    return lines


def _decode_text(filename: str, data: bytes) -> str:
    if b"\x00" in data:
        raise DraftError("file", f"{filename}: 텍스트 파일이 아닙니다 (NUL 바이트 포함)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Notepad on Korean Windows still saves ANSI (CP949) by default.
        return data.decode("cp949")
    except UnicodeDecodeError:
        raise DraftError("file", f"{filename}: 텍스트를 읽을 수 없습니다 — UTF-8로 저장해 주세요") from None


def _open_zip(filename: str, data: bytes, kind: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DraftError("file", f"{filename}: {kind} 파일을 열 수 없습니다 (손상된 압축 파일)") from exc
    try:
        check_zip(zf, filename, _ZIP_LIMITS)
    except DocumentError as exc:
        zf.close()
        raise DraftError("file", str(exc)) from exc
    return zf


_DOCX_MALFORMED = (OpcError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile, etree.LxmlError)


def _docx_lines(filename: str, data: bytes) -> list[DraftLine]:
    _open_zip(filename, data, "DOCX").close()
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[DraftLine] = []
        for number, block in enumerate(body_blocks(document.element.body, document), start=1):
            if isinstance(block, Table):
                lines.extend(DraftLine(number, row) for row in table_rows(block))
            else:
                lines.append(DraftLine(number, block.text))
        return lines
    except _DOCX_MALFORMED as exc:
        log.info("%s: unreadable DOCX: %s: %s", filename, exc.__class__.__name__, exc)
        raise DraftError("file", f"{filename}: DOCX 문서가 아닙니다 — 손상되었거나 Word 문서가 아닙니다") from exc


def _hwpx_lines(filename: str, data: bytes) -> list[DraftLine]:
    with _open_zip(filename, data, "HWPX") as zf:
        sections = sorted(
            (name for name in zf.namelist() if _is_section(name)),
            key=lambda name: int("".join(ch for ch in PurePath(name).stem if ch.isdigit()) or 0),
        )
        if not sections:
            raise DraftError("file", f"{filename}: HWPX 문서가 아닙니다 (본문 Contents/section*.xml이 없습니다)")
        lines: list[DraftLine] = []
        number = 0
        for name in sections:
            for paragraph in _local_children(_parse_part(zf, name, filename), "p"):
                number += 1
                texts = paragraph_lines(paragraph) or [""]
                lines.extend(DraftLine(number, text) for text in texts)
    return lines


def _is_section(name: str) -> bool:
    path = PurePath(name)
    return path.parent.name == "Contents" and path.suffix == ".xml" and path.stem.startswith("section")


def _parse_part(zf: zipfile.ZipFile, name: str, filename: str) -> Element:
    try:
        return safe_xml.fromstring(zf.read(name), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise DraftError("file", f"{filename}: DTD·엔티티 선언이 있는 XML은 받지 않습니다") from exc
    except (ParseError, zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise DraftError("file", f"{filename}: HWPX를 읽을 수 없습니다 — {name}이(가) 손상되었습니다") from exc


def _local_children(element: Element, name: str):
    return (child for child in element if child.tag.rpartition("}")[2] == name)
