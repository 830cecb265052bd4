"""The test double itself: queued replies, recorded prompts, failures on demand."""

from __future__ import annotations

import pytest

from rag.errors import LLMError
from rag.llm.base import LLM, ChatMessage, GenerationParams, complete
from rag.llm.fake import NO_PASSAGE_REPLY, FakeLLM

SYSTEM = ChatMessage("system", "자료만 근거로 답하세요.")


def ask(question: str) -> list[ChatMessage]:
    return [SYSTEM, ChatMessage("user", question)]


def test_queued_replies_stream_in_small_pieces_and_prompts_are_recorded():
    llm = FakeLLM(["첫 번째 답입니다.", "둘째"])
    params = GenerationParams(max_tokens=50, stop=("\n",))

    pieces = list(llm.stream(ask("하나"), params))
    second = complete(llm, ask("둘"))

    assert isinstance(llm, LLM)
    assert "".join(pieces) == "첫 번째 답입니다." and len(pieces) > 1
    assert all(1 <= len(p) <= 3 for p in pieces)
    assert second == "둘째"
    assert [p[-1].content for p in llm.prompts] == ["하나", "둘"]
    assert llm.last_prompt[0] == SYSTEM
    assert llm.params[0] is params and llm.params[1] == GenerationParams()


def test_a_callable_answers_every_prompt():
    llm = FakeLLM(lambda messages: f"질문은 {messages[-1].content}")

    assert complete(llm, ask("CCTV")) == "질문은 CCTV"
    llm.queue("큐가 먼저")
    assert complete(llm, ask("x")) == "큐가 먼저"


def test_default_reply_cites_the_first_sentence_of_passage_one():
    prompt = ("[1] 영유아보육법 제15조의4: 어린이집을 설치·운영하는 자는 폐쇄회로 텔레비전을 설치·관리하여야 한다. "
              "다만, 보호자 전원이 반대하면 그러하지 아니하다.\n[2] 다른 조문이다.\n\n질문: CCTV를 달아야 하나요?")

    reply = complete(FakeLLM(), ask(prompt))

    assert reply == "영유아보육법 제15조의4: 어린이집을 설치·운영하는 자는 폐쇄회로 텔레비전을 설치·관리하여야 한다. [1]"
    assert complete(FakeLLM(), ask("자료 없는 질문")) == NO_PASSAGE_REPLY


def test_default_reply_skips_the_label_line_of_a_passage():
    prompt = ("[문서]\n[1] 테스트법 제3조 (폐쇄회로 텔레비전의 설치)\n어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 "
              "설치하여야 한다. 원장은 영상을 60일 이상 보관하여야 한다.\n\n[2] 테스트법 제4조\n급식.\n[문서 끝]\n\n"
              "[질문]\nCCTV?")

    assert complete(FakeLLM(), ask(prompt)) == "어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 한다. [1]"


def test_fail_next_raises_once_before_or_after_some_pieces():
    llm = FakeLLM(["가나다라마바사", "가나다라마바사", "다시 정상"])
    llm.fail_next("서버 다운")
    llm.fail_next("중간에 끊김", after_pieces=2)

    with pytest.raises(LLMError, match="서버 다운"):
        next(llm.stream(ask("a"), GenerationParams()))
    received = []
    with pytest.raises(LLMError, match="중간에 끊김"):
        for piece in llm.stream(ask("b"), GenerationParams()):
            received.append(piece)

    assert received == ["가나다", "라마바"]
    assert complete(llm, ask("c")) == "다시 정상"
    assert len(llm.prompts) == 3  # failed calls are recorded too


def test_counts_tokens_conservatively():
    llm = FakeLLM(context_window=2048)

    assert llm.context_window == 2048
    assert llm.count_tokens("어린이집 폐쇄회로 텔레비전") >= 15  # Qwen2.5's tokenizer: 15


def test_a_held_reply_stops_after_the_pieces_asked_until_released():
    import threading

    llm = FakeLLM(["가나다라마바"], piece_chars=2)
    (release,) = llm.hold_next(1)
    first = threading.Event()
    got: list[tuple[str, bool]] = []  # each piece, and whether it came after the release

    def consume():
        for piece in llm.stream([], GenerationParams()):
            got.append((piece, release.is_set()))
            first.set()

    runner = threading.Thread(target=consume)
    runner.start()
    assert first.wait(5)
    release.set()
    runner.join(5)
    assert got == [("가나", False), ("다라", True), ("마바", True)]
