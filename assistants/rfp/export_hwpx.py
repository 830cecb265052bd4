"""HWPX (한글) export of an RFP draft with python-hwpx: headings in the 개요 N styles with
their outline level, body text in the 본문 style (never inheriting a heading's), tables that
flow across pages with their header row repeated, and the AI-draft marking in a banner, the
page header (머리말) and the document information (opf:metadata). The document must pass
python-hwpx's ``validate()`` before anything is written."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from hwpx import HwpxDocument

from .draft import RfpDraft
from .export import ExportError, write_atomically
from .export_blocks import DraftMarking, Heading, Paragraph, Table, draft_blocks, draft_marking

BODY_STYLE = "본문"
_MAX_OUTLINE_LEVEL = 10  # HWPX has 개요 1..10
_HEADER_FILL = "#D9E2F3"
_HP_RUN = "{http://www.hancom.co.kr/hwpml/2011/paragraph}run"


def write_hwpx(draft: RfpDraft, path: str | os.PathLike[str]) -> Path:
    """Write the draft as a .hwpx at *path* (atomically, after validation); returns the path."""
    document = render_hwpx(draft)
    report = document.validate()
    if not report.ok:
        problems = "; ".join(str(issue) for issue in list(report.issues)[:3])
        raise ExportError("format", f"HWPX 문서 검증에 실패해 저장하지 않았습니다: {problems}")
    return write_atomically(path, lambda stream: document.save_to_stream(stream))


def render_hwpx(draft: RfpDraft) -> HwpxDocument:
    document = HwpxDocument.new()
    marking = draft_marking(draft)
    _set_metadata(document, marking)
    document.page.set_header(text=marking.page_header)
    writer = _Writer(document)
    for block in draft_blocks(draft):
        if isinstance(block, Heading):
            document.add_heading(block.text, level=min(block.level, _MAX_OUTLINE_LEVEL))
        elif isinstance(block, Table):
            writer.table(block)
        else:
            writer.paragraph(block)
    return document


def _set_metadata(document: HwpxDocument, marking: DraftMarking) -> None:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The blank template carries its own author and dates; none of them describe this draft.
    document.parts.clear_document_metadata(keep=("language",), timestamp=now)
    document.parts.set_document_metadata(
        title=marking.title, creator=marking.author, subject=marking.subject,
        keyword=marking.keywords, created_date=now, modified_date=now,
    )


class _Writer:
    """Paragraph and table rendering with the character shapes made once per document."""

    def __init__(self, document: HwpxDocument) -> None:
        self.document = document
        self.banner = document.styles.ensure_run(bold=True, color="#C00000")
        self.title = document.styles.ensure_run(bold=True, size=16)
        self.note = document.styles.ensure_run(size=9)
        self.bold = document.styles.ensure_run(bold=True)
        section = document.sections[0].properties
        size, margins = section.page_size, section.page_margins
        self.body_width = size.width - margins.left - margins.right

    def paragraph(self, block: Paragraph) -> None:
        char = {"banner": self.banner, "title": self.title, "note": self.note}.get(block.kind)
        if block.kind == "note" and block.text == "근거":
            char = self.bold
        # An explicit style: a body paragraph must never inherit the heading before it.
        self.document.add_paragraph(block.text, style=BODY_STYLE, char_pr_id_ref=char)

    def table(self, block: Table) -> None:
        rows = block.all_rows
        table = self.document.add_table(len(rows), len(block.header), width=self.body_width)
        table.set_column_widths(list(block.widths))
        # Row by row: table.cell() rebuilds the cell grid on every call.
        for row, values in zip(table.rows, rows):
            for cell, value in zip(row.cells, values):
                cell.text = value
        # Long tables flow across pages, split between rows, with the first row repeated.
        table.set_treat_as_char(False)
        table.element.set("pageBreak", "CELL")
        table.element.set("repeatHeader", "1")
        for col_index, cell in enumerate(table.rows[0].cells):
            cell.element.set("header", "1")
            for run in cell.element.iter(_HP_RUN):
                run.set("charPrIDRef", str(self.bold))
            table.set_cell_shading(0, col_index, _HEADER_FILL)
        table.mark_dirty()
