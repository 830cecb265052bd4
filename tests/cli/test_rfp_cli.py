"""`seoul-assist rfp draft`: from a JSON file or options, to .json (and .docx/.hwpx through
the exports), bad input named by its option or field, nothing written then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main

CASE = {"id": "rfp-case-x", "assistant": "rfp", "project_name": "구립도서관 좌석예약시스템 구축", "budget_krw": 330000000,
        "agency": "서울특별시 마포구", "summary": "- 사업 범위: 열람실 좌석 예약, 좌석 배정 통계", "origin": "test"}


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture):
    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(tmp_path / "data"), "rfp", "draft", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_case_file_becomes_a_json_draft(cli, tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli("--input", str(case), "--out", str(tmp_path / "draft.json"))
    assert code == 0, err
    draft = json.loads((tmp_path / "draft.json").read_text(encoding="utf-8"))
    assert draft["input"]["project_name"] == CASE["project_name"] and len(draft["sections"]) == 24
    assert draft["rule_facts"]["subcontract_cap_percent_of_sw_amount_excl_goods"]["value"] == 50
    assert "초안을 저장했습니다" in out and "AI 생성 초안" in out
    assert "색인에 없어 뺀 인용" in err  # no statutes indexed in this data dir: removed, said so


def test_options_make_a_draft_and_docx_goes_through_the_export(cli, tmp_path: Path):
    summary = tmp_path / "summary.txt"
    summary.write_text("- 사업 범위: 열람실 좌석 예약", encoding="utf-8")
    code, _, err = cli("--name", "좌석예약시스템 구축", "--agency", "마포구", "--agency-type", "지방자치단체",
                       "--budget", "110,000,000", "--period", "6", "--summary-file", str(summary),
                       "--out", str(tmp_path / "draft.docx"))
    assert code == 0, err
    assert (tmp_path / "draft.docx").stat().st_size > 0


@pytest.mark.parametrize(("args", "named"), [
    (["--name", "사업", "--agency", "기관", "--budget", "일억", "--summary-file", "x"], "budget_krw"),
    (["--name", "사업", "--agency", "기관", "--budget", "0", "--summary-file", "SUMMARY"], "budget_krw"),
    (["--name", "사업", "--agency", "기관", "--budget", "100", "--period", "0", "--summary-file", "SUMMARY"],
     "period_months"),
    (["--name", "사업", "--agency", "기관", "--agency-type", "민간", "--budget", "100", "--summary-file", "SUMMARY"],
     "agency_type"),
    (["--input", "missing.json"], "--input"),
])
def test_bad_input_is_named_and_nothing_is_written(cli, tmp_path: Path, args, named):
    summary = tmp_path / "summary.txt"
    summary.write_text("- 좌석 예약", encoding="utf-8")
    args = [str(summary) if a == "SUMMARY" else str(tmp_path / a) if a == "missing.json" else a for a in args]
    code, _, err = cli(*args, "--out", str(tmp_path / "draft.json"))
    assert code == 2 and named in err and "오류" in err
    assert not (tmp_path / "draft.json").exists()


def test_an_unknown_extension_names_out(cli, tmp_path: Path):
    code, _, err = cli("--input", "x.json", "--out", str(tmp_path / "draft.pdf"))
    assert code == 2 and "--out" in err and ".pdf" in err


def test_the_progress_bar_names_each_section(capsys: pytest.CaptureFixture):
    from cli.rfp_cmd import _bar

    _bar(12, 24, "Ⅳ-1 요구사항 총괄표")
    assert "[############------------] 12/24 Ⅳ-1 요구사항 총괄표" in capsys.readouterr().err


def test_attachments_are_reused_and_a_broken_one_is_named(cli, tmp_path: Path):
    from tests.assistants.rfp.attachment_files import write_broken, write_hwpx

    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    broken, _ = write_broken(tmp_path)
    code, _, err = cli("--input", str(case), "--attach", str(write_hwpx(tmp_path / "과업지시서.hwpx")),
                       "--attach", str(broken), "--out", str(tmp_path / "draft.json"))
    assert code == 0, err
    draft = json.loads((tmp_path / "draft.json").read_text(encoding="utf-8"))
    assert draft["input"]["attachments"] == ["과업지시서.hwpx"]
    assert [r["source"] for r in draft["requirements"] if r["source"].startswith("첨부")] == [
        "첨부 과업지시서.hwpx (PER-001)", "첨부 과업지시서.hwpx (DAR-001)"]
    assert "첨부 파일 깨진 문서.pdf을(를) 읽지 못해 제외했습니다" in err
    code, _, err = cli("--input", str(case), "--attach", str(tmp_path / "없는.hwpx"), "--out", str(tmp_path / "x.json"))
    assert code != 0 and "--attach" in err and "없는.hwpx" in err and not (tmp_path / "x.json").exists()
