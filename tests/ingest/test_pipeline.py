"""Incremental ingestion end to end: real Kiwi, real qdrant-edge, the fake embedder
(test profile), all through `AppContext`."""

from __future__ import annotations

import threading
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.discovery import FoundFile, discover
from ingest.pipeline import IngestReport
from ingest.readers import read_document
from appcontext import AppContext
from rag.embedding.fake import FakeEmbedder
from rag.store.base import ANY, PointFilter

COLLECTION = "childcare"
STATUTE = "statutes/childcare/테스트법/법률.md"
PREVIOUS = "statutes/childcare/테스트법/법률.prev_in_force.md"
GUIDE = "metabolic/parsed/테스트 대사증후군 안내/part-01.md"
ALL_SOURCES = [GUIDE, STATUTE, PREVIOUS]  # discovery order: sorted paths
# 테스트법: 제1조, 제3조, 제4조 (제2조 is deleted); previous version: 제3조; guide: 3 blocks.
N_CHUNKS = 7


def ingest(ctx: AppContext, root: Path) -> IngestReport:
    files, _ = discover(root)
    return ctx.ingest.ingest(COLLECTION, root, files, progress=False)


def found_texts(ctx: AppContext, question: str, flt: PointFilter | None = None) -> list[str]:
    return [c.text for c in ctx.retriever.search(question, COLLECTION, k=10, flt=flt, mode="sparse")]


def fake(ctx: AppContext) -> FakeEmbedder:
    assert isinstance(ctx.embedder, FakeEmbedder)
    return ctx.embedder


def chunk_hashes(root: Path, source: str) -> list[str]:
    return [c.content_hash for c in chunk_document(read_document(root / source, source))]


def edit(root: Path, source: str, old: str, new: str) -> None:
    path = root / source
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_ingest_adds_every_document_and_is_searchable_before_embedding(ctx: AppContext, sample_corpus: Path):
    report = ingest(ctx, sample_corpus)

    assert report.added == ALL_SOURCES
    assert (report.updated, report.unchanged, report.removed, report.failed) == ([], [], [], [])
    assert report.chunks == N_CHUNKS
    collection = ctx.collection(COLLECTION)
    assert collection.count() == N_CHUNKS
    assert collection.count(PointFilter()) == N_CHUNKS - 1  # the previous version's article
    assert collection.count(PointFilter(versions=None, has_dense=False)) == N_CHUNKS
    assert ctx.state.progress(COLLECTION) == (0, N_CHUNKS)
    assert sorted(ctx.state.documents(COLLECTION)) == sorted(ALL_SOURCES)
    # Phase 1 alone makes BM25 search work.
    assert found_texts(ctx, "급식 식단은 누가 작성하나요?")[0].startswith("##### 제4조 (급식 관리)")


def test_embed_pending_fills_every_chunk_once(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)

    assert ctx.ingest.embed_pending(COLLECTION, progress=False) == N_CHUNKS

    assert ctx.state.progress(COLLECTION) == (N_CHUNKS, N_CHUNKS)
    assert ctx.collection(COLLECTION).count(PointFilter(versions=None, has_dense=True)) == N_CHUNKS
    assert fake(ctx).embedded_texts == N_CHUNKS
    hashes = [h for source in ALL_SOURCES for h in chunk_hashes(sample_corpus, source)]
    assert sorted(ctx.state.cached_vectors(fake(ctx).name, hashes)) == sorted(hashes)
    # Nothing left to do.
    assert ctx.ingest.embed_pending(COLLECTION, progress=False) == 0
    assert fake(ctx).embedded_texts == N_CHUNKS


def test_reingest_unchanged_does_nothing(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)
    ctx.ingest.embed_pending(COLLECTION, progress=False)

    report = ingest(ctx, sample_corpus)

    assert report.unchanged == ALL_SOURCES
    assert (report.added, report.updated, report.removed, report.chunks) == ([], [], [], 0)
    assert ctx.ingest.embed_pending(COLLECTION, progress=False) == 0
    assert fake(ctx).embedded_texts == N_CHUNKS
    assert ctx.collection(COLLECTION).count() == N_CHUNKS


def test_reingest_in_a_new_process_uses_the_saved_state(settings, sample_corpus: Path):
    first = AppContext(settings)
    try:
        ingest(first, sample_corpus)
        first.ingest.embed_pending(COLLECTION, progress=False)
    finally:
        first.close()

    second = AppContext(settings)
    try:
        report = ingest(second, sample_corpus)
        assert report.unchanged == ALL_SOURCES
        assert second.ingest.embed_pending(COLLECTION, progress=False) == 0
        assert fake(second).embedded_texts == 0
        assert second.collection(COLLECTION).count(PointFilter(versions=None, has_dense=True)) == N_CHUNKS
    finally:
        second.close()


