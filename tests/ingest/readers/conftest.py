"""Fixtures for the reader tests; the file builders live in reader_fixtures.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def office_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The same regulation saved by python-hwpx as .hwpx and .hwp (built once: slowish)."""
    from hwpx import HwpxDocument

    doc = HwpxDocument.new()
    doc.add_paragraph("서울특별시 공무원 복무 규정", style="바탕글")
    doc.add_heading("제1장 총칙", 1)
    doc.add_paragraph("제1조(목적) 이 규정은 서울특별시 공무원의 복무에 관하여 정한다.", style="바탕글")
    doc.add_heading("제1절 연가", 2)
    doc.add_paragraph("연가는   21일로 한다.", style="바탕글")
    table = doc.add_table(2, 2)
    for (row, col), text in {(0, 0): "구분", (0, 1): "일수", (1, 0): "연가", (1, 1): "21일"}.items():
        table.set_cell_text(row, col, text)
    doc.add_paragraph("표 다음 문단", style="바탕글")
    doc.add_heading("제2장 보칙", 1)
    section = doc.add_section()
    doc.add_paragraph("부칙 이 규정은 공포한 날부터 시행한다.", section=section, style="바탕글")
    folder = tmp_path_factory.mktemp("office")
    out = {}
    for suffix in (".hwpx", ".hwp"):
        doc.save_to_path(folder / f"doc{suffix}")
        out[suffix] = (folder / f"doc{suffix}").read_bytes()
    return out


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """Write bytes to a file named `name` in the test's folder and return its path."""

    def _write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write
