"""Checking a generated answer against the passages it was given. What we promise:

* Every sentence that carries a claim is backed by a passage it cites, or it is not
  shown. A sentence carries no claim when it is a heading, a table's header row, a
  connective or courtesy sentence ("다음과 같습니다.", "참고하시기 바랍니다."), a
  question, very short (fewer than two content words), or says that the documents do
  not cover something ("제공된 문서에는 나와 있지 않습니다."). Such sentences stay as
  written and need no citation, unless they state a number, date or article reference:
  those are always claims.
* Backed means: the cited passages, taken together, contain at least 60 % of the
  sentence's content morphemes (and of each of its clauses), every number, date and
  amount it states (after normalising spaces, commas and units: ``300만 원`` ==
  ``300만원``, ``1,000`` == ``1000``), every article reference (제14조, 제2항) in their
  text, locator, title or label, every legal-consequence word it uses (과태료, 징역,
  면제, 이하 …), and, word for word in one of them, every longer span it puts in
  quotation marks. See ``support`` and ``facts``.
* A claim sentence without a marker gets one when a passage backs it by the same test
  (the best-overlapping one); its check says "자동 인용". Small models forget markers;
  the reader still gets a citation that was verified.
* A marker ``[n]`` with no passage n is invented: it is removed from the text, never
  becomes a citation, and is counted in ``invalid_markers``. The sentence is then judged
  on its remaining markers (and, with none left, like a sentence without a marker).
* A claim sentence that is not backed is removed from the text and listed in
  ``removed``; its check has ``supported=False`` and a Korean reason.
* A sentence that repeats one already shown (small models fall into loops: the same two
  sentences four times over) is shown once; its later copies are dropped, not listed
  as removed, and their check says "반복 문장".
* A wrong marker is not re-pointed: a claim citing [2] that only passage [1] backs is
  removed: the conservative choice, since a model that cites the wrong passage has
  often blended two of them.
* A backed sentence naming a paragraph of its article ("제48조 ②항에서 정합니다") whose
  citation is a chunk of that article where the paragraph is only mentioned also cites
  the chunk where it stands, when that is among the passages (long articles are stored
  in several chunks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from .facts import PARAGRAPH_MARKS, PARAGRAPH_NUMBERS, extract_facts
from .matching import paragraph_line, passage_lines
from .sentences import MARKER_RE, Sentence, compact, plain_text, quote_text, split_sentences
from .support import (Profile, Support, Synonyms, check_support, claim_terms, clause_terms, passage_profile,
                      quoted_spans, resolve_synonyms)
from .types import Citation, Passage, SentenceCheck

if TYPE_CHECKING:
    from rag.retrieval.expansion import Thesaurus
    from rag.retrieval.korean import KoreanAnalyzer

AUTO_CITED = "자동 인용"
NO_CITATION = "인용 없음"
ABSENT = "문서에 없다는 안내"
ABSENT_WITH_FACTS = "문서에 없다면서 조문·수치를 말하는 문장"
REPEATED = "반복 문장"

_MAX_RANGE = 10
_BOILERPLATE = (
    re.compile(r"(?:다음|아래)(?:과|와)\s*같(?:습니다|다|음|이|아요)[.:：]?$"),
    re.compile(r"(?:참고|확인|문의|상담|검토|참조)(?:하시기|하시길)\s*바랍니다[.!]?$"),
    re.compile(r"(?:참고|확인|문의|참조)(?:하세요|하십시오|해\s*주세요|해\s*주십시오)[.!]?$"),
    re.compile(r"도움이\s*되(?:셨|었|시|길|기|면)"),
    re.compile(r"(?:궁금한|추가로\s*궁금한|더\s*궁금한|문의할)\s*(?:점|사항|내용)"),
    re.compile(r"(?:답변|설명|안내|정리|말씀)(?:해\s*)?드(?:리겠습니다|립니다)[.]?$"),
    re.compile(r"^(?:요약하면|정리하면|결론적으로|요약|정리)[,:：]?$"),
)
# "The documents do not say": a source word and a negative ending, both present.
_ABOUT_SOURCES = re.compile(r"(?<![가-힣])(?:문서|자료|근거)|제공된|주어진|검색된|인용된|색인된|검색\s*결과")
_NEGATIVE_END = re.compile(
    r"(?:없습니다|없음|없다|없어요|않습니다|않음|않는다|않아요|못했습니다|못합니다|못함|어렵습니다|어려워요)[.!]?$")
_UNKNOWN = re.compile(r"(?:알\s*수\s*없|판단하기\s*어렵|답변(?:드리기|하기)\s*어렵)(?:습니다|다|음|어요)[.]?$")


@dataclass
class Verification:
    """``text`` is what the reader sees: unsupported sentences and invented markers gone,
    automatic markers added. ``citations`` in order of first use, one per passage."""

    text: str
    checks: list[SentenceCheck] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    invalid_markers: int = 0


def parse_markers(sentence: str) -> tuple[str, tuple[int, ...]]:
    """``"보관합니다 [1][3]."`` → ``("보관합니다.", (1, 3))``; ``[1, 2]`` and ``[1-3]`` are
    read too. Numbers in order of first appearance, each once."""
    numbers: list[int] = []
    for match in MARKER_RE.finditer(sentence):
        numbers.extend(n for n in marker_numbers(match.group(0)) if n not in numbers)
    return _tidy(MARKER_RE.sub("", sentence)), tuple(numbers)


def marker_numbers(marker: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,，]\s*", marker.strip("[] \t")):
        bounds = [int(x) for x in re.split(r"\s*[-–~]\s*", part) if x.strip().isdigit()]
        if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] < _MAX_RANGE:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+(?=[.?!,。])", "", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def says_absent(plain: str) -> bool:
    """"제공된 문서에서 확인할 수 없습니다" and its variants: the sentence says the
    documents do not answer, which no passage can support."""
    return bool((_ABOUT_SOURCES.search(plain) and _NEGATIVE_END.search(plain)) or _UNKNOWN.search(plain))


def carries_claim(sentence: Sentence, plain: str, n_terms: int, has_facts: bool,
                  table_header: bool = False) -> tuple[bool, str]:
    """Whether the sentence needs a citation; when not, a Korean word for why. A number,
    date or article reference always makes a claim, even in a heading."""
    if has_facts:
        return True, ""
    if sentence.kind == "heading":
        return False, "제목"
    if table_header:
        return False, "표 머리글"
    if plain.endswith("?"):
        return False, "질문 문장"
    if any(p.search(plain) for p in _BOILERPLATE):
        return False, "연결 문장"
    if says_absent(plain):
        return False, ABSENT
    if plain.rstrip().endswith((":", "：")):
        return False, "소제목"
    if n_terms < 2:
        return False, "짧은 문장"
    return True, ""


def verify_answer(text: str, passages: Sequence[Passage], analyzer: "KoreanAnalyzer", *,
                  synonyms: Synonyms = "project") -> Verification:
    """Check each sentence of ``text`` against ``passages`` by the rules above."""
    checker = _Checker(passages, analyzer, resolve_synonyms(synonyms))
    result = Verification(text="")
    shown: dict[int, str | None] = {}  # sentence start → text to show (None: removed)
    sentences = split_sentences(text)
    headers = {s.start for s, after in zip(sentences, sentences[1:]) if s.kind == "table" and after.kind == "rule"}
    said: set[str] = set()  # claims already shown, compacted
    for sentence in sentences:
        if sentence.kind == "rule":
            continue  # a table rule or "---": layout, kept as written
        written = _Written.of(sentence)
        key = compact(written.for_reader)
        if sentence.kind == "sentence" and key in said:
            result.checks.append(SentenceCheck(written.for_reader, (), True, needs_citation=False, reason=REPEATED))
            shown[sentence.start] = None
            continue
        result.invalid_markers += _invented_markers(sentence.text, checker.by_n)
        check, display = checker.judge(written, table_header=sentence.start in headers)
        result.checks.append(check)
        shown[sentence.start] = display
        if display is None:
            result.removed.append(written.for_reader)
        elif check.supported and check.needs_citation:
            said.add(key)
    result.text = _rebuild(text, sentences, shown)
    result.citations = _citations(result.text, checker.by_n)
    return result


@dataclass(frozen=True)
class _Written:
    """A sentence of the answer as the model wrote it (``sentence.text``: markdown and
    markers kept, what is shown unless a check changes it), its markers, and its text
    without them (``bare``) read two ways: for reviewers (``for_reader``: the form of
    checks and removed sentences) and for the checks (``for_checks``: markdown gone)."""

    sentence: Sentence
    markers: tuple[int, ...]
    bare: str
    for_reader: str
    for_checks: str

    @classmethod
    def of(cls, sentence: Sentence) -> "_Written":
        bare, markers = parse_markers(sentence.text)
        return cls(sentence, markers, bare, quote_text(bare), plain_text(bare))


class _Checker:
    """The rules of the module docstring for one answer's sentences, with each passage's
    profile built once."""

    def __init__(self, passages: Sequence[Passage], analyzer: "KoreanAnalyzer", synonyms: "Thesaurus | None") -> None:
        self.by_n = {p.n: p for p in passages}
        self.analyzer = analyzer
        self.synonyms = synonyms
        self._profiles: dict[int, Profile] = {}

    def profile(self, n: int) -> Profile:
        if n not in self._profiles:
            self._profiles[n] = passage_profile(self.by_n[n], self.analyzer)
        return self._profiles[n]

    def judge(self, written: _Written, table_header: bool) -> tuple[SentenceCheck, str | None]:
        """The sentence's check and the text to show in its place (None: removed)."""
        valid = tuple(n for n in written.markers if n in self.by_n)
        invalid = tuple(n for n in written.markers if n not in self.by_n)
        display = _drop_markers(written.sentence.text, self.by_n) if invalid else written.sentence.text
        plain = written.for_checks
        facts = extract_facts(plain)
        terms = claim_terms(plain, self.analyzer)
        if facts and says_absent(plain):
            # "제1조 [문서]에서 확인할 수 없습니다 [5]": it names an article while saying the
            # documents do not answer; a passage that mentions 제1조 must not make it look cited.
            return SentenceCheck(written.for_reader, (), False, reason=ABSENT_WITH_FACTS, invalid=invalid), None
        claim, why = carries_claim(written.sentence, plain, len(terms), bool(facts), table_header)
        if not claim:
            if why == ABSENT:  # cites nothing, whatever markers the model put on it
                valid, display = (), written.bare
            return SentenceCheck(written.for_reader, valid, True, needs_citation=False, reason=why,
                                 invalid=invalid), display
        clauses = clause_terms(plain, self.analyzer)
        quotes = quoted_spans(plain)
        if valid:
            support = check_support(terms, facts, [self.profile(n) for n in valid], self.synonyms, clauses, quotes)
            extra = _named_paragraph_chunks(plain, facts, valid, self.by_n) if support.supported else ()
            display = _add_markers(display, extra)
            check = SentenceCheck(written.for_reader, (*valid, *extra), support.supported, reason=support.reason,
                                  invalid=invalid)
            return check, display if support.supported else None
        n, support = self._best_passage(terms, facts, clauses, quotes)
        if not support.supported:
            return SentenceCheck(written.for_reader, (), False, reason=NO_CITATION, invalid=invalid), None
        extra = _named_paragraph_chunks(plain, facts, (n,), self.by_n)
        return (SentenceCheck(written.for_reader, (n, *extra), True, reason=AUTO_CITED, invalid=invalid),
                _add_markers(_append_marker(display, n), extra))

    def _best_passage(self, terms, facts, clauses, quotes) -> tuple[int, Support]:
        best_n, best = 0, Support(False, 0.0, NO_CITATION)
        for n in sorted(self.by_n):
            support = check_support(terms, facts, [self.profile(n)], self.synonyms, clauses, quotes)
            if support.supported and (not best.supported or support.share > best.share):
                best_n, best = n, support
        return best_n, best