class _StopAfterFirstBatch(threading.Event):
    """Set once the embedder has been called: a shutdown arriving during the first batch."""

    def __init__(self, embedder: FakeEmbedder) -> None:
        super().__init__()
        self.embedder = embedder

    def is_set(self) -> bool:
        return self.embedder.calls >= 1


def test_a_stop_is_heard_between_batches_and_the_finished_batch_is_kept(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)
    ctx.ingest.embed_batch_size = 2

    assert ctx.ingest.embed_pending(COLLECTION, progress=False, stop=_StopAfterFirstBatch(fake(ctx))) == 2

    assert ctx.state.progress(COLLECTION) == (2, N_CHUNKS)
    assert ctx.collection(COLLECTION).count(PointFilter(versions=None, has_dense=True)) == 2
    # The next turn embeds only the rest.
    assert ctx.ingest.embed_pending(COLLECTION, progress=False) == N_CHUNKS - 2
    assert fake(ctx).embedded_texts == N_CHUNKS


def test_changing_one_document_embeds_only_its_new_chunk(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)
    ctx.ingest.embed_pending(COLLECTION, progress=False)
    old_hashes = set(chunk_hashes(sample_corpus, STATUTE))
    edit(sample_corpus, STATUTE, "영양사가 작성한 식단", "조리사가 확인한 식단")
    new_hashes = set(chunk_hashes(sample_corpus, STATUTE))
    assert len(new_hashes - old_hashes) == 1

    report = ingest(ctx, sample_corpus)

    assert report.updated == [STATUTE]
    assert report.unchanged == [GUIDE, PREVIOUS]
    collection = ctx.collection(COLLECTION)
    # Unchanged articles got their cached vectors back at once; only 제4조 waits.
    assert collection.count(PointFilter(versions=None, has_dense=False)) == 1
    assert ctx.state.progress(COLLECTION) == (N_CHUNKS - 1, N_CHUNKS)
    assert ctx.ingest.embed_pending(COLLECTION, progress=False) == 1
    assert fake(ctx).embedded_texts == N_CHUNKS + 1
    cached = ctx.state.cached_vectors(fake(ctx).name, sorted(old_hashes | new_hashes))
    assert sorted(cached) == sorted(old_hashes | new_hashes)  # the old vectors stay cached too


def test_changed_document_replaces_its_chunks(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)
    edit(sample_corpus, STATUTE, "영양사가 작성한 식단", "조리사가 확인한 식단")

    ingest(ctx, sample_corpus)

    collection = ctx.collection(COLLECTION)
    ids = collection.ids()
    assert len(ids) == len(set(ids)) == collection.count() == N_CHUNKS
    assert ctx.state.progress(COLLECTION)[1] == N_CHUNKS
    texts = found_texts(ctx, "영양사가 작성한 식단으로 급식", ANY)
    assert not any("영양사" in t for t in texts)
    assert any("조리사가 확인한 식단" in t for t in texts)


def test_shortened_document_removes_stale_chunks(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)
    statute = (sample_corpus / STATUTE).read_text(encoding="utf-8")
    (sample_corpus / STATUTE).write_text(statute[:statute.index("### 제2절 급식")], encoding="utf-8")

    report = ingest(ctx, sample_corpus)

    assert report.updated == [STATUTE]
    collection = ctx.collection(COLLECTION)
    assert collection.count() == N_CHUNKS - 1
    assert collection.count(PointFilter(sources=(STATUTE,))) == 2
    assert len(ctx.state.chunk_ids(COLLECTION, STATUTE)) == 2
    assert not any("급식" in t for t in found_texts(ctx, "급식 식단", ANY))


def test_deleted_file_is_removed_on_reingest(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)
    (sample_corpus / PREVIOUS).unlink()

    report = ingest(ctx, sample_corpus)

    assert report.removed == [PREVIOUS]
    assert report.unchanged == [GUIDE, STATUTE]
    assert ctx.collection(COLLECTION).count(PointFilter(sources=(PREVIOUS,), versions=None)) == 0
    assert ctx.collection(COLLECTION).count() == N_CHUNKS - 1
    assert PREVIOUS not in ctx.state.documents(COLLECTION)
    assert ctx.state.progress(COLLECTION) == (0, N_CHUNKS - 1)
    assert not any("30일" in t for t in found_texts(ctx, "녹화 영상 보관", ANY))


def test_corrupt_file_fails_alone_and_the_batch_is_indexed(ctx: AppContext, sample_corpus: Path):
    (sample_corpus / "manuals/childcare").mkdir(parents=True)
    (sample_corpus / "manuals/childcare/깨진.pdf").write_bytes(b"this is not a pdf at all")

    report = ingest(ctx, sample_corpus)

    assert [source for source, _ in report.failed] == ["manuals/childcare/깨진.pdf"]
    assert ".pdf" in report.failed[0][1]
    assert report.added == ALL_SOURCES
    assert ctx.collection(COLLECTION).count() == N_CHUNKS
    assert "manuals/childcare/깨진.pdf" not in ctx.state.documents(COLLECTION)


