"""A deleted document stays deleted: deleted while its upload is being indexed, while it
waits, after it failed, and with the server killed (`kill -9`) at each step of the
deletion; after a restart and the start-up corpus walk it is nowhere: not in the index,
not in the upload folder, not in staging, not searchable."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import DocumentDeletion, UploadJob
from api.services.container import Services
from api.services.startup import index_corpora
from rag.config import load_settings
from rag.store.base import PointFilter
from tests.api.conftest import build_services, login
from tests.conftest import write_sample_corpus

REPO = Path(__file__).resolve().parents[2]
BIG = "대용량 보육 지침.md"
SMALL = "삭제될 안내.md"
SMALL_TEXT = "# 삭제될 안내\n\n비상 연락망은 매 분기 첫 주에 고친다. 고유표지 삭제될0001.\n"


def big_markdown(sections: int = 3000) -> str:
    return "# 대용량 보육 지침\n\n" + "".join(
        f"## 제{i}절 보육 업무 {i}\n\n보육 업무 {i}번 절차는 담당자가 처리하고 결과를 기록한다. 고유표지 큰지침{i:04d}.\n\n"
        for i in range(sections))


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = build_services(tmp_path_factory.mktemp("deletion"))
    yield services
    services.close()


@pytest.fixture(scope="module")
def app(svc: Services):
    return create_app(svc, start_background=False)


def upload(client: TestClient, collection: str, name: str, body: bytes, access: str | None = None) -> dict:
    reply = client.post(f"/api/collections/{collection}/documents", data={"access": access} if access else None,
                        files=[("files", (name, body, "application/octet-stream"))])
    assert reply.status_code == 200, reply.text
    return reply.json()["jobs"][0]


def poll_job(client: TestClient, job_id: int, until, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if until(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.01)


def assert_gone(svc: Services, collection: str, source: str) -> None:
    assert source not in svc.context.state.documents(collection)
    points = svc.context.collection(collection).count(PointFilter(sources=(source,), versions=None, access=None))
    assert points == 0
    uploads = svc.settings.uploads_dir
    assert not [p for p in uploads.rglob("*") if p.name == Path(source).name], "a copy of the file is left"
    staging = uploads / ".incoming"
    assert not staging.exists() or not any(staging.iterdir()), "staging folders left behind"
    with svc.db.session() as s:
        live = s.query(UploadJob).filter(UploadJob.filename == source,
                                         UploadJob.status.in_(("queued", "running"))).count()
        assert live == 0
        assert s.query(DocumentDeletion).count() == 0


def test_a_document_deleted_while_it_is_indexed_stays_deleted_after_a_restart(tmp_path: Path):
    first = build_services(tmp_path)
    try:
        with TestClient(create_app(first, start_background=False)) as admin:
            login(admin, "admin")
            job = upload(admin, "childcare", BIG, big_markdown().encode())
            # Mid-way through its chunks: the pipeline reports them as they become searchable.
            running = poll_job(admin, job["id"], lambda j: j["status"] == "running" and 0.2 < j["progress"] < 0.9)
            assert "검색 색인 중" in running["message"]
            reply = admin.delete("/api/collections/childcare/documents", params={"source": BIG})
            assert reply.status_code == 200 and reply.json()["deleted"] is True
            assert first.ingest_worker.wait_idle(120, include_embedding=False)
            job = admin.get(f"/api/jobs/{job['id']}").json()
            assert job["status"] == "deleted" and "삭제되어 취소" in job["message"]
            assert_gone(first, "childcare", BIG)
            hits = admin.get("/api/search/childcare", params={"q": "고유표지 큰지침0007"}).json()
            assert all(h["source"] != BIG for h in hits)
            listed = [d["source"] for d in admin.get("/api/collections/childcare/documents").json()["documents"]]
            assert BIG not in listed
    finally:
        first.close()

    # A restart walks the upload folders again: nothing brings the document back.
    restarted = Services(first.settings)
    try:
        restarted.start_workers()
        index_corpora(restarted, threading.Event())
        assert restarted.ingest_worker.wait_idle(60, include_embedding=False)
        assert_gone(restarted, "childcare", BIG)
    finally:
        restarted.close()


def test_a_failed_upload_can_be_deleted_and_leaves_the_list(admin, svc):
    failed = upload(admin, "general", "깨진 문서.md", b"\xff\xfe not utf-8")
    assert failed["status"] == "failed"
    rows = {d["source"]: d for d in admin.get("/api/collections/general/documents").json()["documents"]}
    assert rows["깨진 문서.md"]["status"] == "failed" and rows["깨진 문서.md"]["deletable"] is True
    reply = admin.delete("/api/collections/general/documents", params={"source": "깨진 문서.md"})
    assert reply.status_code == 200, reply.text
    assert admin.post("/api/collections/general/reindex").status_code == 200
    assert svc.ingest_worker.wait_idle(60)
    sources = [d["source"] for d in admin.get("/api/collections/general/documents").json()["documents"]]
    assert "깨진 문서.md" not in sources
    assert admin.get(f"/api/jobs/{failed['id']}").json()["status"] == "deleted"
    assert admin.delete("/api/collections/general/documents", params={"source": "깨진 문서.md"}).status_code == 404


def test_a_finished_upload_leaves_no_empty_staging_folder(admin, svc):
    job = upload(admin, "general", "정리 확인.md", "# 정리\n\n임시 폴더는 남기지 않는다.\n".encode())
    assert poll_job(admin, job["id"], lambda j: j["status"] in ("done", "failed"))["status"] == "done"
    staging = svc.settings.uploads_dir / ".incoming"
    assert not staging.exists() or not any(staging.iterdir())


# -- kill -9 during a deletion ---------------------------------------------------------------

_CRASH_SCRIPT = r'''
import os, signal, sys, time
from pathlib import Path
from api.services.accounts import Principal
from api.services.container import Services
from api.services.deletions import DocumentDeletions
from ingest.pipeline import IngestService
from rag.config import load_settings

data_dir, corpus, point, name, text = sys.argv[1:6]
if text == "BIG":
    from tests.api.test_document_deletion import big_markdown
    text = big_markdown()
svc = Services(load_settings("test", data_dir=data_dir, corpus_roots=[corpus]))
svc.state.corpus_indexed = True
admin = Principal(1, "admin", "관리자", "admin", readable=frozenset(svc.collections))
svc.start_workers()
job = svc.documents.upload(admin, "general", name, text.encode())

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "mid_indexing":
    # The worker is part-way through the chunks when the deletion is recorded.
    deadline = time.monotonic() + 120
    while svc.documents.job(admin, job["id"])["progress"] < 0.3:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    DocumentDeletions._carry_out = die
else:
    assert svc.ingest_worker.wait_idle(120, include_embedding=False)
    assert svc.documents.job(admin, job["id"])["status"] == "done"
    if point == "recorded":
        DocumentDeletions._carry_out = die
    elif point == "files_removed":
        IngestService.remove = die
    elif point == "points_dropped":
        remove = IngestService.remove
        def remove_then_die(self, *args):
            remove(self, *args)
            die()
        IngestService.remove = remove_then_die
svc.documents.delete(admin, "general", name)
print("not killed")
sys.exit(3)
'''


@pytest.mark.parametrize("point", ["recorded", "files_removed", "points_dropped", "mid_indexing"])
def test_kill_9_during_a_deletion_then_restart_finishes_it(tmp_path: Path, point: str):
    corpus = write_sample_corpus(tmp_path / "corpus")
    data_dir = tmp_path / "data"
    name, text = (BIG, "BIG") if point == "mid_indexing" else (SMALL, SMALL_TEXT)
    proc = subprocess.run([sys.executable, "-c", _CRASH_SCRIPT, str(data_dir), str(corpus), point, name, text],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr

    svc = Services(load_settings("test", data_dir=data_dir, corpus_roots=[corpus]))
    try:
        svc.start_workers()  # as the server's start-up does, before the corpus walk
        index_corpora(svc, threading.Event())
        assert svc.ingest_worker.wait_idle(120, include_embedding=False)
        assert_gone(svc, "general", name)
        hits = svc.context.retriever.search("고유표지 삭제될0001 큰지침0007", "general", k=5, mode="sparse")
        assert all(h.source != name for h in hits)
    finally:
        svc.close()
