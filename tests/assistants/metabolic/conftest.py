"""A short guide written for these tests in the shape of the 2025 안내서's parsed Markdown
(its own wording; the values those of the programme), a decoy guide stating other criteria,
sample participant records and surveys, and an index holding them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appcontext import AppContext
from ingest.discovery import discover
from rag.config import load_settings
from tests.conftest import write_text

GUIDE_FOLDER = "metabolic/parsed/20250307_2025 서울특별시 대사증후군 관리사업 안내서"
GUIDE_SOURCE = f"{GUIDE_FOLDER}/part-01.md"

GUIDE = """# 제1장 시험용 사업 안내

## 사업 개요

- 사업대상
  - 만 20~69세 서울시민 (시험용 문장)

# 제4장 시험용 서비스 메뉴얼

## Chapter 01 시험용 서비스 개요

### 나. 수행인력

| 구분 | 수행인력 | 주요사항 |
|------|----------|----------|
| 군판정 | - | • 시험용: 자동 분류 |
| 건강관리계획수립 (대사증후군 건강주의군) | 의사 (간호사) | • 시험용: 목표 설정 |
| 검사결과 안내 (약물치료군, 정상군) | 의사, 간호사 | • 시험용: 결과 설명 |

## Chapter 02 시험용 세부내용

### 가. 참고: 다른 기준들

**표 6. 시험용 NCEP-ATPⅢ 원래 기준**

|요인|기준|
|---|---|
|복부비만|허리둘레≥102cm(남), ≥88cm(여)|
|혈당장애|공복혈당≥110mg/dL|

**표 7. 시험용 IDF 기준**

|요인|기준|
|---|---|
|복부비만|허리둘레≥94cm(남), ≥80cm(여)|

### 나. 검진

#### 4) 혈압 측정

- 시험용 안내: 혈압은 두 번 측정하여 평균값으로 함

### 다. 군판정

- 시험용 설명: 위험요인 개수와 약물 투여 여부로 4개 군으로 나눔

|군 분류|기준|
|---|---|
|대사증후군|- 대사증후군 위험요인 3개 이상인 자 (현재 약물 투여중인 자 제외)|
|건강주의군|- 대사증후군 위험요인 1-2개 인 자 (현재 약물 투여중인 자 제외)|
|약물치료군|- 대사증후군 위험요인 개수에 상관없이 현재 약물(고혈압, 당뇨병, 이상지질혈증) 투여 중인 자|
|정상군|- 대사증후군 위험요인 0개 인 자|

**표 8. 시험용 대사증후군 기준**

시험용: 다섯 요인 중 3개 이상이면 대사증후군

|요인|기준|
|---|---|
|복부비만|- 허리둘레≥90cm(남), ≥85cm(여)|
|높은 혈당|- 공복혈당≥100mg/dL 또는 혈당조절을 위해 약물투여 중인 상태|
|높은 혈압|- 수축기혈압≥130mmHg 또는 이완기혈압≥85mmHg 또는 고혈압 치료를 위해 약물투여 중인 상태|
|낮은 고밀도지질단백질(HDL) 콜레스테롤|- HDL콜레스테롤<40mg/dL(남), <50mg/dL(여) 또는 HDL콜레스테롤을 치료하기 위해 약물투여 중인 상태|
|높은 중성지방혈증|- 중성지방≥150mg/dL 또는 고중성지방혈증을 치료하기 위해 약물투여 중인 상태|

#### 시험용 질환 진단기준

**표 9. 시험용 고혈압 진단기준**

(단위: mmHg)

| 혈압 범주 | 정상혈압 | 주의혈압 | 고혈압전단계 | 고혈압 1기 | 고혈압 2기 | 수축기단독 고혈압 |
|---|---|---|---|---|---|---|
| 수축기 혈압 | < 120 | 120–129 | 130–139 | 140–159 | ≥ 160 | ≥ 140 |
|| 그리고 | 그리고 | 또는 | 또는 | 또는 | 그리고 |
| 이완기 혈압 | < 80 | < 80 | 80–89 | 90–99 | ≥ 100 | < 90 |

**표 10. 시험용 당뇨병 진단기준**

|구분|검사방법|정상|당뇨병전단계|당뇨병|
|---|---|---|---|---|
|공복혈당|시험용: 8시간 금식|〈 100|100-125|≥ 126|
|당화혈색소 A1c(%)|시험용|-|5.7-6.4|≥ 6.5|

**표 11. 시험용 이상지질혈증 분류기준**

| 구분 | 적정 | 정상 | 경계 | 높음 | 매우 높음 |
|---|---|---|---|---|---|
| LDL콜레스테롤 | < 100 | 100–129 | 130–159 | 160–189 | ≥ 190 |
| 중성지방 | < 150 | | 150–199 | 200–499 | ≥ 500 |
| 총콜레스테롤 | < 200 | | 200–239 | ≥ 240 | |
| HDL콜레스테롤 | ≥ 60 | | | ≤ 40 | |

