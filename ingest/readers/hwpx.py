"""HWPX reader: the OWPML sections of a Hancom (한글) zip package.

Elements are matched by local name, not namespace: Hancom has shipped the same
elements under 2011 and 2016 namespace URIs, and other writers vary them again.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from rag.documents import ParsedDocument
from rag.errors import EmptyDocument, EncryptedDocument, UnsafeDocument, UnsupportedFormat

from .outline import OutlineBuilder, heading_level
from .safety import ReadLimits, open_checked_zip

log = logging.getLogger(__name__)

_MANIFEST = "Contents/content.hpf"
_HEADER = "Contents/header.xml"
_ODF_MANIFEST = "META-INF/manifest.xml"
_SECTION_NAME = re.compile(r"(?:^|/)section(\d+)\.xml$", re.IGNORECASE)
# Characters that OWPML writes as empty elements inside <hp:t>.
_INLINE_CHARS = {"tab": "\t", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " ", "hyphen": "-"}


def read(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    """Read an HWPX into Sections: one per heading block, 'section N' where there are none."""
    with open_checked_zip(path, source, limits, "HWPX") as zf:
        _refuse_encrypted(zf, source)
        manifest = _parse(zf, _MANIFEST, source) if _MANIFEST in zf.namelist() else None
        names = _section_names(zf, manifest)
        if not names:
            raise UnsupportedFormat(source, "HWPX 본문(Contents/section*.xml)이 없습니다")
        levels = _heading_styles(_parse(zf, _HEADER, source)) if _HEADER in zf.namelist() else {}
        outline = OutlineBuilder()
        for index, name in enumerate(names, start=1):
            outline.start_part(f"section {index}")
            for paragraph in _children(_parse(zf, name, source), "p"):
                _add_paragraph(outline, paragraph, levels)
    sections = outline.finish()
    if not sections:
        raise EmptyDocument(source, "문서에 텍스트가 없습니다")
    return ParsedDocument(
        source=source, title=_title(manifest) or path.stem, format="hwpx", sections=sections
    )


def _refuse_encrypted(zf: zipfile.ZipFile, source: str) -> None:
    # A password-protected HWPX keeps the zip layout but encrypts the parts, and says
    # so in the ODF-style manifest.
    if _ODF_MANIFEST in zf.namelist() and b"encryption-data" in zf.read(_ODF_MANIFEST):
        raise EncryptedDocument(source, "암호가 걸린 HWPX 문서입니다 — 한글에서 암호를 해제한 뒤 올려 주세요")


def _parse(zf: zipfile.ZipFile, name: str, source: str) -> Element:
    try:
        return safe_xml.fromstring(zf.read(name), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnsafeDocument(source, f"{name}: DTD·엔티티 선언이 있는 XML은 받지 않습니다 ({type(exc).__name__})") from exc
    except KeyError as exc:
        raise UnsupportedFormat(source, f"HWPX 구성 파일이 없습니다: {name}") from exc
    except (ParseError, zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
        log.warning("%s: unreadable HWPX part %s: %s: %s", source, name, exc.__class__.__name__, exc)
        raise UnsupportedFormat(source, f"HWPX를 읽을 수 없습니다 — {name}이(가) 손상되었습니다") from exc


def _local(element: Element) -> str:
    return element.tag.rpartition("}")[2]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child) == name)


def _section_names(zf: zipfile.ZipFile, manifest: Element | None) -> list[str]:
    """Section parts in reading order: the manifest's spine, else numeric file order."""
    present = set(zf.namelist())
    if manifest is not None:
        hrefs = {item.get("id"): item.get("href", "") for item in manifest.iter() if _local(item) == "item"}
        spine = [hrefs.get(ref.get("idref"), "") for ref in manifest.iter() if _local(ref) == "itemref"]
        ordered = [href for href in spine if _SECTION_NAME.search(href) and href in present]
        if ordered:
            return ordered
    found = [
        (int(m.group(1)), name)
        for name in present
        if name.startswith("Contents/") and (m := _SECTION_NAME.search(name))
    ]
    return [name for _, name in sorted(found)]


def _heading_styles(header: Element) -> dict[str, int]:
    """Paragraph style id -> outline level, for the 개요 N / 제목 N styles."""
    levels = {}
    for style in header.iter():
        if _local(style) != "style" or style.get("type", "PARA") != "PARA":
            continue
        level = heading_level(style.get("name")) or heading_level(style.get("engName"))
        if level is not None and style.get("id") is not None:
            levels[style.get("id", "")] = level
    return levels


def _title(manifest: Element | None) -> str:
    if manifest is None:
        return ""
    title = next((e for e in manifest.iter() if _local(e) == "title"), None)
    return (title.text or "").strip() if title is not None else ""


def _add_paragraph(outline: OutlineBuilder, paragraph: Element, levels: dict[str, int]) -> None:
    lines = paragraph_lines(paragraph)
    level = levels.get(paragraph.get("styleIDRef", ""))
    if level is not None and len(lines) == 1:
        outline.heading(level, lines[0])
        return
    for line in lines:
        outline.line(line)


def paragraph_lines(paragraph: Element) -> list[str]:
    """Text lines of one <hp:p>: its runs as one line, each table row as its own line,
    and paragraphs nested in text boxes or notes after it."""
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = "".join(buffer)
        if text.strip():
            lines.append(text)
        buffer.clear()

    def visit(node: Element) -> None:
        for child in node:
            name = _local(child)
            if name == "t":
                buffer.append(_t_text(child))
            elif name == "tbl":
                flush()
                lines.extend(_table_rows(child))
            elif name == "p":
                flush()
                lines.extend(paragraph_lines(child))
            else:
                visit(child)

    visit(paragraph)
    flush()
    return lines


def _t_text(t: Element) -> str:
    parts = [t.text or ""]
    for child in t:
        parts.append(_INLINE_CHARS.get(_local(child), ""))
        parts.append(child.tail or "")
    return "".join(parts)


def _table_rows(table: Element) -> list[str]:
    rows = []
    for row in _children(table, "tr"):
        cells = [" ".join(_cell_lines(cell)) for cell in _children(row, "tc")]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _cell_lines(cell: Element) -> list[str]:
    lines = []
    for sub_list in _children(cell, "subList"):
        for paragraph in _children(sub_list, "p"):
            lines.extend(line.strip() for line in paragraph_lines(paragraph))
    return lines
