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
  * a list item ("2. 금연구역에서 흡연을 한 사람") is read and quoted together with the
    paragraph announcing its list ("③ 다음 각 호의 … 10만원 이하의 과태료를 부과한다.")
    and the items it is nested in, when it names something asked itself; a sentence that
    qualifies the one before it ("다만, …", "이 경우 …") is quoted after the sentences
    before it on its line, so an exception never reads as the rule (and an exception to
    another paragraph of its article, "③ 제2항에도 불구하고 …", after that paragraph,
    from whichever of the article's chunks holds it; and a 시행령/시행규칙 sentence saying
    "법 제40조의2제1항에 따라 …" after that paragraph of its act, when the act's article was
    retrieved and the paragraph scores at least ``IMPLEMENTED_SHARE`` of the best sentence;
    the other way, an act's sentence before the decree sentence saying it implements it,
    when that scores at least ``IMPLEMENTING_SHARE``); a rule is quoted with
    the provisos ("다만, …") that follow it on its line, so it never reads as having none;
    a sentence announcing a list ("다음 각 호의 어느 하나에 해당하는 사람은 …") with the
    list's items in the passage; a table row under its table's header row (all shown, not
    scored);
  * a small prior for retrieval rank;
  * the shared-words part normalised for the sentence's length (BM25's form, b = 0.25) when
    choosing the sentence that answers: a long sentence holds more of the question's words
    by its length alone. The further sentences of its article follow by the plain share;
  * a bonus for the answer of the FAQ entry whose own question is the user's (the
    retriever's title re-rank found its heading the closest of the passages' titles);
    the same bonus for a sentence defining a word of a "X는 무엇을 말하나요?" question;
  * when the question hints at a quantity (얼마/몇/언제/기간/금액 …: the analysis's
    ``hinted_units``), a bonus for sentences that state a number, more when its unit fits
    (원 for amounts, 일/개월/년 for periods, 명/회 for counts).
Further sentences come only from the articles (or passages) already quoted: each other
article is one more citation that may miss.

Every constant and rule here helps on questions it was not tuned on: a held-out fold of
the dev suites or the suites written after it (benchmarks/fold_quality.py, "never tuned");
those that did not were removed (README, "How answers work").
Headings, table rules, amendment notes, very short lines and sentences that address the
model (``injection.looks_like_instruction``) are never quoted.

Speed: the question went through Kiwi once (``question.analyse_question``); passage
sentences are matched as ``matching`` reads them. Five passages of ~900 characters take
10–20 ms on first sight and ~2 ms once their split is cached (2 shared cores), coverage
included."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from rag.list_items import item_level

from .citations import citation_for
from .facts import PARAGRAPH_MARKS, PARAGRAPH_NUMBERS, extract_facts
from .faq_entry import closest_title_rank
from .matching import Line, PassageLines, paragraph_line, passage_lines, term_weights
from .question import QuestionAnalysis, Term, units_fit
from .sentences import compact
from .types import Citation, Passage, SentenceCheck

QUOTED = "원문 인용"

