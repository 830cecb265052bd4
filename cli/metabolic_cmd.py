"""`seoul-assist metabolic …`: the 대사증후군 상담 매뉴얼's tools.

    seoul-assist metabolic assess FILE.json|FILE.jsonl [--survey SURVEY.json] [--llm MODE] [--json]
    seoul-assist metabolic purge-history [--days N]     # saved assessments past the retention, now
    seoul-assist metabolic rotate-history-key           # re-seal saved assessments with history_key

With an index, each classified record also gets its counselling passages from the
programme's guides; with --llm naming a model, a verified personal summary of them too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appcontext import AppContext
from assistants.metabolic.criteria import builtin_criteria
from assistants.metabolic.service import (AssessInputError, Summarise, assess_all, counsel_with, counselling_guide,
                                          criteria_for, parse_records_text, parse_surveys_text)
from assistants.metabolic.summary import summarise

from .ask_cmd import LLM_MODES
from .common import context_from, read_text_file, settings_from

_MARK = {True: "해당", False: "해당 없음", None: "판정 불가"}
_FACTOR_NAMES = {"waist": "복부비만(허리둘레)", "bp": "높은 혈압", "glucose": "높은 혈당", "tg": "높은 중성지방",
                 "hdl": "낮은 HDL 콜레스테롤"}


def register(sub) -> None:
    p = sub.add_parser("metabolic", help="대사증후군 상담 매뉴얼 도구 (검진 결과 분류)")
    tools = p.add_subparsers(dest="tool", required=True, metavar="TOOL")
    a = tools.add_parser("assess", help="검진 결과로 위험요인·군·재검진 주기를 분류 (2025 서울특별시 대사증후군 관리사업 안내서 기준)")
    a.add_argument("file", type=Path, metavar="FILE", help="참여자 기록: JSON 객체, JSON 목록 또는 JSONL")
    a.add_argument("--survey", type=Path, metavar="SURVEY.json", help="기초설문 (한 명 또는 목록; id 또는 이름으로 짝지음)")
    a.add_argument("--llm", choices=LLM_MODES,
                   help="상담 요약(AI 생성 초안)을 만들 언어 모델 (없거나 extractive면 요약 없이 상담 내용 발췌만)")
    a.add_argument("--json", action="store_true", help='JSON으로 출력: {"results": [...]}')
    a.set_defaults(handler=run_assess)
    purge = tools.add_parser("purge-history",
                             help="보존 기간(metabolic.history_days)이 지난 저장된 검사 기록을 지금 파기합니다")
    purge.add_argument("--days", type=int, help="이 날짜 수보다 오래된 기록 (기본: 설정값)")
    purge.set_defaults(handler=run_purge_history)
    rotate = tools.add_parser("rotate-history-key",
                              help="저장된 검사 기록을 모두 현재 키(metabolic.history_key)로 다시 암호화합니다 "
                                   "(예전 키는 metabolic.history_previous_keys에)")
    rotate.set_defaults(handler=run_rotate_history_key)


def run_assess(args: argparse.Namespace) -> int:
    records = parse_records_text(_read(args.file, "file"), "file")
    surveys = parse_surveys_text(_read(args.survey, "survey"), "survey") if args.survey else []
    results = _assess(args, records, surveys)
    if args.json:
        print(json.dumps({"results": results}, ensure_ascii=False, indent=2))
    else:
        for number, result in enumerate(results):
            if number:
                print()
            print_result(result)
    return 1 if any("errors" in r for r in results) else 0


def _history(args: argparse.Namespace):
    """The saved assessments over the server's database (the operator's shell; audited as cli)."""
    from api.services.container import Services
    from assistants.metabolic.history import history_of

    svc = Services(settings_from(args))
    return svc, history_of(svc)


def run_purge_history(args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 1:
        print("오류: --days는 1 이상이어야 합니다", file=sys.stderr)
        return 2
    svc, history = _history(args)
    try:
        days = args.days if args.days is not None else history.retention_days
        if days <= 0:
            print("보존 기간이 0(삭제할 때까지 보관)으로 설정되어 파기하지 않았습니다. --days로 정하세요")
            return 0
        gone = history.purge(days, actor="cli")
        print(f"{days}일이 지난 검사 기록 {gone}건을 파기했습니다")
        return 0
    finally:
        svc.close()


def run_rotate_history_key(args: argparse.Namespace) -> int:
    svc, history = _history(args)
    try:
        count = history.rotate_key(actor="cli")
        print(f"검사 기록 {count}건을 현재 키(metabolic.history_key)로 다시 암호화했습니다. "
              "이제 metabolic.history_previous_keys에서 예전 키를 지워도 됩니다")
        return 0
    finally:
        svc.close()


def _read(path: Path, field: str) -> str:
    return read_text_file(path, lambda message: AssessInputError(field, message))


def _assess(args: argparse.Namespace, records: list, surveys: list) -> list[dict]:
    # Only an index that exists is opened: without one the built-in table is used (and
    # said so), and there are no guides to counsel from.
    settings = settings_from(args)
    if not settings.index_dir.exists():
        return assess_all(records, builtin_criteria(), surveys)
    ctx = context_from(args, **({"llm": {"mode": args.llm}} if args.llm else {}))
    try:
        spec = ctx.assistants.require("metabolic")
        criteria = criteria_for(ctx.retriever, spec.collection, ctx.state)
        counsel = counsel_with(counselling_guide(ctx.retriever, ctx.state), spec.collection,
                               _summariser(ctx, spec.role) if args.llm not in (None, "extractive") else None)
        return assess_all(records, criteria, surveys, counsel)
    finally:
        ctx.close()


def _summariser(ctx: AppContext, role: str) -> Summarise | None:
    llm = ctx.answers.llm()
    if llm is None:
        print("알림: 언어 모델을 쓸 수 없어 상담 요약 없이 상담 내용(발췌)만 보여 드립니다.", file=sys.stderr)
        return None

    def summary(sections, result: dict, survey) -> dict | None:
        return summarise(llm, ctx.analyzer, ctx.settings, role, sections, result, survey)

    return summary


def print_result(result: dict) -> None:
    print(f"[{result['id']}] {result['kind']}")
    if "errors" in result:
        print("  분류하지 못했습니다:")
        for error in result["errors"]:
            print(f"  - {error['message']}")
        print(f"  ※ {result['notice']}")
        return
    for referral in result["referrals"]:
        print(f"  ▶ {referral['kind']}: {referral['reason']}")
        if referral.get("contacts"):
            print(f"    상담창구: {', '.join(referral['contacts'])}")
    print(f"  군: {result['group'] or '판정 불가'} (위험요인 {result['risk_factor_count']}개)")
    for factor, present in result["risk_factors"].items():
        detail = result["undetermined"].get(factor) or _thresholds(result, factor)
        print(f"  - {_FACTOR_NAMES[factor]}: {_MARK[present]}" + (f" — {detail}" if detail else ""))
    if result["group"] is None and "group" in result["undetermined"]:
        print(f"  군 판정 불가: {result['undetermined']['group']}")
    if result["recheck_months"]:
        print(f"  재검진: {', '.join(f'{m}개월' for m in result['recheck_months'])}")
    if result["sms"]:
        sms = result["sms"]
        awareness = f"{sms['awareness_per_month']}회/월" if sms["awareness_per_month"] else "-"
        print(f"  SMS: 건강관리 {sms['health_management_per_month']}회/월, 건강인지 {awareness}, "
              f"방문일자 알림 {sms['visit_reminders']}회")
    if result["care_plan"]:
        print(f"  {result['care_plan']['service']}: {result['care_plan']['staff']}")
    for warning in result["warnings"]:
        print(f"  주의: {warning['message']}")
    _print_counselling(result)
    cited = {_cite(b["citation"]) for b in result["basis"] if b.get("citation")}
    print("  근거: " + "; ".join(sorted(cited)))
    print(f"  기준 출처: {result['criteria_source']['note']}")
    print(f"  ※ {result['notice']}")


def _print_counselling(result: dict) -> None:
    summary = result.get("counselling_summary")
    if summary and summary["text"]:
        print(f"  상담 요약 ({summary['status']}):")
        for line in summary["text"].splitlines():
            print(f"    {line}")
        for citation in summary["citations"]:
            print(f"    [{citation['n']}] {citation['label']}")
    elif summary:
        print(f"  상담 요약: {summary['notice']}")
    for entry in result.get("counselling", ()):
        print(f"  상담 내용 · {entry['title']} ({entry['why']})")
        for passage in entry["passages"]:
            print(f"    [{passage['n']}] {passage['area']} — {passage['label']}")
            for line in passage["text"].splitlines():
                print(f"        {line}")


def _thresholds(result: dict, factor: str) -> str:
    parts = [f"{b['value']}{' ' + b['unit'] if b.get('unit') else ''} ({b['threshold']})"
             for b in result["basis"] if b.get("rule") == factor]
    return ", ".join(parts)


def _cite(citation: dict) -> str:
    heading = citation["heading"].split(" › ")[-1]
    table = f" {citation['table']}" if citation.get("table") else ""
    return f"{citation['document']} › {heading}{table}"
