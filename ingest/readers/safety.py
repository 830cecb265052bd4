"""Checks made before any parser sees a file: size, magic bytes, zip containers, names.

Parsers for PDF, OOXML and OWPML are large and trust their input; every file here comes
from an upload or a shared drive, so the cheap refusals happen first and name the reason
in Korean, because the messages are shown to the civil servant who uploaded the file.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import DocumentTooLarge, EmptyDocument, UnsafeDocument, UnsupportedFormat

log = logging.getLogger(__name__)

MIB = 1024 * 1024

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HWP3_MAGIC = b"HWP Document File V3"
# Real PDFs sometimes carry a few bytes before the header (mail gateways, old
# generators); readers such as Acrobat accept the header anywhere in the first 1024.
_PDF_HEADER_WINDOW = 1024

# Small XML parts of repeated tags legitimately compress 200:1; the ratio only signals a
# bomb once the entry is big enough to hurt.
_RATIO_FLOOR_BYTES = 1 * MIB

_TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".csv"})
_ZIP_SUFFIXES = frozenset({".docx", ".hwpx"})
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ReadLimits:
    """Ceilings applied while reading one document; a file over any of them is refused."""

    max_file_bytes: int = 100 * MIB
    max_uncompressed_bytes: int = 300 * MIB
    max_compression_ratio: int = 100
    max_zip_entries: int = 10_000
    max_pages: int = 5000


def format_size(n: int) -> str:
    """Bytes as the MB figure Windows Explorer shows (binary megabytes)."""
    return f"{n / MIB:.1f} MB"


def check_file(path: Path, source: str, suffix: str, limits: ReadLimits) -> None:
    """Refuse a file that is too large, empty, or whose content is not what `suffix` says."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise DocumentTooLarge(
            source, f"파일이 너무 큽니다 ({format_size(size)}, 한도 {format_size(limits.max_file_bytes)})"
        )
    if size == 0:
        raise EmptyDocument(source, "빈 파일입니다 (0바이트)")
    with path.open("rb") as f:
        head = f.read(_PDF_HEADER_WINDOW)
    if suffix in _TEXT_SUFFIXES:
        _check_utf8(path, source)
    elif not _magic_matches(suffix, head):
        raise UnsupportedFormat(source, _mismatch_message(suffix, head))


def _magic_matches(suffix: str, head: bytes) -> bool:
    if suffix == ".pdf":
        return _PDF_MAGIC in head
    if suffix in _ZIP_SUFFIXES:
        return head.startswith(_ZIP_MAGIC)
    if suffix == ".hwp":
        return head.startswith(_OLE2_MAGIC)
    return True


def _mismatch_message(suffix: str, head: bytes) -> str:
    if suffix == ".hwp" and head.startswith(_HWP3_MAGIC):
        return "HWP 3.0 이하 형식은 지원하지 않습니다 — 한글에서 HWP 또는 HWPX로 다시 저장해 주세요"
    actual = _describe(head)
    if actual is None:
        # Files under a document-security (DRM) wrapper keep their name but not their
        # format; that is the usual cause of this message on government PCs.
        return (
            f"파일 내용이 {suffix} 형식이 아닙니다 — 문서 보안(DRM)이 걸린 파일이면 해제한 뒤 올려 주세요"
        )
    return f"확장자는 {suffix}이지만 내용은 {actual}입니다"


def _describe(head: bytes) -> str | None:
    if _PDF_MAGIC in head:
        return "PDF"
    if head.startswith(_ZIP_MAGIC):
        return "ZIP 압축 파일(DOCX·HWPX 등)"
    if head.startswith(_OLE2_MAGIC):
        return "OLE2 복합 문서(HWP·DOC·암호화된 DOCX 등)"
    return None


