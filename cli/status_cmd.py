"""`seoul-assist status`: what each collection holds and how much of it is embedded."""

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
            docs = ctx.state.documents(spec.collection)
            done, total = ctx.state.progress(spec.collection)
            share = f"{100 * done / total:.0f}%" if total else "—"
            print(f"{spec.name:10s} {spec.title}: 문서 {len(docs)}개, 청크 {total}개, 임베딩 {share}")
        return 0
    finally:
        ctx.close()
