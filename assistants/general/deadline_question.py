"""Reading a chat question that asks for a 민원's 처리기한: whether it asks at all, and the
received date (and time) and the 처리기간 it states, for the deadline calculation
(deadline.py) to answer by code.

Dates: 2026년 2월 12일, 2월 12일 (the year of `today`), 2026. 2. 12., 2026-02-12.
Times: 오후 3시, 오전 10시 30분, 15시, 15:00. Periods: 7일, 3일, 2주, 1개월, 1년, 즉시 (read
by deadline.parse_period, so the chat and the tool accept the same periods).

The first date is the receipt. Later dates are periods not counted (시행령 제20조) when the
question says so (보완, 보정, 제외, 빼고, 산입하지 …): "2월 13일부터 14일까지", "2월 13일~2월
14일", or one day ("2월 13일 하루"). Without such a word later dates are left alone: an
answer must not drop days the asker did not ask to drop."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from .deadline import DeadlineInputError, Period, parse_period

#: Words that ask when something ends. "까지" after a count ("몇 번까지", "2회까지") asks
#: how many times (an extension), not when.
_ASKS_WHEN = re.compile(r"언제|기한|(?<!번)(?<!회)(?<!차례)까지|마감|며칠|계산|만료|끝나")
_DATE = re.compile(r"""(?<![\d.])(?:
      (?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})(?!\d)
    | (?P<dot_y>\d{4})\.\s*(?P<dot_m>\d{1,2})\.\s*(?P<dot_d>\d{1,2})(?!\d)\.?
    | (?:(?P<ko_y>\d{4})\s*년\s*)?(?P<ko_m>\d{1,2})\s*월\s*(?P<ko_d>\d{1,2})\s*일
)""", re.X)
_TIME = re.compile(r"""
      (?:(?P<half_day>오전|오후)\s*)?(?<!\d)(?P<h>\d{1,2})\s*시(?!간|행|기|점)(?:\s*(?P<min>\d{1,2})\s*분|\s*(?P<half>반))?
    | (?<!\d)(?P<hh>\d{1,2}):(?P<mm>\d{2})(?!\d)
""", re.X)
_PERIOD_WORD = r"(?:즉시|[+-]?\d{1,4}\s*(?:개월|주일|주|일|년|연))"
#: A period the question ties to 처리기간 ("처리기간이 7일이면", "처리 기간: 3일").
_NAMED_PERIOD = re.compile(rf"처리\s*기간\D{{0,8}}?(?P<p>{_PERIOD_WORD})")
#: Any period; not one followed by 접수 ("12일에 접수": a day of the month, not a period).
_ANY_PERIOD = re.compile(rf"(?<![\d.:])(?P<p>{_PERIOD_WORD})(?!\s*(?:에\s*)?접수)")

#: The question says some days are not counted.
_EXCLUDES = re.compile(r"보완|보정|제외|빼고|빼면|산입하지|산입\s*안|불산입|넣지\s*않|현지\s*조사|조사\s*기간")
#: A period's end written with its day only: "2월 13일부터 14일까지".
_DAY_ONLY = re.compile(r"(?<![\d.월])\s*(?P<d>\d{1,2})\s*일(?=\s*까지)")

MISSING_BOTH = "접수일과 처리기간을 알려 주시면 처리기한을 계산해 드립니다"
EXAMPLE = "예: 2026년 2월 12일 오후 3시 접수, 처리기간 7일"


@dataclass(frozen=True)
class DeadlineQuestion:
    """What a 처리기한 question states: `received` (a date, or a date and time) and
    `period`, each None when the question does not give it; `error` when it gives one
    that cannot be read (a date that does not exist, "-3일")."""

    received: datetime | date | None
    period: Period | None
    error: DeadlineInputError | None = None
    #: Periods not counted, as deadline.compute_deadline takes them ("2026-02-13..2026-02-14").
    excluded: tuple[str, ...] = ()

    @property
    def missing(self) -> str | None:
        """The Korean sentence asking for what is missing, or None when nothing is."""
        if self.received is None and self.period is None:
            return f"{MISSING_BOTH} ({EXAMPLE})."
        if self.received is None:
            return f"접수일을 알려 주시면 처리기간 {self.period.text}의 처리기한을 계산해 드립니다 ({EXAMPLE})."
        if self.period is None:
            return "처리기간을 알려 주시면 처리기한을 계산해 드립니다 (예: 즉시, 3일, 7일, 2주, 1개월)."
        return None


def asks_for_deadline(question: str) -> bool:
    """Whether the question asks when a 민원 must be dealt with: it names the 처리기한, or
    asks when a 처리기간 (or a received 민원) ends."""
    compact = re.sub(r"\s+", "", question or "")
    if "처리기한" in compact:
        return True
    if "처리기간" in compact or ("민원" in compact and "접수" in compact):
        return bool(_ASKS_WHEN.search(compact))
    return False


def read_deadline_question(question: str, today: date) -> DeadlineQuestion | None:
    """The received moment and the 처리기간 the question states, or None when it does not
    ask for a 처리기한. A date without a year is in `today`'s year."""
    if not asks_for_deadline(question):
        return None
    text = question
    try:
        received, text = _received(text, today)
    except DeadlineInputError as exc:
        return DeadlineQuestion(None, None, exc)
    excluded: tuple[str, ...] = ()
    if received is not None and _EXCLUDES.search(question):
        try:
            excluded, text = _excluded(text, received if isinstance(received, date) and not isinstance(
                received, datetime) else received.date())
        except DeadlineInputError as exc:
            return DeadlineQuestion(received, None, exc)
    try:
        period = _period(text)
    except DeadlineInputError as exc:
        return DeadlineQuestion(received, None, exc, excluded)
    return DeadlineQuestion(received, period, None, excluded)


