"""공문서 검토: a draft checked against 행정업무의 운영 및 혁신에 관한 규정 제7조제5항 and
its 시행규칙 제2조 — 항목 구분, 금액, 날짜, 시각.

Every check looks for a form the rules exclude, never for "anything unusual": a clean
draft (붙임, 끝., 전화번호, 문서번호, 09:00~18:00, 제3조, "2026년 어린이집 …") must
come back with no finding, since one false alarm teaches the user to ignore the tool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from .draft_reader import MAX_DRAFT_BYTES, DraftError, DraftLine, file_lines, text_lines, too_large_message
from .korean_numbers import READING_CHARS, korean_reading, parse_korean_amount

RULES = ("item_symbols", "amount", "date", "time")
RULE_LABELS = {"item_symbols": "항목 구분", "amount": "금액", "date": "날짜", "time": "시각"}

_REGULATION = "행정업무의 운영 및 혁신에 관한 규정"
_ENFORCEMENT = "행정업무의 운영 및 혁신에 관한 규정 시행규칙"
_DATE_TIME_QUOTE = ("문서에 쓰는 날짜는 숫자로 표기하되, 연ㆍ월ㆍ일의 글자는 생략하고 그 자리에 온점을 찍어 "
                    "표시하며, 시ㆍ분은 24시각제에 따라 숫자로 표기하되, 시ㆍ분의 글자는 생략하고 그 사이에 "
                    "쌍점을 찍어 구분한다.")

#: rule → (basis: label and citation with its 시행일, the rule's own words)
BASIS = {
    "item_symbols": (
        f"항목 구분: {_ENFORCEMENT} 제2조제1항 (시행 2023. 6. 28.)",
        "문서의 내용을 둘 이상의 항목으로 구분할 필요가 있으면 그 항목을 순서(항목 구분이 숫자인 경우에는 "
        "오름차순, 한글인 경우에는 가나다순을 말한다)대로 표시하되, 상위 항목부터 하위 항목까지 1., 가., "
        "1), 가), (1), (가), ①, ㉮의 형태로 표시한다.",
    ),
    "amount": (
        f"금액 표시: {_ENFORCEMENT} 제2조제2항 (시행 2023. 6. 28.), {_REGULATION} 제7조제4항",
        "문서에 금액을 표시할 때에는 … 아라비아 숫자로 쓰되, 숫자 다음에 괄호를 하고 다음과 같이 한글로 "
        "적어야 한다. (예시) 금113,560원(금일십일만삼천오백육십원)",
    ),
    "date": (f"날짜 표기: {_REGULATION} 제7조제5항 (시행 2026. 5. 19.)", _DATE_TIME_QUOTE),
    "time": (f"시각 표기: {_REGULATION} 제7조제5항 (시행 2026. 5. 19.)", _DATE_TIME_QUOTE),
}


@dataclass(frozen=True)
class Finding:
    rule: str  # one of RULES
    line: int  # 1-based line (text) or paragraph (DOCX/HWPX)
    text: str  # the offending text as written
    suggestion: str  # the corrected form
    message: str  # what is wrong, in Korean
    basis: str
    quote: str
    column: int = 0  # where in the line, for ordering

    def to_dict(self) -> dict:
        record = asdict(self)
        del record["column"]
        return record


def check_text(text: str) -> list[Finding]:
    """Findings for pasted text; raises DraftError (field `text`) for an empty or 1 MB draft."""
    return check_lines(text_lines(text))


def check_upload(filename: str, data: bytes) -> list[Finding]:
    """Findings for an uploaded TXT/DOCX/HWPX; raises DraftError (field `file`)."""
    return check_lines(file_lines(filename, data))


def check_path(path: Path) -> list[Finding]:
    """Findings for a file on disk (the CLI); the size is refused before it is read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DraftError("file", f"{path}: 파일을 읽을 수 없습니다 ({exc.strerror or exc})") from exc
    if size >= MAX_DRAFT_BYTES:
        raise DraftError("file", too_large_message(size), too_large=True)
    return check_upload(path.name, path.read_bytes())


def check_lines(lines: Iterable[DraftLine]) -> list[Finding]:
    lines = list(lines)
    findings = list(_item_findings(lines))
    for line in lines:
        findings.extend(_amount_findings(line))
        findings.extend(_date_findings(line))
        findings.extend(_time_findings(line))
    return sorted(findings, key=lambda f: (f.line, f.column))


