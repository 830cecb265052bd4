"""Requirement blocks for this project: the system, its users, data and integrations named
in the 사업명 and 사업 개요, one functional requirement per duty the summary states, and
the non-functional categories a public SW RFP of this type carries (CSR/CUR for
ISP·컨설팅, MAR/SMR for 유지관리·운영). IDs are unique and sequential per category.

Numbers the inputs do not give (목표 응답시간, 동시 사용자 수, 연계 대상) are never
invented: they are ``[확인 필요: …]`` slots with their unit, which the officer fills."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .draft import CATEGORIES, Requirement, RfpInput, needs_check

if TYPE_CHECKING:
    from .attachments import AttachedRequirement
    from .similar import ExampleNotice

#: Words every RFP uses: naming one of them says nothing about this project.
GENERIC_WORDS = frozenset("""
시스템 구축 사업 용역 고도화 개선 운영 관리 유지 보수 유지보수 유지관리 개발 재공고 공고 입찰 긴급 협상 계약 기반
통합 정보 정보화 서비스 위탁 위탁용역 선정 업체 용역업체 및 등 위한 위해 통한 대한 관련 기능 제공 지원 강화 확대
개편 추진 필요 수립 도입 활용 체계 환경 기능을 대응 대응체계 갖출 수 있다 한다 있는 통해 따른 대상 효과 효과적인
2024년 2025년 2024 2025 2026 차 단계 1단계 2단계 3단계 재구축 신규 사업자 분야 제안 요청 제안요청서 안내 제출
개요 사업개요 사업명 추진배경 배경 필요성 사업기간 이내 추정가격 000원 의한 다양 최근 기존 주요 사업범위 사업목적 목적
추진목표 목표 추진방향 방향 추진전략 전략 기대효과 현황 문제점 구축사업 용역사업 개선사업 구축관련 이용할 수준 향상
""".split())
_PARTICLES = ("에서는", "으로서", "으로써", "에서", "에게", "으로", "부터", "까지", "하여", "하고", "하는", "되는", "한다",
              "된다", "이며", "이다", "하기", "하며", "과의", "와의", "을", "를", "이", "가", "은", "는", "의", "에", "로",
              "과", "와", "도", "만", "한")
_SYSTEM_TAILS = ("시스템", "플랫폼", "홈페이지", "포털", "누리집", "센터", "DB", "ERP", "앱", "서비스")
_DUTY_SPLIT = re.compile(r"(?:\n\s*[-•·*○□■▪◦]\s*|\n\s*\d+[.)]\s*|(?<=다)\.\s+)")


@dataclass(frozen=True)
class ProjectTerms:
    """What this project names: its system, the specific words of its name and summary."""

    system: str
    words: tuple[str, ...]  # specific (not generic) content words, most telling first


def project_terms(inp: RfpInput) -> ProjectTerms:
    name = _clean_name(inp.project_name)
    words = _specific_words(f"{name}\n{inp.summary}\n{inp.current_issues}")
    return ProjectTerms(_system_name(name, words), tuple(words))


def content_words(text: str) -> list[str]:
    """Words of a text without particles or endings, in order, each once."""
    out: list[str] = []
    for raw in re.findall(r"[가-힣A-Za-z0-9/·]+", text):
        word = _strip_particle(raw)
        if len(word) >= 2 and word not in out:
            out.append(word)
    return out


def specific_words(text: str) -> list[str]:
    return _specific_words(text)


def build_requirements(inp: RfpInput, terms: ProjectTerms, examples: Sequence["ExampleNotice"] = (),
                       reused: Sequence["AttachedRequirement"] = ()) -> list[Requirement]:
    """The blocks for the project's type; `examples`: similar past notices, whose requirement
    block naming the same thing is recorded in the 출처 ("유사 사업 20241001798 사업명: SFR-003 …");
    `reused`: requirements read from the officer's attachments, kept with the file as 출처
    and numbered in this draft's sequence."""
    system = terms.system
    blocks: list[tuple[str, str, str, list[str], list[str], str]] = []  # cat, name, definition, details, outputs, source
    duties = summary_duties(inp.summary)
    # The blocks that cut across the functions name the ones they cover (PER-001 → the
    # screens of SFR-001…, TER-001 → the functions under test), and the integrations, data
    # and security the summary itself states: what makes them this project's.
    told = inp.summary + "\n" + inp.current_issues
    links, data, security, equipment = (summary_mentions(told, cues) for cues in
                                        (_LINK_WORDS, _DATA_WORDS, _SECURITY_WORDS, _EQUIPMENT_WORDS))
    ptype = inp.project_type or "신규 구축"

    def duty_refs(category: str) -> list[str]:
        # "SFR-002 트랙제도 진로 선택": the function blocks written so far (they come first in
        # their category, so their IDs are already known), without the system's name.
        own = [name for cat, name, *_ in blocks if cat == category]
        return [f"{category}-{i:03d} {name.removeprefix(system).strip()}" for i, name in enumerate(own, start=1)]

    if ptype == "ISP·컨설팅":
        for duty in duties or [f"{system} 추진 전략 수립"]:
            blocks.append(("CSR", _duty_name(duty, terms), f"{system} 컨설팅 과업: {duty}",
                           [f"현황 분석 대상: {system} 관련 업무와 정보시스템 {needs_check('분석 대상 범위')}",
                            "분석 결과를 근거로 개선 과제와 이행 계획을 제시"], ["현황분석서", "이행계획서"], "사업 개요"))
        blocks += [
            ("CSR", f"{system} 목표모델 및 이행계획 수립", f"{system}의 목표모델과 단계별 이행계획을 수립한다.",
             ["단계별 과제, 소요 예산, 일정을 과제별로 제시", f"총 사업비 산정 근거 {needs_check('산정 기준')}"],
             ["목표모델 정의서", "이행계획서"], "사업 유형(ISP·컨설팅)"),
            ("CUR", f"{system} 컨설팅 산출물 제출", f"{system} 컨설팅 산출물을 정해진 형식으로 제출한다.",
             [f"제출 형식: 한글(HWP) 또는 PDF {needs_check('제출 부수')}부"], ["최종 보고서"], "사업 유형(ISP·컨설팅)"),
        ]
    elif ptype == "유지관리·운영":
        for duty in duties or [f"{system} 운영"]:
            blocks.append(("SMR", _duty_name(duty, terms), f"{system} 운영 업무: {duty}",
                           [f"운영 시간: {needs_check('운영 시간대')}", f"장애 접수 후 {needs_check('복구 목표 시간')}시간 이내 복구"],
                           ["월간 운영 보고서"], "사업 개요"))
        blocks += [
            ("MAR", f"{system} 정기 점검", f"{system}을 정기적으로 점검한다.",
             [f"점검 주기: 월 {needs_check('점검 횟수')}회", *_covering("점검 대상 업무", duty_refs("SMR")),
              "점검 결과를 점검표로 기록"], ["정기점검 보고서"],
             "사업 유형(유지관리·운영)"),
            ("MAR", f"{system} 장애 대응", f"{system} 장애를 접수·조치하고 재발 방지 대책을 수립한다.",
             [f"장애 조치 목표: {needs_check('장애 등급별 조치 시간')}시간 이내"], ["장애 처리 보고서"], "사업 유형(유지관리·운영)"),
            ("MAR", f"{system} 변경 요청 처리", f"{system}의 기능 변경 요청을 접수하여 처리한다.",
             [f"월 처리 한도: {needs_check('변경 요청 처리 한도')}건"], ["변경 관리 대장"], "사업 유형(유지관리·운영)"),
        ]
    else:
        for duty in duties or [f"{system} 기능 구현"]:
            blocks.append(("SFR", _duty_name(duty, terms), f"{system} 기능: {duty}",
                           [f"사용자 구분: {needs_check(f'{system} 사용자 구분(내부 직원·외부 이용자)')}",
                            f"처리 대상 데이터: {needs_check(f'{system}에서 다루는 데이터 항목')}"],
                           ["요구사항 정의서", "화면 설계서"], "사업 개요"))
        if ptype in ("신규 구축", "고도화", "구매"):
            blocks.append(("ECR", f"{system} 장비 구성", f"{system} 운영에 필요한 하드웨어·소프트웨어를 구성한다.",
                           [*(f"도입·구성 대상(사업 개요): {line}" for line in equipment[:3]),
                            f"서버 구성: {needs_check('서버 수량과 사양')}", "기존 장비 재사용 여부를 제안서에 제시"],
                           ["장비 구성도"], "사업 유형"))
        blocks += [
            ("PER", f"{system} 응답 시간", f"{system} 주요 화면의 응답 시간을 정한다.",
             [*([f"{ref} 화면 응답 시간: {needs_check('목표 응답 시간')}초 이내" for ref in duty_refs("SFR")[:3]]
                or [f"주요 화면 응답 시간: {needs_check('목표 응답 시간')}초 이내"]),
              f"동시 사용자: {needs_check('동시 사용자 수')}명"], ["성능 시험 결과서"], "사업 유형"),
            ("SIR", f"{system} 외부 시스템 연계", f"{system}과 기관 내·외부 시스템을 연계한다.",
             [*(f"연계 대상(사업 개요): {line}" for line in links[:3]),
              f"연계 대상: {needs_check(f'{system} 연계 대상 시스템')}", "연계 방식과 주기를 연계 정의서에 기록"],
             ["인터페이스 정의서"], "사업 개요"),
            ("DAR", f"{system} 데이터 이관", f"{system}의 기존 데이터를 새 구조로 이관한다.",
             [*(f"이관·정비 대상(사업 개요): {line}" for line in data[:3]),
              f"이관 대상: {needs_check('이관 데이터 범위와 건수')}", "이관 전후 건수를 대조하여 검증"],
             ["데이터 이관 결과서"], "사업 유형"),
            ("TER", f"{system} 통합 시험", f"{system}의 기능·연계·성능을 통합 시험한다.",
             ["시험 시나리오를 요구사항별로 작성", *_covering("시험 대상 기능", duty_refs("SFR")),
              "발주기관 입회 하에 시험 결과를 확인"], ["통합 시험 결과서"], "사업 유형"),
            ("SER", f"{system} 접근 권한 관리", f"{system} 사용자 권한을 역할별로 관리한다.",
             ["역할별 권한을 권한 정의서로 관리", *(f"보안 요구(사업 개요): {line}" for line in security[:2]),
              "개인정보 처리 화면의 접근 기록을 보관"], ["권한 정의서"],
             "개인정보 보호법, 발주기관 보안 지침"),
            ("QUR", f"{system} 웹 접근성 준수", f"{system} 이용자 화면은 웹 접근성 기준을 준수한다.",
             [f"준수 기준: {needs_check('적용할 웹 접근성 지침 버전')}", *_covering("점검 대상 화면", duty_refs("SFR"))],
             ["웹 접근성 점검 결과서"], "사업 유형"),
        ]
    blocks += [
        ("COR", f"{system} 개발 표준 준수", f"{system} 산출물은 발주기관의 개발 표준을 따른다.",
         [f"적용 표준: {needs_check('발주기관 개발·보안 표준')}"], ["표준 준수 점검표"], "발주기관 표준"),
        ("PMR", f"{system} 사업 관리", f"{system} 사업의 일정·위험·품질을 관리한다.",
         [f"착수 후 {needs_check('착수계 제출 기한')}일 이내 사업수행계획서 제출",
          *_covering("과업별 진척 관리", [*duty_refs("SFR"), *duty_refs("SMR"), *duty_refs("CSR")]), "월 1회 진척 보고"],
         ["사업수행계획서", "월간 보고서"], "사업 관리"),
        ("PSR", f"{system} 사용자 교육", f"{system} 사용자와 운영자에게 교육을 제공한다.",
         [f"교육 대상·횟수: {needs_check('교육 대상과 횟수')}",
          *_covering("교육 내용(기능별 사용법)", [*duty_refs("SFR"), *duty_refs("SMR"), *duty_refs("CSR")])], ["교육 결과 보고서", "사용자 매뉴얼"], "사업 관리"),
    ]
    for attached in reused:
        blocks.append((attached.category, attached.name, attached.definition or f"{attached.name}.",
                       list(attached.details), [], attached.source))
    if inp.deliverables:
        blocks.append(("PMR", f"{system} 산출물 제출", f"{system} 사업의 산출물을 제출한다.",
                       list(inp.deliverables), list(inp.deliverables), "입력: 산출물"))
    out: list[Requirement] = []
    counters: dict[str, int] = {}
    for category, name, definition, details, outputs, source in blocks:
        counters[category] = counters.get(category, 0) + 1
        example = _matching_example(name, examples)
        out.append(Requirement(category, f"{category}-{counters[category]:03d}", name, definition, details, outputs,
                               [], source + (f"; 유사 사업 {example}" if example else "")))
    _relate(out)
    return out