def _named_paragraph_chunks(plain: str, facts: Sequence, cited: tuple[int, ...],
                            by_n: dict[int, Passage]) -> tuple[int, ...]:
    """Passages to cite as well: a long article is stored in several chunks, and a
    sentence naming one of its paragraphs ("제48조 ②항에서 정합니다 [1]") may cite a chunk
    that only mentions it ("③ 제2항에도 불구하고 …"). The chunk of the same article in which
    that paragraph itself stands is where a reader must land, so it is cited beside the
    one the model chose (never instead: that one passed the checks)."""
    named = {PARAGRAPH_NUMBERS[c] for c in plain if c in PARAGRAPH_NUMBERS}
    named |= {f.key[0] for f in facts if f.kind == "paragraph"}
    if not named:
        return ()
    articles = {f.key for f in facts if f.kind == "article"}
    extra: list[int] = []
    for n in cited:
        chunk = by_n[n].chunk
        if not chunk.is_article or (articles and _article_key(chunk.locator) not in articles):
            continue  # the paragraph is another article's ("제14조제2항에 따라")
        for number in sorted(named):
            if _opens_paragraph(by_n[n], number):
                continue
            holder = next((m for m, p in sorted(by_n.items())
                           if m != n and p.chunk.source == chunk.source and p.chunk.locator == chunk.locator
                           and _opens_paragraph(p, number)), None)
            if holder is not None and holder not in cited and holder not in extra:
                extra.append(holder)
    return tuple(extra)


