"""공문서 검토 (issue 16): 항목 구분, 금액, 날짜, 시각 against 행정업무의 운영 및 혁신에 관한
규정 제7조제5항 and 시행규칙 제2조 — findings where the rules are broken, none on clean drafts."""

from __future__ import annotations

import io
import zipfile

import pytest

from assistants.general.document_check import RULES, check_text, check_upload, findings_json
from assistants.general.draft_reader import MAX_DRAFT_BYTES, DraftError

# --- clean drafts: no finding at all ------------------------------------------------------

CLEAN_NOTICE = """서울특별시
수신  수신자 참조
(경유)
제목  2026년 어린이집 보육교직원 처우개선비 지원 계획 알림

1. 관련: 보육정책과-1234(2026. 2. 10.)
2. 2026년 어린이집 보육교직원 처우개선비 지원 계획을 다음과 같이 알려 드리니, 업무에 참고하시기 바랍니다.
  가. 지원 대상: 관내 어린이집 보육교사 1,234명(전년 대비 3.5% 증가)
  나. 지원 금액: 1인당 월 금50,000원(금오만원)
  다. 신청 기간: 2026. 3. 5.(목) 09:00 ~ 2026. 3. 20.(금) 18:00
    1) 접수 시간: 평일 09:00~18:00 (점심시간 12:00~13:00 제외)
    2) 문의: 보육정책과 02-2133-1234, 팩스 02-2133-5678
      가) 영유아보육법 제3조 및 같은 법 시행령 제21조의2 참조
      나) 총 소요예산 금113,560,000원(금일억일천삼백오십육만원)
        (1) 국비 50%, 시비 30%, 구비 20%
          (가) 세부 내역은 붙임 참조
            ① 1일 8시간 근무 기준
              ㉮ 서울시 25개 자치구 시·도 협의
  라. 제출처: 보육정책과(보육정책과-5678)
3. 2026년 상반기 점검 결과는 추후 안내할 예정입니다.

붙임  1. 2026년 지원 계획 1부.
      2. 신청서 서식 1부.  끝.

서울특별시장
보육정책과장 홍길동  시행 보육정책과-1234 (2026. 3. 2.)  접수
우 04524 서울특별시 중구 세종대로 110 / https://www.seoul.go.kr
전화번호 02-2133-1234  팩스번호 02-2133-5678 / hong@seoul.go.kr / 대시민 공개
"""

CLEAN_REPORT = """2026년 보육정책 추진 계획(안)

1. 추진 배경
  가. 저출생 대응을 위한 2026년 보육 서비스 질 개선
  나. 「영유아보육법」 제15조의4(폐쇄회로 텔레비전의 설치 등) 이행 점검
2. 추진 내용
  가. 점검 대상: 국공립어린이집 1,800개소(전체의 35.2%)
    1) 점검 기간: 2026. 4. 1. ~ 2026. 4. 30.
    2) 점검 시간: 10:00~17:00, 야간 연장반은 19:30까지
  나. 소요 예산: 금2,500,000원(금이백오십만원)
3. 행정사항
  가. 2026년 1/4분기 실적은 2026. 3. 31.까지 제출
  나. 원장 회의 개최(원아 100명 이상 어린이집 대상)
  다. 문의: 보육정책과 주무관 김서울(☎ 02-2133-4321)
4. 향후 일정
  가. 결과 보고: 2026. 5.
  나. 제도 개선: 2026년 하반기
"""

CLEAN_LONG_LIST = "\n".join(
    ["제목 회의 안건 목록", "1. 안건"]
    + [f"  {ch}. 안건 {i}" for i, ch in enumerate("가나다라마바사아자차카타파하거너", start=1)]
    + ["2. 기타", "  가. 다음 회의: 2026. 6. 2. 14:00", "", "붙임  회의자료 1부.  끝."]
)

CLEAN_PLAIN = """수신  내부결재
제목  2026년 직원 역량강화 교육 실시

  2026년 직원 역량강화 교육을 2026. 7. 1.(수) 13:30부터 서울시청 대회의실에서 실시하고자 합니다.
  교육비는 1인당 금30,000원(금삼만원)이며, 참석 대상은 전 직원(120명)입니다.
  ※ 제2조제1항 및 제3항에 따라 24시간 운영 부서는 제외합니다.

붙임  교육 계획 1부.  끝.
"""


@pytest.mark.parametrize("draft", [CLEAN_NOTICE, CLEAN_REPORT, CLEAN_LONG_LIST, CLEAN_PLAIN],
                         ids=["notice", "report", "long-list", "plain"])
def test_clean_drafts_have_no_finding(draft: str) -> None:
    assert check_text(draft) == []


# --- 항목 구분 ------------------------------------------------------------------------------


