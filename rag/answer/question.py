"""What a question asks, analysed once per question and read by every later step: the
quoted answer (``extractive``), the decision to abstain (``abstention``) and the checks
both make against the passages (``matching``).

The analysis holds
  * ``terms``: the question's content morphemes (question words, light verbs and adverbs
    left out), each with the surface forms a passage may use (stem endings, synonyms);
  * ``units``: the units of the quantity the question is about (원 for "과태료는 얼마",
    명 for "몇 명", 일/개월/년 … for "기간", and whatever unit the word after 몇 names in
    the fact extractor's table: % for "몇 퍼센트", mg for "몇 mg"); ``ANY_UNIT`` among
    them when any number with a unit answers ("적설량이 얼마일 때"). An answer must state
    them when a question word asks (``quantity_question_word``). Empty: no quantity;
  * ``hinted_units``: the units whose sentences the quoted answer ranks first. Wider than
    ``units``: "과태료 부과 기준은?" asks no amount, but the sentence stating one is
    likelier the answer;
  * ``subject``: what "X는 얼마" asks the amount of (X's nouns);
  * ``quantity_question_word``: whether a question word (얼마, 몇, 며칠, 언제까지) asks
    for a quantity, rather than only a noun naming one (기간, 금액, 인원): "기한 안에
    접수가 안 됐는데 기한 넘긴 건가요?" names a period and asks none;
  * ``defined``: the words whose definition answers "X는 무엇을 말하나요?".

Both unit readings come from one table (``_QUANTITY_WORDS``), each row saying whether an
answer must state its units or whether they only rank sentences. The rows were tuned
separately, for abstention and for ranking; which of them earn their place is measured on
held-out questions (issue 15, part 3), not decided here.

"얼마" asks for a quantity whose unit the thing asked about decides: money (원 or a rate)
when the question names money (과태료, 수당, 보조금, 금액 …), a rate for a -률/-율 word,
otherwise a number in any unit ("적설량이 얼마일 때" is answered by "적설량이 5센티미터
이상")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from rag.retrieval.korean import STEM_TAGS, stem_root

from .facts import unit_named
from .sentences import compact
from .support import Synonyms, resolve_synonyms

if TYPE_CHECKING:
    from rag.retrieval.expansion import Thesaurus
    from rag.retrieval.korean import KoreanAnalyzer

#: In a set of units: a number in any unit answers the question.
ANY_UNIT = "*"
TIME_UNITS = frozenset({"일", "개월", "월", "년", "주", "시간", "분", "date"})
MONEY_UNITS = frozenset({"원", "%"})
_COUNT_UNITS = frozenset({"명", "회", "개", "곳", "건", "차", "세", "%", "배"})

# "얼마 주기로", "얼마 동안", "얼마 만에" ask for a period, "얼마나" for "how long/often" and
# "얼마만큼" for a quantity of anything (콩 한 줌); bare "얼마" asks how much of something.
HOW_LONG = r"\s*(?:동안|마다|주기|간격|만에|후에|뒤에|기간)"
# "얼마" asking an amount. For ranking, "얼마나" counts too ("얼마나 자주" → a number).
_AMOUNT = re.compile(rf"얼마(?!나|만큼|큼|{HOW_LONG})")
_HOW_MUCH = re.compile(rf"얼마(?!만큼|큼|{HOW_LONG})")
# What "얼마" asks for is decided by the word it asks about, and Korean marks money and
# rates in the word's last syllable: -료 (수수료, 보육료), -비 (일비, 숙박비), -금 (보조금,
# 과징금), -액 (금액, 지급액), -세 (재산세) name money, -률/-율 (지체상금률, 이율) a rate; a
# few money words have no such ending. A syllable counts at a word's end, before a particle.
_WORD_END = r"(?=(?:은|는|이|가|을|를|의|도|만|로|으로|과|와|까지|에|에서)?(?![가-힣]))"
_MONEY_WORD = re.compile(rf"[가-힣](?:료|비|금|액|세){_WORD_END}|수당|임금|급여|보수|요금|단가|가격|비용|예산|소득|액수")
_RATE_WORD = re.compile(rf"[가-힣](?:률|율){_WORD_END}")


@dataclass(frozen=True)
class _QuantityWords:
    pattern: re.Pattern
    units: frozenset[str]
    #: True: an answer must state one of ``units`` (else the service abstains);
    #: False: sentences stating them only rank first in the quoted answer.
    required: bool


def _row(pattern: str, units: Iterable[str], required: bool) -> _QuantityWords:
    return _QuantityWords(re.compile(pattern), frozenset(units), required)


# What the question says → the units that answer it. "얼마" is read after the table (it
# depends on the word it asks about).
_QUANTITY_WORDS = (
    _row(rf"얼마{HOW_LONG}|주기", TIME_UNITS, required=True),
    _row(r"몇\s*명|인원|정원", {"명"}, required=True),
    _row(r"몇\s*(?:회|번)|횟수", {"회", "차"}, required=True),
    _row(r"며칠|몇\s*(?:일|년|개월|달|주|시간)|기간|언제까지|기한", TIME_UNITS, required=True),
    _row(r"몇\s*(?:살|세)|나이|연령", {"세"}, required=True),
    _row(r"금액|액수", MONEY_UNITS, required=True),  # they ask an amount of money by themselves
    _row(r"금액|액수|비용|과태료|벌금|과징금|수당|지원금|보조금|단가|요금|한도|상한", {"원"}, required=False),
    _row(r"언제|기간|며칠|몇\s*(?:일|년|개월|달|주|시간|분)|기한|날짜|시행일|동안|주기|마다|간격|보관|보존|유효",
         TIME_UNITS, required=False),
    _row(r"몇|인원|횟수|정원|비율|퍼센트|%", _COUNT_UNITS, required=False),
)

# "몇 X": the word after 몇 (particles aside) may name the unit asked for.
_COUNT_OF = re.compile(r"몇\s*([가-힣A-Za-z%㎡㎝²/]+)")

# "X는 무엇을 말하나요?", "… X로 보나요?": a sentence that defines X ("\"X\"란 … 말한다",
# the form of every 정의 article) answers it as an FAQ answer answers its question.
_ASKS_DEFINITION = re.compile(r"(?:무엇|뭘|뭐|누구|어떤\s*것)(?:을|를)?\s*(?:말하|뜻하|의미하|가리키)|뜻이|의미가|정의|"
                              r"(?:으로|로)\s*보(?:나요|는지|나|ㅂ니까|아야)|(?:이)?란\s*(?:무엇|뭐|뭔)")

# Question words and light verbs: they say what is asked, not what it is about.
_QUESTION_WORDS = frozenset({
    "얼마", "몇", "언제", "어디", "누구", "무엇", "뭐", "왜", "어떻다", "어떠하다", "어떤", "어느", "며칠", "하다", "되다",
    "있다", "알다", "궁금하다", "주다", "알리다", "가능", "경우", "관련", "대하다", "관하다", "문의", "질문", "방법",
})

_QUANTITY_QUESTION_WORD = re.compile(r"얼마|몇|며칠|언제까지")

_NOUN_TAGS = frozenset({"NNG", "NNP", "SL"})
# Nouns that frame the question rather than name what is priced ("…할 때", "하루에 얼마").
_FRAME_NOUNS = frozenset({"때", "경우", "정도", "중", "등", "하루", "매일", "매달", "매월", "한달", "연간", "1년"})


@dataclass(frozen=True)
class Term:
    """A content word of the question and the forms a passage may write it in."""

    term: str
    forms: tuple[str, ...]  # compact surface forms, synonyms included
    short: bool  # one syllable: matched at a word start only

    def found_in(self, compacted: str, spaced: str) -> bool:
        """Whether a text holds the word: ``compacted`` is the text as ``compact`` makes
        it, ``spaced`` the same text lower-cased with its spaces."""
        if self.short:
            return any(re.search(rf"(?<![가-힣a-z0-9]){re.escape(f)}", spaced) for f in self.forms)
        return any(f in compacted for f in self.forms)


@dataclass(frozen=True)
class QuestionAnalysis:
    """The question as every step after retrieval reads it (see the module docstring)."""

    text: str
    terms: tuple[Term, ...]
    units: frozenset[str]
    hinted_units: frozenset[str]
    subject: tuple[str, ...]
    subject_text: str  # the subject as the question writes it, for messages
    quantity_question_word: bool
    defined: tuple[Term, ...]

    @property
    def intents(self) -> frozenset[str]:
        """What the question asks for, in words: money, rate, period, count, age, amount
        (a number in any unit) and definition; empty for anything else."""
        names = set()
        if "원" in self.units:
            names.add("money")
        elif "%" in self.units:
            names.add("rate")
        if self.units & TIME_UNITS:
            names.add("period")
        if self.units & {"명", "회", "차"}:
            names.add("count")
        if "세" in self.units:
            names.add("age")
        if ANY_UNIT in self.units:
            names.add("amount")
        if self.defined:
            names.add("definition")
        return frozenset(names)


def analyse_question(text: str, analyzer: "KoreanAnalyzer", *, synonyms: Synonyms = "project") -> QuestionAnalysis:
    """The analysis of ``text``; ``synonyms`` widen the forms each term is found in."""
    terms = _terms(text, analyzer, resolve_synonyms(synonyms))
    definition = bool(_ASKS_DEFINITION.search(text))
    subject, subject_text = _subject(text, analyzer)
    return QuestionAnalysis(text=text, terms=terms, units=_units(text, required=True),
                            hinted_units=_units(text, required=False), subject=subject,
                            subject_text=subject_text,
                            quantity_question_word=bool(_QUANTITY_QUESTION_WORD.search(text)),
                            defined=tuple(t for t in terms if not t.short) if definition else ())


def names_money(question: str) -> bool:
    """Whether the question names money (수당, 과태료, 일비, 금액 …): then "얼마" asks for 원."""
    return bool(_MONEY_WORD.search(question))


def units_fit(stated: set[str], wanted: frozenset[str]) -> bool:
    """Whether units stated in a sentence answer a question asking for ``wanted``."""
    return bool(stated) and (ANY_UNIT in wanted or bool(stated & wanted))


def _units(question: str, required: bool) -> frozenset[str]:
    units: set[str] = set()
    for row in _QUANTITY_WORDS:
        if row.required == required and row.pattern.search(question):
            units |= row.units
    # "몇 퍼센트", "몇 mg", "몇 점", "몇 가구": the word after 몇 names the unit the answer
    # states, read with the fact extractor's own unit table (a period in any time unit).
    for match in _COUNT_OF.finditer(question):
        unit = unit_named(match.group(1))
        if unit:
            units |= TIME_UNITS if unit in TIME_UNITS else {unit}
    if required:
        amount = bool(_AMOUNT.search(question))
        if amount and names_money(question):
            units |= MONEY_UNITS
        elif amount and _RATE_WORD.search(question):
            units.add("%")
        elif amount and not units:
            # "적설량이 얼마일 때": the unit is the 적설량's (센티미터), not known here.
            units.add(ANY_UNIT)
    elif _HOW_MUCH.search(question):
        units.add("원" if names_money(question) else ANY_UNIT)
    return frozenset(units)


def _terms(question: str, analyzer: "KoreanAnalyzer", synonyms: "Thesaurus | None") -> tuple[Term, ...]:
    terms: dict[str, Term] = {}
    for term, tag in analyzer.tagged(question):
        if tag == "MAG" or term in _QUESTION_WORDS or term in terms:
            continue
        root = stem_root(term, tag)
        forms = [root.lower(), *(_merged_endings(root) if tag in STEM_TAGS else ())]
        if synonyms is not None:
            forms.extend(compact(alt) for alt in synonyms.expand(term).terms)
        terms[term] = Term(term, tuple(dict.fromkeys(forms)), len(root) == 1)
    return tuple(terms.values())


def _merged_endings(root: str) -> list[str]:
    """A stem ending in a vowel fuses with ㄴ/ㄹ/ㅂ endings: 재 → 잰다, 잴, 잽니다;
    돌보 → 돌본다. Without these forms "어떻게 재나요?" misses "줄자로 잰다"."""
    last = root[-1:]
    if not ("가" <= last <= "힣") or (ord(last) - 0xAC00) % 28:
        return []
    return [root[:-1] + chr(ord(last) + coda) for coda in (4, 8, 17)]  # ㄴ, ㄹ, ㅂ


def _subject(question: str, analyzer: "KoreanAnalyzer") -> tuple[tuple[str, ...], str]:
    """What an amount question asks the amount of: the nouns of "육아휴직 수당은 얼마",
    "일비로 얼마를", "과태료가 얼마까지" (the noun phrase right before 얼마, or the
    nearest one marked as topic or subject), and that phrase as the question writes it.
    Empty when the question asks no amount or names nothing. Statutes often leave amounts
    to rules that are not indexed, while other articles nearby state amounts of other
    things."""
    if not _AMOUNT.search(question):
        return (), ""
    tokens = analyzer.morphemes(question)
    at = next((i for i, (form, *_) in enumerate(tokens) if form == "얼마"), None)
    if at is None:
        return (), ""
    phrase = _noun_phrase(tokens, at - 1) if at >= 1 and tokens[at - 1][1].startswith("J") else []
    i = at - 1
    while not phrase and i >= 0 and tokens[i][1] not in ("EC", "SF"):
        if tokens[i][1] in ("JX", "JKS"):
            phrase = _noun_phrase(tokens, i)
        i -= 1
    if not phrase:
        return (), ""
    return tuple(form for form, _, _ in phrase), question[phrase[0][1]:phrase[-1][2]]


def _noun_phrase(tokens: Sequence[tuple[str, str, int, int]], particle: int) -> list[tuple[str, int, int]]:
    """The nouns right before ``particle``, each with where it stands, frame nouns left out."""
    words: list[tuple[str, int, int]] = []
    i = particle - 1
    while i >= 0 and (tokens[i][1] in _NOUN_TAGS or tokens[i][1] == "XSN"):
        form, tag, start, end = tokens[i]
        if tag == "XSN":  # 률, 당, 비: part of the noun before it
            if i >= 1 and tokens[i - 1][1] in _NOUN_TAGS:
                form, start = tokens[i - 1][0] + form, tokens[i - 1][2]
                i -= 1
            else:
                break
        words.insert(0, (form, start, end))
        i -= 1
    return [word for word in words if word[0] not in _FRAME_NOUNS]
