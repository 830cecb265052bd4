"""Attachments to a draft's inputs: a previous RFP or 과업지시서 (PDF, DOCX, HWP, HWPX) read
by the project's own readers (ingest/readers), whose requirements the new draft may reuse
with the file named as their 출처.

Requirements are found as real RFPs write them: ID-like lines ("SFR-001 좌석 예약 기능"),
tables with a header row (요구사항 고유번호 | 요구사항 명칭 | 요구사항 정의 …) and the
vertical blocks of one requirement per table (요구사항 고유번호 | SFR-001 / 요구사항 명칭 |
…). A file that cannot be read is named with the reason and the others are still used."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from ingest.readers import SUPPORTED_EXTENSIONS, read_document
from rag.errors import SeoulAssistError

from .checker import valid_id

log = logging.getLogger(__name__)

#: The formats an attachment may have (a previous RFP or 과업지시서).
ATTACHMENT_EXTENSIONS = (".pdf", ".docx", ".hwp", ".hwpx")
MAX_ATTACHMENTS = 10
_ID = re.compile(r"\b([A-Z]{3})-(\d{3})\b")
_LINE = re.compile(r"^\s*([A-Z]{3})-(\d{3})(?![\dA-Za-z])\s*[|:.)\]]?\s*(.{2,120})$")
_HEAD = {"id": ("고유번호", "요구사항번호", "요구사항id", "번호"), "name": ("명칭", "요구사항명"),
         "definition": ("정의",), "details": ("세부내용", "세부 내용", "내용")}


@dataclass
class AttachedRequirement:
    category: str
    id: str  # as the attachment numbered it
    name: str
    definition: str = ""
    details: list[str] = field(default_factory=list)
    file: str = ""

    @property
    def source(self) -> str:
        return f"첨부 {self.file} ({self.id})"


@dataclass
class Attachments:
    requirements: list[AttachedRequirement] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # file names read
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)

    @property
    def assumptions(self) -> list[str]:
        out = [f"첨부 파일 {name}을(를) 읽지 못해 제외했습니다: {why}" for name, why in self.failed]
        if self.read:
            out.append(f"첨부 파일({', '.join(self.read)})에서 요구사항 {len(self.requirements)}건을 가져왔습니다: "
                       "이 사업에 맞는지 확인하세요.")
        return out


def read_attachments(files: Sequence[tuple[str, Path | None]]) -> Attachments:
    """`files`: (the name the user gave, where its bytes are; None: refused for its size on
    arrival). Never raises for one bad file."""
    result = Attachments()
    for name, path in files:
        name = PurePath(name).name or "첨부 파일"
        suffix = PurePath(name).suffix.lower()
        if path is None:
            result.failed.append((name, "파일이 너무 커서 받지 않았습니다"))
            continue
        if suffix not in ATTACHMENT_EXTENSIONS or suffix not in SUPPORTED_EXTENSIONS:
            result.failed.append((name, f"지원하지 않는 형식입니다 ({suffix or '확장자 없음'}): "
                                        f"{', '.join(ATTACHMENT_EXTENSIONS)} 중 하나로 주세요"))
            continue
        try:
            doc = read_document(Path(path), name)
        except SeoulAssistError as exc:
            result.failed.append((name, getattr(exc, "reason", str(exc))))
            continue
        except Exception:  # a reader's bug or damage no check foresaw: the other files go on
            log.exception("첨부 파일을 읽지 못함: %s", name)
            result.failed.append((name, "파일을 읽을 수 없습니다 — 손상되었거나 지원하지 않는 형식입니다"))
            continue
        result.read.append(name)
        lines = [line for section in doc.sections for line in section.text.splitlines()]
        result.requirements.extend(requirements_in(lines, name))
    return result


def requirements_in(lines: Sequence[str], file: str = "") -> list[AttachedRequirement]:
    """The requirements a document's lines state, each ID once (the first, fullest form)."""
    found: dict[str, AttachedRequirement] = {}
    columns: dict[str, int] | None = None
    current: AttachedRequirement | None = None
    for raw in lines:
        line = raw.strip()
        cells = [c.strip() for c in line.split(" | ")] if " | " in line else []
        if cells and _is_header(cells):
            columns = {key: i for i, cell in enumerate(cells) for key in _HEAD if _names(cell, key)}
            columns = {k: v for k, v in columns.items() if k != "id" or "id" not in columns or v == columns["id"]}
            continue
        if cells and columns and "id" in columns and columns["id"] < len(cells) and _ID.fullmatch(cells[columns["id"]]):
            cell = lambda key: cells[columns[key]] if key in columns and columns[key] < len(cells) else ""  # noqa: E731
            _keep(found, _requirement(cells[columns["id"]], cell("name"), cell("definition"),
                                      [cell("details")] if cell("details") else [], file))
            continue
        if len(cells) == 2 and _label(cells[0]):  # a vertical block: "요구사항 명칭 | …"
            key, value = _label(cells[0]), cells[1]
            if key == "id" and _ID.fullmatch(value):
                current = _requirement(value, "", "", [], file)
                _keep(found, current)
            elif current is not None and value:
                if key == "details":
                    current.details.append(value)
                else:
                    setattr(current, key, getattr(current, key) or value)
            continue
        match = _LINE.match(" ".join(cells) if cells else line)
        if match:
            rest = [c for c in (cells[1:] if cells else [match.group(3)]) if c]
            _keep(found, _requirement(f"{match.group(1)}-{match.group(2)}", rest[0] if rest else "",
                                      rest[1] if len(rest) > 1 else "", rest[2:], file))
    return [r for r in found.values() if r.name]


def _requirement(identifier: str, name: str, definition: str, details: list[str], file: str) -> AttachedRequirement:
    return AttachedRequirement(identifier[:3], identifier, name.strip(), definition.strip(), details, file)


def _keep(found: dict[str, AttachedRequirement], requirement: AttachedRequirement) -> None:
    if not valid_id(requirement.id):  # a known category, not "-000"
        return
    have = found.get(requirement.id)
    if have is None or (not have.name and requirement.name):
        found[requirement.id] = requirement


def _names(cell: str, key: str) -> bool:
    bare = cell.replace(" ", "").lower()
    return any(word.replace(" ", "") in bare for word in _HEAD[key])


def _is_header(cells: list[str]) -> bool:
    return any(_names(c, "id") for c in cells) and any(_names(c, "name") for c in cells) and not any(
        _ID.fullmatch(c) for c in cells)


def _label(cell: str) -> str | None:
    bare = cell.replace(" ", "")
    if not bare.startswith(("요구사항", "세부", "정의", "명칭", "고유")) or len(bare) > 12:
        return None
    return next((key for key in ("id", "name", "definition", "details") if _names(cell, key)), None)