#: A further sentence of an article already quoted is added when it scores at least this
#: share of the best one. A sentence of another article never is: on the held-out fold of
#: the statutes suite that raised citation precision 0.654 → 0.708 at the same recall
#: (those were mostly the parallel article of a sister law, 지방계약법 beside 국가계약법).
FOLLOW_SHARE = 0.9
# The retriever's order already weighs the whole passage (dense + BM25); a sentence's word
# overlap alone picked a worse passage than rank 1 too often. Measured on the dev suites
# (extractive): prior 0.05 / follow 0.7 gave citation precision 0.42 (statutes) and 0.28
# (metabolic_paraphrased); 0.3 / 0.9 gave 0.60 and 0.46, recall 0.83 → 0.80 / 0.52 → 0.58.
_RANK_PRIOR = 0.3
_NUMBER_BONUS = 0.15
_UNIT_BONUS = 0.1
# Kept although it changes no dev case either way: it is how a guide's "1. 허리둘레 측정"
# section tells that "… 줄자로 잰다" is about 허리둘레, a general reading, not a rule for a case.
_CONTEXT_WEIGHT = 0.25
# An FAQ entry whose title is the closest of the passages' to the question
# (faq_entry.closest_title_rank) has the user's question as its own: its answer outranks
# another passage's sentence that merely repeats the question's words ("혈당을 낮추려면 …
# 운동을 함께 할 때" over the FAQ's answer). A sentence defining a word of "X는 무엇을
# 말하나요?" ("\"X\"란 … 말한다", the form of every 정의 article) answers that question as
# an FAQ answer answers its own.
_ENTRY_BONUS = 0.3
_DEFINES = re.compile(r"^(?P<term>.{1,80}?)(?:[\"”'’」]\s*)?(?:\(이하[^)]*\)\s*)?(?:이)?란\s.*(?:말한다|뜻한다|본다)[.]?$")
_ANSWER_CONTEXT_WEIGHT = 0.6
# Length normalisation of the shared-words part when choosing the answering sentence,
# BM25's form: 1 / (1 − b + b · length / mean length), length in characters without spaces
# and without "(이하 … 한다)" abbreviations, a list item's lead included. The mean is the
# statutes corpus's (58,156 quotable lines: 65.7). b = 0.25, a quarter of BM25's usual 0.75
# (the shares are already capped at 1). On 180 questions written after the dev suites it
# cited the evidence in 5 more and 1 fewer; 0.75 cited 3 fewer on the held-out statutes
# fold (benchmarks/results/fold_ablations.json, fourth_pass).
_LENGTH_NORM = 0.25
_ABBREVIATION = re.compile(r"\(이하[^()]*\)")
# "제2항 전단에도 불구하고", "제3항 및 제4항에도 불구하고": paragraphs of the same article an
# exception overrides. A reference to another article ("제82조제1항", "법 제5조 제1항") is
# told by the article number right before it.
_OVERRIDES = re.compile(r"(?:제\d+항(?:\s*(?:전단|후단|본문|단서|각\s*호\s*외의\s*부분))*(?:\s*(?:및|과|와|,|또는)\s*)?)+"
                        r"에도\s*불구하고")
_PARAGRAPH_NO = re.compile(r"제(\d+)항")
_OTHER_ARTICLE = re.compile(r"(?:제\d+조(?:의\d+)?|」)\s*$")
#: A decree sentence's "법 제40조의2제1항 (단서)에 따라": the act's article (and paragraph) it
#: implements. "같은 법 제5조" names the law named last, "「민법」 제750조" another law.
_ACT_REFERENCE = re.compile(r"(?<![가-힣」])(?<!같은 )법\s*제(?P<article>\d+)조(?P<branch>의\d+)?(?:\s*제(?P<paragraph>\d+)항)?")
_DECREE_SUFFIX = re.compile(r"\s*시행(?:령|규칙)$")
_ACT = "법률"
#: The implemented act paragraph is quoted when it scores at least this share of the best
#: sentence. Chosen on the tuned questions (dev fold 0 and never-tuned batches 1-6: the
#: highest share keeping their citations, 0.8 loses one) and judged on the rest
#: (fold_ablations.json, seventh_pass).
IMPLEMENTED_SHARE = 0.7
#: The other way: an act's sentence is followed by the 시행령/시행규칙 sentence implementing
#: it when that scores at least this share of the best. Chosen the same way (0.9 loses one
#: of batches 1-6's citations).
IMPLEMENTING_SHARE = 0.85
_MEAN_LINE = 66.0


