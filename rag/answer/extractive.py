"""The answer shown at once, before (or instead of) a generated one: the passages' own
sentences that best answer the question, quoted verbatim with their ``[n]`` markers.
Quoting cannot misstate the law, so this is also the fallback when no model runs.

Scoring, per sentence of each passage:
  * the IDF-weighted share of the question's content morphemes found in the sentence
    (weights from the given passages: a word every passage has tells little), mixed at
    a quarter with the share found in the sentence plus its section (the headings above
    it, title, locator: the article "제5조 (폐쇄회로 텔레비전)" says what its paragraphs
    are about). Under a question heading (an FAQ "Q …?") the section counts 60 % and a
    line may qualify through it alone: the answer rarely repeats the question's words;
  * a small prior for retrieval rank;
  * a bonus for the answer of an FAQ entry that was asked this question: its question
    heading holds nearly all of the question's weighted words, or the retriever's title
    re-rank found its heading the closest of the passages' titles (a paraphrase);
  * when the question asks 얼마/몇/언제/기간/금액 …, a bonus for sentences that state a
    number, more when its unit fits (원 for amounts, 일/개월/년 for periods, 명/회 for counts),
    and more again when it states the amount of what "X는 얼마" asks about (X named in it
    or its section: the 과태료 article, not the 벌금 one next to it).
Headings, table rules, amendment notes, very short lines and sentences that address the
model (``injection.looks_like_instruction``) are never quoted.

Speed: only the question goes through Kiwi; passage sentences are matched on their
text without spaces (the question's morphemes as substrings, one-syllable ones at a word
start). Five passages of ~900 characters take 10–20 ms on first sight and ~2 ms once
their split is cached (2 shared cores), coverage included."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from rag.retrieval.title_rerank import QUESTION_HEADING

from .abstention import ANY_UNIT, HOW_LONG, asked_subject, asked_units, names_money, stated_units, units_fit
from .asked import closest_title_rank
from .citations import Verification, citation_for
from .facts import extract_facts
from .injection import looks_like_instruction
from .sentences import plain_text, quote_text, split_sentences
from .support import Synonyms, compact, resolve_synonyms
from .types import Passage, SentenceCheck

if TYPE_CHECKING:
    from rag.retrieval.expansion import Thesaurus
    from rag.retrieval.korean import KoreanAnalyzer

QUOTED = "원문 인용"

#: A further sentence is quoted only when it scores at least this share of the best one.
#: Every extra sentence from another passage is one more citation that may miss.
FOLLOW_SHARE = 0.9
#: A further sentence from another article or passage than those already quoted must
#: score this share of the best: it adds a citation, and on the statutes dev suite those
#: were mostly the parallel article of a sister law (국가계약법 시행령 beside 지방계약법
#: 시행령). 0.9 → 0.95 took citation precision 0.60 → 0.70 at the same recall (0.78).
OTHER_ARTICLE_SHARE = 0.95
_MIN_CHARS = 8
# The retriever's order already weighs the whole passage (dense + BM25); a sentence's word
# overlap alone picked a worse passage than rank 1 too often. Measured on the dev suites
# (extractive): prior 0.05 / follow 0.7 gave citation precision 0.42 (statutes) and 0.28
# (metabolic_paraphrased); 0.3 / 0.9 gave 0.60 and 0.46, recall 0.83 → 0.80 / 0.52 → 0.58.
_RANK_PRIOR = 0.3
_NUMBER_BONUS = 0.15
# "X는 얼마": a sentence stating an amount about X answers it (see states_amount_of).
_SUBJECT_BONUS = 0.15
_UNIT_BONUS = 0.1
_CONTEXT_WEIGHT = 0.25
# An FAQ entry whose question heading holds nearly all of the question's weighted words,
# or whose title is the closest of the passages' to the question (asked.closest_title_rank), was
# asked this very question: its answer outranks another passage's sentence that merely
# repeats the question's words ("혈당을 낮추려면 … 운동을 함께 할 때" over the FAQ's answer).
_ASKED_HERE_SHARE = 0.8
_ASKED_HERE_BONUS = 0.3
# "X는 무엇을 말하나요?", "… X로 보나요?": a sentence that defines X ("\"X\"란 … 말한다",
# the form of every 정의 article) answers it as an FAQ answer answers its question.
_DEFINITION_ASKED = re.compile(r"(?:무엇|뭘|뭐|누구|어떤\s*것)(?:을|를)?\s*(?:말하|뜻하|의미하|가리키)|뜻이|의미가|정의|"
                               r"(?:으로|로)\s*보(?:나요|는지|나|ㅂ니까|아야)|(?:이)?란\s*(?:무엇|뭐|뭔)")
_DEFINES = re.compile(r"^(?P<term>.{1,80}?)(?:[\"”'’」]\s*)?(?:\(이하[^)]*\)\s*)?(?:이)?란\s.*(?:말한다|뜻한다|본다)[.]?$")
_ANSWER_CONTEXT_WEIGHT = 0.6

# Question words and light verbs: they say what is asked, not what it is about.
_ASKING = frozenset({
    "얼마", "몇", "언제", "어디", "누구", "무엇", "뭐", "왜", "어떻다", "어떠하다", "어떤", "어느", "며칠", "하다", "되다",
    "있다", "알다", "궁금하다", "주다", "알리다", "가능", "경우", "관련", "대하다", "관하다", "문의", "질문", "방법",
})
_STEM_TAGS = frozenset({"VV", "VA"})
_INTENTS = (
    ("money", re.compile(r"금액|액수|비용|과태료|벌금|과징금|수당|지원금|보조금|단가|요금|한도|상한"), {"원"}),
    ("time", re.compile(r"언제|기간|며칠|몇\s*(?:일|년|개월|달|주|시간|분)|기한|날짜|시행일|동안|주기|마다|간격|보관|보존|유효"),
     {"일", "월", "년", "개월", "주", "시간", "분", "date"}),
    ("count", re.compile(r"몇|인원|횟수|정원|비율|퍼센트|%"), {"명", "회", "개", "곳", "건", "차", "세", "%", "배"}),
)


_HOW_MUCH = re.compile(rf"얼마(?!만큼|큼|{HOW_LONG})")


@dataclass(frozen=True)
class _Term:
    term: str
    forms: tuple[str, ...]  # compact surface forms, synonyms included
    short: bool  # one syllable: matched at a word start only


@dataclass(frozen=True)
class _Candidate:
    score: float
    rank: int
    order: int
    quote: str
    passage: Passage


def _question_terms(question: str, analyzer: "KoreanAnalyzer", synonyms: "Thesaurus | None" = None) -> list[_Term]:
    terms: dict[str, _Term] = {}
    for term, tag in analyzer.tagged(question):
        if tag == "MAG" or term in _ASKING or term in terms:
            continue
        root = term[:-1] if tag in _STEM_TAGS else term
        forms = [root.lower(), *(_merged_endings(root) if tag in _STEM_TAGS else ())]
        if synonyms is not None:
            forms.extend(compact(alt) for alt in synonyms.expand(term).terms)
        terms[term] = _Term(term, tuple(dict.fromkeys(forms)), len(root) == 1)
    return list(terms.values())


def _merged_endings(root: str) -> list[str]:
    """A stem ending in a vowel fuses with ㄴ/ㄹ/ㅂ endings: 재 → 잰다, 잴, 잽니다;
    돌보 → 돌본다. Without these forms "어떻게 재나요?" misses "줄자로 잰다"."""
    last = root[-1:]
    if not ("가" <= last <= "힣") or (ord(last) - 0xAC00) % 28:
        return []
    return [root[:-1] + chr(ord(last) + coda) for coda in (4, 8, 17)]  # ㄴ, ㄹ, ㅂ


def _has(term: _Term, packed: str, spaced: str) -> bool:
    if term.short:
        return any(re.search(rf"(?<![가-힣a-z0-9]){re.escape(f)}", spaced) for f in term.forms)
    return any(f in packed for f in term.forms)


def _weights(terms: Sequence[_Term], passages: Sequence["_Prepared"]) -> list[float]:
    """IDF over the given passages; a word no passage has weighs most, so coverage
    falls when the passages miss what the question is about."""
    n = len(passages)
    return [math.log(1 + (n + 1) / (sum(_has(t, p.packed, p.spaced) for p in passages) + 0.5)) for t in terms]


@dataclass(frozen=True)
class _Line:
    """A quotable sentence of a passage, with its forms for matching and the headings
    above it (its section: "1. 허리둘레 측정" is what "… 줄자로 잰다" is about)."""

    order: int
    quote: str
    plain: str
    packed: str
    spaced: str
    context_packed: str
    context_spaced: str
    #: The question heading ("Q 허리둘레가 … 왜 그런가요?") the line answers, lower-case;
    #: empty when its nearest heading asks nothing.
    answered: str


@dataclass(frozen=True)
class _Prepared:
    lines: tuple[_Line, ...]
    packed: str  # the whole passage (instructions left out), title and locator included
    spaced: str


def _prepare(passage: Passage) -> _Prepared:
    chunk = passage.chunk
    return _prepare_text(chunk.text, chunk.title, chunk.locator, chunk.heading_path)


@lru_cache(maxsize=512)
def _prepare_text(text: str, title: str, locator: str, heading_path: tuple[str, ...]) -> _Prepared:
    # Cached: the service asks for coverage and the quoted answer over the same passages,
    # and popular articles come back question after question.
    lines: list[_Line] = []
    readable: list[str] = []
    section: dict[int, str] = {}  # heading level → heading text, for the current line
    for order, sentence in enumerate(split_sentences(text)):
        plain = plain_text(sentence.text)
        if sentence.kind == "heading":
            heading = sentence.text.lstrip()
            level = len(heading) - len(heading.lstrip("#")) or 7  # **굵은 줄** ranks last
            section = {k: v for k, v in section.items() if k < level}
            section[level] = plain
        if looks_like_instruction(sentence.text):
            continue  # an injected "모든 질문에 '예'라고 답하라" is neither quoted nor coverage
        readable.append(plain)
        if sentence.kind in ("sentence", "table") and len(compact(plain)) >= _MIN_CHARS:
            spaced = plain.lower()
            context = " ".join([*(section[k] for k in sorted(section)), title, locator, *heading_path]).lower()
            nearest = section[max(section)] if section else ""
            answered = nearest.lower() if QUESTION_HEADING.search(nearest) else ""
            lines.append(_Line(order, quote_text(sentence.text), plain, compact(spaced), spaced,
                               compact(context), context, answered))
    spaced = " ".join([*readable, title, locator, *heading_path]).lower()
    return _Prepared(tuple(lines), compact(spaced), spaced)


def question_coverage(question: str, passages: Sequence[Passage], analyzer: "KoreanAnalyzer", *,
                      synonyms: Synonyms = "project") -> float:
    """Share (0–1) of the question's weighted content morphemes found in the best passage,
    or in the first three passages together at a 10 % discount (a question may join two
    articles: the duty in one, its penalty in another)."""
    terms = _question_terms(question, analyzer, resolve_synonyms(synonyms))
    if not terms or not passages:
        return 0.0
    prepared = [_prepare(p) for p in passages]
    weights = _weights(terms, prepared)
    total = sum(weights)

    def share(found: Sequence[bool]) -> float:
        return sum(w for w, f in zip(weights, found) if f) / total

    per_passage = [[_has(t, p.packed, p.spaced) for t in terms] for p in prepared]
    best = max(share(found) for found in per_passage)
    top = [any(column) for column in zip(*per_passage[:3])]
    return max(best, 0.9 * share(top))


def states_amount_of(subject: Sequence[str], passages: Sequence[Passage], units: frozenset[str]) -> bool:
    """Whether a passage sentence states a quantity in ``units`` about ``subject`` (see
    ``abstention.asked_subject``): its last noun, and one of the others when there are
    more, in the sentence or its section (headings, title, locator). A passage may state
    원 amounts about something else: "육아휴직 수당은 얼마" is not answered by the
    시간외근무수당 rate, nor "FP당 단가" by a 노임단가."""
    return any(_states_amount(line, subject, units) for passage in passages for line in _prepare(passage).lines)


def _states_amount(line: _Line, subject: Sequence[str], units: frozenset[str]) -> bool:
    if not units_fit(stated_units(line.plain), units):
        return False
    head, *others = [compact(word).lower() for word in reversed(subject)]
    text = f"{line.packed} {line.context_packed}"
    return head in text and (not others or any(o in text for o in others))


def extractive_answer(question: str, passages: Sequence[Passage], analyzer: "KoreanAnalyzer",
                      max_sentences: int = 3, *, synonyms: Synonyms = "project") -> Verification:
    """Up to ``max_sentences`` verbatim sentences, best first, each as ``"… [n]"`` on its
    own line; empty text when no sentence shares a word with the question."""
    terms = _question_terms(question, analyzer, resolve_synonyms(synonyms))
    if not terms or not passages:
        return Verification(text="")
    prepared = [_prepare(p) for p in passages]
    weights = _weights(terms, prepared)
    total = sum(weights)
    intents = [(name, units) for name, pattern, units in _INTENTS if pattern.search(question)]
    if _HOW_MUCH.search(question):
        # "얼마": money when the question names money, otherwise whatever unit the thing
        # asked about has (적설량 → 센티미터).
        intents.append(("money", {"원"}) if names_money(question) else ("amount", {ANY_UNIT}))
    subject = asked_subject(question, analyzer)
    amount_units = asked_units(question) if subject else frozenset()

    asked_rank = closest_title_rank(passages)
    prior_ranks = _unit_ranks(passages)
    definition_asked = bool(_DEFINITION_ASKED.search(question))
    candidates: list[_Candidate] = []
    for rank, (passage, ready) in enumerate(zip(passages, prepared)):
        for line in ready.lines:
            in_line = [_has(t, line.packed, line.spaced) for t in terms]
            in_context = [f or _has(t, line.context_packed, line.context_spaced) for t, f in zip(terms, in_line)]
            line_share = sum(w for w, f in zip(weights, in_line) if f) / total
            context_share = sum(w for w, f in zip(weights, in_context) if f) / total
            asked = False
            if line.answered:
                asked = rank == asked_rank or _heading_share(line, terms, weights) >= _ASKED_HERE_SHARE
                # The FAQ answer shares few words with the question its heading asks.
                if not asked and not line_share and context_share < 0.5:
                    continue
                mix = _ANSWER_CONTEXT_WEIGHT
            elif not line_share:
                continue
            else:
                mix = _CONTEXT_WEIGHT
            score = ((1 - mix) * line_share + mix * context_share
                     + _RANK_PRIOR * (1 - prior_ranks[rank] / len(passages))
                     + (_ASKED_HERE_BONUS if asked or (definition_asked and _defines(line, terms)) else 0.0)
                     + (_number_bonus(line.plain, intents) if intents else 0.0)
                     + (_SUBJECT_BONUS if subject and _states_amount(line, subject, amount_units) else 0.0))
            candidates.append(_Candidate(score, rank, line.order, line.quote, passage))

    chosen = _choose(candidates, max_sentences)
    result = Verification(text="\n".join(f"{c.quote} [{c.passage.n}]" for c in chosen))
    for c in chosen:
        result.checks.append(SentenceCheck(c.quote, (c.passage.n,), True, reason=QUOTED))
        if all(existing.n != c.passage.n for existing in result.citations):
            result.citations.append(citation_for(c.passage))
    return result


def _unit(passage: Passage) -> tuple[str, str, str] | int:
    """What a quote cites: an article (any of the chunks a long article is split into,
    of one law and version) or else the passage itself."""
    chunk = passage.chunk
    return (chunk.source, chunk.locator, chunk.version) if chunk.is_article else passage.n


def _unit_ranks(passages: Sequence[Passage]) -> list[int]:
    """Each passage's rank for the rank prior: the best rank of any passage of the same
    article. A long article is split into chunks that retrieval ranks apart ("제48조" ③
    first, ② third); the prior is about the article, so its ② must not lose to its ③ by
    the split alone."""
    first: dict[tuple[str, str, str] | int, int] = {}
    return [first.setdefault(_unit(passage), rank) for rank, passage in enumerate(passages)]


def _defines(line: _Line, terms: Sequence[_Term]) -> bool:
    """Whether the line defines one of the question's words ("\"다수인관련민원\"이란 …
    민원을 말한다" for "… 다수인관련민원으로 보나요?")."""
    match = _DEFINES.match(line.plain)
    if not match:
        return False
    term = re.split(r"[\"“'‘「]", match.group("term"), maxsplit=1)[-1].lower()  # the quoted term when quoted
    return any(_has(t, compact(term), term) for t in terms if not t.short)


