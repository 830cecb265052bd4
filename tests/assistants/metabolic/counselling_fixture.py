"""A short counselling guidebook written for these tests in the shape of the 2023
상담가이드북's parsed Markdown (its own wording, every sentence marked 시험용), and a
document in the same collection that is not one of the programme's guides but uses the
same words: counselling must never quote it."""

from __future__ import annotations

from pathlib import Path

from appcontext import AppContext
from ingest.discovery import discover
from rag.config import load_settings
from tests.conftest import write_text

from .conftest import write_guide

GUIDEBOOK_SOURCE = "metabolic/parsed/20240503_2023년 서울시 대사증후군 관리사업 상담가이드북/part-01.md"
GUIDEBOOK = """# 시험용 상담기법 상담가이드

## Ⅳ 변화 단계 모형

#### 1) 숙고 전 단계(pre-contemplation stage)

- 숙고 전 단계의 참여자에게는 변화를 서두르게 하지 말고 생활습관의 위험을 알려 문제의식을 높이도록 상담한다. 시험용 문장으로 숙고 전 단계 상담을 설명한다.

#### 4) 실행(action stage)

- 실행 단계의 참여자에게는 현실적인 단기 목표를 함께 세우고 실천을 칭찬하여 행동을 강화하도록 상담한다. 시험용 문장으로 실행 단계 상담을 설명한다.

# 시험용 영양 상담가이드

#### 1) 식습관 관리

- 비만한 참여자에게는 세 끼를 규칙적으로 먹고 저열량 식사로 체중 조절을 하도록 식습관 관리를 교육한다. 시험용 문장으로 체중 조절 식사 관리를 설명한다.

#### 4) 고혈압 식사 관리의 실제

- 혈압조절을 위해서는 염분 섭취를 줄이고 싱겁게 먹는 습관을 들이도록 교육한다. 시험용 문장으로 고혈압 식사 관리를 설명한다.

#### 3) 고혈당 식사 관리의 실제

- 혈당 조절을 위해 당지수가 낮은 식품을 고르고 영양 처방에 따른 식사량을 지키도록 교육한다. 시험용 문장으로 고혈당 식사 관리를 설명한다.

#### 1) 이상지질혈증이 있을 경우 권장 식품과 주의 식품

- 이상지질혈증이 있으면 중성지방을 높이는 당류와 포화지방이 많은 식품을 주의하도록 교육한다. 시험용 문장으로 권장 식품과 주의 식품을 설명한다.

# 시험용 운동 상담가이드

### 1) 대사증후군 위험요인별 신체활동 프로그램 수립 전략

- 신체활동과 비만

  - 규칙적인 신체활동은 에너지 소비를 늘려 체중 감량과 비만 관리에 도움이 된다. 시험용 문장으로 신체활동과 비만을 설명한다.

- 신체활동과 혈압

  - 유산소 운동을 하면 운동 뒤 몇 시간 동안 혈압 감소 효과가 나타나므로 규칙적으로 운동하도록 권한다. 시험용 문장으로 신체활동과 혈압을 설명한다.

#### 2) 신체활동 준비 정도에 따른 상담 내용

- 신체활동 준비 정도에 따라 운동 빈도와 운동 시간을 정하고 상담 내용을 달리한다. 시험용 문장으로 신체활동 상담 내용을 설명한다.

# 시험용 흡연 상담가이드

### 1. 금연 상담을 위한 5A

- 5A는 흡연 여부를 묻고 흡연 상태를 평가한 뒤 금연을 권고하는 금연 상담 방법이다. 시험용 문장으로 금연 상담을 설명한다.

#### 1) 고려전 단계 (Precontemplation)

- 고려전 단계의 흡연자에게는 흡연이 건강에 미치는 영향을 설명하고 금연을 권고한다. 시험용 문장으로 고려전 단계 금연 상담요령을 설명한다.

# 시험용 알콜 상담가이드

## Ⅵ 음주 위험 수준에 따른 대처

- 위험 음주군에게는 저위험 음주량의 기준을 지키도록 절주를 권고한다. 시험용 문장으로 음주 위험 수준에 따른 대처를 설명한다.

### 4. 음주 일지의 작성

- 음주 일지를 작성하여 자신의 음주량을 확인하고 절주 목표를 세우도록 돕는다. 시험용 문장으로 일반적 음주 상담을 설명한다.
"""

#: Not a programme guide (another title), though written in the guides' words.
NOT_A_GUIDE_SOURCE = "metabolic/parsed/20240101_시험용 다른 건강 자료/part-01.md"
NOT_A_GUIDE_MARK = "다른자료표시"
NOT_A_GUIDE = f"""# 시험용 다른 건강 자료

## 체중 조절 식사 관리 식습관 관리 비만 저열량 식사

- {NOT_A_GUIDE_MARK}: 체중 조절 식사 관리 식습관 관리 비만 저열량 식사 체중 조절 식사 관리 식습관 관리를 합니다.

## 고혈압 식사 관리 염분 섭취 싱겁게 혈압조절

- {NOT_A_GUIDE_MARK}: 고혈압 식사 관리 염분 섭취 싱겁게 혈압조절 고혈압 식사 관리 염분 섭취 싱겁게 혈압조절을 합니다.

## 금연 상담 5A 금연 권고 흡연 상태 평가

- {NOT_A_GUIDE_MARK}: 금연 상담 5A 금연 권고 흡연 상태 평가 금연 상담 5A 금연 권고 흡연 상태 평가를 합니다.
"""


def write_counselling_corpus(root: Path) -> Path:
    """The 2025 안내서 of conftest (criteria), this guidebook and the look-alike."""
    write_guide(root, decoy=False)
    write_text(root, GUIDEBOOK_SOURCE, GUIDEBOOK)
    write_text(root, NOT_A_GUIDE_SOURCE, NOT_A_GUIDE)
    return root


def index_counselling_corpus(folder: Path) -> AppContext:
    root = write_counselling_corpus(folder / "corpus")
    ctx = AppContext(load_settings("test", data_dir=folder / "data"))
    files, _ = discover(root)
    ctx.ingest.ingest("metabolic", root, files, progress=False)
    return ctx
