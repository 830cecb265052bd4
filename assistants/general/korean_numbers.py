"""Korean number readings of amounts, both ways: 113560 ↔ "일십일만삼천오백육십".

Written in the style of the example in 행정업무의 운영 및 혁신에 관한 규정 시행규칙
제2조제2항 — 금113,560원(금일십일만삼천오백육십원) — which names every digit, so 10 is
"일십", not "십". Reading accepts both styles, spaces and the 금 … 원(정) frame.
"""

from __future__ import annotations

import re

DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}
_BIG_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12, "경": 10**16}
_GROUP_NAMES = ("", "만", "억", "조", "경")
_ARABIC = re.compile(r"\d[\d,]*")

#: Characters a Korean reading of an amount is made of.
READING_CHARS = DIGITS + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)


def korean_reading(n: int) -> str:
    """113560 → "일십일만삼천오백육십"; 0 → "영". Up to 경 (10^20 − 1)."""
    if n < 0:
        raise ValueError("음수는 한글 금액으로 읽지 않습니다")
    if n == 0:
        return "영"
    if n >= 10 ** (4 * len(_GROUP_NAMES)):
        raise ValueError(f"너무 큰 수입니다: {n}")
    groups = []
    for name in _GROUP_NAMES:
        n, group = divmod(n, 10_000)
        if group:
            groups.append(_group_reading(group) + name)
        if not n:
            break
    return "".join(reversed(groups))


def _group_reading(group: int) -> str:
    out = []
    for unit, value in (("천", 1000), ("백", 100), ("십", 10), ("", 1)):
        digit, group = divmod(group, value)
        if digit:
            out.append(DIGITS[digit] + unit)
    return "".join(out)


def parse_korean_amount(text: str) -> int | None:
    """The value of a reading such as "금 일십일만 삼천오백육십 원정", "십일만원" or a mixed
    form such as "1억 2,000만" or "3천만"; None when it is not a well-formed number."""
    body = re.sub(r"\s+", "", text)
    body = body.removeprefix("금")
    body = re.sub(r"원정?$", "", body)
    if not body:
        return None
    tokens: list[tuple[str, int]] = []
    pos = 0
    while pos < len(body):
        ch = body[pos]
        if ch.isdigit():
            match = _ARABIC.match(body, pos)
            assert match is not None
            if not re.fullmatch(r"\d{1,3}(?:,\d{3})*|\d+", match.group()):
                return None
            tokens.append(("digit", int(match.group().replace(",", ""))))
            pos = match.end()
            continue
        if ch in DIGITS:
            tokens.append(("digit", DIGITS.index(ch)))
        elif ch in _SMALL_UNITS:
            tokens.append(("small", _SMALL_UNITS[ch]))
        elif ch in _BIG_UNITS:
            tokens.append(("big", _BIG_UNITS[ch]))
        else:
            return None
        pos += 1
    return _evaluate(tokens)


def _evaluate(tokens: list[tuple[str, int]]) -> int | None:
    # Units must fall within each 만-group (천 before 백 before 십) and across groups
    # (경 before 조 before 억 before 만); two digits in a row are not a reading.
    total = section = 0
    digit: int | None = None
    last_small = last_big = None
    seen_any = False
    for kind, value in tokens:
        if kind == "digit":
            if digit is not None:
                return None
            digit = value
        elif kind == "small":
            if last_small is not None and value >= last_small:
                return None
            section += (1 if digit is None else digit) * value
            digit, last_small = None, value
        else:
            if last_big is not None and value >= last_big:
                return None
            part = section + (digit or 0)
            if part == 0 and digit is None:
                part = 1  # "만원" is 10,000
            total += part * value
            section, digit, last_small, last_big = 0, None, None, value
        seen_any = True
    if not seen_any:
        return None
    return total + section + (digit or 0)