def _finding(rule: str, line: DraftLine, column: int, text: str, suggestion: str, message: str) -> Finding:
    basis, quote = BASIS[rule]
    return Finding(rule, line.number, text, suggestion, message, basis, quote, column)


# --- 항목 구분 (시행규칙 제2조제1항) ------------------------------------------------------

# "가나다순": after 하 the 편람 goes on with 거, 너, 더, …, 허.
_HANGUL_ORDER = "가나다라마바사아자차카타파하" + "거너더러머버서어저처커터퍼허"
_CIRCLED_DIGITS = ([chr(c) for c in range(0x2460, 0x2474)] + [chr(c) for c in range(0x3251, 0x3260)]
                   + [chr(c) for c in range(0x32B1, 0x32C0)])  # ①–⑳, ㉑–㉟, ㊱–㊿
_CIRCLED_HANGUL = [chr(c) for c in range(0x326E, 0x327C)]  # ㉮–㉻
_H = f"[{_HANGUL_ORDER}]"
_C = "".join(_CIRCLED_DIGITS)
_CH = "".join(_CIRCLED_HANGUL)

# Level (1-based, as the rule lists them), pattern at the start of a line, and how to
# write index n at that level. Hangul markers need a space after them, so "(사)한국…"
# and "(가칭)" stay text; "1." must not be "1.5배" nor the "3. 5." of a date.
_LEVELS: list[tuple[re.Pattern, Callable[[int], str]]] = [
    (re.compile(r"(\d{1,2})\.(?![\d.])(?!\s*\d{1,2}\.)"), lambda n: f"{n}."),
    (re.compile(rf"({_H})\.(?=\s|$)"), lambda n: f"{_HANGUL_ORDER[n - 1]}."),
    (re.compile(r"(\d{1,2})\)"), lambda n: f"{n})"),
    (re.compile(rf"({_H})\)(?=\s|$)"), lambda n: f"{_HANGUL_ORDER[n - 1]})"),
    (re.compile(r"\((\d{1,2})\)"), lambda n: f"({n})"),
    (re.compile(rf"\(({_H})\)(?=\s|$)"), lambda n: f"({_HANGUL_ORDER[n - 1]})"),
    (re.compile(f"([{_C}])"), lambda n: _CIRCLED_DIGITS[n - 1]),
    (re.compile(f"([{_CH}])"), lambda n: _CIRCLED_HANGUL[n - 1]),
]
_ATTACHMENT = re.compile(r"^\s*붙\s*임\s*")
# Numbering starts again under a chapter above the rule's list (a report's Ⅰ., Ⅱ. or 제1장)
# and after the 본문's "끝." (what follows is an attached document of its own).
_CHAPTER = re.compile(r"^\s*(?:[\u2160-\u216B]|(?:I{1,3}|IV|VI{0,3}|IX|X)\.(?=\s)|제\s*\d+\s*[편장절](?=\s|$))")
_BODY_END = re.compile(r"(?:^|\s)끝\.?\s*$")


def _marker(text: str, start: int) -> tuple[int, int, str] | None:
    """(level, index, marker text) of an item marker at `start`, else None."""
    for level, (pattern, _) in enumerate(_LEVELS, start=1):
        match = pattern.match(text, start)
        if match is None:
            continue
        value = match.group(1)
        if value.isascii() and value.isdigit():
            index = int(value)
        elif value in _HANGUL_ORDER:
            index = _HANGUL_ORDER.index(value) + 1
        elif value in _CIRCLED_DIGITS:
            index = _CIRCLED_DIGITS.index(value) + 1
        else:
            index = _CIRCLED_HANGUL.index(value) + 1
        return level, index, match.group(0)
    return None


def _written(level: int, index: int) -> str | None:
    try:
        return _LEVELS[level - 1][1](index)
    except IndexError:
        return None


