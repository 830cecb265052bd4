"""Undo the spaces pypdf puts between the Hangul syllables of one word.

pypdf's plain extraction adds a space wherever the pen moves a little further than the
text it just drew. PDFs made from HWP often draw every syllable on its own, a hair
apart (letter spacing, justification), and come out as "제 3 조 ( 목 적 )", which then
shows in quotes and is what the index holds. pypdf's layout extraction places text by
position and only shows a space where the gap is at least half the font's space width;
a single space of the plain text that the layout text does not have, next to a Hangul
syllable or a digit ("2 0 2 4 년"), is dropped. Word spaces are wider than that gap and
stay."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

# Two one-character tokens in a row, one of them a Hangul syllable ("제 3 조", "이 규 정"):
# only then is a page's layout read (a second pass over its content), and only then
# can a space be dropped.
_SPACED_OUT = re.compile(r"(?<!\S)\S [가-힣](?!\S)|(?<!\S)[가-힣] \S(?!\S)")


def looks_spaced_out(text: str) -> bool:
    return bool(_SPACED_OUT.search(text))


def join_spaced_syllables(plain: str, layout: str | Callable[[], str]) -> str:
    """`plain` without each single space between two characters, one of them a Hangul
    syllable or a digit, that `layout` (the same page's text placed by position, or a function
    giving it) shows side by side."""
    if not looks_spaced_out(plain):
        return plain
    layout_text = layout() if callable(layout) else layout
    at = [i for i, ch in enumerate(plain) if not ch.isspace()]
    placed = [i for i, ch in enumerate(layout_text) if not ch.isspace()]
    seen = "".join(plain[i] for i in at)
    drawn = "".join(layout_text[i] for i in placed)
    drop: set[int] = set()
    # Layout text orders lines by position, plain text by drawing order: only stretches
    # both have in the same order are compared.
    for block in difflib.SequenceMatcher(None, seen, drawn, autojunk=False).get_matching_blocks():
        for k in range(block.size - 1):
            left, right = at[block.a + k], at[block.a + k + 1]
            if right - left != 2 or plain[left + 1] != " ":
                continue
            if not (_joinable(plain[left]) or _joinable(plain[right])):
                continue
            if placed[block.b + k + 1] == placed[block.b + k] + 1:  # side by side in the layout
                drop.add(left + 1)
    return "".join(ch for i, ch in enumerate(plain) if i not in drop) if drop else plain


def _joinable(ch: str) -> bool:
    return "가" <= ch <= "힣" or "0" <= ch <= "9"