def test_good_version_stays_searchable_after_a_corrupt_replacement(ctx: AppContext, sample_corpus: Path):
    manual = sample_corpus / "manuals/childcare/안내.md"
    manual.parent.mkdir(parents=True)
    manual.write_text("# 보육료 안내\n\n보육료 영수증은 5년간 보관한다.\n", encoding="utf-8")
    ingest(ctx, sample_corpus)
    good = manual.read_bytes()
    manual.write_bytes("# 보육료 안내\n\n손상된 파일".encode("cp949"))  # not UTF-8

    report = ingest(ctx, sample_corpus)

    assert [source for source, _ in report.failed] == ["manuals/childcare/안내.md"]
    assert "UTF-8" in report.failed[0][1]
    assert report.removed == []
    assert "보육료 영수증은 5년간 보관한다." in found_texts(ctx, "보육료 영수증 보관")[0]
    assert ctx.collection(COLLECTION).count(PointFilter(sources=("manuals/childcare/안내.md",))) == 1

    manual.write_bytes(good)  # fixed again: the indexed version is still the current one
    assert ingest(ctx, sample_corpus).unchanged == ["manuals/childcare/안내.md", GUIDE, STATUTE, PREVIOUS]


def test_identical_chunks_in_two_documents_are_embedded_once(ctx: AppContext, sample_corpus: Path):
    copy = sample_corpus / "statutes/childcare/테스트법 사본/법률.md"
    copy.parent.mkdir(parents=True)
    copy.write_bytes((sample_corpus / STATUTE).read_bytes())

    ingest(ctx, sample_corpus)
    ctx.ingest.embed_pending(COLLECTION, progress=False)

    assert ctx.state.progress(COLLECTION) == (N_CHUNKS + 3, N_CHUNKS + 3)
    assert fake(ctx).embedded_texts == N_CHUNKS  # the copy's 3 articles came from the cache


def test_previous_versions_are_left_out_of_default_search(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)

    default = ctx.retriever.search("녹화 영상 보관 기간", COLLECTION, mode="sparse")
    everything = ctx.retriever.search("녹화 영상 보관 기간", COLLECTION, flt=PointFilter(versions=None), mode="sparse")

    assert PREVIOUS not in [c.source for c in default]
    previous = [c for c in everything if c.source == PREVIOUS]
    assert len(previous) == 1
    assert previous[0].version == "previous"
    assert previous[0].citation == "테스트법 제3조 (시행 2021-01-01)"
    assert "30일" in previous[0].text


def test_remove_forgets_a_document(ctx: AppContext, sample_corpus: Path):
    ingest(ctx, sample_corpus)

    assert ctx.ingest.remove(COLLECTION, GUIDE)
    assert not ctx.ingest.remove(COLLECTION, GUIDE)
    assert ctx.collection(COLLECTION).count() == N_CHUNKS - 3
    assert GUIDE not in ctx.state.documents(COLLECTION)


def _many_sections(root: Path, sections: int) -> FoundFile:
    path = root / "uploads" / "긴 지침.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# 긴 지침\n\n" + "".join(f"## 제{i}절\n\n절차 {i}번은 담당자가 처리한다.\n\n" for i in range(sections)),
                    encoding="utf-8")
    return FoundFile(path, "긴 지침.md")


def test_progress_is_reported_as_chunks_become_searchable(ctx: AppContext, tmp_path: Path):
    found = _many_sections(tmp_path, 600)
    seen: list[tuple[str, int, int]] = []
    report = ctx.ingest.ingest(COLLECTION, found.path.parent, [found], remove_missing=False, progress=False,
                               on_progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert report.added == ["긴 지침.md"] and report.chunks == 600
    assert seen == [("parsed", 0, 600), ("indexed", 256, 600), ("indexed", 512, 600), ("indexed", 600, 600)]


def test_a_cancelled_document_leaves_nothing_behind(ctx: AppContext, tmp_path: Path):
    found = _many_sections(tmp_path, 600)
    batches: list[int] = []
    report = ctx.ingest.ingest(COLLECTION, found.path.parent, [found], remove_missing=False, progress=False,
                               on_progress=lambda stage, done, total: batches.append(done),
                               cancelled=lambda: len(batches) >= 2)  # after the first batch is in
    assert report.cancelled == ["긴 지침.md"] and not report.added
    assert "긴 지침.md" not in ctx.state.documents(COLLECTION)
    assert ctx.collection(COLLECTION).count(PointFilter(sources=("긴 지침.md",), versions=None, access=None)) == 0
