"""The 2025 안내서 as the index holds it: its chunks put back in reading order, line by line,
each line knowing its file and heading, so a table read from it can be cited where it stands.

A chunk boundary may fall inside a table (a long table is cut between rows), so tables are
read from the re-joined lines, never from one chunk. Each line keeps the id of its chunk, so
a citation can name the indexed passage that holds the cited row or line (the page opens it
from GET /api/passages/<collection>/<chunk_id>); lines read from a file, and the built-in
criteria, have none."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from rag.retrieval.results import RetrievedChunk

#: The programme's own guide: the folder name of its parsed parts, less the date, is its title.
GUIDE_TITLE = "2025 서울특별시 대사증후군 관리사업 안내서"


@dataclass(frozen=True)
class Citation:
    """Where a rule is written: the file, its heading path and, for a table, its number;
    `chunk_id` is the indexed chunk holding it (None for the built-in criteria). Two
    citations of the same place are equal whatever chunk ids an index gave them."""

    source: str
    document: str
    heading: str
    table: str | None = None
    chunk_id: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        out = {"source": self.source, "document": self.document, "heading": self.heading}
        if self.table:
            out["table"] = self.table
        if self.chunk_id:
            out["chunk_id"] = self.chunk_id
        return out

    def label(self) -> str:
        where = f"{self.document} › {self.heading}"
        return f"{where} ({self.table})" if self.table else where


@dataclass(frozen=True)
class Line:
    text: str
    source: str
    document: str
    heading: str
    chunk_id: str | None = field(default=None, compare=False)  # the indexed chunk it was read from

    def cite(self, table: str | None = None) -> Citation:
        return Citation(self.source, self.document, self.heading, table, self.chunk_id)


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]  # the header first; the |---| line left out
    first: Line
    number: str | None  # "표 8" when a caption names it
    row_lines: tuple[Line, ...] = ()  # the line of each row, in the order of `rows`

    def cite(self, row: int | None = None) -> Citation:
        """The table's citation; with `row` (an index into `rows`), its chunk is the one
        holding that row, which a long table cut between chunks may put in a later chunk."""
        line = self.row_lines[row] if row is not None and row < len(self.row_lines) else self.first
        return replace(self.first.cite(self.number), chunk_id=line.chunk_id)

    def body(self) -> tuple[tuple[str, ...], ...]:
        return self.rows[1:]


def guide_lines(chunks: Iterable[RetrievedChunk]) -> list[Line]:
    """Non-blank lines of the chunks, in file and chunk order."""
    ordered = sorted(chunks, key=lambda c: (c.source, c.metadata.get("ordinal", 0)))
    lines: list[Line] = []
    for chunk in ordered:
        heading = " › ".join(chunk.heading_path) or chunk.locator
        for raw in chunk.text.splitlines():
            if raw.strip():
                lines.append(Line(raw.strip(), chunk.source, chunk.title, heading, chunk.id))
    return lines


def markdown_lines(text: str, source: str, document: str = GUIDE_TITLE) -> list[Line]:
    """The same view of a Markdown file read directly (headings tracked as the reader does)."""
    path: dict[int, str] = {}
    lines: list[Line] = []
    for raw in text.splitlines():
        heading = re.match(r"^(#{1,6})\s+(.+?)\s*#*$", raw)
        if heading:
            level = len(heading.group(1))
            path = {k: v for k, v in path.items() if k < level}
            path[level] = heading.group(2).strip()
        if raw.strip():
            lines.append(Line(raw.strip(), source, document, " › ".join(path[k] for k in sorted(path))))
    return lines


_CAPTION = re.compile(r"^\**\s*(표\s*\d+)\s*[.．]")


def tables(lines: Sequence[Line]) -> list[Table]:
    """Every Markdown table, with the number of the caption just above it (within a few
    lines: a caption is often followed by a sentence or a unit line before the table)."""
    found: list[Table] = []
    caption: tuple[str, int] | None = None
    i = 0
    while i < len(lines):
        match = _CAPTION.match(lines[i].text)
        if match:
            caption = (re.sub(r"\s+", " ", match.group(1)), i)
        if not lines[i].text.startswith("|"):
            i += 1
            continue
        start = i
        rows: list[tuple[str, ...]] = []
        row_lines: list[Line] = []
        while i < len(lines) and lines[i].text.startswith("|"):
            cells = split_row(lines[i].text)
            if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                rows.append(cells)
                row_lines.append(lines[i])
            i += 1
        number = caption[0] if caption and start - caption[1] <= 4 else None
        found.append(Table(tuple(rows), lines[start], number, tuple(row_lines)))
        caption = None
    return found


def split_row(line: str) -> tuple[str, ...]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return tuple(normalise(cell) for cell in inner.split("|"))


def normalise(text: str) -> str:
    """Cell text as plain text: <br> as a new line, the guide's look-alike characters unified."""
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = text.replace("**", "").replace("‧", "·").replace("ㆍ", "·").replace("〈", "<")
    text = text.replace("＞", ">").replace("＜", "<").replace("≧", "≥").replace("≦", "≤")
    return text.strip()


def find_table(found: Sequence[Table], *, number: str | None = None, header: Sequence[str] = (),
               contains: Sequence[str] = ()) -> Table | None:
    """The first table with that number, or whose header has those words and whose text has
    those words (spaces ignored)."""
    for table in found:
        if number is not None and table.number != number:
            continue
        head = _squash(" ".join(table.rows[0])) if table.rows else ""
        whole = _squash(" ".join(" ".join(r) for r in table.rows))
        if all(_squash(h) in head for h in header) and all(_squash(c) in whole for c in contains):
            return table
    return None


def find_line(lines: Sequence[Line], pattern: str) -> tuple[Line, re.Match] | None:
    compiled = re.compile(pattern)
    for line in lines:
        match = compiled.search(normalise(line.text))
        if match:
            return line, match
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
