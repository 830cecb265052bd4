"""Text written from passages for a task (rag/answer/grounded.py): the same verification as
chat answers, so an invented sentence never reaches the reader, streamed or final; the
prompt is the grounding rules, the task's layout rules, the numbered passages and the task."""

from __future__ import annotations

import pytest

from rag.answer import prompts
from rag.answer.grounded import (NOTHING_VERIFIED, generate_grounded, grounded_messages, personal_data_allowed,
                                 stream_grounded)
from rag.config import load_settings
from rag.errors import LLMError
from rag.llm.fake import FakeLLM

SUPPORTED = "어린이집을 설치·운영하는 자는 폐쇄회로 텔레비전에 기록된 영상정보를 60일 이상 보관하여야 합니다 [1]."
INVENTED = "보관 기간을 넘기면 원장은 즉시 해임됩니다 [1]."
ROLE = "시험용 상담 도우미"
LAYOUT = ("쉬운 말로 2문장 쓰십시오.",)


def test_an_unsupported_sentence_is_removed_and_the_supported_one_cited(childcare, analyzer):
    llm = FakeLLM([f"{SUPPORTED} {INVENTED}"])
    result = generate_grounded(llm, analyzer, childcare, "영상 보관 안내를 써 주십시오.", role=ROLE, layout=LAYOUT)
    assert "60일 이상 보관" in result.text and "해임" not in result.text
    assert [c.n for c in result.citations] == [1] and result.citations[0].chunk_id == "chunk-1"
    assert any("해임" in s for s in result.removed)
    assert result.notice == "문서로 확인되지 않은 문장 1개를 뺐습니다."
    assert result.generated.endswith(INVENTED) and result.llm == "fake"


def test_nothing_backed_shows_nothing(childcare, analyzer):
    result = generate_grounded(FakeLLM([INVENTED]), analyzer, childcare, "안내", role=ROLE)
    assert result.text == "" and result.citations == [] and result.notice == NOTHING_VERIFIED
    not_found = generate_grounded(FakeLLM([prompts.NOT_FOUND]), analyzer, childcare, "안내", role=ROLE)
    assert not_found.text == "" and not_found.notice


def test_streaming_checks_each_finished_sentence(childcare, analyzer):
    llm = FakeLLM([f"{SUPPORTED}\n{INVENTED}\n"])
    events = list(stream_grounded(llm, analyzer, childcare, "안내", role=ROLE, layout=LAYOUT))
    assert "".join(e.text for e in events if e.type == "token") == f"{SUPPORTED}\n{INVENTED}\n"
    verified = [e for e in events if e.type == "verified"]
    assert verified and all("해임" not in e.result.text for e in verified)
    assert events[-1].type == "final" and "해임" in events[-1].result.removed[0]


def test_a_model_error_is_raised_for_the_caller(childcare, analyzer):
    llm = FakeLLM([SUPPORTED])
    llm.fail_next("연결 끊김", after_pieces=2)
    with pytest.raises(LLMError):
        list(stream_grounded(llm, analyzer, childcare, "안내", role=ROLE))


def test_prompt_is_grounding_rules_layout_passages_and_task(childcare):
    system, user = grounded_messages("영상 보관 안내를 써 주십시오.", childcare, role=ROLE, layout=LAYOUT)
    assert system.content.startswith(f"당신은 {ROLE}입니다.\n규칙:\n1. 아래 [문서]에 적힌 내용만으로")
    assert system.content.endswith("6. 쉬운 말로 2문장 쓰십시오.")
    assert user.content.startswith("[문서]\n[1] 영유아보육법 제15조의4")
    assert user.content.endswith("[문서 끝]\n\n[요청]\n영상 보관 안내를 써 주십시오.")


@pytest.mark.parametrize("mode, allowed, expected", [
    ("embedded", False, True), ("llamacpp", False, True), ("vllm-local", False, True),
    ("openai", False, False), ("vllm", False, False), ("fake", False, False), ("openai", True, True),
])
def test_personal_data_goes_only_to_a_local_model_or_where_allowed(tmp_path, mode, allowed, expected):
    settings = load_settings("test", data_dir=tmp_path, llm={"mode": mode, "base_url": "http://127.0.0.1:9/v1"},
                             answer={"send_pii_to_external_llm": allowed})
    assert personal_data_allowed(settings) is expected
