"""Builders for reader test files, made at test time so no binaries are committed.

PDFs are written byte by byte (a Type0 font with a ToUnicode map, so Korean text
extracts); DOCX and HWPX come from python-docx and python-hwpx; HWP 5.0 files come
from python-hwpx's .hwp writer, or, for hand-made records, its compound-file writer.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

ZEROS_MIB = 20  # deflates ~1000:1, far over the default ratio limit, in ~50 ms

# --- PDF -----------------------------------------------------------------------------

IMAGE = "image"  # a page showing only a bitmap, as a scanner makes


def build_pdf(pages: list[list[str] | str], title: str | None = None, lead: bytes = b"",
              glyph_gaps: tuple[float, float] | None = None) -> bytes:
    """A PDF with one page per item: a list of text lines, or IMAGE. With `glyph_gaps`
    (points between two characters, and where a space is), every character is drawn on
    its own at its own position, as PDFs printed from HWP do."""
    chars = sorted({ch for page in pages if page != IMAGE for line in page for ch in line} | {" "})
    objects: list[bytes] = [b"", b""]  # 1 catalog, 2 page tree: filled in at the end

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(_type0_font(add(_to_unicode(chars)), add(_cid_font())))
    image = add(_stream(b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                        b"/BitsPerComponent 8", b"\x00\xff\xff\x00"))
    kids = []
    for page in pages:
        content = add(_stream(b"", _page_content(page, glyph_gaps)))
        kids.append(add(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>" % (content, font, image)
        ))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    info = add(b"<< /Title <FEFF%s> >>" % title.encode("utf-16-be").hex().encode()) if title else None
    return lead + _serialize(objects, info)


def _page_content(page: list[str] | str, glyph_gaps: tuple[float, float] | None = None) -> bytes:
    if page == IMAGE:
        return b"q 400 0 0 500 90 200 cm /Im1 Do Q"
    if glyph_gaps is not None:
        return _placed_glyphs(page, *glyph_gaps)
    ops = [b"BT /F1 11 Tf 14 TL 72 770 Td"]
    ops += [b"<%s> Tj T*" % line.encode("utf-16-be").hex().encode() for line in page]
    return b"\n".join(ops + [b"ET"])


def _placed_glyphs(lines: list[str], gap: float, space: float, size: int = 11) -> bytes:
    # Every glyph is 1 em wide (/DW 1000), so the next one starts `size + gap` further on.
    ops = [b"BT /F1 %d Tf" % size]
    for row, line in enumerate(lines):
        x, y = 72.0, 770 - 14 * row
        for ch in line:
            if ch == " ":
                x += space - gap
                continue
            ops.append(b"1 0 0 1 %.2f %d Tm <%s> Tj" % (x, y, ch.encode("utf-16-be").hex().encode()))
            x += size + gap
    return b"\n".join(ops + [b"ET"])


def _to_unicode(chars: list[str]) -> bytes:
    # Character ids are the UTF-16 code units themselves; the map says so, per character.
    pairs = "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{pairs}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    return _stream(b"", cmap.encode())


def _cid_font() -> bytes:
    return (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /HYSMyeongJo-Medium /DW 1000 "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>")


def _type0_font(to_unicode: int, cid_font: int) -> bytes:
    return (b"<< /Type /Font /Subtype /Type0 /BaseFont /HYSMyeongJo-Medium /Encoding /Identity-H "
            b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode))


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def _serialize(objects: list[bytes], info: int | None) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info_ref = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info_ref, xref)
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str, owner_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- zip containers ------------------------------------------------------------------


def add_zip_entry(path: Path, name: str, data: bytes = b"<x/>") -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)


def replace_zip_entry(path: Path, name: str, data: bytes) -> None:
    """Rewrite the zip with `name` holding `data` (added if it was not there)."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist() if info.filename != name]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, content in parts:
            zf.writestr(info, content)
        zf.writestr(name, data)


def add_zeros_entry(path: Path, name: str, mib: int = ZEROS_MIB) -> None:
    """Append an entry of `mib` MiB of zeros, streamed so the test never holds it."""
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as entry:
        for _ in range(mib):
            entry.write(chunk)


HWPX_NS = (
    'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" '
    'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section"'
)


def hwpx_section(body: str, prolog: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<hs:sec {HWPX_NS}>{body}</hs:sec>'


def hwpx_paragraph(text: str, style: str = "0") -> str:
    return f'<hp:p styleIDRef="{style}"><hp:run><hp:t>{text}</hp:t></hp:run></hp:p>'


def build_hwpx(path: Path, sections: dict[str, str], spine: list[str] | None = None) -> None:
    """A minimal HWPX: `sections` maps part names to XML; `spine` lists them in order
    for a content.hpf manifest (none written when None)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        if spine is not None:
            items = "".join(
                f'<opf:item id="s{i}" href="{n}" media-type="application/xml"/>' for i, n in enumerate(spine)
            )
            refs = "".join(f'<opf:itemref idref="s{i}"/>' for i in range(len(spine)))
            zf.writestr(
                "Contents/content.hpf",
                '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/"><opf:metadata><opf:title>규정집</opf:title>'
                f"</opf:metadata><opf:manifest>{items}</opf:manifest><opf:spine>{refs}</opf:spine></opf:package>",
            )
        for name, xml in sections.items():
            zf.writestr(name, xml)


# --- HWP 5.0 -------------------------------------------------------------------------

HWP_FLAG_COMPRESSED = 1 << 0
HWP_FLAG_PASSWORD = 1 << 1
HWP_FLAG_DISTRIBUTION = 1 << 2


def set_hwp_flags(data: bytes, flags: int) -> bytes:
    """Overwrite the property flags of a FileHeader in place (the stream is contiguous
    in the mini stream, 36 bytes after the signature)."""
    at = data.index(b"HWP Document File") + 36
    return data[:at] + struct.pack("<I", flags) + data[at + 4 :]


def hwp_record(tag: int, level: int, payload: bytes) -> bytes:
    if len(payload) >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(payload)) + payload
    return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload


def hwp_paragraph(level: int, text: str | bytes, style: int = 0) -> bytes:
    """PARA_HEADER + PARA_TEXT; `text` as bytes is raw UTF-16LE with controls."""
    raw = text if isinstance(text, bytes) else (text + "\r").encode("utf-16-le")
    header = struct.pack("<IIHBB", len(raw) // 2, 0, 0, style, 0) + bytes(12)
    return hwp_record(0x42, level, header) + hwp_record(0x43, level + 1, raw)


def hwp_control(code: int, ctrl: str = "    ") -> bytes:
    """An inline/extended control as it sits in PARA_TEXT: code, 12 bytes, code."""
    return struct.pack("<H", code) + ctrl[::-1].encode("latin-1") + bytes(8) + struct.pack("<H", code)


def build_hwp(
    body: bytes, *, flags: int = HWP_FLAG_COMPRESSED, docinfo: bytes = b"", file_header: bool = True
) -> bytes:
    """An HWP 5.0 compound file with one BodyText section made of `body` records."""
    from hwpx.hwp5.cfb import build_compound_file

    def pack(data: bytes) -> bytes:
        if not flags & HWP_FLAG_COMPRESSED:
            return data
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        return deflate.compress(data) + deflate.flush()

    header = b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05010100, flags)
    streams = [("DocInfo", pack(docinfo)), ("BodyText/Section0", pack(body))]
    if file_header:
        streams.insert(0, ("FileHeader", header.ljust(256, b"\0")))
    return build_compound_file(streams)