def _article_key(locator: str) -> tuple | None:
    found = [f.key for f in extract_facts(locator) if f.kind == "article"]
    return found[0] if found else None


def _opens_paragraph(passage: Passage, number: int) -> bool:
    mark = PARAGRAPH_MARKS.get(number)
    return bool(mark) and paragraph_line(passage_lines(passage), mark) is not None


def _add_markers(text: str, numbers: Sequence[int]) -> str:
    """"… 정합니다 [1]." → "… 정합니다 [1][3].": after the sentence's last marker."""
    markers = list(MARKER_RE.finditer(text))
    if not numbers or not markers:
        return text
    end = markers[-1].end()
    return text[:end] + "".join(f"[{n}]" for n in numbers) + text[end:]


def _invented_markers(text: str, by_n: dict[int, Passage]) -> int:
    """How many marker numbers in ``text`` point at no passage (each occurrence counts)."""
    return sum(1 for m in MARKER_RE.finditer(text) for n in marker_numbers(m.group(0)) if n not in by_n)


def _drop_markers(text: str, by_n: dict[int, Passage]) -> str:
    def keep_valid(match: re.Match) -> str:
        numbers = marker_numbers(match.group(0))
        if all(n in by_n for n in numbers):
            return match.group(0)
        return "".join(f"[{n}]" for n in numbers if n in by_n)

    return _tidy(MARKER_RE.sub(keep_valid, text))


