"""민원 처리기간 계산: when a 민원 received at a given moment must be dealt with.

The rules, each cited in the result's basis:
- 「민원 처리에 관한 법률」 제19조①: a period of 5일 or less counts in hours from the time of
  receipt, 1일 = 8 근무시간, 토요일·공휴일 not counted.
- 제19조②: 6일 or more counts in days, the first day counted, 토요일·공휴일 not counted.
- 제19조③: 주·월·연 count the first day and follow 「민법」 제159조~제161조 (by the calendar;
  the period ends the day before the day of the last week/month/year that matches the first
  day, or that month's last day when it has no such day; an end on 토요일·공휴일 moves to the
  next day).
- 시행령 제19조: "즉시" is 3 근무시간.
- 시행령 제20조 (with 「행정절차법 시행령」 제11조: 보완 기간 etc.): periods the caller names
  are not counted.
- 근무시간 (「지방공무원 복무규정」 제2조②): 09:00–18:00, 점심시간 12:00–13:00.

Everything here is computed; nothing is left to a language model."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rag.errors import SeoulAssistError

from .workdays import WorkCalendar

WORK_BLOCKS = ((time(9), time(12)), (time(13), time(18)))
HOURS_PER_DAY = 8
IMMEDIATE_HOURS = 3
EXCLUDED = "제외 기간"
_SEOUL = ZoneInfo("Asia/Seoul")
_MIN_YEAR, _MAX_YEAR = 2000, 2099
# Longest accepted periods: beyond these a typo is likelier than a real 처리기간.
_MAX_AMOUNT = {"일": 3650, "주": 520, "월": 120, "연": 10}
_UNIT_WORDS = {"일": "일", "주": "주", "주일": "주", "개월": "월", "월": "월", "년": "연", "연": "연"}
_PERIOD = re.compile(r"^([+-]?\d+)\s*(일|주일|주|개월|월|년|연)$")
_DOTTED_DATE = re.compile(r"^(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2}))?$")
PERIOD_FORMS = "예: 즉시, 3일, 7일, 2주, 1개월, 1년"


class DeadlineInputError(SeoulAssistError):
    """An input of the calculation is wrong; `field` names it (received, period, exclude)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # 즉시 | 일 | 주 | 월 | 연
    text: str


@dataclass(frozen=True)
class Basis:
    """One legal ground: the article's label, what the calculation took from it and, when the
    article is indexed, its text and in-force date."""

    label: str
    summary: str
    law: str
    article: str
    text: str | None = None
    effective_date: str | None = None

    def to_dict(self) -> dict:
        out = {"label": self.label, "summary": self.summary}
        if self.text:
            out["text"] = self.text
        if self.effective_date:
            out["effective_date"] = self.effective_date
        return out


@dataclass(frozen=True)
class SkippedDay:
    date: date
    reason: str


@dataclass
class Deadline:
    received: datetime | date
    period: Period
    unit: str  # 시간 | 일 | 주 | 월 | 연
    due: datetime | date
    skipped: list[SkippedDay] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    basis: list[Basis] = field(default_factory=list)
    counted_hours: int | None = None

    def to_dict(self) -> dict:
        out = {
            "received": self.received.isoformat(timespec="minutes") if isinstance(self.received, datetime)
            else self.received.isoformat(),
            "period": self.period.text,
            "unit": self.unit,
            "due": self.due.isoformat(timespec="minutes") if isinstance(self.due, datetime) else self.due.isoformat(),
            "skipped": [{"date": s.date.isoformat(), "reason": s.reason} for s in self.skipped],
            "notes": list(self.notes),
            "basis": [b.to_dict() for b in self.basis],
        }
        if self.counted_hours is not None:
            out["counted_hours"] = self.counted_hours
        return out


# --- parsing -------------------------------------------------------------------------------

def parse_period(text: str) -> Period:
    raw = (text or "").strip()
    if raw == "즉시":
        return Period(IMMEDIATE_HOURS, "즉시", raw)
    match = _PERIOD.match(raw.replace(" ", ""))
    if not match:
        raise DeadlineInputError("period", f"처리기간 '{raw}'을(를) 읽을 수 없습니다. 아라비아 숫자와 단위로 쓰세요 ({PERIOD_FORMS})")
    amount, unit = int(match.group(1)), _UNIT_WORDS[match.group(2)]
    if amount <= 0:
        raise DeadlineInputError("period", f"처리기간은 1 이상이어야 합니다: '{raw}'")
    if amount > _MAX_AMOUNT[unit]:
        raise DeadlineInputError("period", f"처리기간 '{raw}'이(가) 너무 깁니다 (최대 {_MAX_AMOUNT[unit]}{match.group(2)})")
    return Period(amount, unit, raw)


