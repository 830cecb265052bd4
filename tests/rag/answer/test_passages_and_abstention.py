from rag.answer.types import Passage
from rag.answer.passages import select_passages
from rag.retrieval.results import RetrievedChunk


def chunk(i: int, text: str, score: float = 1.0) -> RetrievedChunk:
    return RetrievedChunk(id=f"id{i}", score=score, source=f"s{i}.md", title="법", locator=f"제{i}조", text=text)


def test_passages_are_numbered_in_rank_order_and_capped():
    chunks = [chunk(i, f"조문 {i} 내용") for i in range(1, 9)]
    chosen = select_passages(chunks, max_passages=3, token_budget=10_000, count_tokens=len)
    assert [p.n for p in chosen] == [1, 2, 3]
    assert [p.chunk.id for p in chosen] == ["id1", "id2", "id3"]


def test_contained_duplicates_are_dropped_keeping_the_better_ranked():
    chunks = [chunk(1, "어린이집에는  CCTV를 설치하여야 한다. 영상은 60일 보관한다."),
              chunk(2, "어린이집에는 CCTV를 설치하여야 한다."),
              chunk(3, "다른 조문")]
    chosen = select_passages(chunks, max_passages=5, token_budget=10_000, count_tokens=len)
    assert [p.chunk.id for p in chosen] == ["id1", "id3"]


def test_budget_skips_what_does_not_fit_and_cuts_an_oversized_best_passage():
    chunks = [chunk(1, "가" * 50), chunk(2, "나" * 40), chunk(3, "다" * 10)]
    chosen = select_passages(chunks, max_passages=5, token_budget=30, count_tokens=len)
    assert [p.chunk.id for p in chosen] == ["id1"]
    assert len(chosen[0].chunk.text) == 30
    chosen = select_passages(chunks, max_passages=5, token_budget=62, count_tokens=len)
    assert [p.chunk.id for p in chosen] == ["id1", "id3"]


def test_excerpts_keep_heading_and_the_sentences_about_the_question():
    from rag.answer.excerpts import excerpt_passages
    from rag.retrieval.korean import KoreanAnalyzer

    text = ("##### 제3조 (폐쇄회로 텔레비전의 설치)\n\n"
            "**①** 어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 한다. "
            "**②** 원장은 급식 식단을 게시하여야 한다. "
            "**③** 원장은 녹화된 영상을 60일 이상 보관하여야 한다. "
            "**④** 원장은 보육교직원의 연수 계획을 세워야 한다.")
    passages = [Passage(1, chunk(1, text)), Passage(2, chunk(2, "짧은 조문"))]
    out = excerpt_passages("녹화된 영상은 며칠 보관하나요?", passages, KoreanAnalyzer.shared(),
                           token_budget=120, count_tokens=len)
    first = out[0].excerpt
    # As the model reads it: the heading without its marks, the sentences without emphasis.
    assert first is not None and first.startswith("제3조 (폐쇄회로 텔레비전의 설치)\n③ 원장은")
    assert "60일 이상 보관" in first and "급식" not in first
    assert out[0].chunk.text == text  # the verifier and the reader keep the whole passage
    assert out[1].excerpt is None and out[1].prompt_text == "짧은 조문"


def packaged(name: str):
    """An assistant as the repository defines it (assistants/<name>/assistant.yaml)."""
    from rag.assistants import load_assistants
    from rag.config.settings import PACKAGED_ASSISTANTS

    return load_assistants(PACKAGED_ASSISTANTS)[name]


def test_passages_without_room_are_left_out_of_the_prompt_but_kept_for_the_reader():
    from rag.answer.excerpts import excerpt_passages
    from rag.answer.prompts import build_messages
    from rag.retrieval.korean import KoreanAnalyzer

    long = "원장은 녹화된 영상을 60일 이상 보관하여야 한다. " * 6
    passages = [Passage(i, chunk(i, long)) for i in range(1, 4)]
    out = excerpt_passages("영상 보관 기간", passages, KoreanAnalyzer.shared(), token_budget=120, count_tokens=len)
    assert [p.n for p in out] == [1, 2, 3]
    assert out[0].excerpt and out[1].excerpt and out[2].excerpt == ""
    user = build_messages("영상 보관 기간", out, packaged("childcare"))[-1].content
    assert "[1] 법 제1조" in user and "[2] 법 제2조" in user and "[3]" not in user


