"""The embedded llama.cpp backend. The smoke test runs the real packaged model (slow:
assembles the 1.1 GB GGUF into var/cache the first time, then loads it)."""

from __future__ import annotations

import os
import re
import time

import httpx
import pytest

from rag.config import load_settings
from rag.llm.base import ChatMessage, GenerationParams
from rag.llm.embedded import EmbeddedLLM, cpu_has_avx2, repack_weights, usable_cores
from rag.llm.tokens import estimate_tokens

SYSTEM = ("당신은 서울시 공무원을 돕는 업무 도우미입니다. 아래 번호가 붙은 자료만 근거로 한국어로 답하세요. "
          "문장마다 근거 자료 번호를 [1]처럼 붙이고, 자료에 없는 내용은 지어내지 마세요.")
PASSAGE = ("[1] 영유아보육법 제15조의4(폐쇄회로 텔레비전의 설치 등): 어린이집을 설치·운영하는 자는 "
           "아동학대 방지 및 어린이집 안전을 위하여 폐쇄회로 텔레비전을 설치·관리하여야 한다. "
           "녹화된 영상은 60일 이상 보관하여야 한다.")


def test_usable_cores_stay_within_the_affinity():
    assert 1 <= usable_cores() <= len(os.sched_getaffinity(0))


def test_avx2_is_read_from_the_cpu_flags(tmp_path):
    avx_only = tmp_path / "avx"
    avx_only.write_text("processor\t: 0\nflags\t\t: fpu sse4_2 avx f16c fma\n")
    with_avx2 = tmp_path / "avx2"
    with_avx2.write_text("processor\t: 0\nflags\t\t: fpu avx avx2 avx512f\n")
    assert not cpu_has_avx2(avx_only)
    assert cpu_has_avx2(with_avx2)
    assert not cpu_has_avx2(tmp_path / "missing")


def test_weights_are_repacked_only_where_avx2_kernels_exist_unless_set():
    assert repack_weights(None, has_avx2=True)
    assert not repack_weights(None, has_avx2=False)
    assert repack_weights(True, has_avx2=False)
    assert not repack_weights(False, has_avx2=True)


def ask(llm: EmbeddedLLM, question: str) -> tuple[str, float, float, int]:
    """(answer, seconds to the first piece, pieces per second after it, pieces)."""
    messages = [ChatMessage("system", SYSTEM), ChatMessage("user", f"{PASSAGE}\n\n질문: {question}")]
    started = time.monotonic()
    first = None
    pieces = []
    for piece in llm.stream(messages, GenerationParams(max_tokens=120)):
        first = first or time.monotonic()
        pieces.append(piece)
    ended = time.monotonic()
    assert first is not None
    rate = (len(pieces) - 1) / (ended - first) if ended > first else 0.0
    return "".join(pieces), first - started, rate, len(pieces)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_real_model_answers_in_korean_from_the_passage(capsys):
    started = time.monotonic()
    llm = EmbeddedLLM.from_settings(load_settings("local"))
    ready = time.monotonic() - started

    answer, ttft, rate, n = ask(llm, "어린이집에는 무엇을 설치해야 하나요?")
    again, ttft_cached, rate2, n2 = ask(llm, "녹화 영상은 며칠 동안 보관해야 하나요?")

    with capsys.disabled():
        print(f"\n[embedded] threads={llm.threads} ready={ready:.1f}s")
        print(f"[embedded] 1st: TTFT {ttft:.2f}s, {rate:.1f} tok/s, {n} pieces: {answer!r}")
        print(f"[embedded] 2nd (cached system prompt + passage): TTFT {ttft_cached:.2f}s, "
              f"{rate2:.1f} tok/s, {n2} pieces: {again!r}")
    assert re.search("[가-힣]", answer)
    assert "폐쇄회로" in answer or "CCTV" in answer
    assert "60" in again
    # Only the new question was evaluated the second time.
    assert ttft_cached < ttft
    # The model's own tokenizer answers, and the estimate used elsewhere is not below it.
    for text in (SYSTEM, PASSAGE):
        assert 0 < llm.count_tokens(text) <= estimate_tokens(text)

    # What the chat stream leaves out (log-probabilities, for benchmarks/answerability_judge.py)
    # comes from the same loaded model through its loopback endpoint, behind its key.
    url, key = llm.loopback_endpoint()
    body = {"messages": [{"role": "user", "content": "대한민국의 수도는 서울입니까? 예 또는 아니오로 답하세요."}],
            "max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 5}
    reply = httpx.post(f"{url}/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"},
                       timeout=120).json()
    assert len(reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]) == 5
    assert httpx.post(f"{url}/chat/completions", json=body, timeout=120).status_code == 401
