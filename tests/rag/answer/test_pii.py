"""Personal information masked in questions and logs; legal text left alone."""

from __future__ import annotations

import io
import logging

import pytest

from rag.answer.pii import PiiLogFilter, mask_pii


@pytest.mark.parametrize("text, masked, kind", [
    ("주민번호 900101-1234567 확인", "주민번호 [주민등록번호] 확인", "rrn"),
    ("9001011234567로 조회", "[주민등록번호]로 조회", "rrn"),
    ("외국인등록번호 900101-5234567", "외국인등록번호 [주민등록번호]", "rrn"),
    ("900101-1****** 님", "[주민등록번호] 님", "rrn"),
    ("010-1234-5678로 연락", "[전화번호]로 연락", "phone"),
    ("01012345678 번호", "[전화번호] 번호", "phone"),
    ("02-123-4567", "[전화번호]", "phone"),
    ("031-1234-5678", "[전화번호]", "phone"),
    ("(02) 1234-5678", "[전화번호]", "phone"),
    ("+82 10-1234-5678", "[전화번호]", "phone"),
    ("hong.gildong@seoul.go.kr 로 회신", "[이메일] 로 회신", "email"),
    ("혈압이 150/95 mmHg 입니다", "혈압이 [건강정보] 입니다", "health"),
    ("어제 잰 150/95mmHg", "어제 잰 [건강정보]", "health"),
    ("공복혈당 130인데 괜찮나요", "공복혈당 [건강정보]인데 괜찮나요", "health"),
    ("허리둘레 92cm 남성", "허리둘레 [건강정보] 남성", "health"),
    ("HbA1c 6.8%", "HbA1c [건강정보]", "health"),
    ("당뇨병 진단을 받은 직원", "[건강정보] 진단을 받은 직원", "health"),
    ("고혈압으로 진단받았습니다", "[건강정보]으로 진단받았습니다", "health"),
    ("우울증을 앓고 있는 민원인", "[건강정보]을 앓고 있는 민원인", "health"),
    ("진단명: 고지혈증", "진단명: [건강정보]", "health"),
])
def test_personal_information_is_masked(text, masked, kind):
    result = mask_pii(text)

    assert result.text == masked
    assert result.found == {kind: 1}


@pytest.mark.parametrize("text", [
    "영유아보육법 제15조의4제1항에 따라 설치한다.",
    "이 지침은 2024-01-01부터 시행한다.",
    "2024. 1. 1. 시행, <개정 2020.12.29>",
    "300만 원 이하의 과태료, 계약금액의 100분의 10 이상",
    "1,000,000원을 넘는 부분",
    "법률 제12345호, 별지 제4호서식",
    "보육교사 1명당 영아 3명, 영상은 60일 이상 보관",
    "다산콜센터 120, 대표번호 1588-1234",
    "사업자등록번호 123-45-67890",
    "의사의 진단을 받아 제출한다.",
    "보육교사는 건강진단을 받아야 한다.",
    "질병으로 진단받은 경우 병가를 쓸 수 있다.",
    "혈압을 측정하고 허리둘레를 잰다.",
    "20240101 기준 자료",
])
def test_legal_text_dates_and_amounts_are_left_alone(text):
    result = mask_pii(text)

    assert result.text == text and result.found == {}


def test_several_kinds_are_counted():
    result = mask_pii("010-1234-5678, 010-9876-5432, a@b.kr, 900101-2234567")

    assert result.found == {"phone": 2, "email": 1, "rrn": 1}
    assert result.text == "[전화번호], [전화번호], [이메일], [주민등록번호]"


def _logger_with_filter(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiLogFilter())
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_log_filter_masks_message_and_args():
    logger, stream = _logger_with_filter("tests.pii.args")

    logger.info("질문: %s (회신 %s)", "010-1234-5678 번호로 CCTV 문의", "kim@seoul.go.kr")
    logger.info("주민번호 900101-1234567 입력됨")
    logger.info("질문: %(q)s", {"q": "공복혈당 130"})

    assert stream.getvalue().splitlines() == [
        "질문: [전화번호] 번호로 CCTV 문의 (회신 [이메일])",
        "주민번호 [주민등록번호] 입력됨",
        "질문: 공복혈당 [건강정보]",
    ]


def test_log_filter_masks_exception_text():
    logger, stream = _logger_with_filter("tests.pii.exc")

    try:
        raise ValueError("잘못된 번호 010-1234-5678")
    except ValueError:
        logger.exception("처리 실패")

    assert "010-1234-5678" not in stream.getvalue()
    assert "잘못된 번호 [전화번호]" in stream.getvalue()


def test_log_filter_survives_a_bad_format_string():
    logger, stream = _logger_with_filter("tests.pii.bad")

    logger.info("질문 %s %s", "010-1234-5678")

    assert "010-1234-5678" not in stream.getvalue() and "[전화번호]" in stream.getvalue()
