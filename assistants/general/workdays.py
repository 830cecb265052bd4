"""Which days a 민원 처리기간 does not count: 토요일 and the 관공서 공휴일 (일요일, the
holidays of 「관공서의 공휴일에 관한 규정」·「공휴일에 관한 법률」 with 대체공휴일 and
election days), plus 임시공휴일 a deployment lists in `general.extra_holidays`.

The holidays come from the maintained `holidays` package (public category only). Its
Korean calendar follows the law as amended: 근로자의 날 was never a 관공서 공휴일 (the
package keeps it in the bank category up to 2025), while 노동절 (5월 1일) and 제헌절 are
공휴일 from 2026 by the 2026 amendments of 「공휴일에 관한 법률」."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays

SATURDAY = "토요일"
SUNDAY = "일요일"
EXTRA_HOLIDAY = "임시공휴일"


class WorkCalendar:
    """Answers `off_reason(day)`: why a day is not a working day, or None when it is one."""

    def __init__(self, extra_holidays: Iterable[date] = ()) -> None:
        # Built per calculation: the package fills years lazily, which is not thread-safe.
        self._public = holidays.country_holidays("KR", categories=("public",), language="ko")
        self._extra = frozenset(extra_holidays)

    def holiday_name(self, day: date) -> str | None:
        """The 공휴일's name (not 일요일 or 토요일 as such), e.g. "설날", "부처님오신날 대체 휴일"."""
        names = self._public.get_list(day)
        if day in self._extra:
            names.append(EXTRA_HOLIDAY)
        return ", ".join(names) or None

    def off_reason(self, day: date) -> str | None:
        reasons = []
        if day.weekday() == 5:
            reasons.append(SATURDAY)
        elif day.weekday() == 6:
            reasons.append(SUNDAY)
        name = self.holiday_name(day)
        if name:
            reasons.append(f"공휴일({name})")
        return ", ".join(reasons) or None

    def is_workday(self, day: date) -> bool:
        return self.off_reason(day) is None