def _append_marker(text: str, n: int) -> str:
    """"보관합니다." → "보관합니다 [1].": the marker goes before the closing punctuation."""
    end = re.search(r"[.?!。…]+[\"'”’」』)]*$", text)
    if not end:
        return f"{text} [{n}]"
    return f"{text[:end.start()].rstrip()} [{n}]{text[end.start():]}"


_EMPTY_LINE = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)]|[가-하][.)]|\(\d{1,3}\))?\s*$")


def _rebuild(text: str, sentences: list[Sentence], shown: dict[int, str | None]) -> str:
    """Put the kept sentences back in place, line by line, so lists and paragraphs keep
    their layout; a line whose sentences were all removed goes with them."""
    lines_out: list[str] = []
    offset = 0
    index = 0
    for line in text.splitlines(keepends=True):
        end = offset + len(line)
        pieces: list[str] = []
        cursor = offset
        touched = False
        while index < len(sentences) and sentences[index].start < end:
            sentence = sentences[index]
            pieces.append(text[cursor:sentence.start])
            replacement = shown.get(sentence.start, sentence.text)
            touched = touched or replacement != sentence.text
            pieces.append(replacement or "")
            cursor = sentence.end
            index += 1
        pieces.append(text[cursor:end])
        rebuilt = "".join(pieces)
        if touched:
            body = rebuilt.rstrip("\r\n")
            if _EMPTY_LINE.match(body):
                offset = end
                continue
            newline = rebuilt[len(body):]
            indent = body[:len(body) - len(body.lstrip())]
            rebuilt = indent + re.sub(r"[ \t]{2,}", " ", body.strip()) + newline
        lines_out.append(rebuilt)
        offset = end
    return re.sub(r"\n{3,}", "\n\n", "".join(lines_out)).strip()


def _citations(text: str, by_n: dict[int, Passage]) -> list[Citation]:
    citations: list[Citation] = []
    seen: set[int] = set()
    for match in MARKER_RE.finditer(text):
        for n in marker_numbers(match.group(0)):
            if n in by_n and n not in seen:
                seen.add(n)
                citations.append(citation_for(by_n[n]))
    return citations


def citation_for(passage: Passage) -> Citation:
    chunk = passage.chunk
    return Citation(n=passage.n, chunk_id=chunk.id, source=chunk.source, locator=chunk.locator,
                    label=passage.label, page=chunk.page)