※ 시험용 정의: 총콜레스테롤≥240, LDL콜레스테롤≥160, 중성지방≥200, HDL콜레스테롤≤40 중 한 가지 이상이면 이상지질혈증으로 정의함

### 라. 연계

#### 마) 자원 연계

- 시험용 연계 대상
  ▸ [우울] PHQ-9 결과 10점 이상(시험용)인 자
  ▸ [자살] PHQ-9 조사에서 자살의도(9번 항목)가 나타난 자

|구 분|상담창구|
|---|---|
|우 울|시험용 정신건강복지센터|
||보건소 자살예방전담인력|
||시험용 정신건강의학과|
||보건소 자살예방전담인력|
|자 살|시험용 자살예방센터|
||시험용 정신건강의학과|

### 사. 추구관리

#### 1) 재검진

| 군분류 | 재검진 횟수 및 주기 | 비고 |
|---|---|---|
| 대사증후군 | 총 2회(6개월, 12개월) | 신규 등록자가 대사증후군 군판정 받은 경우, 총 4회(3개월, 6개월, 9개월, 12개월) 재검진 실시 |
| 건강주의군 | 총 2회(6개월, 12개월) ||
| 약물치료군 | 총 2회(6개월, 12개월) ||
| 정상군 | 총 1회(12개월) ||

#### 2) SMS 발송

|SMS 종류|건강관리(영양ㆍ운동)|건강인지|방문일자 알림|
|---|---|---|---|
|담당자|영양사, 운동사|건강매니저, 간호사|건강매니저, 간호사|

##### 가) 시험용 SMS 요약표

|군 분류|SMS(문자메시지) 종류 및 횟수|||
|---|---|---|---|
|군 분류|건강관리|건강인지|방문일자 알림 (재검진 주기에 맞춤)|
|대사증후군|8회/월|1회/월|2회 (신규등록자는 4회)|
|건강주의군|4회/월|1회/월|2회|
|약물치료군|8회/월|1회/월|2회|
|정상군|2회/월|-|1회|
"""

# Another publication in the same collection stating other criteria, its table numbered 표 8 too.
DECOY_SOURCE = "metabolic/parsed/20240503_시험용 다른 가이드북/part-01.md"
DECOY = """# 시험용 다른 가이드북

**표 8. 다른 기준 (시험용)**

|요인|기준|
|---|---|
|복부비만|- 허리둘레≥102cm(남), ≥88cm(여)|
|높은 혈당|- 공복혈당≥110mg/dL|
|높은 혈압|- 수축기혈압≥140mmHg 또는 이완기혈압≥90mmHg|
|낮은 고밀도지질단백질(HDL) 콜레스테롤|- HDL콜레스테롤<35mg/dL(남), <40mg/dL(여)|
|높은 중성지방혈증|- 중성지방≥180mg/dL|
"""


def man(**values) -> dict:
    """A man whose every value is normal unless given."""
    record = {"id": "P-1", "name": "시험남", "sex": "남", "age": 45, "waist": 80.0, "sys": 118, "dia": 74,
              "fbg": 90.0, "tg": 100.0, "hdl": 55.0, "ldl": 100.0, "tc": 180.0, "medications": [],
              "new_registration": False}
    record.update(values)
    return record


def woman(**values) -> dict:
    return man(**{"id": "P-2", "name": "시험여", "sex": "여", **values})


def survey(name: str = "시험남", patient_id: str = "P-1", **answers) -> dict:
    """A baseline survey: PHQ-9 items 1–9 (0 unless given as q1=…, q9=…) and diseases."""
    items = {f"phq9_q{n}_item": answers.pop(f"q{n}", 0) for n in range(1, 10)}
    return {"survey": {"patient_id": patient_id, "patient_name": name},
            "diseases": answers.pop("diseases", []),
            "mental_health": {**items, "phq9_total_score": sum(items.values())}}


def write_guide(root: Path, text: str = GUIDE, decoy: bool = True) -> Path:
    write_text(root, GUIDE_SOURCE, text)
    if decoy:
        write_text(root, DECOY_SOURCE, DECOY)
    return root


def index_guide(folder: Path, text: str = GUIDE, decoy: bool = True) -> AppContext:
    root = write_guide(folder / "corpus", text, decoy)
    ctx = AppContext(load_settings("test", data_dir=folder / "data"))
    files, _ = discover(root)
    ctx.ingest.ingest("metabolic", root, files, progress=False)
    return ctx


@pytest.fixture(scope="module")
def indexed_guide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """The test guide (and the decoy) indexed into `metabolic`, once per module."""
    ctx = index_guide(tmp_path_factory.mktemp("metabolic_guide"))
    yield ctx
    ctx.close()
