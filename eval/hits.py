"""The suite's hit rule: a chunk hits an evidence item when the source paths are equal
and the chunk text contains the quote after collapsing whitespace and dropping markdown
backslash escapes (`1\\.` → `1.`) on both sides."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .suites import Evidence

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", _ESCAPE.sub(r"\1", text)).strip()


def hits(source: str, text: str, evidence: Sequence[Evidence]) -> bool:
    normalised = None
    for item in evidence:
        if item.source == source:
            normalised = normalised if normalised is not None else normalise(text)
            if normalise(item.quote) in normalised:
                return True
    return False


def first_hit_rank(chunks: Sequence[tuple[str, str]], evidence: Sequence[Evidence]) -> int | None:
    """1-based rank of the first (source, text) chunk that hits, or None."""
    for rank, (source, text) in enumerate(chunks, start=1):
        if hits(source, text, evidence):
            return rank
    return None
