"""What the dense embedder sees: the passage without tokens that carry no meaning."""

from __future__ import annotations

from pathlib import Path

from ingest.discovery import discover
from appcontext import AppContext
from rag.documents import Chunk
from rag.embedding.fake import FakeEmbedder
from rag.embedding.passage_text import dense_passage_text


ARTICLE = ("영유아보육법 > 제2장 어린이집의 설치\n##### 제15조의4 (폐쇄회로 텔레비전의 설치 등)\n\n"
           "**①** 어린이집을 설치ㆍ운영하는 자는 영상정보처리기기를 설치ㆍ관리하여야 한다. <개정 2015.5.18, 2020.12.29>\n"
           "  1\\. 보호자 전원이 동의한 경우<br>2\\. 그 밖의 경우 [본조신설 2015.5.18]")


def test_markup_and_amendment_notes_are_dropped_and_wording_kept():
    dense = dense_passage_text(ARTICLE)

    assert dense == ("영유아보육법 > 제2장 어린이집의 설치\n제15조의4 (폐쇄회로 텔레비전의 설치 등)\n"
                     "① 어린이집을 설치ㆍ운영하는 자는 영상정보처리기기를 설치ㆍ관리하여야 한다.\n"
                     "1. 보호자 전원이 동의한 경우 2. 그 밖의 경우")


def test_leading_lines_that_repeat_the_heading_path_are_dropped():
    text = "안내서 > 1. 건강 > Q 혈당은 언제 재나요?\n#### Q 혈당은 언제 재나요?\n\nA\n- 아침 공복에 잰다."

    assert dense_passage_text(text) == "안내서 > 1. 건강 > Q 혈당은 언제 재나요?\nA\n- 아침 공복에 잰다."


def test_text_without_a_heading_path_is_cleaned_as_body():
    assert dense_passage_text("##### 제1조 (목적)") == "제1조 (목적)"


def test_the_chunk_hash_follows_the_dense_form_not_the_markup():
    plain = Chunk("a.md", 0, "##### 제1조 (목적)\n목적을 정한다. <개정 2020.1.1>", "제1조", "테스트법")
    same = Chunk("a.md", 0, "##### 제1조 (목적)\n목적을 정한다. <개정 2023.3.3>", "제1조", "테스트법")
    other = Chunk("a.md", 0, "##### 제1조 (목적)\n목적을 바꾼다.", "제1조", "테스트법")

    assert plain.content_hash == same.content_hash  # one vector serves both
    assert plain.content_hash != other.content_hash


def test_ingest_embeds_the_dense_form_and_indexes_the_wording(ctx: AppContext, sample_corpus: Path):
    files, _ = discover(sample_corpus)
    ctx.ingest.ingest("childcare", sample_corpus, files, progress=False)
    ctx.ingest.embed_pending("childcare", progress=False)

    embedder = ctx.embedder
    assert isinstance(embedder, FakeEmbedder)
    assert ("테스트법 > 제2장 어린이집의 운영 > 제1절 안전관리\n제3조 (폐쇄회로 텔레비전의 설치)\n"
            "① 어린이집 원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 한다.\n"
            "② 원장은 녹화된 영상을 60일 이상 보관하여야 한다.") in embedder.passages
    assert not [p for p in embedder.passages if "#" in p or "<개정" in p]
    [hit] = ctx.retriever.search("보육실마다 폐쇄회로 텔레비전", "childcare", k=1)
    assert "**②** 원장은 녹화된 영상을 60일 이상 보관하여야 한다. <개정 2024.12.1>" in hit.text
