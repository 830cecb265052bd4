"""Chunkers: statute articles split at 항 with the heading repeated; other text packed
by paragraph and line, never cutting a line."""

from __future__ import annotations

import uuid

from ingest.chunking import chunk_document
from ingest.chunking.blocks import split_blocks
from ingest.chunking.statute import split_article
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
