"""Statute markdown (legalize-kr layout) → one section per article."""

from __future__ import annotations

from pathlib import Path

from ingest.readers import read_document
from ingest.readers.statute import looks_like_statute, parse, strip_images

SOURCE = "statutes/childcare/테스트법/법률.md"

LAW = """---
제목: 테스트법
법령구분: 법률
소관부처:
- 보건복지부
- 교육부
공포일자: 2024-12-01
시행일자: 2025-03-01
상태: 시행
출처: https://www.law.go.kr/법령/테스트법
---

# 테스트법

## 제1장 총칙 <개정 2020.12.29>

##### 제1조 (목적)

이 법은 영유아(<img src="http://www.law.go.kr/flDownload.do?flSeq=1"  alt="img1" >幼兒</img>)의 복지를 목적으로 한다.

##### 제2조

삭제 <2020.12.29>

## 제2장 어린이집

### 제1절 설치

##### 제3조 (설치)

**①** 어린이집을 설치하려는 자는 인가를 받아야 한다.

**②** 인가의 기준은 교육부령으로 정한다. <개정 2024.12.1>

### 제2절 운영

##### 제3조의2 (운영위원회)

어린이집에는 운영위원회를 둔다.

## 제3장 벌칙

##### 제4조 (벌칙)

제3조를 위반한 자는 500만원 이하의 벌금에 처한다.
"""


def test_front_matter_becomes_metadata_with_ministries_joined():
    doc = parse(LAW, SOURCE)

    assert (doc.source, doc.title, doc.format) == (SOURCE, "테스트법", "statute")
    # 출처 is not one of the kept keys; dates arrive as text, the ministry list joined.
    assert doc.metadata == {
        "제목": "테스트법", "법령구분": "법률", "시행일자": "2025-03-01", "공포일자": "2024-12-01",
        "상태": "시행", "소관부처": "보건복지부, 교육부", "version": "current",
    }


def test_one_section_per_article_with_its_chapter_path():
    doc = parse(LAW, SOURCE)

    assert [(s.locator, s.heading_path) for s in doc.sections] == [
        ("제1조", ("제1장 총칙",)),
        ("제3조", ("제2장 어린이집", "제1절 설치")),
        ("제3조의2", ("제2장 어린이집", "제2절 운영")),
        # A new chapter drops the previous chapter's 절.
        ("제4조", ("제3장 벌칙",)),
    ]
    third = doc.sections[1]
    assert third.heading == "##### 제3조 (설치)"
    assert third.text == (
        "##### 제3조 (설치)\n\n**①** 어린이집을 설치하려는 자는 인가를 받아야 한다.\n\n"
        "**②** 인가의 기준은 교육부령으로 정한다. <개정 2024.12.1>"
    )


def test_image_tags_reduced_to_their_text():
    doc = parse(LAW, SOURCE)

    assert doc.sections[0].text == "##### 제1조 (목적)\n\n이 법은 영유아(幼兒)의 복지를 목적으로 한다."
    assert strip_images('a<img src="x" alt="y" >漢</img>b') == "a漢b"


def test_deleted_articles_are_skipped():
    doc = parse(LAW, SOURCE)

    assert "제2조" not in [s.locator for s in doc.sections]
    assert all("삭제" not in s.text for s in doc.sections)


def test_article_with_empty_body_is_skipped():
    doc = parse(LAW.replace("어린이집에는 운영위원회를 둔다.\n", ""), SOURCE)

    assert [s.locator for s in doc.sections] == ["제1조", "제3조", "제4조"]


def test_previous_version_is_marked_by_file_name():
    doc = parse(LAW, "statutes/childcare/테스트법/법률.prev_in_force.md")

    assert doc.metadata["version"] == "previous"
    assert doc.title == "테스트법"


def test_title_falls_back_to_file_name_without_제목():
    doc = parse(LAW.replace("제목: 테스트법\n", ""), SOURCE)

    assert doc.title == "법률.md"
    assert "제목" not in doc.metadata


def test_looks_like_statute():
    assert looks_like_statute(LAW)
    # No 법령구분 in the front matter: an ordinary document with front matter.
    assert not looks_like_statute(LAW.replace("법령구분: 법률\n", ""))
    # Front matter but no article heading.
    assert not looks_like_statute(LAW.split("# 테스트법")[0] + "# 안내\n\n본문\n")
    # Article headings but no front matter.
    assert not looks_like_statute(LAW.split("---\n", 2)[2])


def test_registry_sends_statute_markdown_to_the_statute_reader(tmp_path: Path):
    statute_path = tmp_path / "법률.md"
    statute_path.write_text(LAW, encoding="utf-8")
    plain_path = tmp_path / "안내.md"
    plain_path.write_text("# 안내\n\n##### 제1조 같은 제목\n\n본문\n", encoding="utf-8")

    assert read_document(statute_path, SOURCE).format == "statute"
    assert read_document(plain_path, "안내.md").format == "markdown"
