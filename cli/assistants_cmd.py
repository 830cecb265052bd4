"""`seoul-assist assistants [--json]`: the assistants the settings define (one folder each
under `assistants_dir`), as the server, `ask` and the evaluation harness see them."""

from __future__ import annotations

import argparse
import json

from rag.assistants import load_assistants

from .common import settings_from


def register(sub) -> None:
    p = sub.add_parser("assistants", help="정의된 도우미 목록 (assistants/<이름>/assistant.yaml)")
    p.add_argument("--json", action="store_true", help="JSON으로 출력")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Only the definitions: no index, model or store is opened to list them.
    settings = settings_from(args)
    assistants = load_assistants(settings.assistants_dir)
    if args.json:
        print(json.dumps([spec.model_dump(mode="json") for spec in assistants.values()], ensure_ascii=False, indent=2))
        return 0
    print(f"도우미 정의: {settings.assistants_dir}")
    for spec in assistants.values():
        uploads = ", 업로드 가능" if spec.accepts_uploads else ""
        folders = ", ".join(spec.folders) or "(없음)"
        print(f"- {spec.name}: {spec.title} (컬렉션 {spec.collection}{uploads}; 코퍼스 폴더 {folders})")
    return 0
