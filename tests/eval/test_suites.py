"""Benchmark suite loading: good lines, malformed lines named by file:line, generation
cases, several suites in one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.suites import Evidence, GenerationCase, QACase, load_suite, load_suites, suite_names
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


# --- generation cases and several suites -------------------------------------------------------

SHARED_RFP = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks" / "dev" / "rfp_cases.jsonl"
RFP = {"id": "rfp-case-001", "assistant": "rfp", "project_name": "학사정보시스템 고도화", "budget_krw": 130000000,
       "agency": "한영대학", "summary": "- 시스템을 고도화한다.", "origin": "codeit-rfp100",
       "rule_facts": {"chaebol_group_restricted_regardless_of_amount": True}}


def test_generation_cases_are_read_with_their_inputs(tmp_path: Path):
    path = tmp_path / "rfp_cases.jsonl"
    path.write_text(json.dumps(RFP, ensure_ascii=False) + "\n", encoding="utf-8")

    (case,) = load_suite(path)

    assert isinstance(case, GenerationCase)
    assert (case.id, case.assistant, case.origin) == ("rfp-case-001", "rfp", "codeit-rfp100")
    assert case.inputs["budget_krw"] == 130000000 and case.inputs["rule_facts"]
    assert "id" not in case.inputs and "origin" not in case.inputs


def test_an_rfp_input_line_in_a_question_file_is_a_generation_case_but_a_bad_question_line_is_not(tmp_path: Path):
    assert isinstance(load_suite(write_suite(tmp_path, GOOD, {**RFP, "id": "g"}))[1], GenerationCase)
    with pytest.raises(SuiteError, match="'question' 필드"):
        load_suite(write_suite(tmp_path, {k: v for k, v in GOOD.items() if k != "question"}))


def test_a_participant_line_in_a_question_file_is_a_generation_case(tmp_path: Path):
    inline = {"id": "p1", "assistant": "metabolic", "record": {"sex": "남", "waist": 90}, "expected": {}}
    referenced = {"id": "p2", "assistant": "metabolic", "record_ref": {"file": "x.json", "index": 0}}

    cases = load_suite(write_suite(tmp_path, GOOD, inline, referenced))

    assert [type(c) for c in cases] == [QACase, GenerationCase, GenerationCase]
    assert cases[1].inputs["record"] == {"sex": "남", "waist": 90}


@pytest.mark.skipif(not SHARED_RFP.is_file(), reason="../shared/benchmarks not found")
def test_the_shared_rfp_cases_load_as_generation_cases():
    cases = load_suite(SHARED_RFP)

    assert len(cases) >= 30 and all(isinstance(c, GenerationCase) and c.assistant == "rfp" for c in cases)


def test_load_suites_names_each_suite_and_prefixes_only_clashing_ids(tmp_path: Path):
    dev, test = tmp_path / "dev", tmp_path / "test"
    dev.mkdir(), test.mkdir()
    first = write_suite(dev, GOOD, {**GOOD, "id": "cc-02"}).rename(dev / "statutes.jsonl")
    second = write_suite(test, GOOD, {**GOOD, "id": "cc-03"}).rename(test / "statutes.jsonl")

    cases = load_suites([first, second])

    assert suite_names([first, second]) == ["dev/statutes", "test/statutes"]
    assert [(c.suite, c.id) for c in cases] == [("dev/statutes", "dev/statutes/cc-01"), ("dev/statutes", "cc-02"),
                                                ("test/statutes", "test/statutes/cc-01"), ("test/statutes", "cc-03")]
    assert [c.id for c in load_suites([first, second], limit=1)] == ["dev/statutes/cc-01", "test/statutes/cc-01"]
    assert [c.suite for c in load_suites([first])] == ["statutes", "statutes"]