def parse_received(text: str) -> datetime | date:
    """A date (2026-02-12, 2026. 2. 12.) or a date and time (2026-02-12T15:00, 2026-02-12 15:00).
    A time with a UTC offset is read in Korean time."""
    raw = (text or "").strip()
    value: datetime | date | None = None
    dotted = _DOTTED_DATE.match(raw)
    try:
        if dotted:
            y, m, d, hh, mm = dotted.groups()
            value = datetime(int(y), int(m), int(d), int(hh), int(mm)) if hh else date(int(y), int(m), int(d))
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            value = date.fromisoformat(raw)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?", raw):
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None:
        raise DeadlineInputError("received", f"접수 일시 '{raw}'을(를) 읽을 수 없습니다. "
                                             "예: 2026-02-12 또는 2026-02-12T15:00")
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(_SEOUL).replace(tzinfo=None)
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise DeadlineInputError("received", f"{_MIN_YEAR}년부터 {_MAX_YEAR}년까지의 날짜만 계산합니다: '{raw}'")
    return value


def parse_exclusions(ranges: Iterable[str]) -> list[tuple[date, date]]:
    """Each "2026-02-13..2026-02-14" (both days included) or a single day "2026-02-13"."""
    parsed = []
    for raw in ranges:
        text = (raw or "").strip()
        start_text, sep, end_text = text.partition("..")
        try:
            start = date.fromisoformat(start_text.strip())
            end = date.fromisoformat(end_text.strip()) if sep else start
        except ValueError:
            raise DeadlineInputError("exclude", f"제외 기간 '{text}'을(를) 읽을 수 없습니다. "
                                                "예: 2026-02-13..2026-02-14 또는 2026-02-13") from None
        if end < start:
            raise DeadlineInputError("exclude", f"제외 기간 '{text}'의 끝날이 시작날보다 앞섭니다")
        if (end - start).days > 3660:
            raise DeadlineInputError("exclude", f"제외 기간 '{text}'이(가) 너무 깁니다")
        parsed.append((start, end))
    return parsed


# --- calculation ---------------------------------------------------------------------------

def compute_deadline(received: str | datetime | date, period: str, exclude: Sequence[str] = (), *,
                     extra_holidays: Iterable[date] = ()) -> Deadline:
    """The 처리기한 of a 민원 received at `received` with the 처리기간 `period`; `exclude`
    lists periods not counted (시행령 제20조). Raises DeadlineInputError naming the field."""
    when = parse_received(received) if isinstance(received, str) else received
    spec = parse_period(period)
    excluded = _days_in(parse_exclusions(exclude))
    days = _Days(WorkCalendar(extra_holidays), excluded)
    if spec.unit == "즉시" or (spec.unit == "일" and spec.amount <= 5):
        result = _in_hours(when, spec, days)
    elif spec.unit == "일":
        result = _in_days(when, spec, days)
    else:
        result = _by_calendar(when, spec, days)
    if any(EXCLUDED in s.reason for s in result.skipped):
        result.basis += [_BASIS["excluded"], _BASIS["excluded_kinds"]]
    elif excluded:
        result.notes.append("제외 기간이 처리기간 밖에 있어 처리기한에 영향이 없습니다.")
    if any("일요일" in s.reason or "공휴일" in s.reason for s in result.skipped):
        result.basis.append(_BASIS["holidays"])
    return result


class _Days:
    """Why a day is not counted: 토요일/일요일/공휴일 or a period the caller excluded."""

    def __init__(self, work: WorkCalendar, excluded: frozenset[date]) -> None:
        self.work = work
        self.excluded = excluded

    def off_reason(self, day: date) -> str | None:
        reason = self.work.off_reason(day)
        if day in self.excluded:
            return f"{reason}, {EXCLUDED}" if reason else EXCLUDED
        return reason

    def first_workday_from(self, day: date) -> date:
        while self.off_reason(day):
            day += timedelta(days=1)
        return day

    def skipped_between(self, first: date, last: date) -> list[SkippedDay]:
        out, day = [], first
        while day <= last:
            reason = self.off_reason(day)
            if reason:
                out.append(SkippedDay(day, reason))
            day += timedelta(days=1)
        return out


