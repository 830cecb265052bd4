"""The 근거 block of a work-manual answer (answer_shape: manual): one line per cited
passage, "영유아보육법 제15조의4 (시행일자 2025. 3. 1.)" for an article, the manual's
title and page for a PDF passage. It is built by code from the verified citations and
the chunks' metadata, never written by the model, so it always names what the answer
really cites and the date the cited text is in force. It lives beside the answer's text
(``Answer.basis``), so the text's verified sentences are left as they are."""

from __future__ import annotations

import re

from .types import Answer, Passage

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def official_date(value: str) -> str:
    """"2025-03-01" → "2025. 3. 1." (행정업무규정's date style); anything else as it is."""
    match = _ISO_DATE.match(value.strip())
    if not match:
        return value.strip()
    year, month, day = (int(g) for g in match.groups())
    return f"{year}. {month}. {day}."


def basis_line(passage: Passage) -> dict:
    """{n, label, effective_date, page, line}: `line` is what the reader sees."""
    chunk = passage.chunk
    effective = str(chunk.metadata.get("시행일자") or "").strip()
    if chunk.is_article:
        # The date is stated in the line, so the label's "(시행 …)" of a previous version is not repeated.
        label = f"{chunk.title} {chunk.locator}"
    elif chunk.page is not None:
        label = f"{chunk.title} {chunk.page}쪽"
    else:
        label = passage.label
    line = f"{label} (시행일자 {official_date(effective)})" if effective else label
    return {"n": passage.n, "label": label, "effective_date": effective or None, "page": chunk.page, "line": line}


def basis_of(answer: Answer) -> list[dict]:
    """One line per passage the answer cites, in citation order, once each."""
    by_n = {p.n: p for p in answer.passages}
    lines: list[dict] = []
    seen: set[int] = set()
    for citation in answer.citations:
        passage = by_n.get(citation.n)
        if passage is None or citation.n in seen:
            continue
        seen.add(citation.n)
        lines.append(basis_line(passage))
    return lines
