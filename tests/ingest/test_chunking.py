"""Chunkers: statute articles split at 항 with the heading repeated; other text packed
by paragraph and line, never cutting a line."""

from __future__ import annotations

import uuid

from ingest.chunking import chunk_document
from ingest.chunking.blocks import split_blocks
from ingest.chunking.statute import split_article, split_paragraph
from rag.documents import Chunk, ParsedDocument, Section

HEADING = "##### 제5조 (보육료)"  # 15 characters
PARAGRAPHS = [
    "**①** 보육료는 보호자가 부담한다.",  # 21
    "**②** 국가는 보육료의 일부를 지원할 수 있다.",  # 28
    "**③** 지원 기준은 대통령령으로 정한다.",  # 24
    "**④** 지방자치단체는 보육료를 추가로 지원할 수 있다.",  # 32
]
ARTICLE = Section(text=HEADING + "\n\n" + "\n\n".join(PARAGRAPHS), locator="제5조", heading=HEADING)


def test_long_article_split_at_paragraph_marks_with_heading_on_every_piece():
    # Budget for the body: 70 - 15 - 2 = 53. ①+② = 21+2+28 = 51 fit; ③+④ = 58 do not.
    assert split_article(ARTICLE, 70) == [
        f"{HEADING}\n\n{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}",
        f"{HEADING}\n\n{PARAGRAPHS[2]}",
        f"{HEADING}\n\n{PARAGRAPHS[3]}",
    ]
    assert split_article(ARTICLE, 80) == [
        f"{HEADING}\n\n{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}",
        f"{HEADING}\n\n{PARAGRAPHS[2]}\n\n{PARAGRAPHS[3]}",
    ]


def test_short_article_or_one_without_heading_stays_whole():
    assert split_article(ARTICLE, len(ARTICLE.text)) == [ARTICLE.text]
    headless = Section(text=ARTICLE.text, locator="제5조")
    assert split_article(headless, 40) == [ARTICLE.text]


def test_every_piece_fits_and_every_paragraph_survives_verbatim():
    items = "\n".join(f"  {i}\\. 제{i}호에 해당하는 어린이집은 별도의 기준에 따라 운영한다." for i in range(1, 9))
    long_paragraph = "**②** 다음 각 호의 어린이집은 예외로 한다.\n" + items
    body = [PARAGRAPHS[0], long_paragraph, PARAGRAPHS[2]]
    section = Section(text=HEADING + "\n\n" + "\n\n".join(body), locator="제5조", heading=HEADING)

    pieces = split_article(section, 150)

    assert len(pieces) > 2
    assert all(len(p) <= 150 and p.startswith(HEADING + "\n\n") for p in pieces)
    bodies = "\n".join(p[len(HEADING) + 2:] for p in pieces)
    for line in "\n".join(body).split("\n"):
        assert line in bodies  # no line is cut, none is lost
    # Pieces are in document order.
    assert bodies.index(PARAGRAPHS[0]) < bodies.index("8\\. 제8호") < bodies.index(PARAGRAPHS[2])


# A 항 whose list does not fit one chunk: "9. … 누설한 자" alone does not say that it is
# punished, nor how; the piece it starts repeats the line announcing the list.
PENALTY_LEAD = "다음 각 호의 어느 하나에 해당하는 자는 5년 이하의 징역에 처한다. <개정 2023.3.14>"
PENALTY_ITEMS = [f"  {i}\\. 제{i}조를 위반하여 개인정보를 제공한 자" for i in range(1, 10)]


def test_a_piece_starting_inside_a_list_repeats_the_line_announcing_it():
    paragraph = PENALTY_LEAD + "\n\n" + "\n".join(PENALTY_ITEMS)

    pieces = split_paragraph(paragraph, 150)

    assert len(pieces) >= 3 and all(len(p) <= 150 for p in pieces)
    assert all(p.startswith(PENALTY_LEAD + "\n\n  ") for p in pieces)
    items = [line for p in pieces for line in p.split("\n") if line.startswith("  ")]
    assert items == PENALTY_ITEMS  # each item once, in order


def test_a_nested_item_piece_repeats_the_item_it_belongs_to_and_no_piece_ends_with_a_lead():
    outer = "  6\\. \"공공기관\"이란 다음 각 목의 기관을 말한다."
    inner = [f"    {c}\\. {c}목에 해당하는 기관으로서 대통령령으로 정하는 기관" for c in "가나다라마"]
    paragraph = "\n".join(["이 법에서 사용하는 용어의 뜻은 다음과 같다.", "  5\\. \"처리자\"란 처리하는 자를 말한다.",
                           outer, *inner, "  7\\. \"정보주체\"란 알아볼 수 있는 사람을 말한다."])

    pieces = split_paragraph(paragraph, 100)

    assert all(not p.endswith(("다음 각 목의 기관을 말한다.", "다음과 같다.")) for p in pieces)
    continued = [p.split("\n") for p in pieces[1:] if "\n    " in p]  # 목 items past the first piece
    assert continued and all(lines[:2] == ["이 법에서 사용하는 용어의 뜻은 다음과 같다.", outer] for lines in continued)
    assert [line for p in pieces for line in p.split("\n") if line.startswith("    ")] == inner


