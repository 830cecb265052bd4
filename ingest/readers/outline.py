"""Grouping of body lines under headings, shared by the word-processor readers.

DOCX, HWPX and HWP all mark headings by paragraph style ("Heading 2", "제목 2",
"개요 2"); each reader finds the styles, this module turns the stream of headings and
lines into Sections with a heading path.
"""

from __future__ import annotations

import re

from rag.documents import Section

_HEADING_STYLE = re.compile(r"^(?:heading|제목|개요|outline)\s*(\d+)$", re.IGNORECASE)
# Some offices apply an outline style to whole body paragraphs to get automatic
# numbering; such a paragraph is text, not a heading to carry on every chunk.
_MAX_HEADING_CHARS = 100


def heading_level(style_name: str | None) -> int | None:
    """The outline level (1-based) a style name denotes, or None for body styles."""
    match = _HEADING_STYLE.match((style_name or "").strip())
    if match is None or int(match.group(1)) < 1:
        return None
    return int(match.group(1))


class OutlineBuilder:
    """Collects headings and lines in document order into one Section per heading block."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._path: list[str] = []
        self._lines: list[str] = []
        self._part = ""

    def start_part(self, locator: str) -> None:
        """Begin a physical part (an HWP section); it is the locator until a heading comes."""
        self._flush()
        self._part = locator

    def heading(self, level: int, text: str) -> None:
        title = " ".join(text.split())
        if not title or len(title) > _MAX_HEADING_CHARS:
            self.line(text)
            return
        self._flush()
        del self._path[level - 1 :]
        self._path.append(title)

    def line(self, text: str) -> None:
        if text.strip():
            self._lines.append(text.rstrip())

    def finish(self) -> list[Section]:
        self._flush()
        return self.sections

    def _flush(self) -> None:
        if not self._lines:
            return
        locator = self._path[-1] if self._path else self._part
        self.sections.append(Section(text="\n".join(self._lines), locator=locator, heading_path=tuple(self._path)))
        self._lines = []