def _excluded(text: str, received: date) -> tuple[tuple[str, ...], str]:
    """The periods after the receipt date, as "start..end", and `text` without them (their
    "13일" is not a 처리기간). A date without a year is in the receipt's year."""
    periods: list[str] = []
    while (match := _DATE.search(text)) is not None:
        start = _date_of(match, received.year)
        text = _blank(text, match)
        end = start
        rest = text[match.end():]
        joined = re.match(r"\s*(?:부터|에서|~|〜|–|…)\s*", rest) or re.match(r"\s*-\s*(?=\d)", rest)
        if joined:
            after = match.end() + joined.end()
            following = _DATE.match(text, after)
            day_only = _DAY_ONLY.match(text, after) if following is None else None
            if following is not None:
                end = _date_of(following, start.year)
                text = _blank(text, following)
            elif day_only is not None:
                end = _day_in_month(start, int(day_only.group("d")), day_only.group(0).strip())
                text = _blank(text, day_only)
        periods.append(f"{start.isoformat()}..{end.isoformat()}")
    return tuple(periods), text


def _date_of(match: re.Match, default_year: int) -> date:
    g = match.groupdict()
    year = g["iso_y"] or g["dot_y"] or g["ko_y"]
    month = g["iso_m"] or g["dot_m"] or g["ko_m"]
    day = g["iso_d"] or g["dot_d"] or g["ko_d"]
    try:
        return date(int(year) if year else default_year, int(month), int(day))
    except ValueError:
        raise DeadlineInputError("exclude", f"제외 기간의 날짜 '{match.group(0).strip()}'은(는) 없는 날짜입니다") from None


def _day_in_month(start: date, day: int, written: str) -> date:
    try:
        return start.replace(day=day)
    except ValueError:
        raise DeadlineInputError("exclude", f"제외 기간의 끝날 '{written}'은(는) 없는 날짜입니다") from None


def _received(text: str, today: date) -> tuple[datetime | date | None, str]:
    """The first date in `text` with the time stated (if any), and `text` without them, so
    that "12일" of "2월 12일" is not read as a period."""
    match = _DATE.search(text)
    if match is None:
        return None, text
    try:
        received_day = _date_of(match, today.year)
    except DeadlineInputError:
        raise DeadlineInputError("received", f"접수일 '{match.group(0).strip()}'은(는) 없는 날짜입니다") from None
    text = _blank(text, match)
    moment, text = _time(text)
    if moment is None:
        return received_day, text
    return datetime.combine(received_day, moment), text


def _time(text: str) -> tuple[time | None, str]:
    match = _TIME.search(text)
    if match is None:
        return None, text
    g = match.groupdict()
    if g["hh"] is not None:
        hour, minute = int(g["hh"]), int(g["mm"])
    else:
        hour = int(g["h"])
        minute = 30 if g["half"] else int(g["min"] or 0)
        if g["half_day"] and hour > 12:
            hour = -1  # "오후 15시": not a time
        elif g["half_day"] == "오후" and hour < 12:
            hour += 12
        elif g["half_day"] == "오전" and hour == 12:
            hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DeadlineInputError("received", f"접수 시각 '{match.group(0).strip()}'을(를) 읽을 수 없습니다. "
                                             "예: 오후 3시, 15시, 15:00")
    return time(hour, minute), _blank(text, match)


def _period(text: str) -> Period | None:
    match = _NAMED_PERIOD.search(text) or _ANY_PERIOD.search(text)
    if match is None:
        return None
    return parse_period(re.sub(r"\s+", "", match.group("p")))


def _blank(text: str, match: re.Match) -> str:
    return text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]


__all__ = ["DeadlineQuestion", "MISSING_BOTH", "asks_for_deadline", "read_deadline_question"]