def test_a_long_paragraph_without_a_list_is_cut_between_lines_and_repeats_nothing():
    lines = [f"{i}번째 문장은 목록이 아닌 본문으로서 줄마다 이어진다." for i in range(1, 9)]

    pieces = split_paragraph("\n".join(lines), 80)

    assert len(pieces) > 1 and all(len(p) <= 80 for p in pieces)
    assert "\n".join(pieces) == "\n".join(lines)


def test_blocks_pack_paragraphs_exactly():
    assert split_blocks("가나다\n\n라마바\n\n사아자", 8) == ["가나다\n\n라마바", "사아자"]
    assert split_blocks("가나다\n\n라마바\n\n사아자", 13) == ["가나다\n\n라마바\n\n사아자"]
    assert split_blocks("\n\n   \n", 10) == []


def test_table_rows_are_never_cut():
    rows = ["| 구분 | 기준 |", "| --- | --- |"] + [f"| 항목{i} | 허리둘레 {80 + i}cm 이상 |" for i in range(10)]
    table = "\n".join(rows)

    pieces = split_blocks("표 1. 판정 기준\n\n" + table, 60)

    assert all(len(p) <= 60 for p in pieces)
    assert len(pieces) > 2
    # Cuts fall only between rows: every line of every piece is a whole row (or the
    # caption), and read in order they give back the caption and the table.
    lines = [line for p in pieces for line in p.split("\n") if line]
    assert lines == ["표 1. 판정 기준", *rows]


def test_overlong_single_line_is_cut_at_sentence_ends():
    line = "첫 문장이다. 둘째 문장이다. 셋째 문장이다."

    assert split_blocks(line, 10) == ["첫 문장이다.", "둘째 문장이다.", "셋째 문장이다."]


def test_chunk_document_numbers_chunks_and_keeps_section_context():
    doc = ParsedDocument(
        source="statutes/테스트법/법률.md", title="테스트법", format="statute",
        sections=[Section(text="##### 제1조 (목적)\n\n목적을 정한다.", locator="제1조", heading_path=("제1장 총칙",),
                          heading="##### 제1조 (목적)"), ARTICLE],
        metadata={"제목": "테스트법", "version": "current"},
    )

    chunks = chunk_document(doc, max_chars=70)

    assert [(c.ordinal, c.locator) for c in chunks] == [(0, "제1조"), (1, "제5조"), (2, "제5조"), (3, "제5조")]
    assert chunks[0] == Chunk(source="statutes/테스트법/법률.md", ordinal=0, text="##### 제1조 (목적)\n\n목적을 정한다.",
                              locator="제1조", title="테스트법", heading_path=("제1장 총칙",),
                              metadata={"제목": "테스트법", "version": "current"})
    assert chunks[0].embedding_text == "테스트법 > 제1장 총칙\n##### 제1조 (목적)\n\n목적을 정한다."
    assert chunks[1].embedding_text.startswith("테스트법\n" + HEADING)


def test_chunk_document_packs_markdown_by_blocks():
    doc = ParsedDocument(source="guide.md", title="안내", format="markdown",
                         sections=[Section(text="## 측정\n\n가나다라\n\n마바사아", locator="측정", heading_path=("측정",))])

    assert [c.text for c in chunk_document(doc, max_chars=12)] == ["## 측정\n\n가나다라", "마바사아"]


def test_point_id_is_stable_per_source_and_ordinal():
    chunk = Chunk(source="a.md", ordinal=3, text="x", locator="", title="")
    namespace = uuid.UUID("5b0f6a52-6f1c-4d7e-9a43-0c7c1f0d2a11")

    assert chunk.point_id == str(uuid.uuid5(namespace, "a.md\x003"))
    assert Chunk(source="a.md", ordinal=3, text="other", locator="", title="").point_id == chunk.point_id
    assert Chunk(source="a.md", ordinal=4, text="x", locator="", title="").point_id != chunk.point_id


def test_pieces_joined_again_give_the_article_back_once():
    # What reads a whole article from its chunks (a tool's basis, the RFP thresholds) must
    # not see the heading and the list's lead once per chunk.
    from rag.documents import join_pieces

    text = HEADING + "\n\n" + PENALTY_LEAD + "\n\n" + "\n".join(PENALTY_ITEMS)
    section = Section(text=text, locator="제5조", heading=HEADING)

    pieces = split_article(section, 170)

    assert len(pieces) >= 3
    assert " ".join(join_pieces(pieces).split()) == " ".join(text.split())
