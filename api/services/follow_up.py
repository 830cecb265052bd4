"""A short follow-up question ("보관 기간은요?", "그럼 과태료는?") leans on the question
before it. Retrieval and the model see one question at a time, so such a follow-up is
searched and answered together with the previous question. One rule for the web chat
(the previous question comes from the saved conversation) and the OpenAI-compatible API
(it comes from the request's earlier user message)."""

from __future__ import annotations

from rag.retrieval.korean import KoreanAnalyzer

#: A question with at most this many content words is a follow-up.
FOLLOW_UP_TERMS = 3


def with_follow_up(analyzer: KoreanAnalyzer, question: str, previous_question: str | None) -> str:
    """The question as searched and answered: the previous question, then this one, when
    this one is a short follow-up; otherwise this one alone (a full question stands on
    its own, whatever came before)."""
    previous = (previous_question or "").strip()
    if not previous or len(analyzer.terms(question)) > FOLLOW_UP_TERMS:
        return question
    return f"{previous} {question}"