_LABELS: dict[str, tuple[str, ...]] = {
    "scope": ("사업 범위", "사업범위", "구축 범위", "구축범위", "과업 범위", "과업범위", "주요 기능", "주요기능", "주요 내용",
              "주요내용", "사업추진 방안", "사업 추진 방안", "추진 내용", "추진내용", "과업 내용", "과업내용"),
    "goals": ("추진목표", "추진 목표", "사업목적", "사업 목적", "목표", "추진방향", "추진 방향", "추진전략", "추진 전략"),
    "background": ("추진배경", "추진 배경", "추진배경 및 필요성", "추진 배경 및 필요성", "필요성", "배경"),
    "issues": ("현황 및 문제점", "현황", "문제점"),
    "effects": ("기대효과", "기대 효과"),
    "meta": ("사업 개요", "사업개요", "사업명", "사업기간", "사업 기간", "추정가격", "사업예산", "사업 예산", "계약방법",
             "계약 방법", "주관부서", "담당자", "추진 일정", "추진일정", "추진 체계", "추진체계", "목표시스템 구성도",
             "요구사항 구성", "공공 SW 사업 법제도", "입찰", "발주기관"),
}


def summary_parts(summary: str) -> dict[str, list[str]]:
    """The summary's lines by what they state ("사업 범위: a, b" → scope [a, b]); an
    unlabelled line is a duty of the project ("scope")."""
    parts: dict[str, list[str]] = {key: [] for key in (*_LABELS, "overview")}
    for line in _DUTY_SPLIT.split("\n" + summary.strip()):
        text = re.sub(r"\s+", " ", line).strip(" -•·*.")
        if len(text) < 4:
            continue
        label, sep, value = text.partition(":")
        kind = _label_kind(label.strip()) if sep and len(label) <= 20 else None
        if kind is None:
            parts["scope"].append(text)
        elif kind == "meta":
            parts["overview"].append(value.strip() if label.strip().startswith("사업 개요") or
                                     label.strip().startswith("사업개요") else text)
        elif kind == "scope":
            parts["scope"].extend(i.strip() for i in re.split(r",\s*(?![^()]*\))", value) if len(i.strip()) >= 3)
        else:
            parts[kind].append(value.strip())
    return parts


