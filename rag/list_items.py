"""How Korean statutes and documents number the items of a list and announce one. The
chunker reads it (a list continued in the next chunk repeats what it is a list of) and
so does the answer's reader (an item is quoted with the sentence announcing its list)."""

from __future__ import annotations

import re

# Item numbers, outermost first: 호 "1." (and "1의2."), 목 "가.", then "1)", "가)", "(1)",
# "(가)". A deeper item belongs to the shallower one above it, and all of them to the
# sentence that announces the list. Markdown escapes the period ("1\.").
ITEM_LEVELS = (
    re.compile(r"^\s*\d{1,3}(?:의\d{1,2})?\\?\.(?!\d)"),
    re.compile(r"^\s*[가나다라마바사아자차카타파하]\\?\."),
    re.compile(r"^\s*\d{1,3}\)"),
    re.compile(r"^\s*[가나다라마바사아자차카타파하]\)"),
    re.compile(r"^\s*\(\d{1,3}\)"),
    re.compile(r"^\s*\([가나다라마바사아자차카타파하]\)"),
)
# "다음 각 호의 어느 하나에 해당하는 자에게는 10만원 이하의 과태료를 부과한다", "다음과
# 같다", "…의 경우:": the sentence a list completes.
ANNOUNCES_LIST = re.compile(r"다음\s*(?:각\s*[호목]|과\s*같|의\s)|[:：]\s*$")


def item_level(text: str) -> int | None:
    """The depth of the list item ``text`` starts (0: "1.", 1: "가.", …), None when it
    starts none."""
    return next((level for level, item in enumerate(ITEM_LEVELS) if item.match(text)), None)
