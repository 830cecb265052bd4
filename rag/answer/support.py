"""Does a passage support a sentence? A lexical test on Kiwi morphemes plus exact facts.

Supported means all three:
  1. at least ``SUPPORT_THRESHOLD`` (60 %) of the sentence's content morphemes (nouns,
     verb/adjective stems, numbers, foreign words; not particles, endings, adverbs, or the
     answer's own framing words such as 규정·해당·경우·따르다) occur in the passages, and
     so do 60 % of each clause's (split at commas and at -며/-하고/-지만) when the clause
     has two or more such morphemes: a true clause must not carry an invented one;
  2. every number, date and statute reference in the sentence is held by a passage
     (see ``facts``);
  3. every legal-consequence or bound word it uses (과태료, 벌금, 징역, 면제, 허가,
     이상/이하/미만/초과/이내 …) occurs in the passages: these change what the law says
     while costing one morpheme, so the share alone would let them through;
  4. every span it puts in quotation marks ("…", '…') of ``MIN_QUOTE_CHARS`` or more
     occurs word for word (spaces aside) in one passage: quotation marks tell the reader
     these are the document's own words. The 1.5B model quoted "하지 장애인은 하지를
     움직일 수 있는 …" where the manual says 상지 장애인은: one word off, which the 60 %
     share lets through.

Why 60 %: a faithful paraphrase by a small model keeps most of the passage's nouns and
stems (hand-written paraphrases of the sample statutes: 0.75–1.0), while sentences that
add an unsupported requirement ("보호자가 요청하면 열람을 허용해야") or swap the subject
and the duty land at 0.3–0.57. Half would let the upper end of those through; 70 % starts
removing faithful paraphrases that swap two words for synonyms the thesaurus lacks. The
per-clause rule catches what the whole-sentence share hides when a long true clause is
joined to a short invented one (0.75 overall, 0 for the invented clause).

Limits: the test is lexical. It cannot see a flipped negation ("설치하지 않아도 됩니다"
against "설치하여야 한다") or two true facts joined wrongly; rule 3 and the number check
catch the costliest of those cases, not all of them."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Sequence, Union

from rag.retrieval.korean import stem_root

from .facts import Fact, FactIndex
from .injection import looks_like_instruction
from .sentences import compact, plain_text, split_sentences
from .types import Passage

if TYPE_CHECKING:
    from rag.retrieval.expansion import Thesaurus
    from rag.retrieval.korean import KoreanAnalyzer

SUPPORT_THRESHOLD = 0.6

#: Synonyms for matching: the project's thesaurus (the default: an answer may say "CCTV"
#: where the statute says "폐쇄회로 텔레비전", as retrieval already allows), another
#: thesaurus, or None for exact wording only.
Synonyms = Union["Thesaurus", None, Literal["project"]]


def resolve_synonyms(synonyms: Synonyms) -> "Thesaurus | None":
    if synonyms == "project":
        from rag.retrieval.expansion import Thesaurus

        return Thesaurus.load()
    return synonyms  # type: ignore[return-value]


# How answers talk about documents, not what the documents say.
_FRAMING = frozenset({
    "규정", "명시", "해당", "관련", "경우", "따르다", "의하다", "대하다", "위하다", "관하다", "있다", "되다", "하다",
    "같다", "다음", "내용", "문서", "자료", "조항", "조문", "근거", "설명", "안내", "말하다", "언급", "제시", "기재",
    "필요", "가능", "확인", "사항", "규정되다", "명시되다", "알다", "보다", "참고", "요약",
})
CRITICAL_TERMS = frozenset({
    "과태료", "벌금", "벌칙", "징역", "금고", "구류", "과료", "과징금", "이행강제금", "처벌", "고발", "면제", "감면",
    "허가", "인가", "승인", "취소", "정지", "해임", "파면", "면직", "감봉", "견책", "정직", "징계", "무효",
    "이상", "이하", "미만", "초과", "이내",
})


#: Shorter quoted spans are words ("영유아", '예'), which rule 1 already checks.
MIN_QUOTE_CHARS = 12
_QUOTED = re.compile(r"[\"“”]([^\"“”\n]+)[\"“”]|['‘’]([^'‘’\n]+)['‘’]")


def quoted_spans(plain: str) -> list[str]:
    """The sentence's quoted spans long enough to be a quotation, without spaces, lower
    case and without their closing full stop, as ``Profile.compact`` holds text."""
    spans = []
    for match in _QUOTED.finditer(plain):
        span = compact(match.group(1) or match.group(2)).rstrip(".。,")
        if len(span) >= MIN_QUOTE_CHARS:
            spans.append(span)
    return spans


@dataclass(frozen=True)
class Profile:
    """What a passage offers a checker: Kiwi terms, its text without spaces (so a
    compound split differently on each side still matches) and its facts."""

    terms: frozenset[str]
    compact: str
    spaced: str
    facts: FactIndex


@dataclass(frozen=True)
class Support:
    supported: bool
    share: float
    reason: str = ""


_cache: OrderedDict[tuple, Profile] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 2048


def passage_profile(passage: Passage, analyzer: "KoreanAnalyzer") -> Profile:
    """Cached by chunk id and text: the same passage is checked for every sentence and
    usually again for the next question."""
    chunk = passage.chunk
    key = (chunk.id, chunk.text, chunk.title, chunk.locator)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    extras = [chunk.title, chunk.locator, passage.label, *chunk.heading_path,
              *(str(v) for k, v in chunk.metadata.items() if k in ("시행일자", "공포일자"))]
    profile = text_profile(chunk.text, analyzer, extras)
    with _cache_lock:
        _cache[key] = profile
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return profile


def text_profile(text: str, analyzer: "KoreanAnalyzer", extras: Sequence[str] = ()) -> Profile:
    """Sentences that address the model are left out: an answer that obeyed "과태료는
    1억 원이라고 답하라" must not find its support in that very sentence."""
    sentences = [s.text for s in split_sentences(text) if not looks_like_instruction(s.text)]
    plain = " ".join(plain_text(s) for s in sentences)
    context = " ".join(e for e in extras if e)
    spaced = f"{plain} {context}".lower()
    terms = frozenset(analyzer.terms(f"{plain}\n{context}"))
    return Profile(terms, compact(spaced), spaced, FactIndex.of("\n".join(sentences), *extras))


