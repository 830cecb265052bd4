"""`seoul-assist ask "질문" [--assistant NAME] [--llm MODE] [--groups G] [--json]`: the
quoted answer at once, the generated one as it streams, then the verified answer with
its sources."""

from __future__ import annotations

import argparse
import json
import sys

from rag.access import PUBLIC, AccessScope
from rag.answer.types import Answer

from .common import context_from

LLM_MODES = ["extractive", "embedded", "llamacpp", "openai", "vllm", "vllm-local", "fake"]


def register(sub) -> None:
    p = sub.add_parser("ask", help="문서에 근거한 답변 (출처 표시)")
    p.add_argument("question", help="질문")
    p.add_argument("--assistant", default="general", help="도우미 이름 (목록: seoul-assist assistants; 기본: general)")
    p.add_argument("--llm", choices=LLM_MODES, help="답변 생성 방식 (기본: 설정의 llm.mode)")
    p.add_argument("--groups", default="", help="읽을 수 있는 접근 그룹, 쉼표로 구분 (public 문서는 항상 포함)")
    p.add_argument("--json", action="store_true", help="최종 답변을 JSON으로 출력")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    overrides = {"llm": {"mode": args.llm}} if args.llm else {}
    ctx = context_from(args, **overrides)
    try:
        collection = ctx.assistants.require(args.assistant).collection
        scope = AccessScope(groups=tuple(g.strip() for g in args.groups.split(",") if g.strip()))
        if args.json:
            answer = ctx.answers.answer(args.question, assistant=args.assistant, collection=collection,
                                        scope=scope)
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2, default=str))
            return 0
        print_streamed_answer(ctx, args.question, args.assistant, collection, scope)
        return 0
    finally:
        ctx.close()


def print_streamed_answer(ctx, question: str, assistant: str, collection: str,
                          scope: AccessScope = PUBLIC) -> Answer:
    """Print the quoted answer at once, the generated one as it streams, then the verified
    answer and its sources (the CLI's view of AnswerService.stream)."""
    final: Answer | None = None
    streaming = False
    for event in ctx.answers.stream(question, assistant=assistant, collection=collection, scope=scope):
        if event.type == "extractive" and event.answer and not event.answer.abstained:
            print("[문서 발췌]")
            print(event.answer.text, flush=True)
        elif event.type == "token":
            if not streaming:
                print("\n[답변 생성 중]", flush=True)
                streaming = True
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif event.type == "final":
            final = event.answer
    assert final is not None  # the service always ends with a final event
    if streaming:
        print()
    print_final(final, show_text=streaming or final.abstained)
    return final


def print_final(answer: Answer, show_text: bool = True) -> None:
    if show_text:
        title = "[답변 없음]" if answer.abstained else "[검증된 답변]"
        print(f"\n{title}\n{answer.text}")
    if answer.citations:
        print("\n출처:")
        for c in answer.citations:
            page = f", p. {c.page}" if c.page else ""
            print(f"  [{c.n}] {c.label}  ({c.source}{page})")
    elif answer.abstained and answer.passages:
        print("\n가까운 문서:")
        for p in answer.passages[:3]:
            print(f"  [{p.n}] {p.label}  ({p.chunk.source})")
    if answer.removed:
        print(f"\n문서로 확인되지 않아 뺀 문장 {len(answer.removed)}개:")
        for sentence in answer.removed:
            print(f"  - {sentence}")
    if answer.notice and not answer.abstained:
        print(f"\n알림: {answer.notice}")
