"""Requirement blocks specific to the project, IDs per category, and the checker's findings."""

from __future__ import annotations

from assistants.rfp.checker import check, findings_of, valid_id
from assistants.rfp.draft import Requirement
from assistants.rfp.inputs import parse_input
from assistants.rfp.requirements import build_requirements, project_terms, summary_duties

from .conftest import form


def requirements(**values):
    inp = parse_input(form(**values)).input
    terms = project_terms(inp)
    return check(build_requirements(inp, terms), terms.words, terms.system), terms


def test_ids_are_unique_and_sequential_per_category():
    reqs, _ = requirements()
    by_category: dict[str, list[int]] = {}
    for r in reqs:
        assert valid_id(r.id, r.category)
        by_category.setdefault(r.category, []).append(int(r.id[-3:]))
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_category.values())
    assert len({r.id for r in reqs}) == len(reqs)


def test_each_summary_scope_item_is_a_functional_requirement_naming_the_system():
    reqs, terms = requirements()
    assert terms.system == "구립도서관 좌석예약시스템"
    functional = [r for r in reqs if r.category == "SFR"]
    assert [r.definition.split(": ", 1)[1] for r in functional] == ["열람실 좌석 예약", "이용자 출입 인증", "좌석 배정 통계"]
    assert all(not any(f.rule == "not_specific" for f in r.findings) for r in functional)
    # Blocks that name only the system, whatever the project, are flagged for the officer to tailor.
    generic = {r.id for r in reqs if any(f.rule == "not_specific" for f in r.findings)}
    assert generic == {"ECR-001", "SIR-001", "DAR-001", "COR-001"}


def test_categories_follow_the_project_type():
    isp = {r.category for r in requirements(project_type="ISP·컨설팅")[0]}
    maintenance = {r.category for r in requirements(project_type="유지관리·운영")[0]}
    build = {r.category for r in requirements()[0]}
    assert {"CSR", "CUR"} <= isp and "SFR" not in isp
    assert {"MAR", "SMR"} <= maintenance and "SFR" not in maintenance
    assert {"SFR", "PER", "SIR", "DAR", "TER", "SER", "QUR", "COR", "PMR", "PSR"} <= build


def test_missing_numbers_are_slots_not_inventions():
    per = next(r for r in requirements()[0] if r.category == "PER")
    assert any("[확인 필요: 목표 응답 시간]초 이내" in d for d in per.details)
    assert not any(f.rule == "unmeasurable" for f in per.findings)


def test_summary_duties_from_labelled_and_plain_lines():
    assert summary_duties("- 사업 범위: 가나 기능, 다라 기능\n- 추진배경: 필요") == ["가나 기능", "다라 기능"]
    assert summary_duties("- 학사 시스템을 고도화한다.\n- 트랙 운영을 지원한다.") == ["학사 시스템을 고도화한다",
                                                                             "트랙 운영을 지원한다"]


def rules_of(requirement: Requirement, words=("좌석예약",)) -> set[str]:
    return {f.rule for f in findings_of(requirement, list(words))}


def test_the_checker_flags_what_makes_a_requirement_unclear():
    vague = Requirement("SFR", "SFR-001", "좌석예약 화면", "좌석예약 화면을 적절한 형태로 신속하게 제공한다.")
    several = Requirement("SFR", "SFR-002", "좌석예약 조회", "좌석예약 현황을 조회해야 한다. 결과를 출력하고 저장해야 한다 또한 알림해야 한다.")
    unmeasurable = Requirement("PER", "PER-001", "좌석예약 성능", "좌석예약 화면은 빠르게 응답해야 한다.")
    malformed = Requirement("SFR", "SFR-1", "좌석예약 통계", "좌석예약 통계를 낸다.")
    boilerplate = Requirement("SFR", "SFR-003", "로그인", "사용자가 로그인한다.")
    assert "vague_word" in rules_of(vague)
    assert "several_duties" in rules_of(several)
    assert "unmeasurable" in rules_of(unmeasurable)
    assert "malformed_id" in rules_of(malformed)
    assert "not_specific" in rules_of(boilerplate)
    assert rules_of(Requirement("PER", "PER-002", "좌석예약 응답", "좌석예약 화면은 3초 이내에 응답한다.")) == set()


def test_the_system_name_alone_does_not_make_a_block_specific():
    system = "구립도서관 좌석예약시스템"
    words = ["구립도서관", "좌석예약시스템", "열람실"]
    stamped = Requirement("SIR", "SIR-001", f"{system} 외부 시스템 연계", f"{system}과 기관 내·외부 시스템을 연계한다.",
                          [f"연계 대상: [확인 필요: {system} 연계 대상 시스템]"])
    naming = Requirement("SIR", "SIR-002", f"{system} 열람실 연계", f"{system}과 열람실 출입 게이트를 연계한다.")
    assert "not_specific" in {f.rule for f in findings_of(stamped, words, system=system)}
    assert "not_specific" not in {f.rule for f in findings_of(naming, words, system=system)}
    assert "not_specific" not in {f.rule for f in findings_of(stamped, words)}  # without the system: as before


def test_duplicated_ids_are_flagged_on_both():
    twins = [Requirement("SFR", "SFR-001", "좌석예약 가", "좌석예약 가를 한다."),
             Requirement("SFR", "SFR-001", "좌석예약 나", "좌석예약 나를 한다.")]
    assert all(any(f.rule == "duplicate_id" for f in r.findings) for r in check(twins, ["좌석예약"]))


def test_etc_and_unknown_categories():
    assert "vague_word" in rules_of(Requirement("SFR", "SFR-004", "좌석예약 관리", "좌석예약, 취소 등 관리 기능을 둔다."))
    assert not valid_id("XYZ-001") and not valid_id("SFR-000") and valid_id("MAR-012")


def test_cross_cutting_blocks_name_what_they_cover_in_the_summarys_own_words():
    from assistants.rfp.specificity import specific_flags

    summary = ("- 사업 범위: 열람실 좌석 예약, 이용자 출입 인증\n- 도서관리시스템과 연계하여 대출 이력을 조회\n"
               "- 출입 게이트 단말 도입\n- 개인정보 암호화")
    inp = parse_input(form(summary=summary)).input
    requirements = build_requirements(inp, project_terms(inp))
    first = {}
    for r in requirements:
        first.setdefault(r.category, r)

    system = project_terms(inp).system
    functions = [f"{r.id} {r.name.removeprefix(system).strip()}" for r in requirements if r.category == "SFR"]
    assert f"시험 대상 기능: {', '.join(functions)}" in first["TER"].details
    assert first["PER"].details[0] == f"{functions[0]} 화면 응답 시간: [확인 필요: 목표 응답 시간]초 이내"
    assert "연계 대상(사업 개요): 도서관리시스템과 연계하여 대출 이력을 조회" in first["SIR"].details
    assert "도입·구성 대상(사업 개요): 출입 게이트 단말 도입" in first["ECR"].details
    assert "보안 요구(사업 개요): 개인정보 암호화" in first["SER"].details
    # Nothing the summary does not state is invented: COR keeps its slot, and a summary
    # without integrations leaves SIR with only the slot to fill.
    assert all("사업 개요" not in d for d in first["COR"].details)
    bare = parse_input(form(summary="- 사업 범위: 열람실 좌석 예약")).input
    sir = next(r for r in build_requirements(bare, project_terms(bare)) if r.category == "SIR")
    assert not any("(사업 개요)" in d for d in sir.details)
    flags = specific_flags(requirements, inp.project_name, inp.summary)
    assert sum(flags) / len(flags) >= 0.6
