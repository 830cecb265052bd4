"""`seoul-assist general …`: the 범용 업무매뉴얼's tools, one subcommand each.

    seoul-assist general deadline --received 2026-02-12[T15:00] --period 7일|3일|2주|즉시
                                  [--exclude 2026-02-13..2026-02-14]... [--json]
    seoul-assist general check-document 초안.hwpx|.docx|.txt [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from assistants.general.article_texts import IndexedArticles
from assistants.general.deadline import ArticleLookup, Deadline, cite_articles, compute_deadline
from assistants.general.document_check import RULE_LABELS, Finding, check_path, findings_json
from rag.config import Settings

from .common import context_from, settings_from

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser("general", help="범용 업무매뉴얼 도구 (민원 처리기간 계산, 공문서 검토)")
    tools = p.add_subparsers(dest="tool", required=True, metavar="TOOL")
    _register_deadline(tools)
    _register_check_document(tools)


# --- deadline: 민원 처리기간 계산 ---

def _register_deadline(tools) -> None:
    p = tools.add_parser("deadline", help="민원 처리기한 계산 (민원 처리에 관한 법률 제19조, 시행령 제19조·제20조)")
    p.add_argument("--received", required=True, help="접수 일시: 2026-02-12 또는 2026-02-12T15:00")
    p.add_argument("--period", required=True, help="처리기간: 즉시, 3일, 7일, 2주, 1개월, 1년")
    p.add_argument("--exclude", action="append", default=[], metavar="시작..끝",
                   help="처리기간에 넣지 않는 기간 (보완 기간 등, 시행령 제20조): 2026-02-13..2026-02-14; 여러 번 쓸 수 있음")
    p.add_argument("--json", action="store_true", help="JSON으로 출력")
    p.set_defaults(handler=run_deadline)


def run_deadline(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    deadline = compute_deadline(args.received, args.period, args.exclude,
                                extra_holidays=settings.general.extra_holidays)
    _with_article_texts(args, settings, deadline)
    if args.json:
        print(json.dumps(deadline.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_deadline(deadline)
    return 0


def _with_article_texts(args: argparse.Namespace, settings: Settings, deadline: Deadline) -> None:
    # Only an index that exists is opened: without one the basis names the articles alone.
    if not settings.index_dir.exists():
        return
    ctx = context_from(args)
    try:
        lookup: ArticleLookup = IndexedArticles(ctx.retriever, ctx.assistants.require("general").collection)
        cite_articles(deadline, lookup)
    finally:
        ctx.close()


def print_deadline(deadline: Deadline) -> None:
    data = deadline.to_dict()
    print(f"처리기한: {data['due']} ({data['unit']} 단위, 처리기간 {data['period']}, 접수 {data['received']})")
    for note in data["notes"]:
        print(f"  - {note}")
    if data["skipped"]:
        print("산입하지 않은 날:")
        for day in data["skipped"]:
            print(f"  - {day['date']}: {day['reason']}")
    print("근거:")
    for basis in data["basis"]:
        effective = f" (시행 {basis['effective_date']})" if basis.get("effective_date") else ""
        print(f"  - {basis['label']}{effective}: {basis['summary']}")


# --- check-document: 공문서 검토 ---

def _register_check_document(tools) -> None:
    p = tools.add_parser("check-document",
                         help="공문서 초안 검토: 항목 구분·금액·날짜·시각 (행정업무의 운영 및 혁신에 관한 규정 제7조, 시행규칙 제2조)")
    p.add_argument("file", type=Path, metavar="FILE", help="검토할 초안: .txt, .docx, .hwpx (1 MB 미만)")
    p.add_argument("--json", action="store_true", help='JSON으로 출력: {"findings": [...]}')
    p.set_defaults(handler=run_check_document)


def run_check_document(args: argparse.Namespace) -> int:
    findings = check_path(args.file)
    if args.json:
        print(json.dumps(findings_json(findings), ensure_ascii=False, indent=2))
    else:
        # A DOCX/HWPX finding's number counts paragraphs; a text file's counts lines.
        print_findings(findings, "줄" if args.file.suffix.lower() == ".txt" else "문단")
    return 0


def print_findings(findings: list[Finding], unit: str = "줄") -> None:
    if not findings:
        print("지적 사항이 없습니다 (항목 구분·금액·날짜·시각).")
        return
    for f in findings:
        print(f"{f.line}번째 {unit} [{RULE_LABELS[f.rule]}] '{f.text}' → '{f.suggestion}': {f.message} (근거: {f.basis})")
