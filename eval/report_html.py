"""report.html of a stored run: one self-contained page (no script, stylesheet or font
from outside; charts are inline SVG from eval.svg) with the summary, score and latency
distributions, per-assistant and per-category bars, the failed cases with the reason each
failed, and, for a judged run, who judged (engine and model) and the cases the judge
marked down with its reasons. Everything taken from the run is escaped: answers may contain HTML."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from rag.assistants import load_assistants
from rag.config.settings import PACKAGED_ASSISTANTS

from .case_metrics import JUDGE_SCORES, judge_value, metric_table
from .failures import KIND_LABELS, diagnose_record
from .metric_keys import lookup
from .metric_lines import summary_lines
from .run_metrics import breakdowns, generation_records, measure, qa_records
from .runs import REPORT_FILE, Run, load_run
from .svg import PALETTE, bar_chart, histogram

log = logging.getLogger(__name__)

STATUS_LABELS = {"running": "실행 중", "done": "완료", "failed": "실패", "interrupted": "중단됨", "unknown": "알 수 없음"}
GROUP_LABELS = {"by_assistant": "도우미별", "by_category": "분류별", "by_suite": "평가 세트별"}
JUDGE_LABELS = {"correctness": "정답성 (LLM 판정)", "faithfulness": "충실성 (LLM 판정)"}
#: What the judge's scores mean under each engine (run.json's judge.engine; none recorded: "prompt").
ENGINE_LABELS = {"prompt": "prompt — 자체 판정 프롬프트(eval/judge.py): 정답성은 0 / 0.5 / 1 등급, "
                           "충실성은 구절이 뒷받침하는 주장의 비율",
                 "ragas": "ragas — FactualCorrectness(f1)·Faithfulness: 정답성은 답변·모범 답안의 주장 단위 F1(0~1 "
                          "연속값, 0/0.5/1 등급이 아님), 충실성은 구절이 뒷받침하는 주장의 비율"}
#: Long answers are folded in the failures table so that a page of them stays readable.
FOLD_CHARS = 160
#: Judge models measured unreliable on eval/data/judge_labels.jsonl (benchmarks/results/judge_agreement*.json).
WEAK_JUDGE_MODES = {"embedded", "llamacpp"}
WEAK_JUDGE_NOTE = ("내장 1.5B 모델의 판정은 믿기 어렵습니다: 손으로 채점한 24문항에서 정답성 일치 54 %(지금 프롬프트), "
                   "충실성은 우연 수준(κ −0.08)이었습니다. 서버 모델(--judge-base-url)로 판정하세요.")

#: Below 640 px (the dashboard's report frame on a phone) the run's facts keep ids and
#: times whole and scroll sideways instead of breaking every few characters.
CSS = """
body{font-family:"Malgun Gothic","Apple SD Gothic Neo","Noto Sans KR",system-ui,sans-serif;margin:0;
 color:#1a202c;background:#f7fafc;font-size:14px;line-height:1.5}
main{max-width:1280px;margin:0 auto;padding:16px 24px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #cbd5e0}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #e2e8f0;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#edf2f7}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.meta td:first-child,.summary td:first-child{width:220px;color:#4a5568}
.summary{max-width:760px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts svg{background:#fff;border:1px solid #e2e8f0;max-width:100%;
 height:auto}
.note{color:#4a5568}.warn{background:#fffaf0;border:1px solid #f6ad55;padding:8px 12px}
.failures td:nth-child(1){width:120px}.failures td:nth-child(3){width:190px}.failures td:nth-child(6){width:200px}
.tag{display:inline-block;background:#fed7d7;color:#742a2a;border-radius:3px;padding:0 6px;margin:1px 0;font-size:12px}
details summary{cursor:pointer}
@media (max-width:640px){main{padding:8px 10px}
 .meta{display:block;overflow-x:auto}.meta td{white-space:nowrap;overflow-wrap:normal}.meta td:first-child{width:auto}}
"""


def write_report(run_dir: Path) -> Path:
    """(Re)write run_dir/report.html from what is stored there; returns its path."""
    run = load_run(run_dir)
    path = run_dir / REPORT_FILE
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(render(run), encoding="utf-8")
    temp.replace(path)
    return path


def write_report_safely(run_dir: Path) -> Path | None:
    """The end of a run: a report that cannot be drawn must not turn a finished run into
    a failed one (`eval report` redraws it once fixed)."""
    try:
        return write_report(run_dir)
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("%s: report.html을 만들지 못했습니다", run_dir)
        return None


def render(run: Run) -> str:
    retrieval_only = run.meta.get("kind") == "retrieval"
    metrics = run.metrics or metrics_from_records(run)
    records = run.records if retrieval_only else qa_records(run.records)
    if not retrieval_only and "by_assistant" not in metrics:
        # metrics.json from before the breakdowns: group the records here.
        metrics = {**metrics, **breakdowns(records, _generating(run))}
    title = f"평가 보고서: {run.info.name or run.info.id}"
    body = [f"<h1>{escape(title)}</h1>", _meta_table(run)]
    if run.metrics is None or run.info.status != "done":
        body.append('<p class="warn">이 실행은 끝나지 않았습니다. 지금까지 기록된 문항으로 계산한 중간 결과입니다. '
                    f"<code>seoul-assist eval run --resume {escape(str(run.info.path))}</code>로 이어서 실행할 수 "
                    "있습니다.</p>")
    body.append("<h2>요약</h2>" + _summary_table(metrics))
    if not retrieval_only:
        body.append("<h2>점수 분포</h2>" + _score_charts(records))
    body.append("<h2>도우미별·분류별</h2>" + _group_charts(metrics, records, retrieval_only))
    body.append("<h2>응답 시간</h2>" + _latency_charts(records, retrieval_only))
    # A generation case (a misclassified participant, say) fails with its scorer's reason.
    body.append(_failures(records if retrieval_only else [*records, *generation_records(run.records)]))
    if _judged(run.meta):
        body.append(_judged_cases(records, run.meta.get("judge") or {}))
    return ("<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")


def metrics_from_records(run: Run) -> dict[str, Any]:
    """For a run that never wrote metrics.json (interrupted): the same blocks from its records."""
    if run.meta.get("kind") == "retrieval":
        return measure(run.records, False, "retrieval")
    generating = _generating(run)
    return {**measure(run.records, generating), **breakdowns(run.records, generating),
            "llm": run.meta.get("llm") or {}}


def _generating(run: Run) -> bool:
    return (run.meta.get("llm") or {}).get("mode") != "extractive"


# --- sections ------------------------------------------------------------------------------

def _meta_table(run: Run) -> str:
    meta = run.meta
    llm = meta.get("llm") or {}
    code = meta.get("code") or {}
    judge = meta.get("judge") or {}
    commit = code.get("commit") or "알 수 없음"
    if code.get("commit") and code.get("dirty"):
        commit += " (커밋되지 않은 변경 있음)"
    done_total = f"{run.info.cases_done}" + (f" / {run.info.cases_total}" if run.info.cases_total else "")
    rows = [
        ("실행 id", run.info.id),
        ("상태", STATUS_LABELS.get(run.info.status, run.info.status)),
        ("시작", meta.get("created", "")),
        ("끝", meta.get("finished", "") or "—"),
        ("평가 세트", ", ".join(f"{s.get('name', '')} ({s.get('cases', '?')}문항)" for s in meta.get("suites", []))),
        ("기록된 문항", done_total),
        ("코퍼스", meta.get("corpus", "")),
        ("언어 모델", f"{llm.get('mode', '')} {llm.get('name', '')}".strip() or "—"),
        ("판정 모델 (judge)", (judge.get("model") or "없음 (오프라인 지표만)")
         + (f" (프롬프트 {judge['prompt_sha256']})" if judge.get("prompt_sha256") else "")
         + (f" — {_judge_source(judge['llm'])}" if isinstance(judge.get("llm"), dict) else "")),
        *([("판정 방식 (judge engine)", _engine_text(judge))] if _judged(meta) else []),
        ("코드 버전", commit),
    ]
    table = _kv_table(rows, "meta")
    judge_llm = judge.get("llm") if isinstance(judge.get("llm"), dict) else {}
    if judge_llm.get("mode") in WEAK_JUDGE_MODES:
        table += f'<p class="warn">{escape(WEAK_JUDGE_NOTE)}</p>'
    return table


def _judge_source(llm: dict[str, Any]) -> str:
    parts = [str(llm.get("mode") or "")]
    if llm.get("base_url"):
        parts.append(str(llm["base_url"]))
    return " ".join(p for p in parts if p)


def _engine_text(judge: dict[str, Any]) -> str:
    engine = str(judge.get("engine") or "prompt")
    text = ENGINE_LABELS.get(engine, engine)
    if judge.get("ragas_version"):
        text += f" (ragas {judge['ragas_version']})"
    return text


def _judged(meta: dict[str, Any]) -> bool:
    return bool((meta.get("judge") or {}).get("model"))


def _summary_table(m: dict[str, Any]) -> str:
    """The metric table's lines (eval.metric_lines), the counts behind them folded below."""
    lines = summary_lines(m)
    rows = [(line.title, line.text) for line in lines if not line.detail]
    a, gen = m.get("answer") or {}, m.get("generation") or {}
    if isinstance(m.get("judge"), dict) and any(name in a for name in JUDGE_SCORES):
        rows.append(("판정 방식", str(m["judge"].get("engine") or "prompt")))
    if gen.get("n"):
        note = f" — {gen['note']}" if gen.get("note") else ""
        rows.append(("생성 문항 (채점 / 건너뜀)", f"{gen.get('scored', 0)} / {gen.get('skipped', 0)}{note}"))
    details = [(line.title, line.text) for line in lines if line.detail]
    folded = f"<details><summary>세부 수치</summary>{_kv_table(details, 'summary')}</details>" if details else ""
    return _kv_table(rows, "summary") + folded


def _score_charts(records: Sequence[dict]) -> str:
    charts = [histogram([r["token_f1"] for r in records if isinstance(r.get("token_f1"), int | float)],
                        title="토큰 F1 분포", lo=0.0, hi=1.0, bins=10)]
    for i, name in enumerate(JUDGE_SCORES, start=1):
        values = [v for r in records if (v := judge_value(r, name)) is not None]
        if values:
            lo, hi = (0.0, 1.0) if max(values) <= 1 else (1.0, 5.0)
            bins = 10 if hi == 1.0 else 4
            charts.append(histogram(values, title=f"{JUDGE_LABELS[name]} 분포", lo=lo, hi=hi, bins=bins,
                                    color=PALETTE[i]))
    return _charts(charts)


def _group_charts(metrics: dict[str, Any], records: Sequence[dict], retrieval_only: bool) -> str:
    """One bar per group for each metric the table charts for this kind of run (a judge
    score only where some group has one)."""
    kind = "retrieval" if retrieval_only else "answers"
    # metrics.json of a retrieval run has no breakdowns: group the records here.
    computed = breakdowns(records, False, "retrieval") if retrieval_only else {}
    charts = []
    for key, label in GROUP_LABELS.items():
        groups = metrics.get(key) or computed.get(key) or {}
        if key == "by_suite" and len(groups) < 2:
            continue
        charted = [m for m in metric_table() if m.bar is not None and m.bar.run == kind
                   and any(lookup(block, m.key)[0] for block in groups.values())]
        # A group of generation cases alone has no question count to show.
        rows = [(_short_name(key, name) + ("" if retrieval_only or "n_total" not in block
                                           else f" (n={block['n_total']})"),
                 [lookup(block, m.key)[1] for m in charted])
                for name, block in groups.items()]
        charts.append(bar_chart(rows, [m.bar.label for m in charted if m.bar], title=label))
    return _charts(charts)


def _latency_charts(records: Sequence[dict], retrieval_only: bool) -> str:
    def values(field: str) -> list[float]:
        return [float(r[field]) for r in records if isinstance(r.get(field), int | float)]

    if retrieval_only:
        return _charts([histogram(values("search_ms"), title="검색 시간 분포", unit="ms")])
    return _charts([histogram(values("ttft_ms"), title="첫 응답(TTFT) 분포", unit="ms"),
                    histogram(values("total_ms"), title="전체 응답 시간 분포", unit="ms", color=PALETTE[1])])


def _failures(records: Sequence[dict]) -> str:
    failed = [_with_failure(r) for r in records]
    failed = [r for r in failed if r.get("failure")]
    head = f"<h2>실패 사례 ({len(failed)} / {len(records)})</h2>"
    if not failed:
        return head + '<p class="note">실패한 문항이 없습니다.</p>'
    kinds = Counter(kind for r in failed for kind in r.get("failure_kinds") or [])
    summary = ""
    if kinds:
        summary = '<p class="note">' + " · ".join(
            f"{escape(KIND_LABELS.get(k, k))} {n}건" for k, n in kinds.most_common()) + "</p>"
    rows = []
    for r in failed:
        sources = _sources(r)
        rows.append(
            "<tr>"
            f"<td>{escape(str(r.get('id', '')))}<br><span class=\"note\">{escape(str(r.get('suite', '')))}</span></td>"
            f"<td>{escape(_group_name('by_assistant', str(r.get('assistant', ''))))}</td>"
            f"<td><span class=\"tag\">{escape(str(r['failure']))}</span></td>"
            f"<td>{escape(str(r.get('question', '')))}</td>"
            f"<td>{_folded(str(r.get('answer', '') or ''))}"
            + (f"<br><span class=\"note\">참고 답: {_folded(str(r.get('reference_answer', '')))}</span>"
               if r.get("reference_answer") else "")
            + f"</td><td>{sources}</td></tr>")
    return (head + summary + '<table class="failures"><thead><tr><th>문항</th><th>도우미</th><th>왜 실패했나</th>'
            "<th>질문</th><th>답변</th><th>출처</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _judged_cases(records: Sequence[dict], judge: dict[str, Any]) -> str:
    """The cases the judge scored below full marks (or could not score), worst first,
    with its reasons: where to read the answers the judge disliked."""
    marked = []
    for r in records:
        verdict = r.get("judge") if isinstance(r.get("judge"), dict) else {}
        if not verdict or verdict.get("skipped"):
            continue
        scores = [judge_value(r, name) for name in JUDGE_SCORES]
        if verdict.get("unscored") or any(v is not None and v < 1.0 for v in scores):
            marked.append((min((v for v in scores if v is not None), default=-1.0), r, verdict))
    judged = sum(1 for r in records if isinstance(r.get("judge"), dict) and not r["judge"].get("skipped"))
    head = (f"<h2>LLM 판정에서 감점된 문항 ({len(marked)} / 판정 {judged})</h2>"
            f'<p class="note">판정 모델: {escape(str(judge.get("model", "")))}, 방식: {escape(_engine_text(judge))}. '
            "답변한 문항만 판정합니다 "
            "(거절·오류 문항은 답변 거절·오류 지표로 봅니다).</p>")
    if not marked:
        return head + '<p class="note">감점된 문항이 없습니다.</p>'
    rows = []
    for _, r, verdict in sorted(marked, key=lambda item: item[0]):
        reasons = verdict.get("reasons") or {}
        cells = []
        for name in JUDGE_SCORES:
            value = judge_value(r, name)
            reason = reasons.get(name, "")
            cells.append(f"<td class=\"num\">{_num(value)}</td><td>{escape(str(reason))}</td>")
        claims = [c for c in verdict.get("claims") or [] if isinstance(c, dict) and not c.get("supported")]
        unsupported = ("<br><span class=\"note\">근거 없는 주장: "
                       + escape(" / ".join(str(c.get("claim", "")) for c in claims)) + "</span>") if claims else ""
        rows.append(
            "<tr>"
            f"<td>{escape(str(r.get('id', '')))}</td>"
            f"<td>{escape(str(r.get('question', '')))}</td>"
            f"<td>{_folded(str(r.get('answer', '') or ''))}"
            + (f"<br><span class=\"note\">참고 답: {_folded(str(r.get('reference_answer', '')))}</span>"
               if r.get("reference_answer") else "")
            + f"{unsupported}</td>{''.join(cells)}</tr>")
    return (head + '<table class="judged"><thead><tr><th>문항</th><th>질문</th><th>답변</th>'
            "<th>정답성</th><th>판정 이유</th><th>충실성</th><th>판정 이유</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


# --- pieces --------------------------------------------------------------------------------

def _with_failure(record: dict) -> dict:
    """Records of runs from before the reasons were stored get theirs here."""
    if "failure" in record or "answerable" not in record or "abstained" not in record:
        return record
    failure = diagnose_record(record)
    return {**record, "failure": failure.reason if failure else None,
            "failure_kinds": list(failure.kinds) if failure else []}


def _sources(record: dict) -> str:
    citations = record.get("citations") or []
    if citations:
        items = [f"{'✔' if c.get('hit') else '✘'} [{c.get('n', '')}] {c.get('label') or c.get('source', '')}"
                 for c in citations]
        return "<br>".join(escape(item) for item in items)
    shown = record.get("passages") or record.get("retrieved") or []
    if not shown:
        return '<span class="note">없음</span>'
    items = [f"{p.get('n') or p.get('rank', '')}. {p.get('source', '')} {p.get('locator', '')}".strip()
             for p in shown[:5]]
    return '<span class="note">인용 없음; 검색된 구절:</span><br>' + "<br>".join(escape(i) for i in items)


def _folded(text: str) -> str:
    if len(text) <= FOLD_CHARS:
        return escape(text)
    return f"<details><summary>{escape(text[:FOLD_CHARS])}…</summary>{escape(text)}</details>"


@cache
def _assistant_labels() -> dict[str, str]:
    """Short Korean names from the assistants' definitions (assistant.yaml `short_title`);
    an assistant they do not define is shown by its name."""
    return {name: spec.label for name, spec in load_assistants(PACKAGED_ASSISTANTS).items()}


def _group_name(key: str, name: str) -> str:
    labels = _assistant_labels()
    if key == "by_assistant" and name in labels:
        return f"{labels[name]} ({name})"
    return name or "(없음)"


def _short_name(key: str, name: str) -> str:
    # Chart labels have about 18 characters of room: the Korean name alone.
    labels = _assistant_labels()
    if key == "by_assistant" and name in labels:
        return labels[name]
    return name or "(없음)"


def _charts(svgs: Sequence[str]) -> str:
    return '<div class="charts">' + "".join(svgs) + "</div>"


def _kv_table(rows: Sequence[tuple[str, Any]], css: str) -> str:
    body = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f'<table class="{css}"><tbody>{body}</tbody></table>'


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