def test_the_prompt_shows_statute_text_without_markdown_marks():
    from rag.answer.prompts import format_passage

    from .conftest import passage

    text = ("##### 제23조 (국민건강증진부담금의 부과ㆍ징수 등)\n\n**①** 담배에 다음 각 호의 부담금을 부과한다. "
            "<개정 2014.5.20>\n\n  1\\. 궐련: 20개비당 841원\n  2\\. 전자담배")

    shown = format_passage(passage(1, "제23조", "국민건강증진법", text))

    assert shown == ("[1] 국민건강증진법 제23조 (국민건강증진부담금의 부과ㆍ징수 등)\n"
                     "① 담배에 다음 각 호의 부담금을 부과한다.\n  1. 궐련: 20개비당 841원\n  2. 전자담배")


def test_the_prompt_does_not_repeat_a_section_heading_in_the_label():
    from rag.answer.prompts import build_messages

    from .conftest import passage

    faq = passage(1, "Q 허리둘레는 어떻게 재나요?", "상담 FAQ 사례집",
                  "#### Q 허리둘레는 어떻게 재나요?\n\nA\n\n- 숨을 편안히 내쉰 상태에서 잽니다.")
    untitled = passage(2, "Q 공복 혈당은 언제 재나요?", "상담 FAQ 사례집", "- 아침 식사 전에 잽니다.")
    article = passage(3, "제14조", "영유아보육법", "##### 제14조 (직장어린이집의 설치 등)\n\n사업주는 설치하여야 한다.")
    article2 = passage(4, "제15조", "영유아보육법", "##### 제15조 (어린이집 설치기준)\n\n설치기준을 갖추어야 한다.")

    user = build_messages("허리둘레 재는 법", [faq, untitled, article, article2], packaged("metabolic"))[-1].content

    assert "[1] 상담 FAQ 사례집\nQ 허리둘레는 어떻게 재나요?\nA\n- 숨을 편안히" in user
    assert user.count("Q 허리둘레는 어떻게 재나요?") == 1
    # Without the heading in the text shown, the label keeps the section: the model needs it.
    # A document title already shown is not written again.
    assert "[2] 같은 문서 › Q 공복 혈당은 언제 재나요?" in user
    assert user.count("상담 FAQ 사례집") == 1
    # The model cites articles by their label: always whole, the caption line joined to it.
    assert "[3] 영유아보육법 제14조 (직장어린이집의 설치 등)\n사업주는 설치하여야 한다." in user
    assert "[4] 영유아보육법 제15조 (어린이집 설치기준)\n" in user and "#" not in user
    assert faq.label == "상담 FAQ 사례집 › Q 허리둘레는 어떻게 재나요?"  # readers still see the whole label


def test_excerpts_show_the_model_the_sentences_the_extractive_answer_quoted():
    from rag.answer.excerpts import excerpt_passages
    from rag.retrieval.korean import KoreanAnalyzer

    fines = ("##### 제56조 (과태료)\n\n"
             "**②** 신고를 하지 아니하고 어린이집을 폐지한 자에게는 500만원 이하의 과태료를 부과한다. <개정 2011.6.7, 2013.1.23, 2020.12.29>\n\n"
             "**③** 다음 각 호의 어느 하나에 해당하는 자에게는 300만원 이하의 과태료를 부과한다.\n\n"
             "1\\. 어린이집 설치 인가 사항을 게시하지 아니한 자\n\n"
             "4\\. 폐쇄회로 텔레비전을 설치하지 아니한 자")
    other = "##### 제75조 (과태료)\n\n**③** 다음 각 호의 어느 하나에 해당하는 자에게는 300만원 이하의 과태료를 부과한다."
    passages = [Passage(1, chunk(1, other)), Passage(2, chunk(2, fines))]
    quoted = {2: ["③ 다음 각 호의 어느 하나에 해당하는 자에게는 300만원 이하의 과태료를 부과한다.",
                  "4. 폐쇄회로 텔레비전을 설치하지 아니한 자"]}

    out = excerpt_passages("CCTV를 설치하지 않은 어린이집 과태료는 얼마인가요?", passages, KoreanAnalyzer.shared(),
                           token_budget=150, count_tokens=len, quoted=quoted)

    # Words alone pick ② (어린이집, 설치, 과태료); the quoted lead and item come first and
    # whole, the other passage shares what is left, and no amendment note is cut open.
    evidence = out[1].excerpt
    assert evidence is not None
    assert evidence.endswith("③ 다음 각 호의 어느 하나에 해당하는 자에게는 300만원 이하의 과태료를 부과한다. … "
                             "4. 폐쇄회로 텔레비전을 설치하지 아니한 자")
    assert "<개정" not in evidence and "<개정" not in out[0].prompt_text
    assert [p.n for p in out] == [1, 2]
