"""Korean sentence splitting for answers and chunk texts, keeping each sentence's span in
the original text so a checker can drop or rewrite one sentence and leave the rest of
the wording (and its markdown layout) untouched.

A sentence ends at ``.``/``?``/``!``/``…`` followed by a space, a line end, a closing
quote or a citation marker, and always at a line end. A ``[n]`` marker (``[1][2]``,
``[1, 2]``, ``[1-2]``) right after the period belongs to the sentence before it. Not
ends: ``1.5``, ``2024. 1. 1.``, list numbering at the start of a line (``3.``, ``가.``),
``p. 3``, and a mark inside brackets that close on the same line: statutes define terms
in them ("공휴일(… 지방공휴일을 말한다. 이하 같다)에는"), and a sentence split there
would be quoted from "이하 같다)에는 …". Headings, table rows and table rules are one
sentence per line, marked with their kind so checkers can skip them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SentenceKind = Literal["sentence", "heading", "table", "rule"]

#: One citation marker: [1], [1, 2], [1-3], [1–3], [1~3].
MARKER = r"\[\s*\d{1,3}(?:\s*[-–~,，]\s*\d{1,3})*\s*\]"
MARKER_RE = re.compile(MARKER)

_END_PUNCT = re.compile(r"(?:\.{3}|[.?!。…])+")
# What may follow an end mark and still belong to its sentence: closing quotes and
# brackets, then citation markers ("합니다. [1]") and statute amendment notes
# ("한다. <개정 2020.12.29>").
_NOTE = r"<(?:개정|신설|전문개정|본조신설|제목개정|시행일|타법개정)[^>]*>"
_TRAILER = re.compile(rf"[\"'”’」』)]*(?:\s*(?:{MARKER}|{_NOTE}))*")
# Bullets and item numbers: "- ", "1. ", "1) ", "(1) ", "가. " (the 가나다 item letters),
# "7의2. " (an item inserted after 7), also as markdown escapes them ("1\. 궐련: …" in the
# statute files).
_LIST_PREFIX = re.compile(
    r"^\s*(?:[-*+•·]\s+|(?:\d{1,3}(?:의\d{1,2})?|[가나다라마바사아자차카타파하]|[a-zA-Z])\\?[.)]\s+|\(\d{1,3}\)\s+"
    r"|\d{1,3}(?:의\d{1,2})?\\?\.(?=[가-힣]))")
# A markdown backslash escape ("1\." keeps a number from starting an ordered list).
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE = re.compile(r"^\s*(?:\|?\s*:?-{2,}:?\s*)+\|?\s*$|^\s*(?:[-*_]\s*){3,}$")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)[^*_]+\1\s*:?\s*$")
# Korean glues particles to emphasised words ("*설치*하여야"), so only Latin letters and
# digits around a single star keep it from being emphasis (2*3*4).
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![A-Za-z0-9*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![A-Za-z0-9])")
_CODE = re.compile(r"`([^`]*)`")
_AMENDMENT = re.compile(r"\s*[<\[](?:개정|신설|전문개정|본조신설|제목개정|시행일|타법개정)[^>\]]*[>\]]")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Sentence:
    """``text`` is the original wording (markdown and markers kept); ``start``/``end``
    are its span in the text it came from."""

    text: str
    start: int
    end: int
    kind: SentenceKind = "sentence"

    @property
    def plain(self) -> str:
        return plain_text(self.text)


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            sentences.extend(_split_line(body, offset))
        offset += len(line)
    return sentences


def _split_line(line: str, offset: int) -> list[Sentence]:
    kind = _line_kind(line)
    if kind != "sentence":
        return [_make(line, 0, len(line), offset, kind)]
    found: list[Sentence] = []
    start = 0
    # A leading "1." or "가." numbers the item; it is not the end of a sentence.
    prefix = _LIST_PREFIX.match(line)
    search_from = prefix.end() if prefix else 0
    inside = _bracketed(line)
    for match in _END_PUNCT.finditer(line, search_from):
        if match.start() in inside or not _ends_sentence(line, match.start(), match.end()):
            continue
        trailer = _TRAILER.match(line, match.end())
        end = trailer.end() if trailer else match.end()
        if end < len(line) and not line[end].isspace():
            continue
        found.append(_make(line, start, end, offset))
        start = end
    if line[start:].strip():
        found.append(_make(line, start, len(line), offset))
    return [s for s in found if s.text]


def _bracketed(line: str) -> set[int]:
    """Positions inside round brackets that close on the same line (nested ones too). An
    unclosed "(" (a typo, an item like "1)" has no opener) hides nothing."""
    inside: set[int] = set()
    opened: list[int] = []
    for at, char in enumerate(line):
        if char == "(":
            opened.append(at)
        elif char == ")" and opened:
            start = opened.pop()
            if not opened:
                inside.update(range(start + 1, at))
    return inside


def _ends_sentence(line: str, start: int, end: int) -> bool:
    before = line[start - 1] if start else ""
    after = line[end:end + 1]
    if after and not (after.isspace() or after in "\"'”’」』)[<"):
        return False  # "1.5", "3.부터", "제1조.의" — no space after the mark
    if line[start] == "." and end - start == 1 and before.isdigit():
        # "2024. 1. 1." — a dot between numbers is a date or numbering separator.
        rest = line[end:].lstrip()
        if rest[:1].isdigit():
            return False
    if line[start] == "." and before.isascii() and before.isalpha():
        # "p. 3", "Art. 5": a single-letter abbreviation.
        if start < 2 or not line[start - 2].isalpha():
            return False
    return True


def _make(line: str, start: int, end: int, offset: int, kind: SentenceKind = "sentence") -> Sentence:
    piece = line[start:end]
    lead = len(piece) - len(piece.lstrip())
    text = piece.strip()
    return Sentence(text, offset + start + lead, offset + start + lead + len(text), kind)


def _line_kind(line: str) -> SentenceKind:
    if _RULE.match(line):
        return "rule"
    if _HEADING.match(line) or _BOLD_LINE.match(line):
        return "heading"
    if _TABLE_ROW.match(line):
        return "table"
    return "sentence"


def strip_emphasis(text: str) -> str:
    """``**①** 원장은`` → ``① 원장은``: markdown emphasis and code marks go, wording stays."""
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    return _CODE.sub(r"\1", text)


def quote_text(sentence: str) -> str:
    """A chunk sentence as quoted to a reader: emphasis, heading marks, bullets and
    amendment notes (<개정 2020.12.29>) removed; the statute's wording itself unchanged.
    Table rows keep their cells, separated by " | "."""
    text = sentence.strip()
    if _TABLE_ROW.match(text):
        cells = [strip_emphasis(c).strip() for c in text.strip().strip("|").split("|")]
        return " | ".join(c for c in cells if c)
    text = re.sub(r"^\s*#{1,6}\s+", "", text)
    text = re.sub(r"^\s*[-*+•]\s+", "", text)
    text = _TAG.sub("", _AMENDMENT.sub("", strip_emphasis(text)))
    return _SPACES.sub(" ", _ESCAPE.sub(r"\1", text)).strip()


def without_markup(text: str) -> str:
    """The text line by line without heading marks, emphasis, backslash escapes and
    amendment notes, and without blank lines; items, indentation and table pipes stay.
    "##### 제38조 (보육료의 수납 등)" → "제38조 (보육료의 수납 등)", "**①** …" → "① …",
    "1\\. 궐련" → "1. 궐련": the same wording in fewer tokens."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^(\s*)#{1,6}\s+", r"\1", line)
        line = _ESCAPE.sub(r"\1", _AMENDMENT.sub("", strip_emphasis(line))).rstrip()
        if line.strip():
            lines.append(line)
    return "\n".join(lines)


def compact(text: str) -> str:
    """Lower case without any whitespace: the one form in which an answer, a question and
    a passage are compared, so a compound spaced differently on each side still matches
    ("육아 휴직" and "육아휴직", "300만 원" and "300만원")."""
    return _WHITESPACE.sub("", text.lower())


def plain_text(text: str) -> str:
    """Text for the checks: markdown (headings, emphasis, bullets, numbering, table pipes,
    tags) gone, one space between words. Citation markers are left to the caller."""
    text = re.sub(r"^\s*#{1,6}\s+", "", text, flags=re.M)
    text = strip_emphasis(text)
    text = _LIST_PREFIX.sub("", text)
    text = _AMENDMENT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _ESCAPE.sub(r"\1", text).replace("|", " ")
    return _SPACES.sub(" ", text).strip()