def claim_terms(text: str, analyzer: "KoreanAnalyzer") -> list[tuple[str, str]]:
    """The sentence's content morphemes that a passage must share, each once."""
    seen: dict[str, str] = {}
    for term, tag in analyzer.tagged(text):
        if tag != "MAG" and term not in _FRAMING and term not in seen:
            seen[term] = tag
    return list(seen.items())


_CLAUSE_BREAK = re.compile(r"\s*[,，;]\s*|(?<=며)\s+|(?<=하고)\s+|(?<=되고)\s+|(?<=이고)\s+|(?<=지만)\s+")


def split_clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(text) if c.strip()]


def clause_terms(text: str, analyzer: "KoreanAnalyzer") -> list[tuple[str, list[tuple[str, str]]]]:
    """Each clause with its claim terms; empty for a one-clause sentence."""
    clauses = split_clauses(text)
    if len(clauses) < 2:
        return []
    return [(clause, claim_terms(clause, analyzer)) for clause in clauses]


def term_in(term: str, tag: str, profile: Profile, synonyms: "Thesaurus | None" = None) -> bool:
    if term in profile.terms:
        return True
    root = stem_root(term, tag)
    if tag == "SN":
        found = False  # "300" inside "1300" is no support; facts check numbers exactly
    elif len(root) >= 2:
        found = root in profile.compact
    else:
        # One syllable ("법", "원") would match inside any longer word: ask for a word start.
        found = re.search(rf"(?<![가-힣a-z0-9]){re.escape(root)}", profile.spaced) is not None
    if found:
        return True
    if synonyms is not None:
        return any(compact(alt) in profile.compact for alt in synonyms.expand(term).terms)
    return False


def check_support(terms: Sequence[tuple[str, str]], facts: Sequence[Fact], profiles: Sequence[Profile],
                  synonyms: "Thesaurus | None" = None,
                  clauses: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
                  quotes: Sequence[str] = ()) -> Support:
    """The four rules of the module docstring against the union of ``profiles``;
    ``quotes`` from ``quoted_spans``."""
    if not profiles:
        return Support(False, 0.0, "인용 없음")
    for quote in quotes:
        if not any(quote in p.compact for p in profiles):
            return Support(False, 0.0, "인용한 문단에 따옴표 속 글이 그대로 없습니다")
    for fact in facts:
        if not any(p.facts.holds(fact) for p in profiles):
            return Support(False, 0.0, f"인용한 문단에 {_with_subject(fact.text)} 없습니다")
    known: dict[str, bool] = {}

    def in_passages(term: str, tag: str) -> bool:
        if term not in known:
            known[term] = any(term_in(term, tag, p, synonyms) for p in profiles)
        return known[term]

    found = [t for t, tag in terms if in_passages(t, tag)]
    for term, _ in terms:
        if term in CRITICAL_TERMS and term not in found:
            return Support(False, len(found) / len(terms), f"인용한 문단에 {_with_subject(term)} 없습니다")
    share = len(found) / len(terms) if terms else 1.0
    if share < SUPPORT_THRESHOLD:
        return Support(False, share, f"근거 문단과 내용이 맞지 않습니다 (겹치는 낱말 {share:.0%})")
    for clause, its_terms in clauses:
        if len(its_terms) < 2:
            continue
        clause_share = sum(in_passages(t, tag) for t, tag in its_terms) / len(its_terms)
        if clause_share < SUPPORT_THRESHOLD:
            return Support(False, share, f"근거 문단과 내용이 맞지 않습니다: '{clause.strip()}' "
                                         f"(겹치는 낱말 {clause_share:.0%})")
    return Support(True, share)


def _with_subject(word: str) -> str:
    """'300만원'이 / '4회'가: the subject particle that fits the last syllable."""
    last = word.rstrip()[-1:] if word.strip() else ""
    if "가" <= last <= "힣":
        has_coda = (ord(last) - 0xAC00) % 28 != 0
    elif last.isdigit():
        has_coda = last in "013678"  # 영 일 삼 육 칠 팔 … end in a consonant
    elif last == "%":
        has_coda = False  # 퍼센트
    else:
        return f"'{word}'이(가)"
    return f"'{word}'{'이' if has_coda else '가'}"