def _item_findings(lines: list[DraftLine]) -> Iterable[Finding]:
    # open_items[level] = the last index used at that level, for the levels open now.
    open_items: dict[int, int] = {}
    body_ended = False
    for line in lines:
        if body_ended or _CHAPTER.match(line.text):
            open_items = {}
        body_ended = bool(_BODY_END.search(line.text))
        start = len(line.text) - len(line.text.lstrip())
        attachment = _ATTACHMENT.match(line.text)
        if attachment:
            # The 붙임 list is numbered on its own (시행규칙 제4조제4항).
            open_items = {}
            start = attachment.end()
        found = _marker(line.text, start)
        if found is None:
            continue
        level, index, marker = found
        shown = line.text.strip()
        depth = max(open_items, default=0)
        if level > depth + 1:
            expected_level = depth + 1
            expected = _written(expected_level, open_items.get(expected_level, 0) + 1)
            parent = _written(depth, open_items[depth]) if depth else None
            where = f"'{parent}' 항목 바로 아래" if parent else "상위 항목 없이"
            yield _finding("item_symbols", line, start, shown, _replace_marker(shown, marker, expected),
                           f"항목 구분 단계를 건너뛰었습니다: {where} '{marker}'이(가) 왔습니다 "
                           f"— 이 자리에는 '{expected}' 단계가 와야 합니다")
        else:
            expected_index = open_items.get(level, 0) + 1
            if index != expected_index and (expected := _written(level, expected_index)):
                previous = _written(level, open_items[level]) if level in open_items else None
                after = f"'{previous}' 다음에" if previous else "첫 항목으로"
                yield _finding("item_symbols", line, start, shown, _replace_marker(shown, marker, expected),
                               f"항목 순서가 맞지 않습니다: {after} '{marker}'이(가) 왔습니다 — '{expected}'이어야 합니다")
        open_items = {lv: i for lv, i in open_items.items() if lv < level}
        open_items[level] = index


def _replace_marker(shown: str, marker: str, expected: str | None) -> str:
    if expected is None:
        return shown
    at = shown.find(marker)
    return shown[:at] + expected + shown[at + len(marker):]


# --- 금액 (시행규칙 제2조제2항) -------------------------------------------------------------

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_UNIT = r"(?:[십백천]?[만억조]|[십백천])"
# "금113,560원", "5,000 원", "3만원", "1억 2,000만 원", "1,000천원"; the 원 must end a
# word or take a particle, so 원장·원아·원칙 after a number are not amounts.
_AMOUNT = re.compile(
    rf"(?<![\d,.])(?P<prefix>(?<![가-힣])금\s?)?(?P<number>{_NUMBER}(?:\s?{_UNIT}(?:\s?{_NUMBER}\s?{_UNIT}?)*)?)\s?원"
    r"(?=$|[^가-힣]|[을은이의씩으과와에까부도만정대짜권어당미초상내로입인임보밖가])"
)
_READING = re.compile(rf"\s?\(\s*(?P<reading>금?\s?[{READING_CHARS}\s]+\s?원?\s?정?)\s*\)")
_READING_BEFORE = re.compile(rf"(?P<reading>금?\s?[{READING_CHARS}][{READING_CHARS}\s]*\s?원?\s?정?)\s?\(\s*$")


def _amount_findings(line: DraftLine) -> Iterable[Finding]:
    text = line.text
    for match in _AMOUNT.finditer(text):
        if match.start() > 0 and text[match.start() - 1] == "제":
            continue  # 제2원칙 and the like: an ordinal, not money
        number = match.group("number")
        value = parse_korean_amount(number)
        if value is None or value == 0:
            continue
        prefix = "금" if match.group("prefix") else ""
        correct = f"{prefix}{value:,}원(금{korean_reading(value)}원)"
        reading = _READING.match(text, match.end())
        if reading:
            written = parse_korean_amount(reading.group("reading"))
            if written == value:
                continue
            shown = text[match.start():reading.end()]
            said = f"'{reading.group('reading').strip()}'({written:,}원)" if written is not None else \
                f"'{reading.group('reading').strip()}'"
            yield _finding("amount", line, match.start(), shown, correct,
                           f"한글 금액 {said}이(가) 숫자 {value:,}원과 다릅니다")
            continue
        before = _READING_BEFORE.search(text, 0, match.start())
        if before and parse_korean_amount(before.group("reading")) == value:
            end = text.find(")", match.end())
            shown = text[before.start(): end + 1 if end >= 0 else match.end()]
            yield _finding("amount", line, before.start(), shown, correct,
                           "숫자를 먼저 쓰고 한글 금액을 괄호 안에 적어야 합니다")
            continue
        yield _finding("amount", line, match.start(), match.group(0).strip(), correct,
                       f"금액 {value:,}원의 한글 표기가 없습니다 — 숫자 다음 괄호 안에 한글로 적어야 합니다")