def _only(draft: str, rule: str) -> list:
    return [f for f in check_text(draft) if f.rule == rule]


def test_a_ga_right_under_the_title_skips_a_level() -> None:
    findings = _only("제목 2026년 점검 계획\n가. 목적\n나. 대상\n", "item_symbols")
    assert [(f.line, f.text, f.suggestion) for f in findings] == [(2, "가. 목적", "1. 목적")]
    assert "건너뛰" in findings[0].message
    assert "시행규칙 제2조제1항" in findings[0].basis


def test_skipping_a_level_under_an_item() -> None:
    draft = "1. 개요\n  1) 목적\n  2) 대상\n"
    findings = _only(draft, "item_symbols")
    assert [(f.line, f.suggestion) for f in findings] == [(2, "가. 목적")]


@pytest.mark.parametrize(("draft", "line", "suggestion"), [
    ("1. 개요\n3. 일정\n", 2, "2. 일정"),
    ("1. 개요\n  가. 목적\n  다. 대상\n", 3, "나. 대상"),
    ("1. 개요\n  가. 목적\n    1) 가\n    1) 나\n", 4, "2) 나"),
    ("1. 개요\n2. 내용\n  나. 첫 세부\n", 3, "가. 첫 세부"),
])
def test_items_out_of_order(draft: str, line: int, suggestion: str) -> None:
    findings = _only(draft, "item_symbols")
    assert [(f.line, f.suggestion) for f in findings] == [(line, suggestion)]
    assert "순서" in findings[0].message


def test_going_back_up_a_level_is_fine_and_children_restart() -> None:
    draft = ("1. 개요\n  가. 목적\n    1) 세부\n      가) 더 세부\n  나. 대상\n2. 내용\n  가. 다시 가\n"
             "    1) 다시 1\n")
    assert _only(draft, "item_symbols") == []


def test_after_ha_the_list_goes_on_with_geo() -> None:
    ok = "1. 목록\n" + "".join(f"  {ch}. 항목\n" for ch in "가나다라마바사아자차카타파하거너더")
    assert _only(ok, "item_symbols") == []
    wrong = "1. 목록\n" + "".join(f"  {ch}. 항목\n" for ch in "가나다라마바사아자차카타파하") + "  너. 항목\n"
    assert [f.suggestion for f in _only(wrong, "item_symbols")] == ["거. 항목"]


def test_all_eight_levels_in_order() -> None:
    draft = "1. a\n가. b\n1) c\n가) d\n(1) e\n(가) f\n① g\n㉮ h\n② i\n(나) j\n"
    assert _only(draft, "item_symbols") == []
    skipped = "1. a\n가. b\n1) c\n① g\n"
    assert [(f.line, f.suggestion) for f in _only(skipped, "item_symbols")] == [(4, "가) g")]


def test_the_attachment_list_is_numbered_on_its_own() -> None:
    draft = "1. 개요\n2. 내용\n3. 일정\n\n붙임  1. 계획서 1부.\n      2. 명단 1부.  끝.\n"
    assert _only(draft, "item_symbols") == []


def test_numbering_starts_again_after_the_end_mark_and_under_chapters() -> None:
    attached = ("1. 개요\n2. 내용\n\n붙임  1. 계획서 1부.\n      2. 명단 1부.  끝.\n\n"
                "2026년 점검 계획\n1. 추진 배경\n2. 추진 내용\n")
    assert _only(attached, "item_symbols") == []
    report = "Ⅰ. 추진 배경\n1. 현황\n2. 문제점\nⅡ. 추진 계획\n1. 목표\n제2장 세부 과제\n1. 과제\n"
    assert _only(report, "item_symbols") == []
    assert [f.line for f in _only("1. 개요\n2. 내용  끝.\n  나. 세부\n", "item_symbols")] == [3]


def test_text_that_only_looks_like_a_marker() -> None:
    draft = ("(사)한국보육진흥원 협조\n(가칭)서울보육센터 설립\n2026. 3. 5. 회의 개최\n1.5배 증가\n"
             "가.나.다 순서\n")
    assert _only(draft, "item_symbols") == []


# --- 금액 ---------------------------------------------------------------------------------


def test_amount_with_matching_reading_is_clean() -> None:
    assert check_text("지원금 금113,560원(금일십일만삼천오백육십원)을 지급합니다.") == []
    assert check_text("지원금 113,560원(일십일만삼천오백육십원)") == []
    assert check_text("지원금 금113,560원(금 십일만 삼천오백육십 원정)") == []


def test_amount_whose_reading_does_not_match_is_an_error() -> None:
    [finding] = check_text("지원금 금113,560원(금일십만삼천오백육십원)을 지급합니다.")
    assert finding.rule == "amount"
    assert finding.text == "금113,560원(금일십만삼천오백육십원)"
    assert finding.suggestion == "금113,560원(금일십일만삼천오백육십원)"
    assert "103,560원" in finding.message and "113,560원" in finding.message
    assert "시행규칙 제2조제2항" in finding.basis


