"""The answering service every assistant, the CLI, the API and the harness call:
retrieve → choose passages → quote an extractive answer at once → stream the generated
answer, verifying each sentence as it is finished → verify its citations → final answer
(or abstain).

Who may use it: anyone who may search the collection; what they see is limited by the
access scope passed in, because the filter is applied in retrieval, so a passage a user
may not read never reaches the prompt, the extractive answer or the citations."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Callable, Iterator, Sequence

import numpy as np

from rag.access import PUBLIC, AccessScope
from rag.assistants import Assistants, AssistantSpec, load_assistants
from rag.config import Settings
from rag.errors import EmbeddingError, LLMError, LLMUnavailable, SeoulAssistError
from rag.llm.base import LLM, GenerationParams
from rag.retrieval.korean import KoreanAnalyzer
from rag.retrieval.results import RetrievedChunk
from rag.retrieval.retriever import HybridRetriever
from rag.retrieval.title_rerank import QUESTION_HEADING, chunk_title
from rag.store.base import PointFilter

from . import prompts
from .abstention import AbstentionPolicy, reason_to_abstain
from .appendices import AppendixIndexed, appendices_to_read, appendix_notice
from .basis import basis_of
from .citations import verify_answer
from .drafts import finished_length
from .grounded import personal_data_allowed
from .extractive import Quotes, extractive_answer
from .excerpts import excerpt_passages
from .faq_entry import cites_entry, question_entry
from .passages import select_passages
from .pii import mask_pii
from .question import analyse_question
from .tools import ArticleRef, ToolResult, ToolsFor, first_result
from .types import Answer, AnswerEvent, Citation, Passage

log = logging.getLogger(__name__)

#: Modes whose model runs outside this process (PII may leave the machine).

#: Passage tokens for the embedded CPU model (see LLMSettings.prompt_tokens).
EMBEDDED_PROMPT_TOKENS = 260

ABSTAIN_TEXT = "색인된 문서에서 이 질문에 대한 답을 찾지 못했습니다."
FALLBACK_NOT_FOUND = "언어 모델이 답을 만들지 못해 문서에서 발췌한 문장을 보여 드립니다."
FALLBACK_UNVERIFIED = "생성된 답변을 문서로 확인할 수 없어 문서에서 발췌한 문장을 보여 드립니다."
FALLBACK_OTHER_ENTRY = ("생성된 답변이 질문과 가장 가까운 문답이 아닌 다른 문답을 근거로 해 "
                        "문서에서 발췌한 문장을 보여 드립니다.")


def _chars_as_tokens(text: str) -> int:
    # Without the model's tokenizer: Korean runs close to one token per character in
    # Qwen/bge-style vocabularies, so counting characters never overfills the window.
    return len(text)


class AnswerService:
    def __init__(self, retriever: HybridRetriever, analyzer: KoreanAnalyzer, settings: Settings,
                 llm: LLM | Callable[[], LLM | None] | None = None,
                 policy: AbstentionPolicy | None = None, assistants: Assistants | None = None,
                 appendix_indexed: Callable[[str], AppendixIndexed] | None = None,
                 tools: ToolsFor | None = None) -> None:
        self.retriever = retriever
        self.analyzer = analyzer
        self.settings = settings
        self._llm_source = llm
        self._llm: LLM | None = None
        self._llm_error: str | None = None
        self._llm_loaded = not callable(llm) or isinstance(llm, LLM)
        if self._llm_loaded:
            self._llm = llm  # type: ignore[assignment]
        self.policy = policy or AbstentionPolicy()
        self.assistants = assistants if assistants is not None else load_assistants(settings.assistants_dir)
        #: For a collection, whether it holds a given 별표 of a given law (none, by default).
        self._appendix_indexed = appendix_indexed or (lambda collection: lambda law, label: False)
        #: Each assistant's answer tools (rag/answer/tools.py; none, by default).
        self._tools = tools or (lambda assistant: ())

    # -- the language model, loaded on first use ---------------------------------------

    def llm(self) -> LLM | None:
        """The configured model, or None (extractive only) with the reason kept."""
        if not self._llm_loaded:
            self._llm_loaded = True
            try:
                self._llm = self._llm_source()  # type: ignore[misc]
            except LLMUnavailable as exc:
                self._llm_error = str(exc)
                log.warning("언어 모델을 쓸 수 없어 발췌 답변만 합니다: %s", exc)
        return self._llm

    # -- answering --------------------------------------------------------------------

    def answer(self, question: str, *, assistant: str, collection: str, scope: AccessScope = PUBLIC,
               use_llm: bool = True) -> Answer:
        final: Answer | None = None
        for event in self.stream(question, assistant=assistant, collection=collection, scope=scope,
                                 use_llm=use_llm, check_while_streaming=False):
            if event.type == "final":
                final = event.answer
        assert final is not None  # stream always ends with a final event
        return final

    def stream(self, question: str, *, assistant: str, collection: str, scope: AccessScope = PUBLIC,
               use_llm: bool = True,
               before_generation: Callable[[], Iterator[AnswerEvent]] | None = None,
               check_while_streaming: bool = True) -> Iterator[AnswerEvent]:
        """`_answer_events`, with the final answer pointing to the 별표 its articles
        delegate figures to when those are not indexed (rag/answer/appendices.py) and, for
        a work manual (answer_shape: manual), carrying its 근거 block (rag/answer/basis.py)."""
        spec = self.assistants.require(assistant)
        for event in self._answer_events(question, assistant=assistant, collection=collection, scope=scope,
                                         use_llm=use_llm, before_generation=before_generation,
                                         check_while_streaming=check_while_streaming):
            if event.type == "final" and event.answer is not None:
                self._point_to_appendices(event.answer, collection)
                if spec.answer_shape == "manual":
                    event.answer.basis = basis_of(event.answer)
            yield event

    def _point_to_appendices(self, answer: Answer, collection: str) -> None:
        answer.appendices = appendices_to_read(answer, self._appendix_indexed(collection))
        if answer.appendices:
            notice = appendix_notice(answer.appendices, abstained=answer.abstained)
            answer.notice = " ".join(n for n in (answer.notice, notice) if n)

    def _answer_events(self, question: str, *, assistant: str, collection: str, scope: AccessScope = PUBLIC,
                       use_llm: bool = True,
                       before_generation: Callable[[], Iterator[AnswerEvent]] | None = None,
                       check_while_streaming: bool = True) -> Iterator[AnswerEvent]:
        """The answer as events. `scope` (a user's readable collections and groups; by
        default public documents only) is enforced by the retriever. `before_generation`,
        when given, is iterated right before the model is called, after the extractive
        answer is out: the server waits there for its turn on a one-at-a-time model and
        yields `queued` events meanwhile.
        `check_while_streaming`: each time the generated text gains a finished sentence,
        yield a `verified` event with the answer those sentences make so far, checked as
        the final one is, so a reader never has to take streamed text on trust."""
        started = time.perf_counter()
        spec = self.assistants.require(assistant)
        masked = mask_pii(question)
        log.info("질문 (%s): %s", assistant, masked.text)
        timings: dict[str, float] = {}

        def lap(name: str) -> None:
            timings[name] = round((time.perf_counter() - started) * 1000, 1)

        # The scope alone says which groups are visible (the retriever narrows this to them).
        flt = PointFilter(access=None)
        chunks = self.retriever.search(question, collection, k=self.settings.retrieval.top_k, flt=flt,
                                       scope=scope)
        lap("retrieval_ms")
        llm = self.llm() if use_llm else None
        passages = self._passages(question, chunks, llm, spec)
        # A tool's computed text leads every answer shown; its articles join the passages.
        lead = self._tool_lead(question, spec, collection, scope, passages, hide_from_model=llm is not None)
        passages, shown = lead.passages, lead.lead
        yield AnswerEvent("passages", answer=Answer(question, "", "extractive", passages=passages))

        analysis = analyse_question(question, self.analyzer)  # what it asks: quantity, subject, definition
        quoted = extractive_answer(analysis, passages)
        reason = reason_to_abstain(analysis, passages, quoted.text, self.policy,
                                   quote_similarity=lambda: self._quote_similarity(question, quoted, passages))
        lap("extractive_ms")
        if reason and lead.answers_question:
            # The computed result answers the question; the quotes found nothing to add.
            final = Answer(question, "", "extractive", passages=passages, llm="extractive", timings_ms=timings)
            yield AnswerEvent("extractive", answer=shown(final))
            lap("total_ms")
            yield AnswerEvent("final", answer=shown(final))
            return
        if reason:
            final = shown(self._abstain(question, passages, reason, timings))
            yield AnswerEvent("extractive", answer=final)
            lap("total_ms")
            yield AnswerEvent("final", answer=final)
            return

        if llm is not None:
            passages = self._excerpted(question, passages, llm, quoted)
        extractive = Answer(question, quoted.text, "extractive", citations=list(quoted.citations),
                            checks=list(quoted.checks), passages=passages, llm="extractive",
                            notice=self._fallback_notice(use_llm), timings_ms=timings)
        yield AnswerEvent("extractive", answer=shown(extractive))
        if llm is None:
            lap("total_ms")
            yield AnswerEvent("final", answer=shown(extractive))
            return

        if before_generation is not None:
            yield from before_generation()
        generated, checked = "", 0  # the text so far; how much of it was verified
        try:
            to_model = question if self._may_send_raw(masked.found) else masked.text
            params = GenerationParams(max_tokens=self.settings.llm.max_tokens,
                                      temperature=self.settings.llm.temperature)
            for piece in llm.stream(prompts.build_messages(to_model, passages, spec), params):
                if not generated:
                    lap("ttft_ms")
                generated += piece
                yield AnswerEvent("token", text=piece)
                finished = finished_length(generated) if check_while_streaming else 0
                if finished > checked:
                    checked = finished
                    so_far = self._verified_so_far(question, generated[:finished], passages, llm, extractive)
                    yield AnswerEvent("verified", answer=shown(so_far), checked=finished)
        except LLMError as exc:
            log.warning("생성 실패, 발췌 답변으로 대신합니다: %s", exc)
            lap("total_ms")
            extractive.notice = f"언어 모델 오류로 발췌 답변을 보여 드립니다: {exc}"
            yield AnswerEvent("final", answer=shown(extractive))
            return
        final = self._verified(question, generated, passages, llm, timings, extractive)
        lap("total_ms")
        yield AnswerEvent("final", answer=shown(final))

    # -- steps ------------------------------------------------------------------------

    def _tool_lead(self, question: str, spec: AssistantSpec, collection: str, scope: AccessScope,
                   passages: list[Passage], *, hide_from_model: bool) -> "_ToolLead":
        """The first of the assistant's tools that applies, run, with the articles it cites
        fetched from the collection (under `scope`) and added to the passages: a real
        chunk each, so its citation opens the indexed text. An article the collection does
        not hold is named without a marker. `hide_from_model`: keep the added passages out
        of the prompt (the computation is not the model's to redo, nor its budget to take).
        A work manual (answer_shape: manual) lists its 근거 under the answer from the
        citations, so there the result carries only the markers; elsewhere a "근거:" line
        names the articles."""
        try:
            result = first_result(self._tools(spec.name), question)
        except Exception:  # a tool's bug costs its lead, never the answer
            log.exception("답변 도구 오류 (%s)", spec.name)
            result = None
        if result is None:
            return _ToolLead(None, passages, [])
        passages = list(passages)
        citations: list[Citation] = []
        named, missing = [], []
        for ref, chunk in self._articles(result.cite, collection, scope):
            if chunk is None:
                named.append(f"{ref.label}(색인에서 찾지 못함)")
                missing.append(ref.label)
                continue
            passage = next((p for p in passages if p.chunk.id == chunk.id), None)
            if passage is None:
                passage = Passage(max((p.n for p in passages), default=0) + 1, chunk,
                                  excerpt="" if hide_from_model else None)
                passages.append(passage)
            effective = chunk.metadata.get("시행일자")
            named.append(f"{passage.label}{f' (시행 {effective})' if effective else ''} [{passage.n}]")
            citations.append(Citation(passage.n, chunk.id, chunk.source, chunk.locator, passage.label, chunk.page))
        if spec.answer_shape == "manual":
            first, newline, rest = result.text.partition("\n")
            markers = "".join(f"[{c.n}]" for c in citations)
            text = f"{first} {markers}".rstrip() + newline + rest
            if missing:
                text += f"\n색인에서 찾지 못한 근거 조문: {', '.join(missing)}"
        else:
            text = result.text + (f"\n근거: {', '.join(named)}" if named else "")
        return _ToolLead(replace(result, text=text), passages, citations)

    def _articles(self, refs: Sequence[ArticleRef], collection: str,
                  scope: AccessScope) -> Iterator[tuple[ArticleRef, RetrievedChunk | None]]:
        """(ref, its first chunk or None) for each article, one fetch per law."""
        by_law: dict[str, list[RetrievedChunk]] = {}
        for law in dict.fromkeys(ref.law for ref in refs):
            try:
                by_law[law] = self.retriever.fetch(collection, flt=PointFilter(laws=(law,), access=None),
                                                   scope=scope, limit=5000)
            except SeoulAssistError as exc:  # no index yet: the articles are named, not cited
                log.info("도구가 인용할 조문을 가져오지 못함 (%s): %s", law, exc)
                by_law[law] = []
        for ref in refs:
            parts = sorted((c for c in by_law[ref.law] if c.locator == ref.article),
                           key=lambda c: c.metadata.get("ordinal", 0))
            yield ref, (parts[0] if parts else None)

    def _passages(self, question: str, chunks, llm: LLM | None, assistant: AssistantSpec) -> list[Passage]:
        cfg = self.settings.answer
        if llm is not None:
            overhead = llm.count_tokens(prompts.system_prompt(assistant)) + self.settings.llm.max_tokens + 200
            budget = max(256, min(int(llm.context_window * cfg.context_share), llm.context_window - overhead))
            count = llm.count_tokens
        else:
            budget, count = 10**9, _chars_as_tokens
        if chunks and cfg.min_relative_score > 0:
            best = max(c.score for c in chunks)  # the title re-rank may put a lower score first
            chunks = [c for c in chunks if best <= 0 or c.score >= best * cfg.min_relative_score]
        passages = select_passages(chunks, max_passages=cfg.max_passages, token_budget=budget, count_tokens=count)
        if llm is None:
            return passages
        limit = self.settings.llm.prompt_passages or cfg.max_passages
        shown, hidden = passages[:limit], passages[limit:]
        # The passages the model does not see stay for the reader, the extractive answer
        # and verification; an empty excerpt keeps them out of the prompt.
        hidden = [Passage(p.n, p.chunk, excerpt="") for p in hidden]
        return shown + hidden

    def _quote_similarity(self, question: str, quoted: Quotes, passages: Sequence[Passage]) -> float | None:
        """The best cosine of the question to a sentence the answer quotes (None without
        an embedder or a quote). A sentence under a heading that asks a question (an FAQ's
        "Q HDL은 어떻게 올리나요?") is read with it: "그렇지 않습니다." means nothing alone."""
        embedder = self.retriever.embedder
        if embedder is None or not quoted.checks:
            return None
        by_n = {p.n: p for p in passages}
        sentences = []
        for check in quoted.checks:
            title = chunk_title(by_n[check.cited[0]].chunk) if check.cited and check.cited[0] in by_n else None
            sentences.append(f"{title} {check.text}" if title and QUESTION_HEADING.search(title) else check.text)
        try:
            vectors = embedder.embed_passages(sentences)
            return float(np.max(vectors @ self.retriever.query_vector(question)))
        except EmbeddingError as exc:
            # The quotes were found and checked in every other way; an embedding server
            # failing now is no reason to withhold them.
            log.warning("인용 문장의 의미 유사도를 재지 못해 이 확인 없이 답합니다: %s", exc)
            return None

    def _excerpted(self, question: str, passages: list[Passage], llm: LLM, quotes: Quotes) -> list[Passage]:
        """The passages as the model will read them: cut to the sentences about the
        question when they exceed the prompt budget, the extractive answer's quotes kept
        first (rag/answer/excerpts.py). Passages kept out of the prompt stay out."""
        prompt_budget = self._prompt_budget()
        shown = [p for p in passages if p.excerpt != ""]
        if not prompt_budget or sum(llm.count_tokens(p.chunk.text) for p in shown) <= prompt_budget:
            return passages
        quoted: dict[int, list[str]] = {}
        for check in quotes.checks:
            for n in check.cited:
                quoted.setdefault(n, []).append(check.text)
        cut = {p.n: p for p in excerpt_passages(question, shown, self.analyzer, token_budget=prompt_budget,
                                                 count_tokens=llm.count_tokens, quoted=quoted)}
        return [cut.get(p.n, p) for p in passages]

    def _prompt_budget(self) -> int | None:
        cfg = self.settings.llm
        if cfg.prompt_tokens is not None:
            return cfg.prompt_tokens
        return EMBEDDED_PROMPT_TOKENS if cfg.mode in ("embedded", "llamacpp") else None

    def _verified(self, question: str, generated: str, passages: list[Passage], llm: LLM,
                  timings: dict[str, float], extractive: Answer) -> Answer:
        """The verified generated answer, or the quotes with a notice saying why not. The
        quotes can stand in: the passages passed the abstention checks and the quoted
        sentences are verbatim."""
        if prompts.NOT_FOUND.rstrip(".") in generated:
            # On the statutes dev suite the embedded 1.5B model said "not found" in 12 of its
            # first 20 answers, where the quotes held the evidence for most of them.
            return _quotes_instead(extractive, generated, FALLBACK_NOT_FOUND)
        checked = verify_answer(generated, passages, self.analyzer)
        if not any(c.supported and c.needs_citation for c in checked.checks):
            return _quotes_instead(extractive, generated, FALLBACK_UNVERIFIED, checked.removed,
                                   checked.invalid_markers)
        entry = question_entry(passages)
        if (entry is not None and entry.prompt_text.strip() and cites_entry(extractive.citations, entry)
                and not cites_entry(checked.citations, entry)):
            # The question was one of the FAQ's own questions in other words, the quotes
            # answer it from that entry, and the model answered from another entry: each
            # sentence may be true of its passage, but it answers another question. The
            # 1.5B model did so on metabolic_paraphrased (asked how to counsel a participant
            # who denies the result, it told how to handle one who clings to a workout).
            return _quotes_instead(extractive, generated, FALLBACK_OTHER_ENTRY, checked.removed,
                                   checked.invalid_markers)
        answer = Answer(question, checked.text, "generated", citations=list(checked.citations),
                        checks=list(checked.checks), removed=list(checked.removed), passages=passages,
                        invented_citations=checked.invalid_markers, llm=llm.name, generated=generated,
                        timings_ms=timings)
        if checked.removed:
            answer.notice = f"문서로 확인되지 않은 문장 {len(checked.removed)}개를 뺐습니다."
        return answer

    def _verified_so_far(self, question: str, finished: str, passages: list[Passage], llm: LLM,
                         extractive: Answer) -> Answer:
        """What the final answer would show of the sentences finished so far: the same
        checks (``_verified``) on a copy of the quotes, since the final check still needs
        them. While the checks would show the quotes instead (no backed claim yet, "not
        found", another FAQ entry), nothing of the generated text is shown."""
        shown = self._verified(question, finished, passages, llm, {}, replace(extractive))
        if shown.mode == "generated":
            return shown
        return Answer(question, "", "generated", removed=list(shown.removed), passages=passages,
                      invented_citations=shown.invented_citations, llm=llm.name, generated=finished)

    def _abstain(self, question: str, passages: list[Passage], reason: str, timings: dict[str, float],
                 llm: str = "extractive", generated: str = "") -> Answer:
        closest = ", ".join(p.label for p in passages[:3])
        text = f"{ABSTAIN_TEXT} {reason}"
        if closest:
            text += f" 가장 가까운 문서: {closest}"
        return Answer(question, text, "abstained", passages=passages, abstained=True, notice=reason,
                      llm=llm, generated=generated, timings_ms=timings)

    def _may_send_raw(self, found: dict) -> bool:
        return not found or personal_data_allowed(self.settings)

    def _fallback_notice(self, use_llm: bool) -> str:
        if use_llm and self._llm_error:
            return f"언어 모델을 쓸 수 없어 문서에서 발췌한 답변만 보여 드립니다 ({self._llm_error})."
        return ""


def _quotes_instead(extractive: Answer, generated: str, notice: str, removed: Sequence[str] = (),
                    invented: int = 0) -> Answer:
    """The extractive answer in place of a generated one that is not shown; the model's
    text and what verification took out stay on it for reviewers and the harness."""
    extractive.notice = notice
    extractive.generated = generated
    extractive.removed = list(removed)
    extractive.invented_citations = invented
    return extractive


class _ToolLead:
    """A tool's result placed before an answer: `passages` are the answer's with the
    tool's articles added; `lead(answer)` is a copy of `answer` led by the tool's text and
    citing its articles (the answer itself is left as it is: fallbacks reuse it)."""

    def __init__(self, result: ToolResult | None, passages: list[Passage], citations: list[Citation]) -> None:
        self.result = result
        self.passages = passages
        self.citations = citations

    @property
    def answers_question(self) -> bool:
        return self.result is not None and self.result.answers_question

    def lead(self, answer: Answer) -> Answer:
        if self.result is None:
            return answer
        text = "\n\n".join(t for t in (self.result.text, answer.text) if t)
        mine = {c.n for c in self.citations}
        citations = self.citations + [c for c in answer.citations if c.n not in mine]
        return replace(answer, text=text, citations=citations)