@dataclass
class Quotes:
    """The quoted answer: ``text`` has one ``"… [n]"`` line per quoted sentence, best first;
    ``citations`` one per quoted passage, in order of first use; ``checks`` one per line."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    checks: list[SentenceCheck] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    score: float
    rank: int
    order: int
    quote: str
    passage: Passage
    leads: tuple[str, ...] = ()  # the list's lead and outer items, quoted before the item
    before: tuple[str, ...] = ()  # what a "다만, …" sentence qualifies, quoted before it
    after: tuple[str, ...] = ()  # its provisos and the items of a list it announces, quoted after it
    answer_score: float = 0.0  # ``score`` with the shared words' part normalised for length


def extractive_answer(question: QuestionAnalysis, passages: Sequence[Passage], max_sentences: int = 3) -> Quotes:
    """Up to ``max_sentences`` verbatim sentences, best first, each as ``"… [n]"`` on its
    own line; empty text when no sentence shares a word with the question."""
    terms = question.terms
    if not terms or not passages:
        return Quotes(text="")
    read = [passage_lines(p) for p in passages]
    weights = term_weights(terms, read)
    total = sum(weights)
    entry_rank = closest_title_rank(passages)
    prior_ranks = _unit_ranks(passages)
    candidates: list[_Candidate] = []
    for rank, (passage, lines) in enumerate(zip(passages, read)):
        for line in lines.lines:
            # A list item is read with the sentence announcing its list: "2. … 금연구역에서
            # 흡연을 한 사람" answers "금연구역 흡연 과태료 얼마" only with "③ 다음 각 호의 …
            # 10만원 이하의 과태료를 부과한다." above it, and is quoted with it.
            own = [t.found_in(line.compact, line.spaced) for t in terms]
            if line.lead_quotes and not any(own):
                continue  # an item that names nothing asked is not quoted for its lead's words
            in_line = [f or t.found_in(line.lead_compact, line.lead_spaced) for t, f in zip(terms, own)]
            in_context = [f or t.found_in(line.context_compact, line.context_spaced) for t, f in zip(terms, in_line)]
            line_share = sum(w for w, f in zip(weights, in_line) if f) / total
            context_share = sum(w for w, f in zip(weights, in_context) if f) / total
            answers_entry = False  # the line answers the FAQ entry whose question is the user's
            if line.entry_question:
                answers_entry = rank == entry_rank
                # The FAQ answer shares few words with the question its heading asks.
                if not answers_entry and not line_share and context_share < 0.5:
                    continue
                mix = _ANSWER_CONTEXT_WEIGHT
            elif not line_share:
                continue
            else:
                mix = _CONTEXT_WEIGHT
            defines = bool(question.defined) and _defines(line, question.defined)
            shared = (1 - mix) * line_share + mix * context_share
            rest = (_RANK_PRIOR * (1 - prior_ranks[rank] / len(passages))
                    + (_ENTRY_BONUS if answers_entry or defines else 0.0)
                    + (_number_bonus(f"{line.lead_plain} {line.plain}", question.hinted_units)
                       if question.hinted_units else 0.0))
            # Which sentence answers: a long one holds more of the question's words by its
            # length alone, so its share is normalised as BM25 normalises term frequency.
            # Which further sentences of that article follow: their share as it is (a long
            # explanation after a short answer is still part of it).
            length = _content_length(line.compact) + _content_length(line.lead_compact)
            norm = 1 / (1 - _LENGTH_NORM + _LENGTH_NORM * length / _MEAN_LINE)
            candidates.append(_Candidate(shared + rest, rank, line.order, line.quote, passage, line.lead_quotes,
                                         line.before, line.after, shared * norm + rest))

    chosen = _choose(candidates, max_sentences)
    scores = {(c.passage.n, c.quote): c.score for c in candidates}
    # An act's paragraph quoted with the decree sentence that implements it must answer
    # the question nearly as well as the best sentence: most implemented paragraphs are
    # about the decree's topic only in general (fold_ablations.json, seventh_pass).
    act_floor = IMPLEMENTED_SHARE * chosen[0].score if chosen else 0.0
    decree_floor = IMPLEMENTING_SHARE * chosen[0].score if chosen else 0.0
    result = Quotes(text="")
    # What is shown so far, compacted and run together: a list's lead is one quote joining
    # its paragraph's sentences ("① … 할 수 있다. 다만, 다음 각 호의 … 아니 된다."), which
    # may already stand above as two quotes (a rule and its proviso, with the items).
    shown = ""
    quoted: list[str] = []
    for c in chosen:
        own = (*c.leads, *c.before, c.quote, *c.after)
        acts = [(p, q) for p, q in _implemented_paragraphs(own, c.passage, passages, read)
                if scores.get((p.n, q[0]), 0.0) >= act_floor]
        details = _implementing_sentence(c, candidates, decree_floor)
        for passage, quotes in (*acts, *_overridden_paragraphs(own, c.passage, passages, read), (c.passage, own),
                                *details):
            added = False
            for quote in quotes:
                if compact(quote) in shown:
                    continue  # the list's lead, already above an earlier item of the same list
                shown += compact(quote)
                added = True
                quoted.append(f"{quote} [{passage.n}]")
                result.checks.append(SentenceCheck(quote, (passage.n,), True, reason=QUOTED))
            # A passage none of whose sentences is shown (another chunk of an article
            # repeating a list's lead) is not cited.
            if added and all(existing.n != passage.n for existing in result.citations):
                result.citations.append(citation_for(passage))
    result.text = "\n".join(quoted)
    return result


def _overridden_paragraphs(quotes: Sequence[str], passage: Passage, passages: Sequence[Passage],
                     read: Sequence[PassageLines]) -> list[tuple[Passage, tuple[str, ...]]]:
    """The paragraphs of the same article that ``quotes`` make an exception to ("③ 제2항
    전단에도 불구하고 … 참여시킬 수 있다" overrides ②), each as (its passage, (its first
    sentence, its provisos)), found among the passages (a long article's chunks). Quoted
    before the exception, as a "다만, …" sentence is quoted after its rule: alone, the
    exception reads as the rule."""
    numbers: list[int] = []
    for quote in quotes:
        for match in _OVERRIDES.finditer(quote):
            if _OTHER_ARTICLE.search(quote[:match.start()]):
                continue  # "「상훈법」 제5조제1항에도 불구하고": another article's paragraph
            numbers.extend(int(n) for n in _PARAGRAPH_NO.findall(match.group(0)))
    found: list[tuple[Passage, tuple[str, ...]]] = []
    unit = _unit(passage)
    for number in dict.fromkeys(numbers):
        if number not in PARAGRAPH_MARKS:
            continue
        for other, lines in zip(passages, read):
            if _unit(other) != unit:
                continue
            line = paragraph_line(lines, PARAGRAPH_MARKS[number])
            if line is not None:
                found.append((other, (line.quote, *_provisos(line))))
                break
    return found


def _implemented_paragraphs(quotes: Sequence[str], passage: Passage, passages: Sequence[Passage],
                            read: Sequence[PassageLines]) -> list[tuple[Passage, tuple[str, ...]]]:
    """For a sentence of a 시행령/시행규칙 ("① 법 제40조의2제1항 단서에 따라 진료기록부등을
    직접 보관하려면 …"), the paragraph of its act it says it implements (법 제40조의2 ①),
    as (its passage, (its first sentence, its provisos)), when the act's article is among
    the passages: the act states the rule, the decree its details, and a reader (and the
    question) often needs the rule. The act is the law whose title the decree's title extends."""
    law = str(passage.chunk.metadata.get("law", ""))
    act = _DECREE_SUFFIX.sub("", law)
    if not law or act == law or passage.chunk.metadata.get("법령구분") == _ACT:
        return []
    for quote in quotes:
        for match in _ACT_REFERENCE.finditer(quote):
            locator = f"제{match.group('article')}조{match.group('branch') or ''}"
            paragraph = int(match.group("paragraph")) if match.group("paragraph") else None
            for other, lines in zip(passages, read):
                chunk = other.chunk
                if (chunk.locator != locator or chunk.metadata.get("law") != act
                        or chunk.metadata.get("법령구분") != _ACT):
                    continue
                line = paragraph_line(lines, PARAGRAPH_MARKS.get(paragraph, ""))
                if line is not None:
                    return [(other, (line.quote, *_provisos(line)))]
    return []


def _implementing_sentence(chosen: _Candidate, candidates: Sequence[_Candidate],
                           floor: float) -> list[tuple[Passage, tuple[str, ...]]]:
    """For a chosen sentence of an act, the best-scoring sentence of its 시행령/시행규칙
    that says it implements that article (and paragraph): "법 제31조제2항 및 제3항에 따라 …
    매년 3월 31일까지 보고하여야 한다" after the act's "② … 매년 1회 보고하여야 한다.",
    as [(its passage, (its list's lead, the sentence))], when it scores at least ``floor``;
    else []. The act states the rule, the decree the date, amount or form it leaves open.
    The sentence must name the article itself: a list item under a lead naming it is only
    about it in general."""
    chunk = chosen.passage.chunk
    if chunk.metadata.get("법령구분") != _ACT or not chunk.is_article:
        return []
    law = chunk.metadata.get("law")
    paragraph = next((PARAGRAPH_NUMBERS[q[0]] for q in (chosen.quote, *chosen.leads)
                      if q[:1] and q[0] in PARAGRAPH_NUMBERS), None)
    best: _Candidate | None = None
    for candidate in candidates:
        decree = candidate.passage.chunk.metadata
        if (candidate.score < floor or (best is not None and candidate.score <= best.score)
                or decree.get("law") == law or _DECREE_SUFFIX.sub("", str(decree.get("law", ""))) != law):
            continue
        for match in _ACT_REFERENCE.finditer(candidate.quote):
            cited = match.group("paragraph")
            if (f"제{match.group('article')}조{match.group('branch') or ''}" == chunk.locator
                    and (paragraph is None or cited is None or int(cited) == paragraph)):
                best = candidate
                break
    return [(best.passage, (*best.leads, best.quote))] if best else []


def _provisos(line: Line) -> tuple[str, ...]:
    """A paragraph's provisos ("다만, …"), without the items of a list it announces: a
    rule quoted for another sentence's sake comes with its exceptions, not its list."""
    return tuple(q for q in line.after if item_level(q) is None)


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


def _content_length(compacted: str) -> int:
    # "(이하 "대기업인 소프트웨어사업자"라 한다)" names an abbreviation: length, not content.
    return len(_ABBREVIATION.sub("", compacted))


def _defines(line: Line, defined: Sequence[Term]) -> bool:
    """Whether the line defines one of the words ``defined`` ("\"다수인관련민원\"이란 …
    민원을 말한다" for "… 다수인관련민원으로 보나요?")."""
    match = _DEFINES.match(line.plain)
    if not match:
        return False
    term = re.split(r"[\"“'‘「]", match.group("term"), maxsplit=1)[-1].lower()  # the quoted term when quoted
    return any(t.found_in(compact(term), term) for t in defined)


def _number_bonus(plain: str, hinted_units: frozenset[str]) -> float:
    facts = [f for f in extract_facts(plain) if f.kind in ("number", "date")]
    if not facts:
        return 0.0
    # Unlike facts.stated_units, a bare number counts here: it fits a question whose unit
    # is not known (ANY_UNIT).
    units = {"date" if f.kind == "date" else f.key[1] for f in facts}
    return _NUMBER_BONUS + (_UNIT_BONUS if units_fit(units, hinted_units) else 0.0)


def _choose(candidates: list[_Candidate], limit: int) -> list[_Candidate]:
    if not candidates:
        return []
    best = min(candidates, key=lambda c: (-c.answer_score, c.rank, c.order))
    ranked = [best, *sorted((c for c in candidates if c is not best), key=lambda c: (-c.score, c.rank, c.order))]
    chosen: list[_Candidate] = []
    seen: set[str] = set()
    for candidate in ranked:
        if len(chosen) >= limit:
            break
        if chosen and candidate.score < FOLLOW_SHARE * chosen[0].score:
            break
        if chosen and all(_unit(c.passage) != _unit(candidate.passage) for c in chosen):
            continue
        key = compact(candidate.quote)
        if key in seen:
            continue  # the same paragraph in the current and the previous version
        seen.add(key)
        chosen.append(candidate)
    return chosen
