"""`seoul-assist search "질문" [--assistant NAME] [-k 10] [--json]`."""

from __future__ import annotations

import argparse
import json

from rag.store.base import PointFilter

from .common import context_from


def register(sub) -> None:
    p = sub.add_parser("search", help="색인에서 관련 조문·문단을 찾습니다")
    p.add_argument("query", help="질문")
    p.add_argument("--assistant", default="general", help="도우미 이름 (목록: seoul-assist assistants; 기본: general)")
    p.add_argument("-k", type=int, default=10, help="결과 수 (기본: 10)")
    p.add_argument("--mode", choices=["weighted", "rrf", "dbsf", "sparse", "dense"], help="검색 방식")
    p.add_argument("--include-previous", action="store_true", help="개정 전 조문도 검색")
    p.add_argument("--groups", default="", help="검색할 수 있는 접근 그룹, 쉼표로 구분 (public 문서는 항상 포함)")
    p.add_argument("--json", action="store_true", help="JSON으로 출력")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    try:
        collection = ctx.assistants.require(args.assistant).collection
        groups = tuple(g.strip() for g in args.groups.split(",") if g.strip())
        flt = PointFilter.for_groups(groups, include_previous=args.include_previous)
        chunks = ctx.retriever.search(args.query, collection, k=args.k,
                                      flt=flt, mode=args.mode)
        if args.json:
            print(json.dumps([{"rank": i, "score": round(c.score, 4), "source": c.source, "locator": c.locator,
                               "citation": c.citation, "version": c.version, "text": c.text}
                              for i, c in enumerate(chunks, start=1)], ensure_ascii=False, indent=2))
        else:
            print_chunks(chunks)
        return 0
    finally:
        ctx.close()


def print_chunks(chunks) -> None:
    if not chunks:
        print("관련 문서를 찾지 못했습니다. 먼저 `seoul-assist ingest` 로 문서를 색인하세요.")
    for rank, chunk in enumerate(chunks, start=1):
        body = " ".join(chunk.text.split())
        print(f"{rank:2d}. [{chunk.score:.3f}] {chunk.citation}  ({chunk.source})")
        print(f"    {body[:160]}{'…' if len(body) > 160 else ''}")
