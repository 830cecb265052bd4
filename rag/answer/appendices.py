"""Appendices (별표) an answer depends on but the index does not hold.

Statutes delegate their figures to appendices ("보육교직원의 배치기준은 별표 2와 같다");
the statute files list each 별표 with its title and link but not its text. When an
answer cites such an article, or abstains over one, the reader is told which 별표 holds
the figure and where to read it, instead of a guess. Once an admin uploads the appendix
(its file name or title naming the law and the 별표), it is indexed like the rest and no
longer pointed to."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .types import Answer, Passage

#: Whether the collection holds the appendix `label` ("별표 2") of the law `law`.
AppendixIndexed = Callable[[str, str], bool]
#: An abstaining answer looks at this many of its best passages.
_ABSTAINED_PASSAGES = 3


def appendices_to_read(answer: Answer, indexed: AppendixIndexed) -> list[dict[str, str]]:
    """The appendices the answer's articles refer to that are not indexed: {law, label,
    title, link, article} each, in citation order, once each."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for passage in _consulted(answer):
        law = passage.chunk.title
        for item in passage.chunk.metadata.get("appendices") or ():
            key = (law, str(item.get("label", "")))
            if key in found or not key[1] or indexed(*key):
                continue
            found[key] = {"law": law, "label": key[1], "title": str(item.get("title", "")),
                          "link": str(item.get("link", "")), "article": passage.label}
    return list(found.values())


def appendix_notice(items: Sequence[dict[str, str]], abstained: bool = False) -> str:
    """The notice naming ``items``. An abstaining answer quoted nothing: its closest
    articles point there, and the figure asked for may be in the 별표."""
    if not items:
        return ""
    named = ", ".join(f"{i['law']} [{i['label']}] {i['title']}".strip() for i in items)
    if abstained:
        return (f"가장 가까운 조문이 정한 기준은 {named}에 있습니다. 별표는 색인되어 있지 않으니 찾는 수치가 "
                "그곳에 있는지 별표 원문에서 확인하세요 (관리자가 별표 파일을 올리면 함께 검색됩니다).")
    return (f"인용한 조문이 정한 기준은 {named}에 있습니다. 별표는 색인되어 있지 않아 이 답변에 수치가 "
            "빠져 있을 수 있으니 별표 원문에서 확인하세요 (관리자가 별표 파일을 올리면 함께 검색됩니다).")


def appendix_indexed_in(titles: Sequence[str]) -> AppendixIndexed:
    """`indexed` for a collection whose documents have these titles or file names: an
    appendix counts as indexed when one names both its law and its label ("영유아보육법
    시행규칙 별표 2 보육교직원 배치기준.pdf"), spaces aside."""
    packed = [re.sub(r"\s+", "", t) for t in titles]

    def indexed(law: str, label: str) -> bool:
        # "유아교육법" inside "유아교육법시행령별표1" names the decree, not the act.
        law_name = re.compile(re.escape(re.sub(r"\s+", "", law)) + r"(?!시행령|시행규칙)")
        number = re.escape(re.sub(r"\s+", "", label))
        pattern = re.compile(rf"{number}(?![\d의])")
        return any(law_name.search(t) and pattern.search(t) for t in packed)

    return indexed


def _consulted(answer: Answer) -> list[Passage]:
    if answer.abstained:
        return list(answer.passages[:_ABSTAINED_PASSAGES])
    cited = {c.n for c in answer.citations}
    return [p for p in answer.passages if p.n in cited]