def summary_duties(summary: str) -> list[str]:
    """The project's duties: the items of the summary's scope lines, else its unlabelled
    lines, else its goals."""
    parts = summary_parts(summary)
    duties = list(dict.fromkeys(parts["scope"] or parts["goals"]))
    return duties[:12]


_LINK_WORDS = ("연계", "연동", "인터페이스", "API", "전송", "수집")
_DATA_WORDS = ("DB", "데이터", "자료", "이력", "이관", "전환", "표준화")
_SECURITY_WORDS = ("보안", "개인정보", "인증", "암호화", "권한")
_EQUIPMENT_WORDS = ("장비", "서버", "클라우드", "기자재", "단말", "하드웨어", "인프라", "네트워크", "스토리지")


def _covering(label: str, refs: Sequence[str], limit: int = 5) -> list[str]:
    """One detail line naming the function blocks a cross-cutting block covers (none: no line)."""
    return [f"{label}: {', '.join(refs[:limit])}"] if refs else []


def summary_mentions(text: str, cues: Sequence[str], limit: int = 3) -> list[str]:
    """The summary's lines (items of a list line) that state one of `cues` (연계, 데이터 …),
    as written: what the officer said the system links to or holds."""
    out: list[str] = []
    for line in re.split(r"\n|,\s*(?![^()]*\))", text):
        item = re.sub(r"\s+", " ", line).strip(" -•·*.")
        item = item.split(":", 1)[1].strip() if ":" in item[:20] else item
        if 4 <= len(item) <= 120 and any(cue in item for cue in cues) and item not in out:
            out.append(item)
    return out[:limit]


