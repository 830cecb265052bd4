"""Benchmark suite loading: good lines, and malformed lines named by file:line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.suites import Evidence, load_suite
from rag.errors import SuiteError

GOOD = {
    "id": "cc-01", "assistant": "childcare", "question": "직장어린이집은 언제 설치하나요?",
    "reference_answer": "일정 규모 이상이면 설치합니다.",
    "evidence": [{"source": "statutes/childcare/영유아보육법/법률.md", "locator": "제14조", "quote": "직장어린이집을 설치하여야 한다"}],
    "category": "single_article", "origin": "handwritten", "answerable": True,
}


def write_suite(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "suite.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
                    encoding="utf-8")
    return path


def test_loads_cases_and_skips_blank_lines(tmp_path: Path):
    unanswerable = {"id": "cc-02", "assistant": "general", "question": "점심 메뉴는?", "answerable": False}
    cases = load_suite(write_suite(tmp_path, GOOD, "", "   ", unanswerable))

    assert [c.id for c in cases] == ["cc-01", "cc-02"]
    first = cases[0]
    assert first.evidence == (Evidence("statutes/childcare/영유아보육법/법률.md", "제14조", "직장어린이집을 설치하여야 한다"),)
    assert (first.category, first.origin, first.answerable, first.extra) == ("single_article", "handwritten", True, {})
    second = cases[1]
    assert (second.evidence, second.reference_answer, second.answerable) == ((), "", False)


def test_unknown_fields_are_kept_in_extra(tmp_path: Path):
    case = load_suite(write_suite(tmp_path, {**GOOD, "difficulty": 3, "notes": {"by": "kim"}}))[0]

    assert case.extra == {"difficulty": 3, "notes": {"by": "kim"}}


def test_evidence_locator_is_optional(tmp_path: Path):
    case = load_suite(write_suite(tmp_path, {**GOOD, "evidence": [{"source": "a.md", "quote": "q"}]}))[0]

    assert case.evidence == (Evidence("a.md", "", "q"),)


@pytest.mark.parametrize("line, message", [
    ("{not json", "JSON이 아닙니다"),
    ('["a list"]', "JSON 객체"),
    ({k: v for k, v in GOOD.items() if k != "id"}, "'id' 필드"),
    ({**GOOD, "question": 42}, "'question' 필드"),
    ({**GOOD, "answerable": "yes"}, "'answerable' 필드"),
    ({**GOOD, "assistant": "legal"}, "assistant는"),
    ({**GOOD, "evidence": "제14조"}, "'evidence'는 목록"),
    ({**GOOD, "evidence": [{"source": "a.md"}]}, r"evidence\[0\]"),
])
def test_malformed_line_names_file_line_and_field(tmp_path: Path, line: object, message: str):
    second = {**GOOD, "id": "cc-02"}
    path = write_suite(tmp_path, second, "", line)

    with pytest.raises(SuiteError, match=message) as caught:
        load_suite(path)

    assert str(caught.value).startswith(f"{path}:3: ")


def test_duplicate_ids_are_refused(tmp_path: Path):
    path = write_suite(tmp_path, GOOD, {**GOOD, "question": "다른 질문"})

    with pytest.raises(SuiteError, match="id가 중복됩니다: cc-01") as caught:
        load_suite(path)

    assert str(caught.value).startswith(f"{path}:2: ")


def test_missing_file_is_a_suite_error(tmp_path: Path):
    with pytest.raises(SuiteError, match="평가 세트 파일이 없습니다"):
        load_suite(tmp_path / "none.jsonl")
