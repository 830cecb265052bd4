"""Plain Markdown (guides, manuals): one Section per heading block, heading line kept in
the text (FAQ headings are the questions) and the heading path kept for context."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from rag.documents import ParsedDocument, Section

from .statute import strip_images

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)


def parse(text: str, source: str) -> ParsedDocument:
    text = strip_images(text)
    headings = list(_HEADING.finditer(text))
    sections: list[Section] = []
    preamble = text[: headings[0].start()] if headings else text
    if preamble.strip():
        sections.append(Section(text=preamble.strip("\n"), locator=""))
    path: dict[int, str] = {}
    for i, heading in enumerate(headings):
        level, name = len(heading.group(1)), heading.group(2).strip()
        path = {k: v for k, v in path.items() if k < level}
        path[level] = name
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        block = text[heading.start():end].strip("\n")
        sections.append(Section(text=block, locator=name,
                                heading_path=tuple(path[k] for k in sorted(path))))
    return ParsedDocument(source=source, title=_title(source, headings), format="markdown",
                          sections=_merge_heading_only(sections))


def _title(source: str, headings: list[re.Match]) -> str:
    # Parsed guides are split into part-NN.md inside a folder named after the publication.
    parts = PurePosixPath(source).parts
    if len(parts) >= 2 and re.match(r"part-\d+", parts[-1]):
        return re.sub(r"^\d{8}_", "", parts[-2])
    if headings:
        return headings[0].group(2).strip()
    return PurePosixPath(source).stem


def _merge_heading_only(sections: list[Section]) -> list[Section]:
    """A heading with no body of its own is joined to the block that follows it, so no
    chunk is a bare title."""
    merged: list[Section] = []
    carry: Section | None = None
    for section in sections:
        if carry is not None:
            section = Section(text=f"{carry.text}\n\n{section.text}", locator=section.locator,
                              heading_path=section.heading_path)
            carry = None
        if _headings_only(section.text):
            carry = section
            continue
        merged.append(section)
    if carry is not None:
        merged.append(carry)
    return merged


def _headings_only(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_HEADING.match(line) for line in lines)
