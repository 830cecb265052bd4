"""Appendices (별표) an answer depends on: read from the statute's front matter, carried
by the articles that refer to them, and named with their link in the answer while they
are not indexed; once an admin's upload names the law and the 별표, they are not."""

from __future__ import annotations

from pathlib import Path

from appcontext import AppContext
from ingest.chunking import chunk_document
from ingest.discovery import FoundFile, discover
from ingest.readers.statute import parse
from rag.answer.appendices import appendix_indexed_in
from rag.config import load_settings

SOURCE = "statutes/childcare/배치법/시행규칙.md"
STATUTE = """---
제목: 배치법 시행규칙
법령구분: 보건복지부령
시행일자: 2026-01-01
상태: 시행
첨부파일:
- 별표번호: '0001'
  별표가지번호: '00'
  별표구분: 별표
  제목: 시설의 설치기준(제2조 관련)
  PDF링크: https://www.law.go.kr/LSW/flDownload.do?flSeq=1
- 별표번호: '0001'
  별표가지번호: '02'
  별표구분: 별표
  제목: 영상기기의 관리기준(제2조제2항 관련)
  PDF링크: https://www.law.go.kr/LSW/flDownload.do?flSeq=2
- 별표번호: '0002'
  별표가지번호: '00'
  별표구분: 별표
  제목: 보육교직원의 배치기준(제3조 관련)
  PDF링크: https://www.law.go.kr/LSW/flDownload.do?flSeq=3
- 별표번호: '0001'
  별표가지번호: '00'
  별표구분: 서식
  제목: 신청서
---

##### 제2조 (설치기준)

① 시설의 설치기준은 별표 1의2와 같다.

##### 제3조 (보육교직원의 배치기준)

어린이집에 두는 보육교사의 배치기준은 별표 2와 같다.

##### 제4조 (보고)

원장은 매년 운영 현황을 보고하여야 한다.
"""


def test_articles_carry_the_appendices_they_refer_to():
    doc = parse(STATUTE, SOURCE)
    by_article = {s.locator: s.appendices for s in doc.sections}
    # "별표 1의2" is not "별표 1"; forms (서식) are not appendices of figures.
    assert [(a.label, a.title) for a in by_article["제2조"]] == [("별표 1의2", "영상기기의 관리기준(제2조제2항 관련)")]
    assert [a.label for a in by_article["제3조"]] == ["별표 2"]
    assert by_article["제3조"][0].link == "https://www.law.go.kr/LSW/flDownload.do?flSeq=3"
    assert by_article["제4조"] == ()
    chunks = {c.locator: c for c in chunk_document(doc)}
    assert [a.label for a in chunks["제3조"].appendices] == ["별표 2"]


def test_a_reference_followed_by_a_genitive_is_still_a_reference():
    from rag.documents import Appendix, referenced_appendices

    listed = (Appendix("별표 1", "자격기준", ""), Appendix("별표 1의2", "영상기기", ""), Appendix("별표 2", "배치", ""))
    def labels(text: str) -> list[str]:
        return [a.label for a in referenced_appendices(text, listed)]

    assert labels("보육교사의 자격은 별표 1의 자격기준에 따른다.") == ["별표 1"]
    assert labels("별표 1의2의 기준에 맞게 관리한다.") == ["별표 1의2"]
    assert labels("별표 1의 2에 따른 영상기기") == ["별표 1의2"]
    assert labels("별표 12에 따른다.") == []


def test_an_uploaded_appendix_counts_as_indexed_by_its_law_and_number():
    indexed = appendix_indexed_in(["배치법 시행규칙 uploads/배치법 시행규칙 [별표 2] 배치기준.pdf"])
    assert indexed("배치법 시행규칙", "별표 2")
    assert not indexed("배치법 시행규칙", "별표 1")
    assert not indexed("다른법 시행규칙", "별표 2")
    assert not appendix_indexed_in(["배치법 시행규칙 별표 1의2.pdf"])("배치법 시행규칙", "별표 1")
    # The decree's 별표 1 is not the act's: the act's name is a prefix of the decree's.
    decree = appendix_indexed_in(["유아교육법 시행령 별표 1 유치원 규모.pdf"])
    assert decree("유아교육법 시행령", "별표 1")
    assert not decree("유아교육법", "별표 1")


def _indexed(tmp_path: Path) -> AppContext:
    root = tmp_path / "corpus"
    path = root / SOURCE
    path.parent.mkdir(parents=True)
    path.write_text(STATUTE, encoding="utf-8")
    ctx = AppContext(load_settings("test", data_dir=tmp_path / "data"))
    files, _ = discover(root)
    ctx.ingest.ingest("childcare", root, files, progress=False)
    ctx.ingest.embed_pending("childcare", progress=False)
    return ctx


def test_an_answer_names_the_appendix_that_holds_the_figure_until_it_is_uploaded(tmp_path: Path):
    ctx = _indexed(tmp_path)
    try:
        question = "어린이집 보육교사 배치기준은 어떻게 되나요?"
        answer = ctx.answers.answer(question, assistant="childcare", collection="childcare", use_llm=False)
        assert any(c.locator == "제3조" for c in answer.citations), answer.text
        [item] = answer.appendices
        assert item["label"] == "별표 2" and item["title"] == "보육교직원의 배치기준(제3조 관련)"
        assert item["link"].startswith("https://www.law.go.kr/") and item["article"].endswith("제3조")
        assert "[별표 2] 보육교직원의 배치기준" in answer.notice and "별표 원문에서 확인하세요" in answer.notice
        assert answer.notice.startswith("인용한 조문이 정한 기준은")
        # Abstaining, nothing was quoted: the closest article points to the 별표.
        count = ctx.answers.answer("보육교사 한 명이 영아를 몇 명까지 맡나요?", assistant="childcare",
                                   collection="childcare", use_llm=False)
        assert count.abstained and count.appendices[0]["label"] == "별표 2", count.text
        assert "가장 가까운 조문이 정한 기준은 배치법 시행규칙 [별표 2]" in count.notice
        assert "인용한 조문" not in count.notice

        # An admin uploads the appendix: it is indexed and no longer pointed to.
        upload = tmp_path / "uploads" / "배치법 시행규칙 별표 2 보육교직원 배치기준.md"
        upload.parent.mkdir(parents=True)
        upload.write_text("# 배치법 시행규칙 별표 2\n\n만 1세 영아 5명당 보육교사 1명을 둔다.\n", encoding="utf-8")
        ctx.ingest.ingest("childcare", upload.parent, [FoundFile(upload, upload.name)], remove_missing=False,
                          progress=False)
        again = ctx.answers.answer(question, assistant="childcare", collection="childcare", use_llm=False)
        assert again.appendices == [] and "별표 원문" not in again.notice
    finally:
        ctx.close()


def test_the_chat_api_s_answer_carries_the_appendices():
    from api.views import answer_view
    from rag.answer.types import Answer

    item = {"law": "배치법 시행규칙", "label": "별표 2", "title": "보육교직원의 배치기준(제3조 관련)",
            "link": "https://www.law.go.kr/LSW/flDownload.do?flSeq=3", "article": "배치법 시행규칙 제3조"}
    view = answer_view(Answer("q", "a", "extractive", appendices=[item]))
    assert view["appendices"] == [item]
