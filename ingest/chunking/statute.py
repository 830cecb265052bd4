"""Split a long statute article at its 항 (①, ②, …), repeating the article heading on
every piece so each chunk still says which article it is. A 항 longer than a chunk is
cut between its lines, and a piece that begins inside a list repeats what the list is a
list of, for the same reason: "9. 제59조제2호를 위반하여 … 누설한 자" does not say that
it is punished, nor how, without "다음 각 호의 어느 하나에 해당하는 자는 5년 이하의 징역
또는 5천만원 이하의 벌금에 처한다." above it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.documents import Section
from rag.list_items import ANNOUNCES_LIST, item_level

from .blocks import _BLANK, _hard_split, _pack

_PARAGRAPH_MARK = re.compile(r"^(?:\*\*)?[①-⑳㉑-㉟]", re.M)


def split_article(section: Section, max_chars: int) -> list[str]:
    if len(section.text) <= max_chars or not section.heading:
        return [section.text]
    body = section.text[len(section.heading):].strip("\n")
    starts = [m.start() for m in _PARAGRAPH_MARK.finditer(body)]
    bounds = [0, *[s for s in starts if s > 0], len(body)]
    paragraphs = [body[a:b].strip("\n") for a, b in zip(bounds, bounds[1:]) if body[a:b].strip()]
    budget = max_chars - len(section.heading) - 2
    units = [u for p in paragraphs for u in (split_paragraph(p, budget) if len(p) > budget else [p])]
    return [f"{section.heading}\n\n{piece}" for piece in _pack(units, budget, joiner="\n\n")]


@dataclass(frozen=True)
class _Line:
    text: str
    joiner: str  # what stood between it and the line before: "\n", or "\n\n" after a blank line
    within: tuple[int, ...]  # indexes of the lines it is an item of: its list's lead, outer items


def split_paragraph(paragraph: str, max_chars: int) -> list[str]:
    """``paragraph`` cut between lines into pieces of at most ``max_chars`` (a longer line
    at its sentence ends). A piece starting with a list item begins with the lines the
    item belongs to (the line announcing the list, then the items it is nested in), and
    no piece ends with a line whose items start the next one."""
    lines = _read_lines(paragraph, max_chars)
    pieces: list[list[int]] = []
    current: list[int] = []
    size = 0  # len(_join(lines, current)), kept as lines are added: joining anew was quadratic
    for i, line in enumerate(lines):
        if current and size + _step(lines, current, i) > max_chars:
            # The lead (or outer item) whose items start the next piece goes with them.
            while current and current[-1] in line.within:
                current.pop()
            if current and any(j not in line.within for j in current):
                pieces.append(current)
            current = [*line.within]
            size = len(_join(lines, current))
        size += _step(lines, current, i)
        current.append(i)
    if current:
        pieces.append(current)
    return [_join(lines, piece) for piece in pieces]


def _step(lines: list[_Line], indexes: list[int], i: int) -> int:
    """How much longer ``_join(lines, [*indexes, i])`` is than ``_join(lines, indexes)``."""
    return (len(lines[indexes[-1] + 1].joiner) if indexes else 0) + len(lines[i].text)


def _read_lines(paragraph: str, max_chars: int) -> list[_Line]:
    lines: list[_Line] = []
    lead: int | None = None  # the line announcing the current list
    items: list[tuple[int, int]] = []  # (level, index) of the items above, outermost first
    for b, block in enumerate(_BLANK.split(paragraph.strip("\n"))):
        for k, raw in enumerate(block.strip("\n").split("\n")):
            joiner = "\n\n" if b and not k else "\n"
            level = item_level(raw)
            within: tuple[int, ...] = ()
            if level is None:
                lead, items = None, []
            elif lead is not None:
                while items and items[-1][0] >= level:
                    items.pop()
                within = (lead, *(index for _, index in items))
                items.append((level, len(lines)))
            if len(raw) > max_chars:  # a giant line: cut at sentence ends, as blocks are
                for n, piece in enumerate(_hard_split(raw, max_chars)):
                    lines.append(_Line(piece, joiner if not n else " ", within if not n else ()))
                lead, items = None, []
                continue
            if level is None and ANNOUNCES_LIST.search(raw):
                lead = len(lines)
            lines.append(_Line(raw, joiner, within))
    return lines


def _join(lines: list[_Line], indexes: list[int]) -> str:
    # After a repeated lead, what followed the lead in the paragraph (a blank line, mostly).
    return "".join((lines[indexes[n - 1] + 1].joiner if n else "") + lines[i].text for n, i in enumerate(indexes))
