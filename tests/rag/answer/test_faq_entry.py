"""Which FAQ entry's own question is the user's: the closest question title, only when clearly closest."""

from __future__ import annotations

from dataclasses import replace

from rag.answer.faq_entry import cites_entry, closest_title_rank, question_entry
from rag.answer.citations import citation_for
from rag.answer.types import Passage

from .conftest import CCTV, PENALTY, passage

DENIAL = "Q 검사 결과 수용을 거부하는 경우 어떻게 상담을 해야할까요?"
WORKOUT = "Q 자신만의 운동 방식을 고집하고 있는 경우는 어떻게 하죠?"


def faq(n: int, locator: str, similarity: float | None, text: str = "A\n\n- 답변입니다.") -> Passage:
    p = passage(n, locator, "상담 FAQ 사례집", f"#### {locator}\n\n{text}")
    return Passage(n, replace(p.chunk, title_similarity=similarity))


def test_the_clearly_closest_question_title_is_the_question_s_entry():
    passages = [faq(1, WORKOUT, 0.868), faq(2, DENIAL, 0.899), faq(3, "3) 운동형태", None)]
    assert closest_title_rank(passages) == 1
    assert question_entry(passages) is passages[1]


def test_a_near_tie_names_no_entry():
    # 0.005 apart: on the metabolic dev suites the closest title was the right entry in
    # only about half of such cases.
    passages = [faq(1, WORKOUT, 0.894), faq(2, DENIAL, 0.899)]
    assert closest_title_rank(passages) == 1
    assert question_entry(passages) is None


def test_chunks_of_the_question_s_entry_do_not_tie_with_it():
    first, second = faq(1, DENIAL, 0.899), faq(2, DENIAL, 0.899, "A\n\n- 답변의 뒷부분입니다.")
    passages = [first, second, faq(3, WORKOUT, 0.85)]
    assert question_entry(passages) is first


def test_a_caption_or_section_title_is_not_an_faq_question():
    captions = [Passage(1, replace(passage(1, "제15조의4", "영유아보육법", CCTV).chunk, title_similarity=0.95)),
                Passage(2, replace(passage(2, "제54조", "영유아보육법", PENALTY).chunk, title_similarity=0.80))]
    assert closest_title_rank(captions) == 0
    assert question_entry(captions) is None
    assert question_entry([faq(1, "1) 운동상담", 0.95), faq(2, WORKOUT, 0.80)]) is None
    assert question_entry([faq(1, DENIAL, None)]) is None  # the re-rank did not run


def test_citing_any_chunk_of_the_entry_cites_it():
    entry, later, other = faq(1, DENIAL, 0.9), faq(2, DENIAL, 0.9), faq(3, WORKOUT, 0.8)
    assert cites_entry([citation_for(later)], entry)
    assert not cites_entry([citation_for(other)], entry)
