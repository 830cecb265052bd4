"""The requirement checker: what makes a requirement unclear or unverifiable, shown beside
each requirement (``Requirement.findings``) and exported with it.

- vague_word: 적절한, 신속하게, 가능하면, 등 … (a reader cannot tell when it is met);
- several_duties: more than one duty in one sentence (each needs its own acceptance test);
- unmeasurable: a performance requirement without a number and unit (or a slot for one);
- duplicate_id / malformed_id: IDs must be CAT-NNN, unique, in a known category;
- not_specific: names nothing of this project (boilerplate). The system's name does not
  count: the drafter stamps it on every block, so a block that only repeats it ("좌석예약
  시스템의 주요 화면은 … 응답한다") says nothing of this project's own work."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .draft import CATEGORIES, Finding, Requirement

VAGUE_WORDS = ("적절한", "적절히", "적정한", "신속하게", "신속히", "가능하면", "가급적", "최대한", "충분한", "충분히",
               "원활한", "원활하게", "효율적인", "효율적으로", "편리한", "쉽게", "다양한", "우수한", "최적의", "등…", "등...",
               "등등", "기타 필요한", "필요 시", "필요시")
_TRAILING_ETC = re.compile(r"(?<![가-힣])등(?=[\s.,)]|$)")
_DUTY = re.compile(r"(하여야 한다|해야 한다|하여야 함|해야 함|할 것|하도록 한다|한다|함)(?=[\s.,;]|$)")
_MEASURE = re.compile(r"(\d[\d,.]*|\]\s*)\s*(초|ms|밀리초|분|시간|일|%|퍼센트|명|건|회|TPS|tps|GB|TB|MB|Mbps|배)")
ID_PATTERN = re.compile(r"^([A-Z]{3})-(\d{3})$")


def check(requirements: Sequence[Requirement], project_words: Sequence[str], system: str = "") -> list[Requirement]:
    """Sets each requirement's findings (replacing earlier ones) and returns the list.
    `system`: the system name the drafter put in every block (not evidence of specificity)."""
    seen: dict[str, int] = {}
    for requirement in requirements:
        seen[requirement.id] = seen.get(requirement.id, 0) + 1
    for requirement in requirements:
        requirement.findings = findings_of(requirement, project_words, duplicated=seen[requirement.id] > 1,
                                           system=system)
    return list(requirements)


def findings_of(requirement: Requirement, project_words: Sequence[str], *, duplicated: bool = False,
                system: str = "") -> list[Finding]:
    out: list[Finding] = []
    if not valid_id(requirement.id, requirement.category):
        out.append(Finding("malformed_id", f"고유번호 '{requirement.id}'는 '{requirement.category}-001' 형식이 아니거나 "
                                           "알 수 없는 분류입니다", requirement.id))
    if duplicated:
        out.append(Finding("duplicate_id", f"고유번호 '{requirement.id}'가 중복됩니다", requirement.id))
    texts = [requirement.name, requirement.definition, *requirement.details]
    for text in texts:
        vague = [w for w in VAGUE_WORDS if w in text] + (["등"] if _TRAILING_ETC.search(_without_slots(text)) else [])
        if vague:
            out.append(Finding("vague_word", f"모호한 표현({', '.join(vague)}): 측정·확인할 수 있는 기준으로 바꾸세요", text))
        for sentence in re.split(r"(?<=다)\.\s*|\n", text):
            if len(_DUTY.findall(sentence)) > 1:
                out.append(Finding("several_duties", "한 문장에 의무가 둘 이상입니다: 요구사항을 나누세요", sentence))
    if requirement.category == "PER" and not any(_MEASURE.search(t) for t in texts):
        out.append(Finding("unmeasurable", "성능 요구사항에 측정 가능한 수치와 단위가 없습니다", requirement.definition))
    if not is_specific(requirement, project_words, system):
        out.append(Finding("not_specific", "이 사업의 시스템·사용자·데이터를 하나도 언급하지 않습니다", requirement.name))
    return out


def valid_id(identifier: str, category: str | None = None) -> bool:
    match = ID_PATTERN.match(identifier or "")
    return bool(match) and match.group(1) in CATEGORIES and (category is None or match.group(1) == category) and \
        match.group(2) != "000"


def is_specific(requirement: Requirement, project_words: Sequence[str], system: str = "") -> bool:
    """Whether the block names a word of the project besides the system's name (slots for
    the officer to fill are not words of the project)."""
    text = _without_slots(" ".join([requirement.name, requirement.definition, *requirement.details]))
    if system.strip():
        text = text.replace(system.strip(), " ")
    return any(word in text for word in project_words)


def _without_slots(text: str) -> str:
    return re.sub(r"\[확인 필요:[^\]]*\]", "", text)
