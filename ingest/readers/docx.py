"""DOCX reader: body paragraphs and tables in document order, grouped under headings."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from rag.documents import ParsedDocument
from rag.errors import EmptyDocument, UnsupportedFormat

from .outline import OutlineBuilder, heading_level
from .safety import ReadLimits, open_checked_zip

log = logging.getLogger(__name__)

_MALFORMED = (OpcError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile, etree.LxmlError)


def read(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    """Read a DOCX into one Section per heading block; tables become ' | ' rows."""
    open_checked_zip(path, source, limits, "DOCX").close()
    try:
        document = docx.Document(str(path))
        sections = _outline(document).finish()
        title = (document.core_properties.title or "").strip()
    except _MALFORMED as exc:
        # The library's own words go to the log; the uploader gets a reason in Korean.
        log.warning("%s: unreadable DOCX: %s: %s", source, exc.__class__.__name__, exc)
        raise UnsupportedFormat(source, "DOCX를 읽을 수 없습니다 — 손상되었거나 Word 문서가 아닙니다") from exc
    if not sections:
        raise EmptyDocument(source, "문서에 텍스트가 없습니다")
    return ParsedDocument(source=source, title=title or path.stem, format="docx", sections=sections)


def _outline(document: Document) -> OutlineBuilder:
    outline = OutlineBuilder()
    for block in body_blocks(document.element.body, document):
        if isinstance(block, Table):
            for row in table_rows(block):
                outline.line(row)
            continue
        level = heading_level(block.style.name if block.style is not None else None)
        if level is None:
            outline.line(block.text)
        else:
            outline.heading(level, block.text)
    return outline


def body_blocks(element: etree._Element, parent: Document) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in reading order, looking inside content controls (w:sdt),
    which forms and templates from government systems wrap around whole passages."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from body_blocks(content, parent)


def table_rows(table: Table) -> list[str]:
    """One ' | '-joined line per row; a cell spanning several columns is written once."""
    rows = []
    for row in table.rows:
        cells: list[_Cell] = []
        for cell in row.cells:
            if not cells or cell._tc is not cells[-1]._tc:
                cells.append(cell)
        texts = [_cell_text(cell) for cell in cells]
        if any(texts):
            rows.append(" | ".join(texts))
    return rows


def _cell_text(cell: _Cell) -> str:
    parts = []
    for item in cell.iter_inner_content():
        if isinstance(item, Table):
            parts.extend(table_rows(item))
        elif item.text.strip():
            parts.append(item.text.strip())
    return " ".join(parts)
