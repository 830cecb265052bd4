"""Which government a question is about, and the law written for it. Several laws come
in pairs, one for the state and one for local governments, with the same structure and
nearly the same wording: 국가공무원 복무규정 and 지방공무원 복무규정, 국가계약법 and
지방계약법, 보조금법 and 지방보조금법. Retrieval cannot tell them apart by the words of
"병가 며칠 넘으면 진단서 내야 돼?", but "구청 공무원인데" can: when the question names one
side, the other side's twin is put after the rest of the hits.

Only twins both retrieved are reordered, and only when the question names one side and
not the other: a question that says neither is left as retrieval ranked it."""

from __future__ import annotations

import re
from typing import Literal, Sequence

from .results import RetrievedChunk

Side = Literal["local", "national"]

# Words that name a local government, its offices, budget or staff (서울시 and its 자치구
# are local governments), and the same for the state. Not 구비 (구비서류) nor 부처님.
_LOCAL = re.compile(
    r"(?:구청|시청|군청|도청|구립|시립|군립|도립|자치구|지자체|지방자치단체|지방직|지방공무원|구의회|시의회|"
    r"주민센터|동사무소|행정복지센터|서울시|서울특별시|[구시군]\s*보조금|구\s*예산|시\s*예산)")
_NATIONAL = re.compile(r"(?:국가기관|중앙부처|정부부처|부처(?!님)|중앙행정기관|국가직|국가공무원|국고|국비|국립)")
# What a title keeps when the side it is written for is taken out: the twins' common name.
_SIDE_WORDS = re.compile(r"지방자치단체를|국가를|지방자치단체|지방|국가")


def question_side(question: str) -> Side | None:
    """The side the question names, or None when it names neither or both."""
    local, national = bool(_LOCAL.search(question)), bool(_NATIONAL.search(question))
    if local == national:
        return None
    return "local" if local else "national"


def law_side(title: str) -> Side:
    compact = title.replace(" ", "")
    return "local" if ("지방" in compact or compact.startswith("서울특별시")) else "national"


def twin_name(title: str) -> str:
    return _SIDE_WORDS.sub("", title.replace(" ", ""))


def prefer_side(question: str, hits: Sequence[RetrievedChunk]) -> list[RetrievedChunk]:
    """``hits`` with the chunks of a law whose twin for the side the question names is
    also among them moved after the others, each group in its own order."""
    side = question_side(question)
    if side is None:
        return list(hits)
    sides: dict[str, set[Side]] = {}
    for hit in hits:
        sides.setdefault(twin_name(hit.title), set()).add(law_side(hit.title))
    other = {h.id for h in hits if law_side(h.title) != side and len(sides[twin_name(h.title)]) == 2}
    return [h for h in hits if h.id not in other] + [h for h in hits if h.id in other]
