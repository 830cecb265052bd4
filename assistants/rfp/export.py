"""Export of an RFP draft to a file, the format chosen by the extension (.docx, .hwpx,
.json). Every writer goes through ``write_atomically``: the file appears complete or not at
all, and an existing file at the path is left as it was when the export fails."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from rag.errors import SeoulAssistError

from .draft import RfpDraft

EXPORT_FORMATS: tuple[str, ...] = (".docx", ".hwpx", ".json")


class ExportError(SeoulAssistError, ValueError):
    """The draft cannot be exported as asked; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


def export_draft(draft: RfpDraft, path: str | os.PathLike[str]) -> Path:
    """Write the draft to *path* in the format its extension names; returns the path."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".docx":
        from .export_docx import write_docx

        return write_docx(draft, target)
    if suffix == ".hwpx":
        from .export_hwpx import write_hwpx

        return write_hwpx(draft, target)
    if suffix == ".json":
        from .export_json import write_json

        return write_json(draft, target)
    raise ExportError(
        "--out / format",
        f"지원하지 않는 내보내기 형식입니다 ({suffix or '확장자 없음'}: {target.name}). "
        f"{', '.join(EXPORT_FORMATS)} 중 하나로 지정해 주세요",
    )


def write_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Run *write* on a temporary file beside *path*, then rename it into place."""
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError("--out", f"저장할 폴더가 없습니다: {target.parent}")
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