def _label_kind(label: str) -> str | None:
    for kind, labels in _LABELS.items():
        if label in labels or any(label.startswith(x) for x in labels if len(x) >= 4):
            return kind
    return None


def category_title(category: str) -> str:
    return CATEGORIES.get(category, category)


# --- helpers -------------------------------------------------------------------------------

def _clean_name(name: str) -> str:
    name = re.sub(r"\[[^\]]*\]|\([^)]*(공고|협상|긴급|계약|재공고)[^)]*\)|「|」", " ", name)
    return re.sub(r"\s+", " ", name).strip()


def _strip_particle(word: str) -> str:
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


def _specific_words(text: str) -> list[str]:
    return [w for w in content_words(text) if w not in GENERIC_WORDS and not w.isdigit()]


def _system_name(name: str, words: Sequence[str]) -> str:
    bare = re.sub(r"\([^)]*\)", " ", name)
    tokens = [_strip_particle(t) for t in re.findall(r"[가-힣A-Za-z0-9/·]+", bare)]
    specific = lambda t: t not in GENERIC_WORDS and not t.isdigit() and len(t) >= 2  # noqa: E731
    for i, token in enumerate(tokens):
        if token.endswith(_SYSTEM_TAILS) and specific(token):
            before = tokens[i - 1] if i and specific(tokens[i - 1]) and not tokens[i - 1].endswith(_SYSTEM_TAILS) else ""
            return f"{before} {token}".strip()
    for i, token in enumerate(tokens):  # "설비온라인 시스템"
        if token in ("시스템", "플랫폼", "홈페이지") and i and specific(tokens[i - 1]):
            return f"{tokens[i - 1]} {token}"
    named = [t for t in tokens if specific(t)]
    if named:
        return " ".join(named[:2])
    return words[0] if words else "대상 시스템"


def _duty_name(duty: str, terms: ProjectTerms) -> str:
    words = [w for w in _specific_words(duty) if w not in terms.system.split()][:3]
    return f"{terms.system} " + (" ".join(words) if words else "기능")


def _matching_example(name: str, examples: Sequence["ExampleNotice"]) -> str | None:
    """"20241001798 사업명: SFR-003 명칭" — the example notice's requirement block sharing the
    most specific words with `name`, or None."""
    mine = set(_specific_words(name))
    blocks = [(notice, block) for notice in examples for block in notice.requirement_names]
    notice, block = max(blocks, key=lambda pair: len(mine & set(_specific_words(pair[1]))), default=(None, None))
    # Two shared words at least: one ("연계", "서버") matches blocks of unrelated projects.
    if notice is None or len(mine & set(_specific_words(block))) < 2:
        return None
    return f"{notice.label}: {block}"


def _relate(requirements: list[Requirement]) -> None:
    # Tests, performance and security refer to the functions they check.
    functional = [r.id for r in requirements if r.category in ("SFR", "SMR", "CSR")]
    for requirement in requirements:
        if requirement.category in ("TER", "PER", "SER", "MAR", "CUR"):
            requirement.related = functional[:5]
