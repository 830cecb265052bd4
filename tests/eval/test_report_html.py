"""report.html from hand-made run folders: self-contained, Korean, charts as inline SVG,
every stored text escaped, failures with their reasons; and the SVG pieces."""

from __future__ import annotations

import json
import re
from pathlib import Path

from eval.answer_runner import build_metrics
from eval.report_html import write_report
from eval.runs import write_json
from eval.svg import bar_chart, histogram, nice_ceiling

SCRIPT = "<script>alert(1)</script>"


def record(case_id: str, **fields) -> dict:
    base = {"id": case_id, "kind": "qa", "suite": "statutes", "assistant": "childcare", "category": "numeric",
            "question": "영상은 며칠 보관하나요?", "answerable": True, "reference_answer": "60일 이상 보관합니다.",
            "answer": "60일 이상 보관합니다. [1]", "mode": "generated", "abstained": False, "llm": "fake",
            "token_f1": 0.8, "citations": [{"n": 1, "source": "statutes/a.md", "locator": "제5조",
                                             "label": "법 제5조", "hit": True}],
            "invented_citations": 0, "rank": 1, "passage_rank": 1,
            "passages": [{"n": 1, "source": "statutes/a.md", "locator": "제5조"}], "search_ms": 5.0,
            "ttft_ms": 120.0, "ttft_extractive_ms": 20.0, "total_ms": 900.0, "error": None, "output_tokens": 12,
            "failure": None, "failure_kinds": []}
    return {**base, **fields}


RECORDS = [
    record("ok-1"),
    record("ok-2", assistant="metabolic", category="영양", token_f1=0.4, total_ms=1500.0),
    record("miss", rank=None, passage_rank=None, token_f1=0.1, answer=SCRIPT, question=f"질문 {SCRIPT}",
           citations=[{"n": 1, "source": "statutes/b.md", "locator": "제1조", "label": "다른 법 제1조", "hit": False}],
           failure="검색 실패 (근거 조문이 상위 10위 밖); 인용 근거 불일치", failure_kinds=["retrieval", "citation"]),
    record("unans", answerable=False, reference_answer="", token_f1=None, rank=None, passage_rank=None,
           category="unanswerable", failure="답할 수 없는데 답변함", failure_kinds=["answered_unanswerable"]),
    record("err", answer="", mode=None, llm="", citations=[], passages=[], token_f1=0.0, ttft_ms=None,
           total_ms=30000.0, output_tokens=0, error="서버 연결 실패", failure="오류: 서버 연결 실패",
           failure_kinds=["error"]),
]


