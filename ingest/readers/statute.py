"""Statute markdown (legalize-kr layout): YAML front matter, `##`-`####` chapter headings,
`##### 제N조 (제목)` articles. One Section per article, with its chapter path."""

from __future__ import annotations

import re

import yaml

from rag.documents import Appendix, MetadataValue, ParsedDocument, Section, appendix_label, referenced_appendices

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_HEADING = re.compile(r"^(#{1,5}) (.+?)\s*$", re.M)
_ARTICLE = re.compile(r"^제\d+조(?:의\d+)?")
# law.go.kr shows rare hanja as images: keep the alt text between the tags, drop the tag.
_IMG_OPEN = re.compile(r"<img\b[^>]*>")
_IMG_CLOSE = re.compile(r"</img>")
_DELETED = re.compile(r"^삭제\s*(<[^>]*>)?\s*$")
_AMENDMENT = re.compile(r"\s*<(?:개정|신설|전문개정|본조신설|제목개정)[^>]*>\s*$")

# libyaml's loader is ~20× faster than the pure-Python one; fall back where it is missing.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PREVIOUS_SUFFIX = ".prev_in_force.md"
METADATA_KEYS = ("제목", "법령구분", "시행일자", "공포일자", "상태", "소관부처")


def looks_like_statute(text: str) -> bool:
    match = _FRONT_MATTER.match(text)
    return bool(match) and "법령구분" in match.group(1) and "\n##### 제" in text


def strip_images(text: str) -> str:
    return _IMG_CLOSE.sub("", _IMG_OPEN.sub("", text))


def parse(text: str, source: str) -> ParsedDocument:
    match = _FRONT_MATTER.match(text)
    front = yaml.load(match.group(1), Loader=_YAML_LOADER) if match else {}
    body = strip_images(text[match.end():] if match else text)
    metadata = _metadata(front or {}, source)
    title = str(metadata.get("제목") or source.rsplit("/", 1)[-1])
    appendices = _appendices(front or {})
    return ParsedDocument(source=source, title=title, format="statute",
                          sections=list(_articles(body, appendices)), metadata=metadata)


def _appendices(front: dict) -> tuple[Appendix, ...]:
    """The 별표 the front matter lists (첨부파일: number, branch, kind, title, links): their
    text is not in the file, so an article that delegates a figure to one must say so."""
    found: list[Appendix] = []
    for item in front.get("첨부파일") or ():
        if not isinstance(item, dict) or str(item.get("별표구분", "별표")) != "별표":
            continue  # 서식 (forms) are not where figures live
        try:
            number, branch = int(str(item.get("별표번호", ""))), int(str(item.get("별표가지번호", "0") or 0))
        except ValueError:
            continue
        link = str(item.get("PDF링크") or item.get("파일링크") or "")
        found.append(Appendix(appendix_label(number, branch), str(item.get("제목", "")).strip(),
                              link if link.startswith("https://") else ""))
    return tuple(found)


def _metadata(front: dict, source: str) -> dict[str, MetadataValue]:
    metadata: dict[str, MetadataValue] = {}
    for key in METADATA_KEYS:
        value = front.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value not in (None, ""):
            metadata[key] = str(value)
    metadata["version"] = "previous" if source.endswith(PREVIOUS_SUFFIX) else "current"
    return metadata


def _articles(body: str, appendices: tuple[Appendix, ...] = ()):
    headings = list(_HEADING.finditer(body))
    path: dict[int, str] = {}
    for i, heading in enumerate(headings):
        level, name = len(heading.group(1)), heading.group(2)
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        if level < 5:
            path = {k: v for k, v in path.items() if k < level}
            if level > 1:
                path[level] = _AMENDMENT.sub("", name)
            continue
        article = _ARTICLE.match(name)
        content = body[heading.end():end].strip("\n")
        if not article or _DELETED.match(content.strip()) or not content.strip():
            continue
        text = body[heading.start():end].rstrip()
        yield Section(
            text=text,
            locator=article.group(0),
            heading_path=tuple(path[k] for k in sorted(path)),
            heading=heading.group(0).rstrip(),
            appendices=referenced_appendices(text, appendices),
        )
