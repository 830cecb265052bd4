"""rfp.requirement_specificity measured honestly: a requirement counts only when its
definition or details — not the system name stamped on every block, not a [확인 필요]
slot — name a content word of the 사업명 or 사업 개요 that is not generic."""

from __future__ import annotations

from assistants.rfp.draft import Requirement
from assistants.rfp.specificity import GENERIC, name_stamp, project_words, specific_flags

NAME = "구립도서관 좌석예약시스템 구축"
SUMMARY = "- 사업 범위: 열람실 좌석 예약, 이용자 출입 인증, 데이터 연계"


def block(name: str, definition: str, *details: str) -> Requirement:
    return Requirement("SFR", "SFR-001", name, definition, list(details))


def test_the_system_name_on_every_block_does_not_make_it_specific():
    boilerplate = [block("좌석예약시스템 응답 시간", "좌석예약시스템 주요 화면의 응답 시간을 정한다.",
                         "주요 화면 응답 시간: [확인 필요: 목표 응답 시간]초 이내"),
                   block("좌석예약시스템 외부 시스템 연계", "좌석예약시스템과 기관 내·외부 시스템을 연계한다.",
                         "연계 대상: [확인 필요: 좌석예약시스템 연계 대상 시스템]"),
                   block("좌석예약시스템 열람실 예약", "좌석예약시스템 기능: 열람실 좌석 예약")]

    assert name_stamp(boilerplate) == "좌석예약시스템"
    assert specific_flags(boilerplate, NAME, SUMMARY) == [False, False, True]


def test_generic_words_of_the_summary_do_not_count_but_its_own_do():
    words = project_words(NAME, SUMMARY)
    assert {"열람실", "좌석", "출입", "인증", "구립도서관"} <= words
    assert not words & {"데이터", "연계", "이용자", "구축", "사업"} and {"데이터", "연계"} <= GENERIC
    flags = specific_flags([block("데이터 이관", "기존 데이터를 이관하고 연계한다."),
                            block("출입 인증", "이용자 출입을 인증한다.")], NAME, SUMMARY)
    assert flags == [False, True]


def test_a_name_alone_never_counts():
    assert specific_flags([block("열람실 좌석 예약", "요청을 받는다."), block("출입 인증", "요청을 처리한다.")],
                          NAME, SUMMARY) == [False, False]
