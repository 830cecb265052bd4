"""When to say "the indexed documents do not cover this" instead of answering.

Wrong legal facts are worse than no answer, so the service abstains when
  * nothing was retrieved;
  * the retrieved passages share too little of the question's weighted content words
    (``question_coverage`` below ``min_coverage``): they are about something else;
  * the question asks for a quantity of a kind (an amount in 원, a number of people, a
    period …) and no retrieved passage states any quantity of that kind. Statutes often
    delegate the figure to a 별표 or another act that is not indexed ("배치기준은 별표
    2와 같다", "지방공무원 수당 등에 관한 규정에 따른다"); quoting the delegation as if it
    answered "몇 명" or "얼마" would mislead.
Article references (제14조, 제2항, 별표 2, 별지 제4호서식) are never quantities: the
fact extractor reads them as references."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .facts import extract_facts
from .types import Passage

_TIME_UNITS = frozenset({"일", "개월", "월", "년", "주", "시간", "분", "date"})
# (what the question says, the units that answer it). "얼마나" asks "how long/often", not "how much".
_ASKED = (
    (re.compile(r"얼마(?!나)|금액|액수|단가|요금|수수료"), frozenset({"원", "%"})),
    (re.compile(r"몇\s*명|인원|정원"), frozenset({"명"})),
    (re.compile(r"몇\s*(?:회|번)|횟수"), frozenset({"회", "차"})),
    (re.compile(r"며칠|몇\s*(?:일|년|개월|달|주|시간)|기간|언제까지|기한"), _TIME_UNITS),
    (re.compile(r"몇\s*(?:살|세)|나이|연령"), frozenset({"세"})),
)


@dataclass(frozen=True)
class AbstentionPolicy:
    # Below this share of the question's weighted words, even the best passages are about
    # something else. Kept low: paraphrased questions ("CCTV", "차트") reach the right
    # article with little word overlap, and the quantity rule catches the subtler cases.
    min_coverage: float = 0.2


def asked_units(question: str) -> frozenset[str]:
    """The units an answer to ``question`` must state (empty: not a quantity question)."""
    units: set[str] = set()
    for pattern, wanted in _ASKED:
        if pattern.search(question):
            units |= wanted
    return frozenset(units)


def asks_quantity(question: str) -> bool:
    return bool(asked_units(question))


def stated_units(text: str) -> set[str]:
    units: set[str] = set()
    for fact in extract_facts(text):
        if fact.kind == "date":
            units.add("date")
        elif fact.kind == "number" and len(fact.key) > 1 and fact.key[1]:
            units.add(str(fact.key[1]))
    return units


def states_quantity(text: str, units: frozenset[str] | None = None) -> bool:
    stated = stated_units(text)
    return bool(stated & units) if units else bool(stated)


def reason_to_abstain(question: str, passages: Sequence[Passage], coverage: float, answer_text: str,
                      policy: AbstentionPolicy = AbstentionPolicy()) -> str | None:
    """A Korean reason to abstain, or None when the answer may be given."""
    if not passages:
        return "색인된 문서에서 관련 내용을 찾지 못했습니다."
    if coverage < policy.min_coverage:
        return "검색된 문서가 질문의 내용을 다루지 않습니다."
    if not answer_text.strip():
        return "검색된 문서에서 질문에 답하는 문장을 찾지 못했습니다."
    wanted = asked_units(question)
    if wanted and not any(states_quantity(p.chunk.text, wanted) for p in passages):
        return "질문이 묻는 금액·기간·인원 등의 수치가 검색된 문서에 없습니다."
    return None