def write_run(folder: Path, records: list[dict], status: str = "done", metrics: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "run.json", {
        "id": "20261125-120000-statutes-fake", "name": "statutes", "kind": "answers", "status": status,
        "created": "2026-11-25T12:00:00+00:00", "suites": [{"name": "statutes", "path": "s.jsonl", "cases": 5}],
        "cases_total": 5, "corpus": "/corpora", "llm": {"mode": "fake", "name": "fake"},
        "code": {"commit": "abc123", "dirty": False}, "judge": {"model": None, "prompt": None}})
    (folder / "cases.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                        encoding="utf-8")
    if metrics:
        write_json(folder / "metrics.json", build_metrics(
            records, generating=True, suite="s.jsonl", llm_mode="fake", limit=None,
            generation={"n": 30, "scored": 0, "skipped": 30, "note": "RFP 생성기가 아직 없어 건너뜀"},
            context={"mode": "dbsf", "embedder": "fake", "index": {}}))
    return folder


def test_report_is_one_korean_page_with_inline_svg_charts_and_nothing_from_outside(tmp_path: Path):
    html = write_report(write_run(tmp_path / "run", RECORDS)).read_text(encoding="utf-8")

    assert html.startswith("<!DOCTYPE html>") and '<html lang="ko">' in html and '<meta charset="utf-8">' in html
    for title in ("토큰 F1 분포", "도우미별", "분류별", "첫 응답(TTFT) 분포", "전체 응답 시간 분포"):
        assert f">{title}" in html
    assert html.count("<svg") == 5  # one suite: no per-suite chart
    assert "<link" not in html and "src=" not in html and "@import" not in html and "url(" not in html
    assert set(re.findall(r"https?://[^\"'\s<]*", html)) == {"http://www.w3.org/2000/svg"}
    assert "RFP 생성기가 아직 없어 건너뜀" in html and "완료" in html and "abc123" in html


def test_stored_text_is_escaped(tmp_path: Path):
    html = write_report(write_run(tmp_path / "run", RECORDS)).read_text(encoding="utf-8")

    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_failures_table_lists_each_failed_case_with_its_reason(tmp_path: Path):
    html = write_report(write_run(tmp_path / "run", RECORDS)).read_text(encoding="utf-8")
    table = html[html.index("실패 사례"):]

    assert "실패 사례 (3 / 5)" in html
    for reason in ("검색 실패 (근거 조문이 상위 10위 밖); 인용 근거 불일치", "답할 수 없는데 답변함", "오류: 서버 연결 실패"):
        assert reason in table
    assert "ok-1" not in table and "ok-2" not in table
    assert "✘ [1] 다른 법 제1조" in table
    assert "검색 실패 1건" in table and "오류 1건" in table


def test_an_interrupted_run_without_metrics_is_reported_from_its_records(tmp_path: Path):
    html = write_report(write_run(tmp_path / "run", RECORDS[:2], status="interrupted", metrics=False)).read_text(
        encoding="utf-8")

    assert "중간 결과" in html and "중단됨" in html
    assert html.count("<svg") == 5
    assert "실패한 문항이 없습니다" in html


def test_judge_scores_get_their_own_distributions(tmp_path: Path):
    judged = [dict(r, judge={"correctness": 0.5 + i / 10, "faithfulness": 1.0}) for i, r in enumerate(RECORDS)]

    html = write_report(write_run(tmp_path / "run", judged)).read_text(encoding="utf-8")

    assert ">정답성 (LLM 판정) 분포" in html and ">충실성 (LLM 판정) 분포" in html
    assert "정답성 (LLM)" in html  # a fourth bar per group


def test_a_judged_run_names_its_judge_warns_about_a_weak_one_and_lists_what_it_marked_down(tmp_path: Path):
    verdicts = [{"correctness": 1.0, "faithfulness": 1.0, "reasons": {}, "claims": []},
                {"correctness": 0.0, "faithfulness": 0.5, "reasons": {"correctness": f"틀림 {SCRIPT}"},
                 "claims": [{"claim": "90일 보관", "supported": False}]}]
    judged = [dict(r, judge=v) for r, v in zip(RECORDS[:2], verdicts)]
    folder = write_run(tmp_path / "run", judged)
    meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    meta["judge"] = {"model": "embedded:qwen", "prompt_sha256": "abcd", "prompts": {},
                     "llm": {"mode": "embedded", "model": None, "base_url": None}}
    write_json(folder / "run.json", meta)

    html = write_report(folder).read_text(encoding="utf-8")

    assert "embedded:qwen (프롬프트 abcd) — embedded" in html
    assert "내장 1.5B 모델의 판정은 믿기 어렵습니다" in html
    assert "LLM 판정에서 감점된 문항 (1 / 판정 2)" in html and "90일 보관" in html
    assert SCRIPT not in html and "틀림 &lt;script&gt;" in html
    meta["judge"]["llm"] = {"mode": "openai", "model": "big", "base_url": "http://llm/v1"}
    write_json(folder / "run.json", meta)
    assert "믿기 어렵습니다" not in write_report(folder).read_text(encoding="utf-8")


def test_a_folder_from_before_stored_runs_is_reported(tmp_path: Path):
    folder = write_run(tmp_path / "old", RECORDS)
    (folder / "run.json").unlink()

    html = write_report(folder).read_text(encoding="utf-8")

    assert "평가 보고서: old" in html and "<svg" in html


# --- SVG -------------------------------------------------------------------------------------

def test_histogram_counts_values_into_bins_and_escapes_its_title():
    svg = histogram([0.0, 0.05, 0.5, 1.0, 1.0], title="F1 <분포>", lo=0.0, hi=1.0, bins=10)

    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 3  # [0, 0.1): 2, [0.5, 0.6): 1, [0.9, 1.0]: 2
    assert "2건" in svg and "1건" in svg
    assert "F1 &lt;분포&gt; (n=5)" in svg and "<분포>" not in svg
    assert "자료 없음" in histogram([], title="빈 분포")


def test_bar_chart_writes_a_dash_for_nothing_to_measure():
    svg = bar_chart([("보육 법령", [0.5, None]), ("대사증후군 상담", [1.0, 0.25])], ["인용 재현율", "토큰 F1"], title="도우미별")

    assert svg.count("<rect") == 3 + 2  # three bars and two legend keys
    assert ">–</text>" in svg and "0.25" in svg


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0.3, 1.0, 730, 1200, 4800, 0)] == [0.5, 1.0, 1000.0, 2000.0, 5000.0, 1.0]
