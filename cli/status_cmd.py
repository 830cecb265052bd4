"""`seoul-assist status`: what each collection holds and how much of it is embedded: each
assistant's own, then (indented) the example collections its tools search, such as the RFP
drafter's past notices, which chat never searches but which must be indexed too."""

from __future__ import annotations

import argparse

from .common import context_from


def register(sub) -> None:
    p = sub.add_parser("status", help="컬렉션별 문서 수와 임베딩 진행률")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    try:
        for spec in ctx.assistants.values():
            print(f"{spec.name:10s} {spec.title}: {_holdings(ctx, spec.collection)}")
            for name, _ in spec.example_collections:
                print(f"{'':10s}   └ 예시 {name}: {_holdings(ctx, name)}")
        return 0
    finally:
        ctx.close()


def _holdings(ctx, collection: str) -> str:
    docs = ctx.state.documents(collection)
    done, total = ctx.state.progress(collection)
    share = f"{100 * done / total:.0f}%" if total else "—"
    return f"문서 {len(docs)}개, 청크 {total}개, 임베딩 {share}"