def _check_utf8(path: Path, source: str) -> None:
    # Decoded in chunks so a 100 MB text file is never held twice in memory.
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(MIB):
                if b"\x00" in chunk:
                    raise UnsupportedFormat(source, "텍스트 파일이 아닙니다 (NUL 바이트 포함) — UTF-8로 저장해 주세요")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UnsupportedFormat(
                source, "UTF-8 텍스트가 아닙니다 — CP949(EUC-KR) 등으로 저장된 파일이면 UTF-8로 다시 저장해 주세요"
            ) from None


def check_zip(zf: zipfile.ZipFile, source: str, limits: ReadLimits) -> None:
    """Refuse a zip container that is a bomb or names paths outside itself.

    Declared sizes are enough: `zipfile` stops reading an entry at its declared size, so
    a lying header cannot make extraction produce more than was checked here.
    """
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise UnsafeDocument(source, f"압축 항목이 너무 많습니다 ({len(infos)}개, 한도 {limits.max_zip_entries}개)")
    total = 0
    for info in infos:
        if _unsafe_member_name(info.filename):
            raise UnsafeDocument(source, f"압축 항목 이름이 안전하지 않습니다: {_printable(info.filename)}")
        _check_ratio(info, source, limits)
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise UnsafeDocument(
                source,
                f"압축을 풀면 너무 큽니다 ({format_size(total)} 이상, 한도 "
                f"{format_size(limits.max_uncompressed_bytes)}) — 압축 폭탄일 수 있습니다",
            )


def open_checked_zip(path: Path, source: str, limits: ReadLimits, kind: str) -> zipfile.ZipFile:
    """Open a zip container and run `check_zip` on it; the caller closes it."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        # zipfile's own words ("Bad magic number for central directory") go to the log only.
        log.warning("%s: unreadable zip container: %s", source, exc)
        raise UnsupportedFormat(source, f"{kind} 파일을 열 수 없습니다 (손상된 압축 파일)") from exc
    try:
        check_zip(zf, source, limits)
    except BaseException:
        zf.close()
        raise
    return zf


def _check_ratio(info: zipfile.ZipInfo, source: str, limits: ReadLimits) -> None:
    if info.file_size <= _RATIO_FLOOR_BYTES:
        return
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > limits.max_compression_ratio:
        raise UnsafeDocument(
            source,
            f"압축률이 비정상적으로 높습니다 ({_printable(info.filename)}: {ratio:.0f}배, "
            f"한도 {limits.max_compression_ratio}배) — 압축 폭탄일 수 있습니다",
        )


def _unsafe_member_name(name: str) -> bool:
    if "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return ".." in re.split(r"[\\/]", name)


def safe_source_name(name: str) -> str:
    """Normalise an uploaded relative file name to 'dir/file.ext', refusing unsafe ones.

    Backslashes become '/', '.' and empty parts are dropped, and the result is NFC:
    macOS browsers send Korean names decomposed (NFD), which would otherwise not match
    the same name typed on Windows in citations and evaluation suites.
    """
    shown = _printable(name) or "(빈 이름)"
    if any(_is_control(ch) for ch in name):
        raise UnsafeDocument(shown, "파일 이름에 제어 문자가 있습니다")
    unified = unicodedata.normalize("NFC", name).replace("\\", "/")
    if unified.startswith("/") or _DRIVE.match(unified):
        raise UnsafeDocument(shown, "절대 경로는 올릴 수 없습니다 — 상대 경로의 파일 이름을 주세요")
    parts = [p for p in unified.split("/") if p.strip() not in ("", ".")]
    if ".." in (p.strip() for p in parts):
        raise UnsafeDocument(shown, "파일 이름에 '..'(상위 폴더)가 들어갈 수 없습니다")
    if not parts:
        raise UnsafeDocument(shown, "파일 이름이 비어 있습니다")
    return "/".join(parts)


def _is_control(ch: str) -> bool:
    # Format characters included: a right-to-left override makes "exe.pdf" look like a PDF.
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


def _printable(name: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" if _is_control(ch) else ch for ch in name)
