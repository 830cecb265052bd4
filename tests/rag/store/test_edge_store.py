"""The store contract on the real engines: qdrant-edge in a temp dir, and a Qdrant server
when SEOUL_ASSIST_TEST_QDRANT_URL names one (the same tests, marked `server`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from rag.errors import StoreError
from rag.retrieval.sparse import Bm25Encoder
from rag.store.base import ANY, Collection, PointFilter, StoredPoint
from rag.store.edge import EdgeStore

DIM = 4
SERVER_URL = os.environ.get("SEOUL_ASSIST_TEST_QDRANT_URL")
ENCODER = Bm25Encoder()
AXES = np.eye(DIM, dtype=np.float32)


def pid(n: int) -> str:
    return str(uuid.UUID(int=n + 1))


# Point 0: 보육 twice, current, public, 가법.  Point 1: 보육 + 급식, previous, staff, 나법.
# Point 2: 급식 + 식단, current, public, 나법.
POINTS = [
    (["보육", "교사", "보육"], {"source": "a.md", "version": "current", "access": "public", "law": "가법"}),
    (["보육", "급식"], {"source": "b.md", "version": "previous", "access": "staff", "law": "나법"}),
    (["급식", "식단"], {"source": "c.md", "version": "current", "access": "public", "law": "나법"}),
]


def points(dense: bool = False) -> list[StoredPoint]:
    return [StoredPoint(pid(i), ENCODER.encode_document(terms), {**payload, "text": " ".join(terms)},
                        dense=AXES[i] if dense else None)
            for i, (terms, payload) in enumerate(POINTS)]


def query(*terms: str):
    return ENCODER.encode_query(list(terms))


@dataclass
class StoreKind:
    """Opens the store under test; `reopen` closes it and opens it again on the same data."""

    open: Callable[[], object]
    store: object = None

    def collection(self, name: str = "test") -> Collection:
        return self.store.collection(name, DIM)

    def reopen(self) -> None:
        self.store.close()
        self.store = self.open()


@pytest.fixture(params=["edge", pytest.param("server", marks=pytest.mark.server)])
def kind(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreKind]:
    if request.param == "edge":
        kind = StoreKind(lambda: EdgeStore(tmp_path / "index"))
    else:
        if not SERVER_URL:
            pytest.skip("Qdrant server tests need SEOUL_ASSIST_TEST_QDRANT_URL (e.g. http://localhost:6333)")
        from rag.store.server import ServerStore

        prefix = f"seoul_assist_test_{uuid.uuid4().hex[:8]}_"
        kind = StoreKind(lambda: ServerStore(SERVER_URL, prefix=prefix))
    kind.store = kind.open()
    yield kind
    kind.store.drop("test")
    kind.store.close()


@pytest.fixture
def filled(kind: StoreKind) -> Collection:
    collection = kind.collection()
    collection.upsert(points())
    collection.flush()
    return collection


def test_sparse_only_points_then_dense_later(filled: Collection):
    everything = PointFilter(versions=None, access=None)
    assert filled.count() == 3
    assert filled.count(PointFilter(versions=None, access=None, has_dense=True)) == 0
    assert filled.count(PointFilter(versions=None, access=None, has_dense=False)) == 3

    filled.set_dense([pid(0), pid(2)], AXES[[0, 2]])
    filled.flush()

    assert filled.count(PointFilter(versions=None, access=None, has_dense=True)) == 2
    assert filled.count(PointFilter(versions=None, access=None, has_dense=False)) == 1
    assert filled.count(everything) == 3
    vectors = filled.dense_vectors([pid(0), pid(1), pid(2)])
    assert sorted(vectors) == [pid(0), pid(2)]
    np.testing.assert_allclose(vectors[pid(2)], AXES[2])


def test_upsert_with_dense_and_overwrite_by_id(kind: StoreKind):
    collection = kind.collection()
    collection.upsert(points(dense=True))
    collection.upsert([StoredPoint(pid(0), query("연가"), {**POINTS[0][1], "text": "바뀐 본문"})])
    collection.flush()

    assert collection.count() == 3  # same id: replaced, not added
    assert [h.payload["text"] for h in collection.search_sparse(query("연가"), ANY, 10)] == ["바뀐 본문"]
    assert collection.search_sparse(query("교사"), ANY, 10) == []
    # An upsert replaces the whole point: a new version without a vector has none.
    assert sorted(collection.dense_vectors([pid(0), pid(1)])) == [pid(1)]


def test_search_sparse_ranks_by_bm25(filled: Collection):
    hits = filled.search_sparse(query("보육"), ANY, 10)

    assert [h.id for h in hits] == [pid(0), pid(1)]  # tf 2 beats tf 1; point 2 lacks the term
    assert hits[0].score > hits[1].score > 0
    assert hits[0].payload["text"] == "보육 교사 보육"
    assert filled.search_sparse(query(), ANY, 10) == []


def test_search_dense_by_cosine(kind: StoreKind):
    collection = kind.collection()
    collection.upsert(points(dense=True))

    hits = collection.search_dense(AXES[2], ANY, 2)

    assert hits[0].id == pid(2)
    assert hits[0].score == pytest.approx(1.0, abs=1e-6)
    assert len(hits) == 2


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
def test_search_hybrid_fuses_both_lists(kind: StoreKind, fusion: str):
    collection = kind.collection()
    collection.upsert(points(dense=True))
    dense = AXES[2] * 0.8 + AXES[1] * 0.6  # nearest: point 2, then point 1

    hits = collection.search_hybrid(query("급식", "식단"), dense, ANY, limit=3, prefetch=10, fusion=fusion)

    assert [h.id for h in hits][:2] == [pid(2), pid(1)]
    assert hits[0].payload["source"] == "c.md"


def test_search_hybrid_finds_points_without_dense_vectors(filled: Collection):
    hits = filled.search_hybrid(query("식단"), AXES[0], ANY, limit=3, prefetch=10)

    assert [h.id for h in hits] == [pid(2)]


def test_filters_by_version_source_access_and_law(filled: Collection):
    assert sorted(filled.ids(PointFilter())) == [pid(0), pid(2)]  # default: current and public
    assert sorted(filled.ids()) == [pid(0), pid(1), pid(2)]  # ANY
    assert filled.ids(PointFilter(sources=("a.md", "b.md"), versions=None, access=None)) in ([pid(0), pid(1)], [pid(1), pid(0)])
    assert filled.ids(PointFilter(access=("staff",), versions=None)) == [pid(1)]
    assert sorted(filled.ids(PointFilter(access=("public", "staff")))) == [pid(0), pid(2)]  # still current only
    assert sorted(filled.ids(PointFilter(laws=("나법",), versions=None, access=None))) == [pid(1), pid(2)]
    assert filled.ids(PointFilter(laws=("나법",))) == [pid(2)]
    assert filled.count(PointFilter(versions=("previous",), access=None)) == 1
    assert filled.count(PointFilter(versions=("previous",))) == 0  # default access: public only

    assert [h.id for h in filled.search_sparse(query("보육"), PointFilter(), 10)] == [pid(0)]
    assert [h.id for h in filled.search_sparse(query("보육"), PointFilter(laws=("나법",), versions=None, access=None), 10)] == [pid(1)]


def test_delete_by_filter_and_by_ids(filled: Collection):
    filled.delete(PointFilter(sources=("b.md",), versions=None, access=None))
    filled.flush()
    assert sorted(filled.ids()) == [pid(0), pid(2)]

    filled.delete_ids([pid(0)])
    filled.delete_ids([])
    filled.flush()
    assert filled.ids() == [pid(2)]


def test_delete_with_default_filter_spares_previous_and_restricted_points(filled: Collection):
    filled.delete(PointFilter(laws=("나법",)))  # defaults: current and public only

    assert sorted(filled.ids()) == [pid(0), pid(1)]


def test_reopen_after_close_keeps_points_and_vectors(kind: StoreKind):
    collection = kind.collection()
    collection.upsert(points())
    collection.set_dense([pid(1)], AXES[[1]])
    collection.flush()

    kind.reopen()
    reopened = kind.collection()

    assert reopened.count() == 3
    assert sorted(reopened.dense_vectors([pid(0), pid(1)])) == [pid(1)]
    assert [h.id for h in reopened.search_sparse(query("식단"), ANY, 10)] == [pid(2)]


def test_collections_are_separate(kind: StoreKind):
    kind.collection().upsert(points())
    other = kind.collection("other")
    try:
        assert other.count() == 0
    finally:
        kind.store.drop("other")


def test_invalid_collection_name_is_a_store_error(tmp_path: Path):
    store = EdgeStore(tmp_path / "index")
    try:
        for name in ("../escape", "with space", "", "a" * 65):
            with pytest.raises(StoreError, match="컬렉션 이름"):
                store.collection(name, DIM)
    finally:
        store.close()


def test_drop_removes_the_collection_files(tmp_path: Path):
    store = EdgeStore(tmp_path / "index")
    store.collection("gone", DIM).upsert(points())
    store.drop("gone")

    assert not (tmp_path / "index" / "gone").exists()
    assert store.collection("gone", DIM).count() == 0
    store.close()


def test_fetch_by_id_and_filter_keeps_the_access_filter(kind):
    col = kind.collection()
    col.upsert(points())
    col.flush()
    everyone = PointFilter(versions=None)  # access defaults to "public"
    assert [h.id for h in col.fetch(everyone, ids=[pid(0), pid(1)])] == [pid(0)]
    staff = PointFilter(versions=None, access=("public", "staff"))
    hits = {h.id: h for h in col.fetch(staff, ids=[pid(1)])}
    assert list(hits) == [pid(1)] and hits[pid(1)].payload["source"] == "b.md"
    assert sorted(h.payload["source"] for h in col.fetch(PointFilter(sources=("a.md", "c.md")))) == ["a.md", "c.md"]
    assert col.fetch(ANY, ids=[]) == []
    assert len(col.fetch(ANY, limit=2)) == 2
