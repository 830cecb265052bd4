"""`seoul-assist demo`: the main job until the intranet server exists. Index the sample
corpora (and ../shared/corpora when present), answer a sample question per assistant
from BM25 at once, embed, then answer each with the answer service (quoted answer at once,
the configured model's answer streamed after it, sources verified)."""

from __future__ import annotations

import argparse

from ingest.corpus import ingest_corpora
from rag.assistants import Assistants

from .ask_cmd import LLM_MODES, print_streamed_answer
from .common import context_from, show_progress
from .ingest_cmd import print_report
from .search_cmd import print_chunks

def register(sub) -> None:
    p = sub.add_parser("demo", help="코퍼스를 색인하고 예시 질문에 답합니다 (기본 작업)")
    p.add_argument("--question", help="직접 물어볼 질문 (general 도우미)")
    p.add_argument("--no-embed", action="store_true", help="임베딩 없이 BM25 검색만")
    p.add_argument("--llm", choices=LLM_MODES, help="답변 생성 방식 (기본: 설정의 llm.mode)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    ctx = context_from(args, **({"llm": {"mode": args.llm}} if args.llm else {}))
    progress = show_progress()
    try:
        settings = ctx.settings
        print("코퍼스:", ", ".join(f"{r} ({'있음' if r.is_dir() else '없음, 건너뜀'})" for r in settings.corpus_roots))
        assistants = ctx.assistants
        reports = ingest_corpora(ctx.ingest, assistants, settings.corpus_roots, uploads_dir=settings.uploads_dir,
                                 progress=progress)
        for report in reports.values():
            print_report(report)
        questions = {"general": args.question} if args.question else sample_questions(assistants)
        _answer(ctx, assistants, questions, "BM25 검색 (임베딩 전)", mode="sparse")
        if args.no_embed:
            return 0
        for name in reports:
            ctx.ingest.embed_pending(name, progress=progress)
            done, total = ctx.state.progress(name)
            print(f"[{name}] 임베딩 {done}/{total}")
        for assistant, question in questions.items():
            print(f"\n=== {assistants[assistant].title} — 답변\n질문: {question}")
            print_streamed_answer(ctx, question, assistant, assistants[assistant].collection)
        return 0
    finally:
        ctx.close()


def sample_questions(assistants: Assistants) -> dict[str, str]:
    """The first sample question of each assistant that has one (its assistant.yaml)."""
    return {name: spec.sample_questions[0] for name, spec in assistants.items() if spec.sample_questions}


def _answer(ctx, assistants: Assistants, questions: dict[str, str], label: str, mode: str | None) -> None:
    for assistant, question in questions.items():
        print(f"\n=== {assistants[assistant].title} — {label}\n질문: {question}")
        print_chunks(ctx.retriever.search(question, assistants[assistant].collection, k=3, mode=mode))
