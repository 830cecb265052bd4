"""HWP 5.0 reader: the binary (OLE2 compound file) format of Hancom 한글.

Layout, per Hancom's published "한글 문서 파일 형식 5.0": a `FileHeader` stream (signature,
version, property flags), a `DocInfo` stream (styles among others) and one
`BodyText/SectionN` stream per section. Streams are raw deflate when the header says
so, and hold records whose 32-bit header packs tag (10 bits), level (10) and size (12).
"""

from __future__ import annotations

import logging
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import olefile

from rag.documents import ParsedDocument
from rag.errors import EmptyDocument, EncryptedDocument, UnsafeDocument, UnsupportedFormat

from .outline import OutlineBuilder, heading_level
from .safety import ReadLimits, format_size

log = logging.getLogger(__name__)

_SIGNATURE = b"HWP Document File"
_FLAG_COMPRESSED = 1 << 0
# Property bits after which the body text is unreadable without a key.
_LOCKED_FLAGS = {
    1 << 1: "암호가 걸린 HWP 문서입니다 — 한글에서 암호를 해제한 뒤 올려 주세요",
    1 << 2: "배포용 문서(읽기 전용 보호)라 본문을 꺼낼 수 없습니다 — 원본 문서를 올려 주세요",
    1 << 4: "DRM으로 보호된 HWP 문서입니다 — 보호를 해제한 뒤 올려 주세요",
    1 << 8: "공인인증서로 암호화된 HWP 문서입니다 — 암호화를 해제한 뒤 올려 주세요",
    1 << 10: "공인인증서 DRM으로 보호된 HWP 문서입니다 — 보호를 해제한 뒤 올려 주세요",
}

TAG_STYLE = 0x1A
TAG_PARA_HEADER = 0x42
TAG_PARA_TEXT = 0x43
TAG_CTRL_HEADER = 0x47
TAG_LIST_HEADER = 0x48

# UTF-16 units below 32 in PARA_TEXT are controls. "Char" controls take one unit;
# inline and extended controls take eight (code, 12 bytes of parameters, code).
_CHAR_CONTROLS = frozenset({0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31})
_INLINE_CONTROLS = frozenset({4, 5, 6, 7, 8, 9, 19, 20})
_CHAR_TEXT = {10: "\n", 24: "-", 30: " ", 31: " "}
# Controls whose nested paragraphs are document text: text boxes/drawings, foot- and
# endnotes. Headers and footers are left out: they repeat on every page.
_TEXT_CONTROLS = frozenset({"gso ", "fn  ", "en  "})
_SECTION_STREAM = re.compile(r"^Section(\d+)$")
# What olefile raises on a damaged compound file; OverflowError and MemoryError come from
# sector sizes and counts it takes from the file unchecked.
_MALFORMED = (OSError, ValueError, struct.error, IndexError, KeyError, TypeError, OverflowError, MemoryError)
# The compound-file header's sector shifts (bytes 30 and 32): the format allows sectors of
# 2**9 or 2**12 bytes and mini sectors of 2**6. olefile computes 2**shift from whatever is
# there, so a garbage header makes it build integers of thousands of digits.
_SECTOR_SHIFTS = frozenset({9, 12})
_MINI_SECTOR_SHIFT = 6
_PIDSI_TITLE = 2
# Each record costs a Python object; a stream of empty records inside the size ceiling
# would otherwise need gigabytes. Real documents stay far below this.
_MAX_RECORDS = 2_000_000


@dataclass(slots=True)
class Record:
    """One HWP record with the records nested under it (higher level, following it)."""

    tag: int
    level: int
    payload: bytes
    children: list[Record] = field(default_factory=list)