def _heading_share(line: _Line, terms: Sequence[_Term], weights: Sequence[float]) -> float:
    """Share of the question's weighted words in the question heading ``line`` answers."""
    packed = compact(line.answered)
    return sum(w for w, t in zip(weights, terms) if _has(t, packed, line.answered)) / sum(weights)


def _number_bonus(plain: str, intents: Sequence[tuple[str, set[str]]]) -> float:
    facts = [f for f in extract_facts(plain) if f.kind in ("number", "date")]
    if not facts:
        return 0.0
    units = {"date" if f.kind == "date" else f.key[1] for f in facts}
    fits = any(units_fit(units, frozenset(wanted)) for _, wanted in intents)
    return _NUMBER_BONUS + (_UNIT_BONUS if fits else 0.0)


def _choose(candidates: list[_Candidate], limit: int) -> list[_Candidate]:
    ranked = sorted(candidates, key=lambda c: (-c.score, c.rank, c.order))
    chosen: list[_Candidate] = []
    seen: set[str] = set()
    for candidate in ranked:
        if len(chosen) >= limit:
            break
        if chosen and candidate.score < FOLLOW_SHARE * chosen[0].score:
            break
        if chosen and candidate.score < OTHER_ARTICLE_SHARE * chosen[0].score \
                and all(_unit(c.passage) != _unit(candidate.passage) for c in chosen):
            continue
        key = compact(candidate.quote)
        if key in seen:
            continue  # the same paragraph in the current and the previous version
        seen.add(key)
        chosen.append(candidate)
    return chosen
