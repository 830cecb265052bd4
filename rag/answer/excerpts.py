"""Cutting passages down to the sentences that matter for a question, for models whose
prompt must stay short.

On the 2-core reference machine the embedded 1.5B model reads a prompt at ≈ 74 tok/s:
five whole articles (≈ 2,500 tokens) would make the first token wait half a minute,
while ≈ 600 tokens keep it near 8 s. So each passage keeps its heading and its sentences
ranked by how many of the question's content words they contain, in document order,
until its share of the budget is spent. The reader and the verifier still get the whole
passage; only the prompt sees the excerpt."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from rag.retrieval.korean import KoreanAnalyzer

from .sentences import compact, quote_text, split_sentences, without_markup
from .types import Passage

_GAP = " … "
# Below this a passage's share would be a cut half-sentence: it is left out of the prompt.
MIN_SHARE_TOKENS = 50


def excerpt_passages(question: str, passages: Sequence[Passage], analyzer: KoreanAnalyzer, *,
                     token_budget: int, count_tokens: Callable[[str], int],
                     quoted: Mapping[int, Sequence[str]] | None = None) -> list[Passage]:
    """The passages with ``excerpt`` set where the whole text would not fit.

    ``quoted``: the sentences the extractive answer quoted, by passage number. They are
    the evidence the answer layer found, so their passages take their shares first and
    keep those sentences before any other; counting the question's words alone missed
    them (a list item under its lead, a word the question paraphrases) and the model,
    not shown them, answered "not found".
    Otherwise the budget is shared out in rank order: the best passage may take half of
    it, the rest split what remains, so a long first article cannot crowd out the second
    one. A passage whose share is too small to hold a sentence gets an empty excerpt and
    is left out of the prompt (it stays in the answer's passages for the reader)."""
    terms = [t.lower() for t in analyzer.terms(question)]
    quoted = quoted or {}
    by_n: dict[int, Passage] = {}
    remaining = token_budget
    first = {n: i for i, n in enumerate(quoted)}  # quoted passages in quote order, then the rest by rank
    order = sorted(passages, key=lambda p: first.get(p.n, len(first)))
    for i, passage in enumerate(order):
        left = len(order) - i
        share = remaining // 2 if i == 0 and left > 1 else remaining // max(left, 1)
        text = passage.chunk.text.strip()
        if passage.n in quoted:
            # The evidence is shown whole even if it takes more than an even share.
            needed = sum(count_tokens(without_markup(q)) + 2 for q in quoted[passage.n]) + 20
            share = max(share, min(needed, remaining))
        if share < MIN_SHARE_TOKENS:
            # A better-ranked passage takes the minimum before worse ones get anything.
            if remaining < MIN_SHARE_TOKENS:
                by_n[passage.n] = Passage(passage.n, passage.chunk, excerpt="")
                continue
            share = MIN_SHARE_TOKENS
        if count_tokens(text) <= share:
            excerpt = None
            used = count_tokens(text)
        else:
            excerpt = _excerpt(text, terms, share, count_tokens, quoted.get(passage.n, ()))
            used = count_tokens(excerpt)
        remaining = max(0, remaining - used)
        by_n[passage.n] = Passage(passage.n, passage.chunk, excerpt=excerpt)
    return [by_n[p.n] for p in passages]


def _excerpt(text: str, terms: Sequence[str], budget: int, count_tokens: Callable[[str], int],
             quoted: Sequence[str] = ()) -> str:
    sentences = split_sentences(text)
    if not sentences:
        return text[: max(budget, 0)]
    head = sentences[0] if sentences[0].text.lstrip().startswith("#") else None
    body = [s for s in sentences if s is not head]
    compacted = [compact(s.text) for s in body]
    evidence = {compact(q) for q in quoted}
    # A quoted sentence outranks any count of the question's words.
    scores = [sum(t in c for t in terms) + (len(terms) + 1 if compact(quote_text(s.text)) in evidence else 0)
              for s, c in zip(body, compacted)]
    order = sorted(range(len(body)), key=lambda k: (-scores[k], k))
    # Measured and cut as the model reads them (without_markup): an amendment note
    # ("<개정 2008.2.29, 2010.1.18, …>") costs tokens and, cut open, survives into the prompt.
    texts = [without_markup(s.text) for s in body]
    heading = without_markup(head.text) if head else ""
    kept: set[int] = set()
    used = count_tokens(heading) if head else 0
    for k in order:
        cost = count_tokens(texts[k]) + 2
        if used + cost > budget:
            if kept:
                continue
            # Nothing fits yet: the best sentence, cut, is still better than nothing.
            return ((heading + "\n") if head else "") + _cut(texts[k], budget - used, count_tokens)
        kept.add(k)
        used += cost
    parts: list[str] = []
    previous = -2
    for k in sorted(kept):
        if parts and k != previous + 1:
            parts.append(_GAP.strip())
        parts.append(texts[k].strip())
        previous = k
    lines = ([heading] if head else []) + [" ".join(parts)]
    return "\n".join(lines)


def _cut(text: str, budget: int, count_tokens: Callable[[str], int]) -> str:
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"
