"""Sentence splitting: spans, markers kept with their sentence, numbers not split."""

from __future__ import annotations

import pytest

from rag.answer.sentences import plain_text, quote_text, split_sentences

from .conftest import CCTV


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_spans_point_at_the_original_wording():
    text = "원장은 영상을 보관해야 합니다 [1]. 보관 기간은 60일입니다.[2]\n\n- 목록 항목입니다"
    for sentence in split_sentences(text):
        assert text[sentence.start:sentence.end] == sentence.text


@pytest.mark.parametrize("text, expected", [
    ("보관해야 합니다.[1] 다음 문장입니다.", ["보관해야 합니다.[1]", "다음 문장입니다."]),
    ("보관해야 합니다. [1][2] 다음 문장입니다.", ["보관해야 합니다. [1][2]", "다음 문장입니다."]),
    ("보관해야 합니다 [1, 2]. 다음입니다 [1-2].", ["보관해야 합니다 [1, 2].", "다음입니다 [1-2]."]),
    ("정말요? 네! 끝.", ["정말요?", "네!", "끝."]),
    ("점검 결과를 기록함. 보관기간은 1년임.", ["점검 결과를 기록함.", "보관기간은 1년임."]),
])
def test_markers_stay_with_the_sentence_they_follow(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize("text", [
    "계약보증금은 1.5배로 한다.",
    "이 지침은 2024. 1. 1.부터 시행한다.",
    "제1조에 따라 처리한다.",
    "안내서 p. 3에 있다.",
    "교육비 1,000원을 넘는 부분은 원장이 부담한다.",
])
def test_numbers_dates_and_abbreviations_do_not_end_a_sentence(text):
    assert texts(text) == [text]


def test_a_period_inside_brackets_does_not_end_the_sentence():
    # The statutes' defining brackets: split there, the second half would be quoted from
    # "이하 이 조에서 같다)은 …", which reads as nothing.
    text = ("① 중앙행정기관등의 장(행정권한을 위탁받은 자를 포함한다. 이하 이 조에서 같다)은 종이문서를 "
            "요구해서는 아니 된다. 다음 문장(괄호 (안의 괄호. 포함) 끝)이다.")

    assert texts(text) == [
        "① 중앙행정기관등의 장(행정권한을 위탁받은 자를 포함한다. 이하 이 조에서 같다)은 종이문서를 요구해서는 아니 된다.",
        "다음 문장(괄호 (안의 괄호. 포함) 끝)이다.",
    ]


def test_an_inserted_item_number_is_not_a_sentence():
    # "7의2." numbers an item inserted after 7; read as a sentence end it was quoted alone.
    assert texts("  7의2\\. 아동학대관련범죄로 형이 확정된 사람\n  10의3. 다음 항목. 둘째 문장.") == [
        "7의2\\. 아동학대관련범죄로 형이 확정된 사람", "10의3. 다음 항목.", "둘째 문장."]


def test_an_unclosed_bracket_hides_no_sentence_end():
    assert texts("항목 (미완성. 다음 문장입니다. 끝.") == ["항목 (미완성.", "다음 문장입니다.", "끝."]


def test_list_numbering_is_not_a_sentence_end_and_lines_always_are():
    text = "1. 첫째 항목입니다. 둘째 문장입니다\n2. 둘째 항목 [1]\n가. 세부 항목\n- 글머리 항목"

    assert texts(text) == ["1. 첫째 항목입니다.", "둘째 문장입니다", "2. 둘째 항목 [1]", "가. 세부 항목", "- 글머리 항목"]


def test_statute_chunk_headings_tables_and_amendment_notes():
    text = CCTV + "\n\n| 구분 | 기준 |\n|---|---|\n| 보관 | 60일 |"
    sentences = split_sentences(text)

    assert [s.kind for s in sentences] == ["heading", "sentence", "sentence", "table", "rule", "table"]
    # The amendment note stays with the paragraph it amends.
    assert sentences[2].text.endswith("보관하여야 한다. <개정 2020.12.29>")


def test_plain_text_strips_markdown_for_the_checks():
    assert plain_text("##### 제15조의4 (폐쇄회로 텔레비전의 설치 등)") == "제15조의4 (폐쇄회로 텔레비전의 설치 등)"
    assert plain_text("**①** 어린이집을 *설치*하여야 한다.") == "① 어린이집을 설치하여야 한다."
    assert plain_text("| 허리둘레 | 남 90cm 이상 |") == "허리둘레 남 90cm 이상"
    assert plain_text("- 1.5배로 한다") == "1.5배로 한다"


def test_quote_keeps_the_wording_and_drops_only_markup():
    sentence = "**②** 어린이집을 설치·운영하는 자는 영상정보를 60일 이상 보관하여야 한다. <개정 2020.12.29>"

    assert quote_text(sentence) == "② 어린이집을 설치·운영하는 자는 영상정보를 60일 이상 보관하여야 한다."
    assert quote_text("| 허리둘레 | 남 90cm 이상 |") == "허리둘레 | 남 90cm 이상"


def test_escaped_statute_item_numbers_stay_with_their_item():
    # The statute files escape item numbers ("1\.") so markdown does not renumber them.
    text = "**①** 다음 각 호의 부담금을 부과한다.\n\n  1\\. 궐련: 20개비당 841원\n    가\\. 니코틴 용액: 1밀리리터당 525원"

    assert texts(text) == ["**①** 다음 각 호의 부담금을 부과한다.", "1\\. 궐련: 20개비당 841원",
                           "가\\. 니코틴 용액: 1밀리리터당 525원"]
    assert quote_text("1\\. 궐련: 20개비당 841원") == "1. 궐련: 20개비당 841원"
    assert plain_text("가\\. 니코틴 용액: 1밀리리터당 525원") == "니코틴 용액: 1밀리리터당 525원"
