"""A realistic RFP draft for the export tests: sections at two levels with citations, a
truncated section, requirements in three categories (one long table of 60 rows), rule facts
with their articles, a [확인 필요] field, similar notices and checker findings."""

from __future__ import annotations

from assistants.rfp.draft import (
    Finding,
    LawCitation,
    Requirement,
    ReviewStatus,
    RfpDraft,
    RfpInput,
    RuleFact,
    Section,
    SimilarNotice,
    needs_check,
)

PROJECT = "트랙운영 학사정보시스템 고도화"
BUDGET_CHECK = needs_check("대기업 참여 제한 고시 금액")

SW_49 = LawCitation("소프트웨어 진흥법", "제49조", "국가기관등의 장은 소프트웨어사업을 발주하는 경우 협상에 의한 계약", "law-1")
SW_51 = LawCitation("소프트웨어 진흥법", "제51조", "하도급 비율은 100분의 50을 초과할 수 없다", "law-2")
SW_60 = LawCitation("소프트웨어 진흥법", "제60조", "하자담보책임기간은 1년", "law-3")
DECREE_43 = LawCitation("국가를 당사자로 하는 계약에 관한 법률 시행령", "제43조", "", "law-4")


def _requirements() -> list[Requirement]:
    functions = [
        Requirement(
            "SFR", f"SFR-{n:03d}", f"트랙 이수 현황 관리 기능 {n}",
            f"학생별 트랙 이수 학점을 학기마다 집계해 학사정보시스템 화면 {n}에 표시한다",
            details=["트랙별 필수·선택 과목 이수 학점 집계", "졸업 요건 충족 여부 표시"],
            outputs=["화면 설계서", "단위 테스트 결과서"],
            related=["DAR-001"],
            source="사업 개요",
        )
        for n in range(1, 57)
    ]
    functions[0].findings = [Finding("vague_word", "모호한 표현: '적절한'", "적절한 화면")]
    return [
        *functions,
        Requirement("PER", "PER-001", "응답 시간", "트랙 조회 화면은 3초 안에 응답한다",
                    details=["동시 사용자 500명 기준"], outputs=["성능 시험 결과서"], source="유사 사업 20241001798"),
        Requirement("PER", "PER-002", "동시 접속", "수강신청 기간 동시 접속 2,000명을 처리한다", source="사업 개요"),
        Requirement("SER", "SER-001", "개인정보 암호화", "학번·성적 정보는 저장 시 암호화한다",
                    details=["국정원 검증필 암호모듈 사용"], related=["DAR-001"], source="개인정보 보호법 제29조"),
        Requirement("SER", "SER-002", "접근 권한", "교수·학생·직원 역할별로 메뉴 접근을 제한한다", source="사업 개요"),
    ]


def sample_draft(*, approved: bool = False) -> RfpDraft:
    review = ReviewStatus(approved_by="김담당", approved_at="2026-12-01T10:30:00") if approved else ReviewStatus()
    return RfpDraft(
        input=RfpInput(project_name=PROJECT, agency="한영대학", agency_type="공공기관", budget_krw=130_000_000,
                       period_months=None, project_type="고도화", summary="트랙제도 운영을 위한 학사정보시스템 고도화",
                       notice_no="20241001798"),
        sections=[
            Section("Ⅰ", "사업 안내", 1, ["본 사업은 트랙운영 학사정보시스템을 고도화한다."]),
            Section("Ⅰ-1", "사업 개요", 2, [f"사업 기간: {needs_check('사업 기간')}", "사업 예산: 130,000,000원 (부가세 포함)"]),
            Section("Ⅰ-2", "추진 배경 및 필요성", 2, ["트랙제도 도입으로 이수 관리가 복잡해졌다."], truncated=True),
            Section("Ⅳ", "제안 요청 내용", 1, ["요구사항은 아래와 같다."]),
            Section("Ⅳ-1", "요구사항 총괄표", 2, ["총 60개 요구사항."]),
            Section("Ⅳ-2", "상세 요구사항", 2, ["각 요구사항의 세부내용은 다음과 같다."]),
            Section("Ⅶ", "제안 안내 사항", 1, []),
            Section("Ⅶ-1", "입찰 및 계약 방법", 2,
                    ["협상에 의한 계약으로 체결한다 [1]. 입찰공고에 그 사실을 밝힌다 [2].",
                     f"대기업 참여 제한 금액: {BUDGET_CHECK}"],
                    [SW_49, DECREE_43]),
            Section("Ⅶ-2", "유의사항", 2, ["하도급은 사업금액의 50%를 넘을 수 없다 [1]. 하자담보 기간은 1년이다 [2]."],
                    [SW_51, SW_60]),
        ],
        requirements=_requirements(),
        rule_facts={
            "preferred_contract_method": RuleFact("preferred_contract_method", "협상에 의한 계약",
                                                  "협상에 의한 계약 또는 경쟁적 대화에 의한 계약을 우선 적용한다.", [SW_49]),
            "subcontract_cap_percent_of_sw_amount_excl_goods": RuleFact(
                "subcontract_cap_percent_of_sw_amount_excl_goods", 50, "하도급은 50%를 넘을 수 없다.", [SW_51]),
            "defect_liability_years": RuleFact("defect_liability_years", 1, "하자담보책임기간은 1년이다.", [SW_60]),
            "large_enterprise_restriction_applies": RuleFact(
                "large_enterprise_restriction_applies", None, f"고시 금액 확인 필요: {BUDGET_CHECK}", []),
        },
        similar=[SimilarNotice("20240815487", "대학재정정보시스템 고도화", "한국사학진흥재단", 0.71)],
        assumptions=["기관 유형을 공공기관으로 가정했습니다."],
        review=review,
        generator="extractive",
    )


def requirement_ids(draft: RfpDraft) -> list[str]:
    return [r.id for r in draft.requirements]
