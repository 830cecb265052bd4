"""Pack paragraphs (blank-line separated blocks) into chunks of at most `max_chars`,
never cutting inside a line, so table rows and list items stay whole."""

from __future__ import annotations

import re

_BLANK = re.compile(r"\n[ \t]*\n")


def split_blocks(text: str, max_chars: int) -> list[str]:
    text = text.strip("\n")
    if len(text) <= max_chars:
        return [text] if text.strip() else []
    units = [u for b in _BLANK.split(text) for u in _split_long(b.strip("\n"), max_chars) if u.strip()]
    return _pack(units, max_chars, joiner="\n\n")


def _split_long(block: str, max_chars: int) -> list[str]:
    if len(block) <= max_chars:
        return [block]
    lines = [piece for line in block.split("\n") for piece in _hard_split(line, max_chars)]
    return _pack(lines, max_chars, joiner="\n")


def _hard_split(line: str, max_chars: int) -> list[str]:
    # A single line longer than a chunk (rare: a giant table row) is cut at sentence ends.
    if len(line) <= max_chars:
        return [line]
    sentences = re.split(r"(?<=[.。!?다])\s+", line)
    out: list[str] = []
    for sentence in sentences:
        out.extend(sentence[i:i + max_chars] for i in range(0, len(sentence), max_chars))
    return _pack(out, max_chars, joiner=" ")


def _pack(units: list[str], max_chars: int, joiner: str) -> list[str]:
    pieces: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if current and len(candidate) > max_chars:
            pieces.append(current)
            current = unit
        else:
            current = candidate
    if current:
        pieces.append(current)
    return pieces