def _in_hours(when: datetime | date, spec: Period, days: _Days) -> Deadline:
    immediate = spec.unit == "즉시"
    hours = IMMEDIATE_HOURS if immediate else spec.amount * HOURS_PER_DAY
    notes = []
    if isinstance(when, datetime):
        start = when
    else:
        start = datetime.combine(when, WORK_BLOCKS[0][0])
        notes.append(f"접수 시각이 없어 {when.isoformat()} 근무 시작 시각(09:00)에 접수된 것으로 보고 계산했습니다.")
    counting_from = _first_work_instant(start, days)
    if counting_from != start:
        why = days.off_reason(start.date())
        what = f"접수일 {start.date().isoformat()}: {why}이므로" if why else \
            f"접수 시각 {start.strftime('%H:%M')}: 근무시간(09:00~12:00, 13:00~18:00) 밖이므로"
        notes.append(f"{what} 다음 근무시간인 {counting_from.isoformat(sep=' ', timespec='minutes')}부터 셉니다.")
    due = _add_work_hours(counting_from, hours, days)
    notes.append(f"{'즉시: ' if immediate else ''}{hours}근무시간"
                 f"{'' if immediate else f' (={spec.amount}일 × 8시간)'}을 셉니다.")
    basis = [_BASIS["immediate"] if immediate else _BASIS["hours"], _BASIS["work_hours"]]
    return Deadline(when, spec, "시간", due, days.skipped_between(start.date(), due.date()), notes, basis,
                    counted_hours=hours)


def _first_work_instant(moment: datetime, days: _Days) -> datetime:
    day = moment.date()
    while True:
        if not days.off_reason(day):
            for begin, end in WORK_BLOCKS:
                block_end = datetime.combine(day, end)
                if moment < block_end:
                    return max(moment, datetime.combine(day, begin))
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0))


def _add_work_hours(start: datetime, hours: int, days: _Days) -> datetime:
    """The moment `hours` working hours after `start` (itself inside working hours); an end
    that falls exactly on a block's end stays there (18:00, not the next day's 09:00)."""
    remaining = timedelta(hours=hours)
    day, moment = start.date(), start
    while True:
        if not days.off_reason(day):
            for begin, end in WORK_BLOCKS:
                block_start = max(moment, datetime.combine(day, begin))
                available = datetime.combine(day, end) - block_start
                if available <= timedelta(0):
                    continue
                if remaining <= available:
                    return block_start + remaining
                remaining -= available
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0))


def _in_days(when: datetime | date, spec: Period, days: _Days) -> Deadline:
    received_day = when.date() if isinstance(when, datetime) else when
    notes = []
    first = days.first_workday_from(received_day)
    if first != received_day:
        notes.append(f"접수일 {received_day.isoformat()}: {days.off_reason(received_day)}이므로 산입하지 않고 "
                     f"다음 근무일 {first.isoformat()}부터 첫날로 셉니다.")
    else:
        notes.append(f"첫날은 접수일 {received_day.isoformat()}입니다.")
    counted, day = 0, first
    while True:
        if not days.off_reason(day):
            counted += 1
            if counted == spec.amount:
                break
        day += timedelta(days=1)
    notes.append(f"토요일·공휴일을 빼고 {spec.amount}일째 되는 날이 처리기한입니다.")
    return Deadline(when, spec, "일", day, days.skipped_between(received_day, day), notes, [_BASIS["days"]])


def _by_calendar(when: datetime | date, spec: Period, days: _Days) -> Deadline:
    start = when.date() if isinstance(when, datetime) else when
    notes = [f"첫날은 접수일 {start.isoformat()}이고, 역(曆)에 따라 셉니다."]
    if days.work.off_reason(start):
        notes.append(f"접수일이 {days.work.off_reason(start)}이지만 주·월·연 기간은 역에 따라 접수일부터 셉니다 "
                     "(토요일·공휴일은 기간의 말일에만 영향을 줍니다).")
    end = _calendar_end(start, spec)
    # 시행령 제20조: each excluded day inside the period pushes the end back by one day; the
    # days the end moves over may themselves be excluded, so repeat until nothing changes.
    excluded_inside = 0
    while True:
        inside = sum(1 for d in days.excluded if start <= d <= end + timedelta(days=excluded_inside))
        if inside == excluded_inside:
            break
        excluded_inside = inside
    if excluded_inside:
        end += timedelta(days=excluded_inside)
        notes.append(f"제외 기간 {excluded_inside}일을 산입하지 않으므로 만료일이 {excluded_inside}일 늦어집니다.")
    skipped = [SkippedDay(d, EXCLUDED) for d in sorted(days.excluded) if start <= d <= end]
    # 민법 제161조: an end on 토요일 or 공휴일 (일요일 included) moves to the following day.
    while days.work.off_reason(end):
        skipped.append(SkippedDay(end, f"{days.work.off_reason(end)} (기간의 말일)"))
        end += timedelta(days=1)
    if skipped and skipped[-1].reason.endswith("(기간의 말일)"):
        notes.append(f"기간의 말일이 토요일 또는 공휴일이어서 그다음 근무일({end.isoformat()})에 만료합니다.")
    basis = [_BASIS["calendar"], _BASIS["civil_159"], _BASIS["civil_160"], _BASIS["civil_161"]]
    return Deadline(when, spec, spec.unit, end, skipped, notes, basis)


