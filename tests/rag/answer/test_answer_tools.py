"""The answer-tool hook of the answering service (rag/answer/tools.py) on the sample index
with a tool written here: its text leads the answer, the articles it cites are fetched
from the collection and cited as real passages, and a computed result stands where the
quotes alone would abstain."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.basis import basis_of
from rag.answer.service import AnswerService
from rag.answer.tools import AnswerTool, ArticleRef, ToolResult
from rag.config import load_settings
from rag.llm.fake import FakeLLM

CCTV_QUESTION = "어린이집 CCTV 영상은 며칠 동안 보관해야 하나요?"


@dataclass
class KeywordTool:
    """Applies when the question holds `keyword`; answers with `result`."""

    keyword: str
    result: ToolResult
    name: str = "시험 도구"

    def applies(self, question: str) -> str | None:
        return question if self.keyword in question else None

    def run(self, request: str) -> ToolResult:
        return self.result


COMPUTED = ToolResult("계산 결과: 42일", (ArticleRef("테스트법", "제4조"), ArticleRef("없는법", "제1조")),
                      answers_question=True)


def service(ctx, *tools: AnswerTool, llm=None) -> AnswerService:
    # One retrieved passage, so the tool's article has to be fetched.
    settings = load_settings("test", data_dir=ctx.settings.data_dir, retrieval={"top_k": 1})
    return AnswerService(ctx.retriever, ctx.analyzer, settings, llm=llm,
                         tools=lambda assistant: list(tools) if assistant in ("childcare", "metabolic") else [])


def test_a_tool_leads_the_answer_and_its_articles_are_cited_as_indexed_passages(indexed_sample):
    svc = service(indexed_sample, KeywordTool("CCTV", COMPUTED))
    answer = svc.answer(CCTV_QUESTION, assistant="childcare", collection="childcare", use_llm=False)

    # A work manual (childcare) lists the 근거 under the answer: the result carries the markers only.
    assert answer.text.startswith("계산 결과: 42일 [2]\n색인에서 찾지 못한 근거 조문: 없는법 제1조\n")
    assert [line["line"] for line in basis_of(answer)][0] == "테스트법 제4조 (시행일자 2025. 3. 1.)"
    assert "60일 이상 보관" in answer.text  # the quotes follow, as usual
    added = answer.passages[-1]
    assert (added.n, added.chunk.locator) == (2, "제4조")
    fetched, = indexed_sample.retriever.fetch("childcare", ids=[added.chunk.id])
    assert fetched.text == added.chunk.text and "급식" in fetched.text
    assert answer.citations[0].n == 2 and answer.citations[0].chunk_id == added.chunk.id
    assert all(c.label != "없는법 제1조" for c in answer.citations)


def test_with_a_model_the_added_article_stays_out_of_the_prompt(indexed_sample):
    llm = FakeLLM(["원장은 녹화된 영상을 60일 이상 보관하여야 합니다 [1]."])
    svc = service(indexed_sample, KeywordTool("CCTV", COMPUTED), llm=llm)
    answer = svc.answer(CCTV_QUESTION, assistant="childcare", collection="childcare")

    assert answer.mode == "generated"
    assert answer.text.startswith("계산 결과: 42일 [2]\n")
    assert answer.text.endswith("60일 이상 보관하여야 합니다 [1].")
    assert [c.n for c in answer.citations] == [2, 1]
    assert "급식" not in llm.last_prompt[-1].content


def test_a_computed_result_stands_where_the_quotes_would_abstain(indexed_sample):
    question = "우주선 발사 일정은 언제인가요?"
    plain = service(indexed_sample).answer(question, assistant="childcare", collection="childcare", use_llm=False)
    assert plain.abstained

    answered = service(indexed_sample, KeywordTool("우주선", COMPUTED)).answer(
        question, assistant="childcare", collection="childcare", use_llm=False)
    assert not answered.abstained and answered.mode == "extractive"
    assert answered.text.startswith("계산 결과: 42일") and answered.citations

    note = ToolResult("발사일을 알려 주시면 계산해 드립니다.")
    noted = service(indexed_sample, KeywordTool("우주선", note)).answer(
        question, assistant="childcare", collection="childcare", use_llm=False)
    assert noted.abstained
    assert noted.text == f"발사일을 알려 주시면 계산해 드립니다.\n\n{plain.text}"


def test_a_question_no_tool_applies_to_is_untouched(indexed_sample):
    plain = service(indexed_sample).answer(CCTV_QUESTION, assistant="childcare", collection="childcare",
                                           use_llm=False)
    other = service(indexed_sample, KeywordTool("우주선", COMPUTED)).answer(
        CCTV_QUESTION, assistant="childcare", collection="childcare", use_llm=False)
    assert (other.text, other.citations, len(other.passages)) == (plain.text, plain.citations, len(plain.passages))


class BrokenTool(KeywordTool):
    def run(self, request: str) -> ToolResult:
        raise ZeroDivisionError("a bug in the tool")


def test_a_failing_tool_costs_its_lead_not_the_answer(indexed_sample, caplog):
    plain = service(indexed_sample).answer(CCTV_QUESTION, assistant="childcare", collection="childcare",
                                           use_llm=False)
    broken = service(indexed_sample, BrokenTool("CCTV", COMPUTED)).answer(
        CCTV_QUESTION, assistant="childcare", collection="childcare", use_llm=False)
    assert broken.text == plain.text and "60일 이상 보관" in broken.text
    assert "답변 도구 오류 (childcare)" in caplog.text


def test_outside_a_work_manual_the_result_names_its_articles_in_a_line(indexed_sample):
    # metabolic's answer shape has no 근거 list under the answer: the line names them.
    svc = service(indexed_sample, KeywordTool("CCTV", COMPUTED))
    answer = svc.answer(CCTV_QUESTION, assistant="metabolic", collection="childcare", use_llm=False)

    assert answer.text.startswith("계산 결과: 42일\n근거: 테스트법 제4조 (시행 2025-03-01) [2], 없는법 제1조(색인에서 찾지 못함)")
