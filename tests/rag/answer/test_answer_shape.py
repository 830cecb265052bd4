"""The work manuals' answer shape (answer_shape: manual, issue 16): the prompt asks for
the direct answer, then 절차 as numbered steps where the documents give them; code adds
the 근거 block (each cited passage with its 시행일자 or page) beside the verified text."""

from __future__ import annotations

from rag.answer.basis import basis_of, basis_line, official_date
from rag.answer.citations import verify_answer
from rag.answer.prompts import system_prompt
from rag.answer.types import Answer, Citation, Passage
from rag.assistants import AssistantSpec
from rag.retrieval.results import RetrievedChunk

from .conftest import CCTV, PENALTY, passage
from rag.answer.service import AnswerService

QUESTION = "어린이집 CCTV 영상은 며칠 동안 보관해야 하나요?"


def final_answer(ctx, assistant: str) -> Answer:
    svc = AnswerService(ctx.retriever, ctx.analyzer, ctx.settings)
    return list(svc.stream(QUESTION, assistant=assistant, collection="childcare"))[-1].answer


def spec(shape: str) -> AssistantSpec:
    return AssistantSpec(name="t", title="T", collection="t", role="테스트 도우미", answer_shape=shape)


def test_the_manual_prompt_asks_for_the_answer_first_then_numbered_steps_and_no_basis_list():
    manual, default = system_prompt(spec("manual")), system_prompt(spec("default"))
    assert "먼저 질문에 대한 답을 한두 문장으로" in manual
    assert "절차:" in manual and "1. 2. 3." in manual and "기한" in manual
    assert "문서에 절차가 없으면 절차를 쓰지 마십시오" in manual
    assert "근거 목록은 따로 붙으니 쓰지 마십시오" in manual
    assert "[1], [2]처럼 붙이십시오" in manual
    # The other shapes keep the short answer they had.
    assert "절차" not in default and "2~5문장" in default and "2~5문장" not in manual
    assert manual.startswith("당신은 테스트 도우미입니다.")


def test_section_labels_of_a_manual_answer_are_no_claims_and_steps_are_checked(childcare, analyzer):
    text = ("어린이집을 설치·운영하는 자는 폐쇄회로 텔레비전을 설치·관리하여야 합니다 [1].\n"
            "절차:\n"
            "1. 어린이집을 설치·운영하는 자는 영상정보를 60일 이상 보관하여야 합니다 [1].\n"
            "2. 설치하지 아니한 자에게는 500만 원 이하의 과태료를 부과합니다 [2].\n"
            "**근거**")
    result = verify_answer(text, childcare, analyzer)
    by_text = {c.text.strip(): c for c in result.checks}
    assert not by_text["절차:"].needs_citation and by_text["절차:"].supported
    label = next(c for t, c in by_text.items() if "근거" in t)
    assert not label.needs_citation and label.supported
    assert "절차:" in result.text and "근거" in result.text
    # The steps are sentences like the others: the backed one stays, the changed amount goes.
    assert "60일 이상 보관" in result.text and "500만 원" not in result.text
    assert len(result.removed) == 1


def test_official_date_is_written_the_way_public_documents_write_it():
    assert official_date("2025-03-01") == "2025. 3. 1."
    assert official_date("2026. 1. 1.") == "2026. 1. 1."


def test_a_statute_passage_is_named_by_law_article_and_in_force_date():
    cited = passage(1, "제15조의4", "영유아보육법", CCTV, metadata={"시행일자": "2025-03-01"})
    assert basis_line(cited) == {"n": 1, "label": "영유아보육법 제15조의4", "effective_date": "2025-03-01",
                                 "page": None, "line": "영유아보육법 제15조의4 (시행일자 2025. 3. 1.)"}


def test_a_pdf_passage_is_named_by_the_manual_and_its_page():
    chunk = RetrievedChunk(id="pdf-1", score=1.0, source="manuals/general/민원 처리 매뉴얼.pdf",
                           title="2025 민원 처리 매뉴얼", locator="", text="민원은 접수한 날부터 …", page=12)
    line = basis_line(Passage(2, chunk))
    assert line["line"] == "2025 민원 처리 매뉴얼 12쪽" and line["page"] == 12 and line["effective_date"] is None


def test_the_basis_follows_the_citations_once_each_and_names_nothing_uncited():
    p1 = passage(1, "제15조의4", "영유아보육법", CCTV, metadata={"시행일자": "2025-03-01"})
    p2 = passage(2, "제54조", "영유아보육법", PENALTY, metadata={"시행일자": "2025-03-01"})
    p3 = passage(3, "제1조", "영유아보육법", "목적", metadata={"시행일자": "2025-03-01"})
    cite = lambda p: Citation(p.n, p.chunk.id, p.chunk.source, p.chunk.locator, p.label)  # noqa: E731
    answer = Answer("q", "…", "generated", citations=[cite(p2), cite(p1), cite(p2)], passages=[p1, p2, p3])
    assert [b["line"] for b in basis_of(answer)] == ["영유아보육법 제54조 (시행일자 2025. 3. 1.)",
                                                    "영유아보육법 제15조의4 (시행일자 2025. 3. 1.)"]


def test_a_manual_assistants_answer_carries_the_basis_beside_its_unchanged_text(indexed_sample):
    final = final_answer(indexed_sample, "childcare")  # answer_shape manual, extractive mode
    assert final.citations and final.basis
    assert final.basis[0]["line"] == "테스트법 제3조 (시행일자 2025. 3. 1.)"
    assert {b["n"] for b in final.basis} == {c.n for c in final.citations}
    assert "시행일자" not in final.text and "근거" not in final.text


def test_other_shapes_get_no_basis(indexed_sample):
    final = final_answer(indexed_sample, "metabolic")  # answer_shape counselling
    assert final.citations and final.basis == []
