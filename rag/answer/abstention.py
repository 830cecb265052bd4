"""When to say "the indexed documents do not cover this" instead of answering.

Wrong legal facts are worse than no answer, so the service abstains when
  * nothing was retrieved;
  * the retrieved passages share too little of the question's weighted content words
    (``question_coverage`` below ``min_coverage``): they are about something else;
  * the question asks for a quantity of a kind (an amount in 원, a number of people, a
    period …) and no retrieved passage states any quantity of that kind. Statutes often
    delegate the figure to a 별표 or another act that is not indexed ("배치기준은 별표
    2와 같다", "지방공무원 수당 등에 관한 규정에 따른다"); quoting the delegation as if it
    answered "몇 명" or "얼마" would mislead;
  * the question asks the amount of something ("육아휴직 수당은 얼마") and no sentence
    stating an amount names it: nearby articles often state amounts of other things.
"얼마" asks for a quantity whose unit the thing asked about decides: money (원 or a
rate) when the question names money (과태료, 수당, 보조금, 금액 …), otherwise a number
in any unit ("적설량이 얼마일 때" is answered by "적설량이 5센티미터 이상").
Article references (제14조, 제2항, 별표 2, 별지 제4호서식) are never quantities: the
fact extractor reads them as references."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from .facts import extract_facts
from .types import Passage

if TYPE_CHECKING:
    from rag.retrieval.korean import KoreanAnalyzer

_TIME_UNITS = frozenset({"일", "개월", "월", "년", "주", "시간", "분", "date"})
MONEY_UNITS = frozenset({"원", "%"})
#: In a set of asked units: a number in any unit answers the question.
ANY_UNIT = "*"
# "얼마 주기로", "얼마 동안", "얼마 만에" ask for a period, "얼마나" for "how long/often" and
# "얼마만큼" for a quantity of anything (콩 한 줌); bare "얼마" asks how much of something.
HOW_LONG = r"\s*(?:동안|마다|주기|간격|만에|후에|뒤에|기간)"
_AMOUNT = re.compile(rf"얼마(?!나|만큼|큼|{HOW_LONG})")
# What "얼마" asks for is decided by the word it asks about, and Korean marks money and
# rates in the word's last syllable: -료 (수수료, 보육료), -비 (일비, 숙박비), -금 (보조금,
# 과징금), -액 (금액, 지급액), -세 (재산세) name money, -률/-율 (지체상금률, 이율) a rate; a
# few money words have no such ending. A syllable counts at a word's end, before a particle.
_WORD_END = r"(?=(?:은|는|이|가|을|를|의|도|만|로|으로|과|와|까지|에|에서)?(?![가-힣]))"
_MONEY_WORD = re.compile(rf"[가-힣](?:료|비|금|액|세){_WORD_END}|수당|임금|급여|보수|요금|단가|가격|비용|예산|소득|액수")
_RATE_WORD = re.compile(rf"[가-힣](?:률|율){_WORD_END}")
# Words that ask for an amount of money by themselves ("과태료 금액은?").
_MONEY_ASKED = re.compile(r"금액|액수")
# (what the question says, the units that answer it).
_ASKED = (
    (re.compile(rf"얼마{HOW_LONG}|주기"), _TIME_UNITS),
    (re.compile(r"몇\s*명|인원|정원"), frozenset({"명"})),
    (re.compile(r"몇\s*(?:회|번)|횟수"), frozenset({"회", "차"})),
    (re.compile(r"며칠|몇\s*(?:일|년|개월|달|주|시간)|기간|언제까지|기한"), _TIME_UNITS),
    (re.compile(r"몇\s*(?:살|세)|나이|연령"), frozenset({"세"})),
)


_NOUN_TAGS = frozenset({"NNG", "NNP", "SL"})
# Nouns that frame the question rather than name what is priced ("…할 때", "하루에 얼마").
_FRAME_NOUNS = frozenset({"때", "경우", "정도", "중", "등", "하루", "매일", "매달", "매월", "한달", "연간", "1년"})


def asked_subject(question: str, analyzer: "KoreanAnalyzer") -> tuple[str, ...] | None:
    """What an amount question asks the amount of: the nouns of "육아휴직 수당은 얼마",
    "일비로 얼마를", "과태료가 얼마까지" (the noun phrase right before 얼마, or the
    nearest one marked as topic or subject). None when the question asks no amount or
    names nothing. Statutes often leave amounts to rules that are not indexed, while
    other articles nearby state amounts of other things."""
    if not _AMOUNT.search(question):
        return None
    tokens = analyzer.morphemes(question)
    at = next((i for i, (form, _) in enumerate(tokens) if form == "얼마"), None)
    if at is None:
        return None
    if at >= 1 and tokens[at - 1][1].startswith("J"):
        words = _noun_phrase(tokens, at - 1)
        if words:
            return words
    for i in range(at - 1, -1, -1):
        if tokens[i][1] in ("JX", "JKS"):
            words = _noun_phrase(tokens, i)
            if words:
                return words
        if tokens[i][1] in ("EC", "SF"):
            break
    return None


def _noun_phrase(tokens: list[tuple[str, str]], particle: int) -> tuple[str, ...]:
    words: list[str] = []
    i = particle - 1
    while i >= 0 and (tokens[i][1] in _NOUN_TAGS or tokens[i][1] == "XSN"):
        form, tag = tokens[i]
        if tag == "XSN":  # 률, 당, 비: part of the noun before it
            if i >= 1 and tokens[i - 1][1] in _NOUN_TAGS:
                form = tokens[i - 1][0] + form
                i -= 1
            else:
                break
        words.insert(0, form)
        i -= 1
    return tuple(w for w in words if w not in _FRAME_NOUNS)


@dataclass(frozen=True)
class AbstentionPolicy:
    # Below this share of the question's weighted words, even the best passages are about
    # something else. Kept low: paraphrased questions ("CCTV", "차트") reach the right
    # article with little word overlap, and the quantity rule catches the subtler cases.
    min_coverage: float = 0.2
    # "X는 얼마인가요?": some sentence stating an amount must be about X (see asked_subject).
    amount_subject: bool = True


def asked_units(question: str) -> frozenset[str]:
    """The units an answer to ``question`` must state (empty: not a quantity question;
    ANY_UNIT among them: a number in any unit)."""
    units: set[str] = set()
    for pattern, wanted in _ASKED:
        if pattern.search(question):
            units |= wanted
    amount = bool(_AMOUNT.search(question))
    if _MONEY_ASKED.search(question) or (amount and names_money(question)):
        units |= MONEY_UNITS
    elif amount and _RATE_WORD.search(question):
        units.add("%")
    elif amount and not units:
        # "적설량이 얼마일 때": the unit is the 적설량's (센티미터), not known here.
        units.add(ANY_UNIT)
    return frozenset(units)


def names_money(question: str) -> bool:
    """Whether the question names money (수당, 과태료, 일비, 금액 …): then "얼마" asks for 원."""
    return bool(_MONEY_WORD.search(question))


def units_fit(stated: set[str], wanted: frozenset[str]) -> bool:
    """Whether units stated in a sentence answer a question asking for ``wanted``."""
    return bool(stated) and (ANY_UNIT in wanted or bool(stated & wanted))


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
    return units_fit(stated, units) if units else bool(stated)


def reason_to_abstain(question: str, passages: Sequence[Passage], coverage: float, answer_text: str,
                      policy: AbstentionPolicy = AbstentionPolicy(), subject: Sequence[str] | None = None,
                      subject_stated: bool = True) -> str | None:
    """A Korean reason to abstain, or None when the answer may be given. For "X는 얼마"
    questions `subject` is X and `subject_stated` says whether a passage sentence states
    an amount about it (``extractive.states_amount_of``)."""
    if not passages:
        return "색인된 문서에서 관련 내용을 찾지 못했습니다."
    if coverage < policy.min_coverage:
        return "검색된 문서가 질문의 내용을 다루지 않습니다."
    if not answer_text.strip():
        return "검색된 문서에서 질문에 답하는 문장을 찾지 못했습니다."
    wanted = asked_units(question)
    if wanted and not any(states_quantity(p.chunk.text, wanted) for p in passages):
        return "질문이 묻는 금액·기간·인원 등의 수치가 검색된 문서에 없습니다."
    if policy.amount_subject and subject and not subject_stated:
        what = "금액이나 비율" if wanted & MONEY_UNITS else "수치"
        return f"검색된 문서에 ‘{' '.join(subject)}’의 {what}을 밝힌 문장이 없습니다."
    return None
