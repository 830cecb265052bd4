"""The 범용 업무매뉴얼's answer tools (rag/answer/tools.py), found by the app layer:
a chat question asking for a 민원's 처리기한 gets the date computed by deadline.py, its
skipped days and the articles it rests on, ahead of the quoted or generated answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rag.answer.tools import AnswerTool, ArticleRef, ToolResult
from rag.config import Settings

from .deadline import Deadline, DeadlineInputError, compute_deadline
from .deadline_question import DeadlineQuestion, read_deadline_question

_SEOUL = ZoneInfo("Asia/Seoul")
_WEEKDAYS = "월화수목금토일"
#: Cited first whatever the unit: the articles on how a 처리기간 is counted.
_ALWAYS_CITED = (ArticleRef("민원 처리에 관한 법률", "제19조"), ArticleRef("민원 처리에 관한 법률 시행령", "제19조"))


def seoul_today() -> date:
    return datetime.now(_SEOUL).date()


class DeadlineTool:
    """민원 처리기한 계산 in the chat: the question's received date and 처리기간 →
    "처리기한: 2026. 2. 25.(수)", the days not counted and the basis."""

    name = "민원 처리기한 계산"

    def __init__(self, extra_holidays: Iterable[date] = (), today: Callable[[], date] = seoul_today) -> None:
        self._extra_holidays = tuple(extra_holidays)
        self._today = today

    def applies(self, question: str) -> DeadlineQuestion | None:
        return read_deadline_question(question, self._today())

    def run(self, request: DeadlineQuestion) -> ToolResult:
        if request.error is not None:
            return ToolResult(f"처리기한을 계산하지 못했습니다: {request.error.message}.")
        if request.missing:
            return ToolResult(request.missing)
        assert request.received is not None and request.period is not None
        try:
            deadline = compute_deadline(request.received, request.period.text, request.excluded,
                                        extra_holidays=self._extra_holidays)
        except DeadlineInputError as exc:
            return ToolResult(f"처리기한을 계산하지 못했습니다: {exc.message}.")
        return ToolResult(deadline_text(deadline), _cited(deadline), answers_question=True)


def deadline_text(deadline: Deadline) -> str:
    """The result as the chat shows it, dates written as 공문서 write them (2026. 2. 25.)."""
    unit = "시간 단위" if deadline.unit == "시간" else "일 단위" if deadline.unit == "일" else "역(曆)에 따라"
    lines = [f"처리기한: {_when(deadline.due)} ({_when(deadline.received)} 접수, 처리기간 {deadline.period.text}, "
             f"{unit} 계산)"]
    if deadline.skipped:
        lines.append("산입하지 않은 날: " + ", ".join(f"{_day(s.date)} {s.reason}" for s in deadline.skipped))
    lines.extend(_dotted(note) for note in deadline.notes)
    return "\n".join(lines)


def _cited(deadline: Deadline) -> tuple[ArticleRef, ...]:
    refs = list(_ALWAYS_CITED)
    for basis in deadline.basis:
        ref = ArticleRef(basis.law, basis.article)
        if ref not in refs:
            refs.append(ref)
    return tuple(refs)


def _day(day: date) -> str:
    return f"{day.year}. {day.month}. {day.day}.({_WEEKDAYS[day.weekday()]})"


def _when(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return f"{_day(moment.date())} {moment.strftime('%H:%M')}"
    return _day(moment)


def _dotted(note: str) -> str:
    """ISO dates in the calculation's notes (2026-02-12) as 2026. 2. 12.(목)."""
    return re.sub(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", lambda m: _day(date(*map(int, m.groups()))), note)


def tools(settings: Settings) -> list[AnswerTool]:
    """The tools the general assistant's answers run (read by appcontext)."""
    return [DeadlineTool(settings.general.extra_holidays)]
