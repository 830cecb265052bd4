"""The scorer's own measure of requirement specificity (rfp.requirement_specificity): does a
requirement's definition or details name something of THIS project — a content word of
the 사업명 or 사업 개요 that every RFP would not also use?

Kept apart from the generator on purpose: the words that count as generic are listed here,
not imported from requirements.py, and the system name the generator stamps on every
block (the name prefix all requirement names share) is taken out of the text first, so a
boilerplate block ("… 주요 화면의 응답 시간을 정한다") does not count because it repeats the
system's name. ``[확인 필요: …]`` slots are not content either: they ask the officer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .draft import Requirement

#: Words any public SW RFP uses, whatever the project: naming one says nothing specific.
GENERIC = frozenset("""
시스템 구축 사업 용역 고도화 개선 운영 관리 유지 보수 유지보수 유지관리 개발 재공고 공고 입찰 긴급 협상 계약 기반 통합 정보
정보화 정보시스템 서비스 위탁 선정 업체 용역업체 사업자 위한 위해 통한 대한 관련 기능 제공 지원 강화 확대 개편 추진 필요 수립
도입 활용 체계 환경 대응 대응체계 효과 효과적 효율 효율적 효율성 향상 제고 확보 마련 기존 현행 신규 최근 주요 다양 가능 수행 처리
업무 담당 기관 발주기관 국가 공공 이용 이용자 사용자 사용 편의 편의성 안정 안정적 안정성 신속 정확 정확성 최적 연속성 성공적
데이터 자료 연계 인터페이스 외부 내부 화면 응답 시간 성능 보안 권한 접근 접근성 웹 모바일 장비 서버 하드웨어 소프트웨어 네트워크
구성 설치 이관 전환 시험 테스트 품질 표준 산출물 교육 매뉴얼 문서 보고 보고서 일정 위험 진척 점검 장애 복구 변경 요청 제출
요구사항 기능개선 범위 사업범위 사업개요 개요 목표 추진목표 목적 배경 추진배경 기대효과 현황 문제점 방안 계획 전략 방향 단계
제안 제안서 제안요청서 분석 설계 구현 적용 반영 구현하는 제공한다 한다 있다 있는 하는 하여 및 등 또는 각종 제반 전반 일부 전체
2023년 2024년 2025년 2026년 년도 개월 차년도 1차 2차 3차 1단계 2단계 3단계 차 건 명 회
""".split())
_PARTICLES = ("에서는", "으로서", "으로써", "으로는", "에서", "에게", "으로", "부터", "까지", "하여", "하고", "하는", "되는",
              "한다", "된다", "이며", "이다", "하기", "하며", "과의", "와의", "들의", "들을", "들이", "을", "를", "이", "가",
              "은", "는", "의", "에", "로", "과", "와", "도", "만", "한", "들")
_SLOT = re.compile(r"\[확인 필요:[^\]]*\]")
_TOKEN = re.compile(r"[가-힣A-Za-z0-9]+")


def words(text: str) -> set[str]:
    """The content words of `text` (particles off), at least two characters."""
    out = set()
    for raw in _TOKEN.findall(text):
        word = raw
        for particle in _PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 2:
                word = word[: -len(particle)]
                break
        if len(word) >= 2 and not word.isdigit():
            out.add(word)
    return out


def project_words(project_name: str, summary: str) -> set[str]:
    """The specific words of the project: its name's and summary's, less the generic ones."""
    return {w for w in words(f"{project_name}\n{summary}") if w not in GENERIC}


def name_stamp(requirements: Sequence[Requirement]) -> str:
    """The words every requirement's name starts with (the system name a generator stamps
    on each block); empty with fewer than two requirements or no shared start."""
    if len(requirements) < 2:
        return ""
    split = [r.name.split() for r in requirements]
    shared: list[str] = []
    for column in zip(*split):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    return " ".join(shared)


def is_specific(requirement: Requirement, specific: set[str], stamp: str = "") -> bool:
    text = _SLOT.sub(" ", " ".join([requirement.definition, *requirement.details]))
    if stamp:
        text = text.replace(stamp, " ")
    found = words(text)
    return bool(found & specific) or any(len(w) >= 3 and any(w in t for t in found) for w in specific)


def specific_flags(requirements: Sequence[Requirement], project_name: str, summary: str) -> list[bool]:
    """Per requirement: does it name something of this project (the measure above)?"""
    specific = project_words(project_name, summary)
    stamp = name_stamp(requirements)
    return [is_specific(r, specific, stamp) for r in requirements]