# --- 날짜 (영 제7조제5항) ----------------------------------------------------------------

_KOREAN_DATE = re.compile(r"(?<!\d)(?:(?P<y>\d{4})\s*년\s*)?(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일(?!간)")
_NUMERIC_DATE = re.compile(r"(?<![\d\-/.])(?P<y>(?:19|20)\d{2})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d\-/])")


def _date_findings(line: DraftLine) -> Iterable[Finding]:
    for pattern, what in ((_KOREAN_DATE, "연·월·일 글자"), (_NUMERIC_DATE, "하이픈·빗금")):
        for match in pattern.finditer(line.text):
            month, day = int(match.group("m")), int(match.group("d"))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            year = match.group("y")
            suggestion = f"{int(year)}. {month}. {day}." if year else f"{month}. {day}."
            yield _finding("date", line, match.start(), match.group(0), suggestion,
                           f"날짜는 {what} 대신 온점으로 적어야 합니다")


# --- 시각 (영 제7조제5항) ----------------------------------------------------------------

_AFTERNOON = {"오후", "저녁", "밤"}
_MERIDIEM = re.compile(
    r"(?P<when>오전|오후|새벽|아침|낮|저녁|밤)\s*(?P<h>\d{1,2})(?:\s*시(?:\s*(?P<m>\d{1,2})\s*분|\s*(?P<half>반))?|:(?P<mc>\d{2}))"
)
_HOUR_MINUTE = re.compile(r"(?<![\d:.])(?P<h>\d{1,2})\s*시\s*(?:(?P<m>\d{1,2})\s*분|(?P<half>반))")
# A bare "14시" is a time only where a time reads: before a space, punctuation or a particle
# (시간, 시행, 시·도, 서울시 are not times).
_BARE_HOUR = re.compile(r"(?<![\d:.])(?P<h>\d{1,2})\s*시(?=$|[\s,.)~∼\-–]|부터|까지|에|경|정각|쯤|께|이전|이후)")


def _twenty_four(when: str, hour: int) -> tuple[int, bool]:
    """(hour on the 24-hour clock, whether it is in the afternoon) of "오후 2시" and the like:
    오후 12시 is noon, 밤 12시 and 오전 12시 midnight."""
    if hour == 12:
        return (12, True) if when in ("오후", "낮") else (0, False)
    afternoon = when in _AFTERNOON or (when == "낮" and hour < 7)
    return (hour + 12 if afternoon else hour), afternoon


_RANGE = re.compile(r"\s*(?:[~∼\-–]|부터)\s*")


def _time_findings(line: DraftLine) -> Iterable[Finding]:
    taken: list[tuple[int, int]] = []
    # "오후 2시~5시": the 5시 is 17:00 — but only as the other end of that range.
    afternoon, range_from = False, -1

    def free(match: re.Match) -> bool:
        return all(match.end() <= s or match.start() >= e for s, e in taken)

    matches = []
    for pattern in (_MERIDIEM, _HOUR_MINUTE, _BARE_HOUR):
        for match in pattern.finditer(line.text):
            if free(match):
                taken.append(match.span())
                matches.append(match)
    for match in sorted(matches, key=lambda m: m.start()):
        hour = int(match.group("h"))
        minute_text = match.groupdict().get("m") or match.groupdict().get("mc")
        minute = 30 if match.groupdict().get("half") else int(minute_text or 0)
        when = match.groupdict().get("when")
        if when is not None:
            if not 0 <= hour <= 12:
                continue
            hour, afternoon = _twenty_four(when, hour)
        elif afternoon and hour < 12 and _RANGE.fullmatch(line.text, range_from, match.start()):
            hour += 12
        range_from = match.end()
        if match.re is _BARE_HOUR and hour == 24:
            continue  # "24시 어린이집": a name, not a time
        if not (0 <= hour <= 24 and 0 <= minute <= 59):
            continue
        yield _finding("time", line, match.start(), match.group(0), f"{hour:02d}:{minute:02d}",
                       "시각은 24시각제로, 시·분 글자 없이 쌍점으로 적어야 합니다")


def findings_json(findings: list[Finding]) -> dict:
    return {"findings": [finding.to_dict() for finding in findings]}
