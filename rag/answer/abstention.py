"""When to say "the indexed documents do not cover this" instead of answering.

Wrong legal facts are worse than no answer, so the service abstains, with one of these
reasons, when
  * nothing was retrieved (``NOTHING_RETRIEVED``);
  * the retrieved passages share too little of the question's weighted content words
    (``matching.question_coverage`` below ``min_coverage``) and no sentence the answer
    would quote is close to it in meaning either (the best cosine of the question's vector
    to theirs below ``off_topic_quote_floor``, a stricter floor than ``quote_floor``):
    they are about something else (``OFF_TOPIC``). Words alone refused questions told as
    a situation ("업체 납품이 몇 달째 밀려서 지체상금이 계속 불어나요. 끝도 없이 매기는
    건가요?"): their filler words weigh most because no passage has them. The quotes
    decide, not the passages' own vectors, for the reason given for ``quote_floor``;
  * no passage sentence shares a word with the question, so there is nothing to quote
    (``NOTHING_TO_QUOTE``);
  * a question word (얼마, 몇, 며칠, 언제까지: the analysis's ``quantity_question_word``)
    asks for a quantity of a kind (an amount in 원, a number of people, a period …: the
    analysis's ``units``) and no retrieved passage states any quantity of that kind
    (``NO_QUANTITY``). Statutes often delegate the figure to a 별표 or another act that is
    not indexed ("배치기준은 별표 2와 같다", "지방공무원 수당 등에 관한 규정에 따른다");
    quoting the delegation as if it answered "몇 명" or "얼마" would mislead. A noun naming
    a quantity (기한, 금액, 나이) asks for none: "금액 숫자 하나 틀린 정도인데 다시
    기안해야 하나요?";
  * the question asks the amount of something ("육아휴직 수당은 얼마": the analysis's
    ``subject``) and no sentence stating an amount names it, among the retrieved passages
    or among those the answer quotes: nearby articles often state amounts of other things
    (the reason names the subject);
  * no passage the answer quotes states a quantity of that kind either
    (``NO_QUANTITY_QUOTED``): a figure in some other retrieved article does not make a
    quote of this one an answer ("공보의 복무기간은 몇 년" quoting the article that
    appoints a 보건지소장);
  * none of the sentences the answer would quote is close to the question in meaning
    (the best cosine of the question's vector to theirs below ``quote_floor``:
    ``QUOTES_OFF_TOPIC``). Words shared with a neighbouring article are what an answer to
    a question the documents do not cover is made of ("어린이집 낮잠은 몇 시간" quoting a
    시간제보육 article); the passage's own vector is no guard, since the whole article is
    about the question's topic while the quoted sentence is not about its point.
Article references (제14조, 제2항, 별표 2, 별지 제4호서식) are never quantities: the
fact extractor reads them as references. What "얼마" asks for is the analysis's
(``question``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .citations import parse_markers
from .facts import stated_units
from .matching import question_coverage, states_amount_of
from .question import MONEY_UNITS, QuestionAnalysis, units_fit
from .types import Passage

NOTHING_RETRIEVED = "색인된 문서에서 관련 내용을 찾지 못했습니다."
OFF_TOPIC = "검색된 문서가 질문의 내용을 다루지 않습니다."
NOTHING_TO_QUOTE = "검색된 문서에서 질문에 답하는 문장을 찾지 못했습니다."
NO_QUANTITY = "질문이 묻는 금액·기간·인원 등의 수치가 검색된 문서에 없습니다."
QUOTES_OFF_TOPIC = "검색된 문서에서 질문과 뜻이 가까운 문장을 찾지 못했습니다."
NO_QUANTITY_QUOTED = "질문이 묻는 금액·기간·인원 등의 수치가 답으로 인용할 문단에 없습니다."


@dataclass(frozen=True)
class AbstentionPolicy:
    # Below this share of the question's weighted words, even the best passages are about
    # something else. Kept low: paraphrased questions ("CCTV", "차트") reach the right
    # article with little word overlap, and the quantity rule catches the subtler cases.
    min_coverage: float = 0.2
    # "X는 얼마인가요?": some sentence stating an amount must be about X.
    amount_subject: bool = True
    # "몇 년인가요?", "X는 얼마": a passage the answer quotes must state the period or X's
    # amount, not just any retrieved passage.
    quantity_quoted: bool = True
    # The quoted sentences must come at least this close to the question in meaning (the
    # best cosine of the embedder's vectors); None: not checked. The value belongs to the
    # embedder (e5-small's cosines sit in 0.8-0.95; AnswerSettings.quote_dense_floor).
    quote_floor: float | None = None
    # The same when the passages share fewer than ``min_coverage`` of the question's words:
    # a question so far from the passages in words must be close to the quotes in meaning
    # (AnswerSettings.off_topic_quote_floor). None: words alone decide (OFF_TOPIC).
    off_topic_quote_floor: float | None = None


def reason_to_abstain(question: QuestionAnalysis, passages: Sequence[Passage], quotes: str,
                      policy: AbstentionPolicy = AbstentionPolicy(),
                      quote_similarity: Callable[[], float | None] | None = None) -> str | None:
    """The Korean reason to abstain (see the module docstring), or None when the answer
    may be given. ``quotes`` is the quoted answer's text (``extractive``);
    ``quote_similarity`` gives the best cosine of the question to a quoted sentence (None
    when there is no embedder), asked only when every other check has passed or when the
    passages share too few of the question's words."""
    if not passages:
        return NOTHING_RETRIEVED
    few_words = question_coverage(question, passages) < policy.min_coverage
    if few_words:
        floor = policy.off_topic_quote_floor
        similarity = (quote_similarity() if floor is not None and quote_similarity is not None and quotes.strip()
                      else None)
        if similarity is None or similarity < floor:
            return OFF_TOPIC
    if not quotes.strip():
        return NOTHING_TO_QUOTE
    # Only a question word asks for a figure: "금액 숫자 하나 틀린 정도인데 다시 기안해야
    # 하나요?" names an amount and asks none.
    wanted = question.units if question.quantity_question_word else frozenset()
    stating = {p.n for p in passages if states_quantity(p.chunk.text, wanted)} if wanted else set()
    if wanted and not stating:
        return NO_QUANTITY
    cited = set(parse_markers(quotes)[1])
    where = [("검색된 문서에", passages)]
    if policy.quantity_quoted:
        where.append(("답으로 인용할 문단에", [p for p in passages if p.n in cited]))
    if policy.amount_subject and question.subject:
        what = "금액이나 비율을" if wanted & MONEY_UNITS else "수치를"
        for place, among in where:
            if not states_amount_of(question.subject, among, wanted):
                return f"{place} ‘{question.subject_text}’의 {what} 밝힌 문장이 없습니다."
    if wanted and policy.quantity_quoted and not stating & cited:
        return NO_QUANTITY_QUOTED
    if policy.quote_floor is not None and quote_similarity is not None and not few_words:
        similarity = quote_similarity()
        if similarity is not None and similarity < policy.quote_floor:
            return QUOTES_OFF_TOPIC
    return None


#: The off-topic quote floor for the built-in e5-small embedder ("auto";
#: AnswerSettings.off_topic_quote_floor).
E5_SMALL_OFF_TOPIC_FLOOR = 0.87


#: The quote floor for the built-in e5-small embedder ("auto"; AnswerSettings.quote_dense_floor).
E5_SMALL_QUOTE_FLOOR = 0.85


def dense_floor_for(setting: float | str | None, embedder_name: str, e5_small: float) -> float | None:
    """The floor a setting means with this embedder: a number as given, "auto" the e5-small
    one (``e5_small``) only for an e5-small embedder (another model's cosines have another
    scale)."""
    if setting == "auto":
        return e5_small if "e5-small" in embedder_name else None
    return None if setting is None else float(setting)


def states_quantity(text: str, units: frozenset[str] | None = None) -> bool:
    """Whether ``text`` states a quantity (in one of ``units``, when given)."""
    stated = stated_units(text)
    return units_fit(stated, units) if units else bool(stated)
