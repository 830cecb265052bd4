"""Plain Markdown guides → one section per heading block."""

from __future__ import annotations

from ingest.readers.markdown import parse

GUIDE = """앞글: 이 안내서는 연습용이다.

# 대사증후군 안내

## 1. 허리둘레 측정

- 숨을 내쉰 상태에서 잰다.

## 2. 생활습관

### 가. 식습관

짠 음식을 줄인다.

#### Q 공복 혈당은 언제 재나요?

8시간 금식한 뒤 잰다.
"""


def test_sections_carry_their_heading_path():
    doc = parse(GUIDE, "manuals/안내.md")

    assert [(s.locator, s.heading_path) for s in doc.sections] == [
        ("", ()),
        ("1. 허리둘레 측정", ("대사증후군 안내", "1. 허리둘레 측정")),
        ("가. 식습관", ("대사증후군 안내", "2. 생활습관", "가. 식습관")),
        ("Q 공복 혈당은 언제 재나요?", ("대사증후군 안내", "2. 생활습관", "가. 식습관", "Q 공복 혈당은 언제 재나요?")),
    ]
    assert doc.format == "markdown"


def test_heading_line_stays_in_the_text():
    doc = parse(GUIDE, "manuals/안내.md")

    # The FAQ question is the heading: dropping it would lose what the answer answers.
    assert doc.sections[-1].text == "#### Q 공복 혈당은 언제 재나요?\n\n8시간 금식한 뒤 잰다."
    assert doc.sections[0].text == "앞글: 이 안내서는 연습용이다."


def test_heading_only_section_is_merged_into_the_next():
    doc = parse(GUIDE, "manuals/안내.md")

    assert doc.sections[1].text == "# 대사증후군 안내\n\n## 1. 허리둘레 측정\n\n- 숨을 내쉰 상태에서 잰다."
    assert doc.sections[2].text == "## 2. 생활습관\n\n### 가. 식습관\n\n짠 음식을 줄인다."


def test_trailing_heading_only_section_is_kept():
    doc = parse("# 안내\n\n본문\n\n## 부록\n", "x.md")

    assert [s.text for s in doc.sections] == ["# 안내\n\n본문", "## 부록"]


def test_consecutive_heading_only_sections_all_merge_into_the_body():
    doc = parse("# A\n\n## B\n\n### C\n\n본문\n", "x.md")

    assert [s.text for s in doc.sections] == ["# A\n\n## B\n\n### C\n\n본문"]


def test_title_comes_from_the_folder_of_a_parsed_part():
    doc = parse(GUIDE, "metabolic/parsed/20240115_대사증후군 관리 안내서/part-03.md")
    assert doc.title == "대사증후군 관리 안내서"  # date prefix dropped

    doc = parse(GUIDE, "metabolic/parsed/상담 가이드북/part-01.md")
    assert doc.title == "상담 가이드북"


def test_title_falls_back_to_first_heading_then_file_stem():
    assert parse(GUIDE, "manuals/안내.md").title == "대사증후군 안내"
    assert parse("제목 없는 메모\n", "manuals/메모.md").title == "메모"


def test_image_tags_reduced_to_their_text():
    doc = parse('# 안내\n\n혈당(<img src="a.png" >血糖</img>)을 잰다.\n', "x.md")

    assert doc.sections[0].text == "# 안내\n\n혈당(血糖)을 잰다."