def _calendar_end(start: date, spec: Period) -> date:
    """민법 제160조 with the first day counted: the day before the matching day of the last
    week, month or year; the last month's 말일 when that month has no matching day."""
    if spec.unit == "주":
        return start + timedelta(weeks=spec.amount) - timedelta(days=1)
    months = spec.amount * (12 if spec.unit == "연" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def _days_in(ranges: list[tuple[date, date]]) -> frozenset[date]:
    out = set()
    for first, last in ranges:
        out.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(out)


# --- basis ---------------------------------------------------------------------------------

_MINWON = "민원 처리에 관한 법률"
_MINWON_DECREE = "민원 처리에 관한 법률 시행령"
_BASIS = {
    "hours": Basis("민원 처리에 관한 법률 제19조제1항",
                   "처리기간이 5일 이하이면 접수시각부터 시간 단위로 계산하고 1일은 8근무시간, 공휴일과 토요일은 산입하지 않음",
                   _MINWON, "제19조"),
    "days": Basis("민원 처리에 관한 법률 제19조제2항",
                  "처리기간이 6일 이상이면 일 단위로 계산하고 첫날을 산입하되, 공휴일과 토요일은 산입하지 않음",
                  _MINWON, "제19조"),
    "calendar": Basis("민원 처리에 관한 법률 제19조제3항",
                      "처리기간을 주·월·연으로 정하면 첫날을 산입하고 민법 제159조부터 제161조까지를 준용함",
                      _MINWON, "제19조"),
    "immediate": Basis("민원 처리에 관한 법률 시행령 제19조",
                       "처리기간이 '즉시'이면 정당한 사유가 없는 한 3근무시간 이내에 처리함", _MINWON_DECREE, "제19조"),
    "work_hours": Basis("지방공무원 복무규정 제2조제2항",
                        "1일 근무시간은 9시부터 18시까지, 점심시간은 12시부터 13시까지 (하루 8근무시간)",
                        "지방공무원 복무규정", "제2조"),
    "excluded": Basis("민원 처리에 관한 법률 시행령 제20조",
                      "「행정절차법 시행령」 제11조를 준용한 기간 등은 처리기간에 산입하지 않음", _MINWON_DECREE, "제20조"),
    "excluded_kinds": Basis("행정절차법 시행령 제11조",
                            "신청서의 보완에 드는 기간(발송한 날과 보완되어 도달한 날 포함) 등은 처리기간에 산입하지 않음",
                            "행정절차법 시행령", "제11조"),
    "holidays": Basis("관공서의 공휴일에 관한 규정 제2조·제3조",
                      "일요일, 국경일, 명절 연휴, 선거일, 임시공휴일 등이 공휴일이며 대체공휴일을 둠",
                      "관공서의 공휴일에 관한 규정", "제2조"),
    "civil_159": Basis("민법 제159조", "기간을 일, 주, 월 또는 연으로 정한 때에는 기간말일의 종료로 기간이 만료함",
                       "민법", "제159조"),
    "civil_160": Basis("민법 제160조",
                       "주·월·연은 역(曆)에 따라 계산하고, 최후의 주·월·연에서 기산일에 해당한 날의 전일로 만료하며, "
                       "최종의 월에 해당일이 없으면 그 월의 말일로 만료함", "민법", "제160조"),
    "civil_161": Basis("민법 제161조", "기간의 말일이 토요일 또는 공휴일이면 기간은 그 익일로 만료함", "민법", "제161조"),
}

#: (law, article) → (text, 시행일자) of the indexed article, or None when it is not indexed.
ArticleLookup = Callable[[str, str], "tuple[str, str | None] | None"]


def cite_articles(deadline: Deadline, lookup: ArticleLookup | None) -> Deadline:
    """The basis with each article's indexed text and in-force date where `lookup` finds it."""
    if lookup is None:
        return deadline
    cited = []
    for basis in deadline.basis:
        found = lookup(basis.law, basis.article)
        cited.append(replace(basis, text=found[0], effective_date=found[1]) if found else basis)
    deadline.basis = cited
    return deadline


__all__ = ["Basis", "Deadline", "DeadlineInputError", "Period", "SkippedDay", "compute_deadline", "cite_articles",
           "parse_exclusions", "parse_period", "parse_received"]