def test_amount_without_a_reading_is_a_finding() -> None:
    findings = check_text("1인당 5,000원을 지원하고, 총 3만원 이내로 하며, 예산은 1억 2,000만 원입니다.")
    assert [(f.rule, f.text, f.suggestion) for f in findings] == [
        ("amount", "5,000원", "5,000원(금오천원)"),
        ("amount", "3만원", "30,000원(금삼만원)"),
        ("amount", "1억 2,000만 원", "120,000,000원(금일억이천만원)"),
    ]


def test_a_bracket_that_is_not_a_reading_counts_as_none() -> None:
    [finding] = check_text("사업비 금5,000,000원(부가세 포함)")
    assert finding.suggestion == "금5,000,000원(금오백만원)"
    assert "한글 표기가 없습니다" in finding.message


def test_reading_written_first_is_a_finding() -> None:
    [finding] = check_text("지원금 금오천원(금5,000원)")
    assert finding.rule == "amount"
    assert finding.suggestion == "금5,000원(금오천원)"


def test_words_after_a_number_that_are_not_won() -> None:
    assert check_text("어린이집 3원 운영") != []  # a bare 원 after a number is money
    [finding] = check_text("지원금 5,000원")  # the 금 of 지원금 is not the amount's
    assert (finding.text, finding.suggestion) == ("5,000원", "5,000원(금오천원)")
    assert check_text("보육교직원 20명, 원장 5명, 원아 100명, 제2원칙 준수, 3 원장 회의") == []


# --- 날짜 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("draft", "text", "suggestion"), [
    ("회의는 2026년 3월 5일에 엽니다", "2026년 3월 5일", "2026. 3. 5."),
    ("회의는 2026년3월5일(목)에", "2026년3월5일", "2026. 3. 5."),
    ("회의는 2026-03-05에 엽니다", "2026-03-05", "2026. 3. 5."),
    ("회의는 2026/3/5에 엽니다", "2026/3/5", "2026. 3. 5."),
    ("접수는 12월 31일까지", "12월 31일", "12. 31."),
])
def test_dates_not_written_with_dots(draft: str, text: str, suggestion: str) -> None:
    [finding] = check_text(draft)
    assert (finding.rule, finding.text, finding.suggestion) == ("date", text, suggestion)
    assert "제7조제5항" in finding.basis


@pytest.mark.parametrize("draft", [
    "제목 2026년 어린이집 평가 계획",  # a year label, not a date
    "2026년 3월 보육료 지원",  # a month, no day
    "처리기간 3개월 5일",
    "전화 02-2026-0305, 문서번호 보육정책과-2026",
    "시행일: 2026. 3. 5.",
])
def test_what_is_not_a_misdated_date(draft: str) -> None:
    assert [f for f in check_text(draft) if f.rule == "date"] == []


# --- 시각 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("draft", "texts", "suggestions"), [
    ("회의는 오후 2시에 시작", ["오후 2시"], ["14:00"]),
    ("회의는 오후 2시 30분에", ["오후 2시 30분"], ["14:30"]),
    ("회의는 14시 30분에", ["14시 30분"], ["14:30"]),
    ("회의는 오전 9시부터", ["오전 9시"], ["09:00"]),
    ("회의는 오후 3시 반", ["오후 3시 반"], ["15:30"]),
    ("회의는 오후 2:30", ["오후 2:30"], ["14:30"]),
    ("접수 9시~18시", ["9시", "18시"], ["09:00", "18:00"]),
    ("행사 오후 2시~5시, 제출 10시까지", ["오후 2시", "5시", "10시"], ["14:00", "17:00", "10:00"]),
    ("밤 12시 이전", ["밤 12시"], ["00:00"]),
])
def test_times_not_in_24_hour_colon_form(draft: str, texts: list[str], suggestions: list[str]) -> None:
    findings = check_text(draft)
    assert [f.rule for f in findings] == ["time"] * len(texts)
    assert [f.text for f in findings] == texts
    assert [f.suggestion for f in findings] == suggestions


@pytest.mark.parametrize("draft", [
    "근무 09:00~18:00, 점심 12:00~13:00",
    "1일 8시간 근무, 24시간 운영, 24시 어린이집",
    "서울시 시·도 협의, 3시간 교육, 시행 2026. 3. 5.",
])
def test_what_is_not_a_wrong_time(draft: str) -> None:
    assert check_text(draft) == []


# --- the finding record ---------------------------------------------------------------------


