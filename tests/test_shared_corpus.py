"""The real statutes of ../shared/corpora, where present: the article count of
영유아보육법 and the suite's 제14조 quote found verbatim (hit rule) in the index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eval.hits import hits
from eval.suites import load_suite
from ingest.discovery import discover
from appcontext import AppContext
from rag.store.base import PointFilter

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
CORPUS = (SHARED / "corpora").resolve()
SUITE = (SHARED / "benchmarks" / "dev" / "statutes.jsonl").resolve()
LAW = "statutes/childcare/영유아보육법/법률.md"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpora not found")


def articles_in_force(text: str) -> list[str]:
    """Article numbers with a body, read straight from the file (independent of the reader)."""
    parts = re.split(r"^##### ", text, flags=re.M)[1:]
    numbers = []
    for part in parts:
        head, _, body = part.partition("\n")
        body = re.split(r"^#{1,4} ", body, flags=re.M)[0].strip()
        if body and not re.fullmatch(r"삭제\s*(<[^>]*>)?", body):
            numbers.append(re.match(r"제\d+조(의\d+)?", head).group(0))
    return numbers


def all_chunks(ctx: AppContext, collection: str, source: str):
    """Every chunk of `source`: each one's terms include the title (Kiwi splits it one way
    or another) or the 조 of its article heading."""
    flt = PointFilter(sources=(source,))
    return ctx.retriever.search("영유아보육법 영유아 보육법 조", collection, k=1000, flt=flt, mode="sparse")


def test_yeongyuabohobeop_articles_and_the_article_14_quote(ctx: AppContext):
    files, _ = discover(CORPUS, [LAW])  # one file: Kiwi over the whole folder takes ~20 s
    report = ctx.ingest.ingest("childcare", CORPUS, files, progress=False)
    assert (report.added, report.failed) == ([LAW], [])

    chunks = all_chunks(ctx, "childcare", LAW)
    expected = articles_in_force((CORPUS / LAW).read_text(encoding="utf-8"))
    assert len(expected) > 100
    assert len(chunks) == ctx.collection("childcare").count(PointFilter(sources=(LAW,))) == report.chunks
    assert sorted({c.locator for c in chunks}) == sorted(expected)

    case = next(c for c in load_suite(SUITE) if any(e.source == LAW and e.locator == "제14조" for e in c.evidence))
    evidence = [e for e in case.evidence if e.source == LAW and e.locator == "제14조"]
    hit = [c for c in chunks if hits(c.source, c.text, evidence)]
    assert [c.locator for c in hit] == ["제14조"]
    # And BM25 alone finds it for the case's own question.
    top = ctx.retriever.search(case.question, "childcare", k=10, mode="sparse")
    assert any(hits(c.source, c.text, evidence) for c in top)


@pytest.mark.slow
def test_whole_childcare_statute_folder_ingests(ctx: AppContext):
    files, _ = discover(CORPUS, ["statutes/childcare"])
    report = ctx.ingest.ingest("childcare", CORPUS, files, progress=False)

    assert report.failed == []
    assert LAW in report.added
    assert ctx.collection("childcare").count() == report.chunks
