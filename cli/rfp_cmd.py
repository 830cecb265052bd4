"""`seoul-assist rfp draft …`: a 제안요청서 draft from a JSON file or from options.

    seoul-assist rfp draft --input case.json --out draft.json
    seoul-assist rfp draft --name 사업명 --agency 기관 --agency-type 지방자치단체 --budget 330000000 \\
        --period 6 --summary-file 개요.txt [--project-type 신규 구축] [--vat-excluded] \\
        [--attach 이전_제안요청서.hwpx …] [--llm extractive|embedded|openai|vllm] --out draft.json|draft.docx|draft.hwpx

The format follows the extension of --out; the draft is written whole or not at all. A
progress bar shows each section as it is written (on a terminal)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistants.rfp.draft import PROJECT_TYPES
from assistants.rfp.inputs import RfpInputError, parse_budget_text
from assistants.rfp.service import draft_from_data

from .ask_cmd import LLM_MODES
from .common import context_from, read_text_file, show_progress

OUT_FORMATS = (".json", ".docx", ".hwpx")


def register(sub) -> None:
    p = sub.add_parser("rfp", help="제안요청서 생성 AI 도구 (초안 작성)")
    tools = p.add_subparsers(dest="tool", required=True, metavar="TOOL")
    d = tools.add_parser("draft", help="제안요청서 초안 작성: 법령 규칙은 코드가 계산하고 조문을 인용")
    d.add_argument("--input", type=Path, metavar="CASE.json", help="입력 JSON (폼 형식 또는 rfp_cases.jsonl의 한 줄)")
    d.add_argument("--name", help="사업명")
    d.add_argument("--agency", help="발주기관")
    d.add_argument("--agency-type", help="기관 유형: 국가기관, 지방자치단체, 공공기관, 기타")
    d.add_argument("--budget", help="사업 예산(원), 예: 330000000 또는 330,000,000")
    d.add_argument("--vat-excluded", action="store_true", help="예산이 부가가치세 제외 금액일 때")
    d.add_argument("--period", type=int, help="사업 기간(개월)")
    d.add_argument("--project-type", choices=PROJECT_TYPES, help="사업 유형")
    d.add_argument("--summary-file", type=Path, help="사업 개요 텍스트 파일 (UTF-8)")
    d.add_argument("--issues-file", type=Path, help="현황 및 문제점 텍스트 파일 (선택)")
    d.add_argument("--attach", type=Path, action="append", default=[], metavar="FILE",
                   help="이전 제안요청서·과업지시서(PDF, DOCX, HWP, HWPX): 요구사항을 가져와 씀 (여러 번 지정 가능)")
    d.add_argument("--llm", choices=LLM_MODES, help="문안 작성 방식 (기본: extractive, 모델 없이)")
    d.add_argument("--out", type=Path, required=True, help="결과 파일: .json, .docx 또는 .hwpx")
    d.set_defaults(handler=run_draft)


def run_draft(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() not in OUT_FORMATS:
        raise RfpInputError("--out", f"지원하지 않는 형식입니다 ({args.out.suffix or '확장자 없음'}): "
                                     f"{', '.join(OUT_FORMATS)} 중 하나로 지정해 주세요")
    data, require_budget = inputs_from(args)
    for path in args.attach:
        if not path.is_file():
            raise RfpInputError("--attach", f"첨부 파일 {path}이(가) 없습니다")
    mode = args.llm or "extractive"
    ctx = context_from(args, llm={"mode": mode})
    try:
        draft = draft_from_data(ctx, data, llm=mode != "extractive", progress=_bar if show_progress() else None,
                                require_budget=require_budget, attachments=[(p.name, p) for p in args.attach])
    finally:
        ctx.close()
    if show_progress():
        print(file=sys.stderr)
    write_draft(draft, args.out)
    print(f"초안을 저장했습니다: {args.out} (절 {len(draft.sections)}개, 요구사항 {len(draft.requirements)}건, "
          f"{draft.review.label})")
    for line in draft.assumptions:
        if line.startswith("첨부 파일"):
            print(line, file=sys.stderr)
    if draft.removed_citations:
        print(f"색인에 없어 뺀 인용 {len(draft.removed_citations)}개: {', '.join(draft.removed_citations)} "
              "— 법령 색인(seoul-assist ingest --corpora)을 확인하세요", file=sys.stderr)
    return 0


def inputs_from(args: argparse.Namespace) -> tuple[dict[str, Any], bool | None]:
    """The input object: the --input file, with any option given on the line over it."""
    data: dict[str, Any] = {}
    if args.input:
        data = _read_json(args.input)
    options = {"project_name": args.name, "agency": args.agency, "agency_type": args.agency_type,
               "period_months": args.period, "project_type": args.project_type}
    data.update({k: v for k, v in options.items() if v is not None})
    if args.budget is not None:
        data["budget_krw"] = parse_budget_text(args.budget)
    if args.vat_excluded:
        data["vat_included"] = False
    if args.summary_file:
        data["summary"] = _read_text(args.summary_file, "--summary-file")
    if args.issues_file:
        data["current_issues"] = _read_text(args.issues_file, "--issues-file")
    if not args.input and not data:
        raise RfpInputError("--input", "입력 JSON(--input) 또는 --name, --agency, --budget, --summary-file을 주세요")
    # A suite line may lack the budget; options typed on the line may not.
    return data, None if args.input else True


def write_draft(draft, out: Path) -> None:
    """By the extension (assistants/rfp/export.py): JSON, DOCX or HWPX, whole or not at all."""
    from assistants.rfp.export import export_draft

    export_draft(draft, out)


def _bar(done: int, total: int, title: str) -> None:
    width = 24
    filled = round(width * done / total)
    sys.stderr.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total} {title[:30]:<30}")
    sys.stderr.flush()


def _read_json(path: Path) -> dict[str, Any]:
    text = _read_text(path, "--input")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RfpInputError("--input", f"{path}이(가) 올바른 JSON이 아닙니다 ({exc.lineno}행)") from None
    if not isinstance(data, dict):
        raise RfpInputError("--input", f"{path}에는 JSON 객체 하나가 있어야 합니다")
    return data


def _read_text(path: Path, option: str) -> str:
    return read_text_file(path, lambda message: RfpInputError(option, message))