def test_finding_record_has_the_documented_fields() -> None:
    data = findings_json(check_text("제목\n가. 2026년 3월 5일 오후 2시, 5,000원\n"))
    rules = [f["rule"] for f in data["findings"]]
    assert rules == ["item_symbols", "date", "time", "amount"]
    assert set(rules) <= set(RULES)
    for record in data["findings"]:
        assert {"rule", "line", "text", "suggestion", "basis"} <= set(record)
        assert record["line"] == 2
        assert "행정업무의 운영 및 혁신에 관한 규정" in record["basis"]


# --- files -----------------------------------------------------------------------------------

BAD_DRAFT = ["제목 2026년 점검 계획", "", "가. 일시: 2026년 3월 5일 오후 2시", "나. 비용: 5,000원"]


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _hwpx_bytes(paragraphs: list[str], tmp_path) -> bytes:
    from tests.ingest.readers.reader_fixtures import build_hwpx, hwpx_paragraph, hwpx_section

    path = tmp_path / "draft.hwpx"
    body = "".join(hwpx_paragraph(text) if text else '<hp:p styleIDRef="0"/>' for text in paragraphs)
    build_hwpx(path, {"Contents/section0.xml": hwpx_section(body)})
    return path.read_bytes()


def _expected_from_bad_draft(findings) -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.suggestion) for f in findings]


EXPECTED_BAD = [
    ("item_symbols", 3, "1. 일시: 2026년 3월 5일 오후 2시"),
    ("date", 3, "2026. 3. 5."),
    ("time", 3, "14:00"),
    ("amount", 4, "5,000원(금오천원)"),
]


def test_docx_paragraph_numbers(tmp_path) -> None:
    assert _expected_from_bad_draft(check_upload("초안.docx", _docx_bytes(BAD_DRAFT))) == EXPECTED_BAD


def test_hwpx_paragraph_numbers(tmp_path) -> None:
    findings = check_upload("초안.hwpx", _hwpx_bytes(BAD_DRAFT, tmp_path))
    assert _expected_from_bad_draft(findings) == EXPECTED_BAD


def test_hwpx_written_by_python_hwpx_with_a_table(tmp_path) -> None:
    from hwpx import HwpxDocument

    document = HwpxDocument.new()  # starts with one empty paragraph, as 한글 shows it
    document.add_paragraph("제목 2026년 점검 계획")
    document.add_paragraph("1. 일시: 2026. 3. 5. 14:00")
    table = document.add_table(1, 2)
    table.set_cell_text(0, 0, "비용")
    table.set_cell_text(0, 1, "5,000원")
    document.save_to_path(tmp_path / "draft.hwpx")
    findings = check_upload("draft.hwpx", (tmp_path / "draft.hwpx").read_bytes())
    assert [(f.rule, f.line, f.text) for f in findings] == [("amount", 4, "5,000원")]


def test_txt_upload_in_utf8_and_cp949() -> None:
    text = "\n".join(BAD_DRAFT)
    assert _expected_from_bad_draft(check_upload("초안.txt", text.encode("utf-8"))) == EXPECTED_BAD
    assert _expected_from_bad_draft(check_upload("초안.TXT", text.encode("cp949"))) == EXPECTED_BAD


def test_clean_docx_has_no_finding() -> None:
    assert check_upload("clean.docx", _docx_bytes(CLEAN_NOTICE.splitlines())) == []


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(DraftError) as err:
        check_text(text)
    assert err.value.field == "text"
    assert "비어" in str(err.value)


def test_a_1_mb_text_is_refused() -> None:
    with pytest.raises(DraftError) as err:
        check_text("가" * (MAX_DRAFT_BYTES // 3 + 1))
    assert err.value.field == "text" and err.value.too_large
    assert "1 MB" in str(err.value)


def _zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "안녕")
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "words"), [
    ("초안.docx", "그냥 텍스트입니다".encode(), "DOCX 파일이 아닙니다"),
    ("초안.docx", _zip_bytes(), "DOCX 문서가 아닙니다"),
    ("초안.hwpx", _zip_bytes(), "HWPX 문서가 아닙니다"),
    ("초안.hwpx", b"PK\x03\x04 not really a zip", "손상된 압축 파일"),
    ("초안.pdf", b"%PDF-1.7", "지원하지 않는 파일 형식"),
    ("초안", b"text", "지원하지 않는 파일 형식"),
    ("초안.txt", b"", "빈 파일"),
    ("초안.txt", b"\xff\xfe\x00a", "텍스트 파일이 아닙니다"),
    ("초안.txt", b"a" * MAX_DRAFT_BYTES, "1 MB"),
])
def test_bad_files_are_refused_naming_the_file_field(name: str, data: bytes, words: str) -> None:
    with pytest.raises(DraftError) as err:
        check_upload(name, data)
    assert err.value.field == "file"
    assert str(err.value).startswith("file: ")
    assert words in str(err.value)
