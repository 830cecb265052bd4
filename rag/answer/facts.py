"""The checkable facts of a sentence: numbers with their units, dates and statute
references, each reduced to a canonical key so that the wording may differ but the
value may not: ``300만 원`` == ``300만원`` == ``3,000,000원``; ``2024. 1. 1.`` ==
``2024-01-01`` == ``2024년 1월 1일``; ``제15조의 4`` == ``제15조의4``. A web or mail
address is a fact too, kept as written.

A fact of an answer sentence is supported when a cited passage (its text, title,
locator, label or effective-date metadata) holds the same key. A bare number in the
answer (``10``) matches that value with any unit; a number with a unit needs the same
unit (``5년`` is not ``5명``); ``100분의 10`` is ``10%``. Korean numerals (세 번) are
not read: the lexical check covers them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Literal

FactKind = Literal["number", "date", "article", "paragraph", "item", "reference"]


@dataclass(frozen=True)
class Fact:
    kind: FactKind
    key: tuple
    #: As written in the sentence, for the reason shown to reviewers.
    text: str


_DATE_PATTERNS = (
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"),
    re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})(?!\d)\.?"),
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*년\s*(\d{1,2})\s*월()"),
    re.compile(r"(?<![\d.])((?:19|20)\d{2})\s*\.\s*(\d{1,2})\s*\.()(?!\s*\d)"),
)
_ARTICLE = re.compile(r"제\s?(\d+)\s?조(?:\s?의\s?(\d+))?")
_PARAGRAPH = re.compile(r"제\s?(\d+)\s?항")
_ITEM = re.compile(r"제\s?(\d+)\s?호(?!\s?(?:의\s?\d+\s?)?서식)")
_REFERENCE = re.compile(r"별지\s?제?\s?\d+\s?호\s?(?:의\s?\d+\s?)?서식|별표\s?\d+(?:\s?의\s?\d+)?")
# A web or mail address sends the reader somewhere: a passage must give it word for word.
# Kiwi drops addresses from the content words, so without this a sentence made of a link
# and one word ("http://… 에서 다시 로그인하세요") passed as too short to be a claim.
_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"'“”‘’()\[\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
# Structure numbers nobody states as a fact (제2장, 제1절, 가목): dropped, not checked.
_STRUCTURE = re.compile(r"제\s?\d+\s?(?:장|절|관|편|목)")
# "100분의 10" is how statutes write 10 %: read as a percentage, so either wording matches.
# The denominator may carry a numeral: "1천분의 0.5", "천분의 1", "10만분의 3".
_FRACTION = re.compile(r"(?<![\d.])(\d+)?\s?([천만백]?)\s?분의\s?(\d+(?:\.\d+)?)(?![\d.])")
#: A statute paragraph's mark and its number: ① … ⑳.
PARAGRAPH_NUMBERS = {chr(0x2460 + i): i + 1 for i in range(20)}
#: The other way: a paragraph's number and its mark.
PARAGRAPH_MARKS = {number: mark for mark, number in PARAGRAPH_NUMBERS.items()}
_NUMBERED_LINE = re.compile(r"^\s*(?:\*\*)?(\d{1,3})\.(?:\*\*)?\s", re.M)

_NUMBER = re.compile(r"(?<![\d.A-Za-z])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?!\d)")
_SMALL = {"천": 1000, "백": 100}
_BIG = {"만": 10**4, "억": 10**8}
# Longest first so 개월 wins over 개, 시간 over 시, mg/dL over mg.
_UNITS = sorted({
    "원": "원", "명": "명", "인": "명", "회": "회", "번": "회", "차": "차", "일": "일", "주일": "주", "주": "주",
    "개월": "개월", "월": "월", "년": "년", "시간": "시간", "시": "시", "분": "분", "초": "초", "세": "세",
    "살": "세", "%": "%", "퍼센트": "%", "프로": "%", "배": "배", "개소": "곳", "개": "개", "곳": "곳", "건": "건",
    "대": "대", "층": "층", "가구": "가구", "세대": "세대", "쪽": "쪽", "장": "장", "호봉": "호봉", "등급": "등급",
    "점": "점", "단계": "단계", "학기": "학기", "㎡": "㎡", "제곱미터": "㎡", "m²": "㎡", "m2": "㎡", "㎝": "cm",
    "센티미터": "cm", "밀리미터": "mm", "킬로그램": "kg", "미터": "m", "kcal": "kcal", "mmhg": "mmHg",
    "mg/dl": "mg/dL", "km": "km", "cm": "cm", "mm": "mm", "kg": "kg", "mg": "mg", "ml": "ml", "m": "m", "g": "g",
}.items(), key=lambda kv: -len(kv[0]))
# After a space, a unit must stand alone or take a particle ("60 일 이상", "300만 원을"),
# so "3 일반" is not read as three days.
_PARTICLE_AFTER_UNIT = set("을를이가은는의에도만간씩당째")
# What may follow a unit in a question's "몇 퍼센트로", "몇 미터까지가", "몇 mg인가요":
# particles, then perhaps the copula and its ending.
_PARTICLES = re.compile(r"(?:으로|로|까지|부터|정도|쯤|이상|이하|이내|이나|나|[" + "".join(sorted(_PARTICLE_AFTER_UNIT))
                        + r"])*(?:(?:인|일|입|이에|이었|예|였|야)[가-힣]*)?")


def extract_facts(text: str) -> list[Fact]:
    facts: list[Fact] = []
    rest = text
    rest = _take(rest, _ADDRESS, facts, lambda m: ("reference", (_as_key(m.group(0).rstrip(".,;:!?。")),)))
    rest = _take(rest, _REFERENCE, facts, lambda m: ("reference", (_as_key(m.group(0)),)))
    rest = _take(rest, _ARTICLE, facts,
                 lambda m: ("article", (int(m.group(1)), int(m.group(2)) if m.group(2) else None)))
    rest = _take(rest, _PARAGRAPH, facts, lambda m: ("paragraph", (int(m.group(1)),)))
    rest = _take(rest, _ITEM, facts, lambda m: ("item", (int(m.group(1)),)))
    rest = _STRUCTURE.sub(" ", rest)
    rest = _take(rest, _FRACTION, facts, _fraction_key)
    for pattern in _DATE_PATTERNS:
        rest = _take(rest, pattern, facts, _date_key)
    facts.extend(Fact("number", key, surface) for key, surface in _numbers(rest))
    return facts


def unit_named(word: str) -> str | None:
    """The canonical unit a word is, particles aside, as the fact extractor reads it
    after a number: "퍼센트로" → "%", "mg으로" → "mg", "미터까지가" → "m"; "인분" is not
    "인" (persons) and "달" is no unit after a number, so both give None."""
    lowered = word.lower()
    return next((unit for written, unit in _UNITS
                 if lowered.startswith(written) and _PARTICLES.fullmatch(lowered[len(written):])), None)


def stated_units(text: str) -> set[str]:
    """The units of the quantities ``text`` states ("date" for a date); numbers without
    a unit and references (제14조, 별표 2) state none."""
    units: set[str] = set()
    for fact in extract_facts(text):
        if fact.kind == "date":
            units.add("date")
        elif fact.kind == "number" and len(fact.key) > 1 and fact.key[1]:
            units.add(str(fact.key[1]))
    return units


def _take(text: str, pattern: re.Pattern, facts: list[Fact], key_of) -> str:
    """Record each match as a fact and blank it out, so its digits are not read again
    as plain numbers (제5조 is not "5", 2024. 1. 1. is not "1")."""

    def record(match: re.Match) -> str:
        key = key_of(match)
        if key is not None:
            facts.append(Fact(key[0], key[1], match.group(0).strip()))
        return " " * len(match.group(0))

    return pattern.sub(record, text)


def _fraction_key(match: re.Match):
    digits, numeral, part = match.groups()
    if digits is None and not numeral:
        return None  # a bare "분의" is no fraction
    whole = Decimal(digits or 1) * (_SMALL.get(numeral) or _BIG.get(numeral) or 1)
    if not whole:
        return None
    return "number", ((Decimal(part) * 100 / whole).normalize(), "%")


def _date_key(match: re.Match):
    year, month = int(match.group(1)), int(match.group(2))
    day = int(match.group(3)) if match.group(3) else None
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    return "date", (year, month, day)


def _numbers(text: str) -> Iterable[tuple[tuple[Decimal, str], str]]:
    pos = 0
    while match := _NUMBER.search(text, pos):
        total, end = _amount(text, match)
        unit, end = _unit(text, end)
        pos = max(end, match.end())
        yield (total.normalize(), unit), re.sub(r"\s+", " ", text[match.start():end]).strip()


def _amount(text: str, match: re.Match) -> tuple[Decimal, int]:
    """``1억 5천만`` → 150000000: 천/백 scale the segment, 만/억 close it; after a 만/억
    segment another number may follow (one space allowed)."""
    total = Decimal(0)
    while True:
        value = Decimal(match.group(1).replace(",", "") + ("." + match.group(2) if match.group(2) else ""))
        end = match.end()
        if end < len(text) and text[end] in _SMALL:
            value *= _SMALL[text[end]]
            end += 1
        if end < len(text) and text[end] in _BIG:
            total += value * _BIG[text[end]]
            end += 1
            follow = _NUMBER.match(text, end + 1 if text[end:end + 1] == " " else end)
            if follow:
                match = follow
                continue
            return total, end
        return total + value, end


def _unit(text: str, end: int) -> tuple[str, int]:
    spaced = text[end:end + 1] == " "
    start = end + 1 if spaced else end
    lowered = text[start:start + 10].lower()
    for surface, unit in _UNITS:
        if not lowered.startswith(surface):
            continue
        after = text[start + len(surface):start + len(surface) + 1]
        if surface.isascii() and after.isascii() and after.isalpha():
            continue  # "5 mg" is a unit; "5 man" is not
        if spaced and unit != "원" and "가" <= after <= "힣" and after not in _PARTICLE_AFTER_UNIT:
            continue
        return unit, start + len(surface)
    return "", end


def _as_key(text: str) -> str:
    """A reference or address as a fact key: spaces and digit-grouping commas gone
    ("별표 2" == "별표2"). Not ``sentences.compact``, which compares wording: a key keeps
    its case, because the path of a web address is case-sensitive."""
    return re.sub(r"[\s,]+", "", text)


@dataclass(frozen=True)
class FactIndex:
    """The facts a passage can vouch for."""

    numbers: frozenset = frozenset()
    values: frozenset = frozenset()
    dates: frozenset = frozenset()
    articles: frozenset = frozenset()
    paragraphs: frozenset = frozenset()
    items: frozenset = frozenset()
    #: All the texts as one key (``_as_key``), for references and addresses.
    keys: str = ""
    _months: frozenset = field(default=frozenset(), repr=False)

    @classmethod
    def of(cls, *texts: str) -> "FactIndex":
        numbers, dates, articles, paragraphs, items = set(), set(), set(), set(), set()
        for text in texts:
            for fact in extract_facts(text):
                if fact.kind == "number":
                    numbers.add(fact.key)
                elif fact.kind == "date":
                    dates.add(fact.key)
                    year, month, day = fact.key
                    # "2024년부터" in an answer is vouched for by "2024. 1. 1." in the passage.
                    numbers.update({(Decimal(year), "년"), (Decimal(month), "월")})
                    if day is not None:
                        numbers.add((Decimal(day), "일"))
                elif fact.kind == "article":
                    articles.add(fact.key)
                elif fact.kind == "paragraph":
                    paragraphs.add(fact.key[0])
                elif fact.kind == "item":
                    items.add(fact.key[0])
            paragraphs.update(PARAGRAPH_NUMBERS[c] for c in text if c in PARAGRAPH_NUMBERS)
            items.update(int(m.group(1)) for m in _NUMBERED_LINE.finditer(text))
        return cls(frozenset(numbers), frozenset(v for v, _ in numbers), frozenset(dates), frozenset(articles),
                   frozenset(paragraphs), frozenset(items), _as_key(" ".join(texts)),
                   frozenset((y, m) for y, m, _ in dates))

    def holds(self, fact: Fact) -> bool:
        if fact.kind == "number":
            value, unit = fact.key
            return (value, unit) in self.numbers if unit else value in self.values
        if fact.kind == "date":
            year, month, day = fact.key
            return (year, month) in self._months if day is None else fact.key in self.dates
        if fact.kind == "article":
            return fact.key in self.articles
        if fact.kind == "paragraph":
            return fact.key[0] in self.paragraphs
        if fact.kind == "item":
            return fact.key[0] in self.items
        return fact.key[0] in self.keys
