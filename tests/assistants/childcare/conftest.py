"""Short test statutes with 별표 in their front matter, standing in for 영유아보육법's
시행령 and 시행규칙 and for 아동복지법 시행규칙 (written for these tests, not the official
text), so the 별표 안내 has appendices to list, articles that refer to them, a form (서식)
and a version no longer in force that it must leave out."""

from __future__ import annotations

from pathlib import Path

from ingest.discovery import discover
from tests.conftest import write_text


def _appendix(number: int, branch: int, title: str, seq: int, kind: str = "별표") -> str:
    return (f"- 별표번호: '{number:04d}'\n  별표가지번호: '{branch:02d}'\n  별표구분: {kind}\n  제목: {title}\n"
            f"  PDF링크: https://www.law.go.kr/LSW/flDownload.do?flSeq={seq}\n")


RULE_SOURCE = "statutes/childcare/영유아보육법/시행규칙.md"
RULE = f"""---
제목: 영유아보육법 시행규칙
법령구분: 보건복지부령
시행일자: 2026-01-01
상태: 시행
첨부파일:
{_appendix(1, 0, "어린이집의 설치기준(제9조 관련)", 101)}{_appendix(1, 2, "폐쇄회로 텔레비전의 관리기준(제9조제2항 관련)", 102)}{_appendix(2, 0, "보육교직원의 배치기준(제10조 관련)", 103)}{_appendix(10, 0, "행정처분의 세부기준(제39조 관련)", 110)}{_appendix(11, 0, "어느 조문도 가리키지 않는 별표", 111)}{_appendix(1, 0, "인가신청서", 201, kind="서식")}---

##### 제9조 (어린이집의 설치기준)

시험용 조문: 어린이집의 설치기준은 별표 1과 같고, 폐쇄회로 텔레비전의 관리기준은 별표 1의2와 같다.

##### 제9조의2 (설치 인가)

시험용 조문: 인가 신청서는 별지 서식에 따르고, 시설은 별표 1에 맞추어야 한다.

##### 제10조 (보육교직원의 배치기준)

시험용 조문: 보육교직원의 배치기준은 별표 2와 같다.

##### 제29조 (보육교사의 배치)

시험용 조문: 반별 보육교사는 별표 2에 따라 둔다.

##### 제39조 (행정처분의 세부기준)

시험용 조문: 행정처분의 세부기준은 별표 10과 같다.
"""

RULE_PREVIOUS_SOURCE = "statutes/childcare/영유아보육법/시행규칙.prev_in_force.md"
RULE_PREVIOUS = f"""---
제목: 영유아보육법 시행규칙
법령구분: 보건복지부령
시행일자: 2020-01-01
상태: 폐지
첨부파일:
{_appendix(3, 0, "지난 판의 별표", 301)}---

##### 제11조 (지난 조문)

시험용 조문: 지난 기준은 별표 3과 같다.
"""

DECREE_SOURCE = "statutes/childcare/영유아보육법/시행령.md"
DECREE = f"""---
제목: 영유아보육법 시행령
법령구분: 대통령령
시행일자: 2025-07-01
상태: 시행
첨부파일:
{_appendix(1, 0, "어린이집의 원장과 보육교사의 자격기준(제21조 관련)", 401)}---

##### 제21조 (보육교직원의 자격기준)

시험용 조문: 어린이집의 원장과 보육교사의 자격기준은 별표 1과 같다.
"""

CHILD_WELFARE_SOURCE = "statutes/childcare/아동복지법/시행규칙.md"
CHILD_WELFARE = f"""---
제목: 아동복지법 시행규칙
법령구분: 보건복지부령
시행일자: 2025-03-01
상태: 시행
첨부파일:
{_appendix(1, 0, "위탁가정의 기준(제2조 관련)", 501)}---

##### 제2조 (위탁가정의 기준)

시험용 조문: 위탁가정의 기준은 별표 1과 같다.
"""

STATUTES = {RULE_SOURCE: RULE, RULE_PREVIOUS_SOURCE: RULE_PREVIOUS, DECREE_SOURCE: DECREE,
            CHILD_WELFARE_SOURCE: CHILD_WELFARE}
#: An admin's upload of 별표 2, named as the 별표 안내 page names it.
UPLOADED_NAME = "영유아보육법 시행규칙 별표 2 보육교직원의 배치기준(제10조 관련).md"
UPLOADED_TEXT = "# 영유아보육법 시행규칙 별표 2\n\n시험용 별표: 만 1세 영아 5명당 보육교사 1명을 둔다.\n"


def write_childcare_statutes(root: Path) -> Path:
    """The corpus root `root` holding the test statutes; returns their folder."""
    for source, text in STATUTES.items():
        write_text(root, source, text)
    return root / "statutes" / "childcare"


def index_childcare_statutes(ingest, root: Path) -> None:
    """Write the test statutes under `root` and index them into `childcare`."""
    folder = write_childcare_statutes(root)
    files, _ = discover(folder)
    ingest.ingest("childcare", folder, files, progress=False)