class _Budget:
    """Bytes all decompressed streams of one file may add up to."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit


def read(path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    """Read an HWP 5.0 file: one Section per heading block, 'section N' where there are none."""
    _check_sector_sizes(path, source)
    try:
        ole = olefile.OleFileIO(str(path))
    except _MALFORMED as exc:
        raise _damaged(source, "손상된 복합 문서", exc) from exc
    with ole:
        try:
            return _parse(ole, path, source, limits)
        except RecursionError as exc:  # tables in tables in text boxes, nested past sanity
            raise UnsupportedFormat(source, "HWP를 읽을 수 없습니다 (개체 중첩이 너무 깊습니다)") from exc
        except _MALFORMED as exc:  # streams and sector chains olefile follows lazily
            raise _damaged(source, "손상된 복합 문서", exc) from exc


def _check_sector_sizes(path: Path, source: str) -> None:
    with path.open("rb") as f:
        header = f.read(34)
    if len(header) < 34:
        raise UnsupportedFormat(source, "HWP를 읽을 수 없습니다 (복합 문서 머리가 잘렸습니다)")
    sector_shift, mini_shift = struct.unpack_from("<HH", header, 30)
    if sector_shift not in _SECTOR_SHIFTS or mini_shift != _MINI_SECTOR_SHIFT:
        raise UnsupportedFormat(source, "HWP를 읽을 수 없습니다 (복합 문서 머리가 손상되었습니다)")


def _damaged(source: str, what: str, exc: BaseException) -> UnsupportedFormat:
    """The user's message says what is damaged; the library's own words go to the log."""
    log.warning("%s: unreadable HWP (%s): %s: %s", source, what, exc.__class__.__name__, exc)
    return UnsupportedFormat(source, f"HWP를 읽을 수 없습니다 ({what}) — 파일이 손상되었을 수 있습니다")


def _parse(ole: olefile.OleFileIO, path: Path, source: str, limits: ReadLimits) -> ParsedDocument:
    compressed, version = _check_header(ole, source)
    budget = _Budget(limits.max_uncompressed_bytes)
    levels = _heading_styles(_records(_stream(ole, ["DocInfo"], compressed, budget, source), source))
    outline = OutlineBuilder()
    for index, name in enumerate(_section_streams(ole), start=1):
        outline.start_part(f"section {index}")
        data = _stream(ole, ["BodyText", name], compressed, budget, source)
        for root in _records(data, source):
            if root.tag == TAG_PARA_HEADER:
                _add_paragraph(outline, root, levels)
    sections = outline.finish()
    if not sections:
        raise EmptyDocument(source, "문서에 텍스트가 없습니다")
    return ParsedDocument(
        source=source,
        title=_title(ole) or path.stem,
        format="hwp",
        sections=sections,
        metadata={"hwp_version": version},
    )


def _check_header(ole: olefile.OleFileIO, source: str) -> tuple[bool, str]:
    """Return (compressed, version) or refuse a non-HWP, old or locked file."""
    if not ole.exists("FileHeader"):
        raise UnsupportedFormat(source, "HWP 문서가 아닙니다 (FileHeader 없음 — 다른 OLE 문서의 확장자만 바뀐 파일일 수 있습니다)")
    header = ole.openstream("FileHeader").read(256)
    if not header.startswith(_SIGNATURE) or len(header) < 40:
        raise UnsupportedFormat(source, "HWP 문서가 아닙니다 (FileHeader 서명 불일치)")
    version_word, flags = struct.unpack_from("<II", header, 32)
    version = ".".join(str((version_word >> shift) & 0xFF) for shift in (24, 16, 8, 0))
    if version_word >> 24 != 5:
        raise UnsupportedFormat(source, f"HWP {version} 형식은 지원하지 않습니다 — 한글에서 HWP 5.0 이상으로 다시 저장해 주세요")
    for bit, message in _LOCKED_FLAGS.items():
        if flags & bit:
            raise EncryptedDocument(source, message)
    return bool(flags & _FLAG_COMPRESSED), version


def _section_streams(ole: olefile.OleFileIO) -> list[str]:
    found = []
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) == 2 and entry[0] == "BodyText" and (m := _SECTION_STREAM.match(entry[1])):
            found.append((int(m.group(1)), entry[1]))
    return [name for _, name in sorted(found)]


def _stream(ole: olefile.OleFileIO, name: list[str], compressed: bool, budget: _Budget, source: str) -> bytes:
    if not ole.exists("/".join(name)):
        return b""
    try:
        raw = ole.openstream(name).read()
    except _MALFORMED as exc:
        raise _damaged(source, f"{'/'.join(name)} 스트림", exc) from exc
    return _inflate(raw, "/".join(name), budget, source) if compressed else raw


def _inflate(data: bytes, name: str, budget: _Budget, source: str) -> bytes:
    # Bounded output: a few KB of deflate can expand to gigabytes.
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, budget.left + 1)
        if len(out) <= budget.left and not inflater.unconsumed_tail:
            out += inflater.flush()
    except zlib.error as exc:
        raise _damaged(source, f"{name} 압축 해제 실패", exc) from exc
    if len(out) > budget.left or inflater.unconsumed_tail:
        raise UnsafeDocument(
            source, f"압축을 풀면 너무 큽니다 (한도 {format_size(budget.limit)}) — 압축 폭탄일 수 있습니다"
        )
    budget.left -= len(out)
    return out


def _records(data: bytes, source: str) -> list[Record]:
    """Parse a stream into record trees; a record's children are the following records
    of a higher level."""
    roots: list[Record] = []
    stack: list[Record] = []
    offset = count = 0
    while offset < len(data):
        count += 1
        if count > _MAX_RECORDS:
            raise UnsafeDocument(source, f"HWP 레코드가 너무 많습니다 (스트림 하나에 {_MAX_RECORDS:,}개 초과)")
        if offset + 4 > len(data):
            raise UnsupportedFormat(source, "HWP를 읽을 수 없습니다 (레코드 머리가 잘렸습니다)")
        (word,) = struct.unpack_from("<I", data, offset)
        offset += 4
        tag, level, size = word & 0x3FF, (word >> 10) & 0x3FF, word >> 20
        if size == 0xFFF:
            if offset + 4 > len(data):
                raise UnsupportedFormat(source, "HWP를 읽을 수 없습니다 (레코드 머리가 잘렸습니다)")
            (size,) = struct.unpack_from("<I", data, offset)
            offset += 4
        if offset + size > len(data):
            raise UnsupportedFormat(source, "HWP를 읽을 수 없습니다 (레코드가 스트림 끝을 넘습니다)")
        record = Record(tag, level, data[offset : offset + size])
        offset += size
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(record)
        stack.append(record)
    return roots


def _heading_styles(docinfo: list[Record]) -> dict[int, int]:
    """Style index -> outline level. STYLE records are numbered by their order."""
    styles = [r for r in _walk(docinfo) if r.tag == TAG_STYLE]
    levels = {}
    for index, record in enumerate(styles):
        level = next((lv for name in _style_names(record.payload) if (lv := heading_level(name))), None)
        if level is not None:
            levels[index] = level
    return levels


def _style_names(payload: bytes) -> list[str]:
    """Local and English names: each a WORD length then that many UTF-16 units."""
    names, offset = [], 0
    for _ in range(2):
        if offset + 2 > len(payload):
            break
        (length,) = struct.unpack_from("<H", payload, offset)
        names.append(payload[offset + 2 : offset + 2 + 2 * length].decode("utf-16-le", errors="replace"))
        offset += 2 + 2 * length
    return names


def _walk(roots: list[Record]) -> list[Record]:
    """All records in stream order."""
    out: list[Record] = []
    stack = list(reversed(roots))
    while stack:
        record = stack.pop()
        out.append(record)
        stack.extend(reversed(record.children))
    return out


def _add_paragraph(outline: OutlineBuilder, paragraph: Record, levels: dict[int, int]) -> None:
    lines = paragraph_lines(paragraph)
    style = paragraph.payload[10] if len(paragraph.payload) > 10 else -1
    level = levels.get(style)
    if level is not None and len(lines) == 1:
        outline.heading(level, lines[0])
        return
    for line in lines:
        outline.line(line)


def paragraph_lines(paragraph: Record) -> list[str]:
    """Lines of one PARA_HEADER: its text, each table row in place of the table's control
    character, and the paragraphs of text boxes and notes after the line they sit in."""
    text = next((c.payload for c in paragraph.children if c.tag == TAG_PARA_TEXT), b"")
    controls = [c for c in paragraph.children if c.tag == TAG_CTRL_HEADER]
    lines: list[str] = []
    pending: list[str] = []
    buffer: list[str] = []
    for piece in _decode_text(text):
        if isinstance(piece, str):
            buffer.append(piece)
            continue
        control = controls[piece] if piece < len(controls) else None
        if control is not None and _ctrl_id(control) == "tbl ":
            _flush(buffer, lines)
            lines.extend(_table_rows(control))
        elif control is not None and _ctrl_id(control) in _TEXT_CONTROLS:
            pending.extend(_nested_lines(control))
    _flush(buffer, lines)
    return lines + pending


def _flush(buffer: list[str], lines: list[str]) -> None:
    text = "".join(buffer)
    lines.extend(line for line in text.split("\n") if line.strip())
    buffer.clear()


def _decode_text(payload: bytes) -> list[str | int]:
    """Text runs as str, and for each extended control its ordinal (it is the n-th
    CTRL_HEADER child of the paragraph)."""
    units = struct.unpack(f"<{len(payload) // 2}H", payload[: len(payload) // 2 * 2])
    pieces: list[str | int] = []
    extended = 0
    start = index = 0
    while index < len(units):
        unit = units[index]
        if unit >= 32:
            index += 1
            continue
        if index > start:
            pieces.append(payload[start * 2 : index * 2].decode("utf-16-le", errors="replace"))
        if unit in _CHAR_CONTROLS:
            pieces.append(_CHAR_TEXT.get(unit, ""))
            index += 1
        elif unit in _INLINE_CONTROLS:
            pieces.append("\t" if unit == 9 else "")
            index += 8
        else:
            pieces.append(extended)
            extended += 1
            index += 8
        start = index
    if start < len(units):
        pieces.append(payload[start * 2 : len(units) * 2].decode("utf-16-le", errors="replace"))
    return pieces


def _ctrl_id(control: Record) -> str:
    # Stored as a little-endian 32-bit word built from four ASCII characters.
    return control.payload[:4][::-1].decode("latin-1")


def _table_rows(table: Record) -> list[str]:
    """Rows of a 'tbl ' control: each cell is a LIST_HEADER (column at byte 8, row at
    byte 10) followed by its paragraphs at the same level."""
    cells: dict[tuple[int, int], list[str]] = {}
    current: list[str] | None = None
    for child in table.children:
        if child.tag == TAG_LIST_HEADER and len(child.payload) >= 12:
            col, row = struct.unpack_from("<HH", child.payload, 8)
            current = cells.setdefault((row, col), [])
        elif child.tag == TAG_PARA_HEADER and current is not None:
            current.extend(line.strip() for line in paragraph_lines(child))
    rows: dict[int, list[tuple[int, str]]] = {}
    for (row, col), lines in cells.items():
        rows.setdefault(row, []).append((col, " ".join(lines)))
    out = []
    for row in sorted(rows):
        texts = [text for _, text in sorted(rows[row])]
        if any(texts):
            out.append(" | ".join(texts))
    return out


def _nested_lines(control: Record) -> list[str]:
    lines = []
    for child in control.children:
        if child.tag == TAG_PARA_HEADER:
            lines.extend(paragraph_lines(child))
        else:
            lines.extend(_nested_lines(child))
    return lines


def _title(ole: olefile.OleFileIO) -> str:
    name = "\x05HwpSummaryInformation"
    if not ole.exists(name):
        return ""
    try:
        title = ole.getproperties(name, convert_time=False).get(_PIDSI_TITLE)
    except _MALFORMED:
        return ""
    if isinstance(title, bytes):
        title = title.decode("utf-16-le", errors="replace")
    return title.strip("\x00 ").strip() if isinstance(title, str) else ""
