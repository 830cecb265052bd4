"""DOCX export of an RFP draft with python-docx: Heading N styles by section level, real
tables whose header row repeats on each page (w:tblHeader), the AI-draft marking in a banner,
the page header and the core document properties."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import docx
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable

from .draft import RfpDraft
from .export import write_atomically
from .export_blocks import DraftMarking, Heading, Paragraph, Table, draft_blocks, draft_marking

_FONT = "맑은 고딕"
_PAGE_WIDTH, _PAGE_HEIGHT, _MARGIN = Cm(21.0), Cm(29.7), Cm(2.0)  # A4, as public documents are
_HEADER_FILL = "D9E2F3"
_MAX_HEADING_LEVEL = 9  # Word has Heading 1..9


def write_docx(draft: RfpDraft, path: str | os.PathLike[str]) -> Path:
    """Write the draft as a .docx at *path* (atomically); returns the path."""
    document = render_docx(draft)
    return write_atomically(path, document.save)


def render_docx(draft: RfpDraft) -> Document:
    document = docx.Document()
    marking = draft_marking(draft)
    _set_page_and_fonts(document, marking)
    _set_properties(document, marking, draft)
    for block in draft_blocks(draft):
        if isinstance(block, Heading):
            document.add_heading(block.text, level=min(block.level, _MAX_HEADING_LEVEL))
        elif isinstance(block, Table):
            _add_table(document, block)
        else:
            _add_paragraph(document, block)
    return document


def _set_page_and_fonts(document: Document, marking: DraftMarking) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = _PAGE_WIDTH, _PAGE_HEIGHT
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = _MARGIN
    header = section.header.paragraphs[0]
    header.text = marking.page_header
    for run in header.runs:
        run.font.size = Pt(8)
    # Word picks the East Asian font from w:eastAsia; without it Hangul falls back per machine.
    for name in ("Normal", "Title", *(f"Heading {n}" for n in range(1, 4))):
        fonts = document.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), _FONT)


def _set_properties(document: Document, marking: DraftMarking, draft: RfpDraft) -> None:
    properties = document.core_properties
    properties.title = marking.title
    properties.subject = marking.subject
    properties.keywords = marking.keywords
    properties.comments = marking.comments
    properties.category = "제안요청서"
    properties.content_status = marking.subject
    properties.author = marking.author
    properties.last_modified_by = draft.review.approved_by or marking.author
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    properties.created = properties.modified = now
    properties.revision = 1


def _add_paragraph(document: Document, block: Paragraph) -> None:
    if block.kind == "title":
        document.add_paragraph(block.text, style="Title")
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.kind == "banner":
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    elif block.kind == "note":
        run.font.size = Pt(9)
        run.bold = block.text == "근거"


def _add_table(document: Document, block: Table) -> None:
    rows = block.all_rows
    table = document.add_table(rows=len(rows), cols=len(block.header))
    table.style = "Table Grid"
    table.autofit = False
    widths = _column_widths(block.widths)
    # Word reads each cell's width, LibreOffice and 한글 the table grid: set both.
    for column, width in zip(table.columns, widths):
        column.width = width
    for row, values in zip(table.rows, rows):
        for cell, value, width in zip(row.cells, values, widths):
            cell.width = width
            cell.text = value
    _mark_header_row(table)


def _column_widths(weights: tuple[int, ...]) -> list[int]:
    usable = _PAGE_WIDTH - 2 * _MARGIN
    total = sum(weights)
    return [int(usable * weight / total) for weight in weights]


def _mark_header_row(table: DocxTable) -> None:
    """Repeat the first row at the top of each page (w:tblHeader), bold and shaded."""
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell in header.cells:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), _HEADER_FILL)
        cell._tc.get_or_add_tcPr().append(shading)
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.bold = True
