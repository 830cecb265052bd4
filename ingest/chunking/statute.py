"""Split a long statute article at its 항 (①, ②, …), repeating the article heading on
every piece so each chunk still says which article it is."""

from __future__ import annotations

import re

from rag.documents import Section

from .blocks import _pack, split_blocks

_PARAGRAPH_MARK = re.compile(r"^(?:\*\*)?[①-⑳㉑-㉟]", re.M)


def split_article(section: Section, max_chars: int) -> list[str]:
    if len(section.text) <= max_chars or not section.heading:
        return [section.text]
    body = section.text[len(section.heading):].strip("\n")
    starts = [m.start() for m in _PARAGRAPH_MARK.finditer(body)]
    bounds = [0, *[s for s in starts if s > 0], len(body)]
    paragraphs = [body[a:b].strip("\n") for a, b in zip(bounds, bounds[1:]) if body[a:b].strip()]
    budget = max_chars - len(section.heading) - 2
    units = [u for p in paragraphs for u in (split_blocks(p, budget) if len(p) > budget else [p])]
    return [f"{section.heading}\n\n{piece}" for piece in _pack(units, budget, joiner="\n\n")]
