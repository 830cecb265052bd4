"""Document administration over HTTP: uploads ingested in the background and answered
from, bad files refused by name, size limit, deletion, re-indexing, who may do what.
Each module builds its own server: these tests change the index."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.db import UploadJob
from api.services.container import Services
from tests.api.conftest import build_services, login
from tests.conftest import STATUTE_SOURCE

MANUAL = """# 출장 여비 안내

## 국내 출장

관외 출장을 가면 일비는 하루 2만 5천원을 지급한다.

## 숙박비

숙박비는 영수증을 첨부하여 실비로 정산한다.
"""

OTHER = """# 청사 주차 안내

청사 주차장은 민원인에게 먼저 배정한다.
"""


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = build_services(tmp_path_factory.mktemp("documents"))
    yield services
    services.close()


@pytest.fixture(scope="module")
def app(svc: Services):
    return create_app(svc, start_background=False)


# `admin` and `staff` (tests/api/conftest.py) sign in to this module's `app`.


def upload(client: TestClient, collection: str, *files: tuple[str, bytes], access: str | None = None):
    data = {"access": access} if access else None
    return client.post(f"/api/collections/{collection}/documents", data=data,
                       files=[("files", (name, body, "application/octet-stream")) for name, body in files])


def wait_job(client: TestClient, job_id: int, timeout_s: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def ask(client: TestClient, assistant: str, question: str) -> dict:
    reply = client.post(f"/api/chat/{assistant}", json={"question": question})
    assert reply.status_code == 200, reply.text
    return reply.json()["answer"]


def test_uploaded_markdown_is_indexed_in_the_background_and_answered_from(admin, staff):
    reply = upload(admin, "general", ("출장 여비 안내.md", MANUAL.encode()))
    assert reply.status_code == 200, reply.text
    [queued] = reply.json()["jobs"]
    assert queued["filename"] == "출장 여비 안내.md" and queued["status"] == "queued"

    job = wait_job(admin, queued["id"])
    assert job["status"] == "done", job
    assert job["progress"] == 1.0 and job["chunks"] >= 1 and job["uploaded_by"] == "admin"
    assert any(j["id"] == job["id"] for j in admin.get("/api/jobs", params={"collection": "general"}).json())

    listed = staff.get("/api/collections/general/documents").json()
    [doc] = [d for d in listed["documents"] if d["source"] == "출장 여비 안내.md"]
    assert doc["status"] == "indexed" and doc["origin"] == "upload" and doc["chunks"] == job["chunks"]
    assert doc["deletable"] is False  # staff may read, not delete

    answer = ask(staff, "general", "국내 출장 일비는 하루에 얼마인가요?")
    assert answer["citations"], answer
    assert answer["citations"][0]["source"] == "출장 여비 안내.md"
    assert "2만 5천원" in answer["text"]


def test_embedding_fills_in_behind_the_upload(admin, svc):
    assert svc.ingest_worker.wait_idle(60)
    general = [c for c in admin.get("/api/collections").json() if c["name"] == "general"][0]
    assert general["documents"] >= 1 and general["embedded"] == 1.0
    assert general["accepts_uploads"] is True and general["readers"] == ["*"]


def test_embedding_waits_while_an_answer_is_generated(admin, svc, monkeypatch):
    assert svc.ingest_worker.wait_idle(60)
    # As with the embedded model and a local embedder on the same cores.
    monkeypatch.setattr(Services, "competes_with_generation", property(lambda self: True))
    with svc.generation_queue.turn():  # an answer is being generated
        reply = upload(admin, "general", ("민원 처리 기한.md", "# 민원 처리 기한\n\n민원은 7일 안에 처리한다.\n".encode()))
        job = wait_job(admin, reply.json()["jobs"][0]["id"])
        assert job["status"] == "done"  # searchable by BM25 already
        time.sleep(0.5)
        done, total = svc.context.state.progress("general")
        assert done < total, "embedded while the model was generating"
    assert svc.ingest_worker.wait_idle(60)
    done, total = svc.context.state.progress("general")
    assert done == total
    assert "seoul_assist_ingest_queue 0.0" in admin.get("/metrics").text


def test_bad_files_get_failed_entries_naming_them_while_the_good_one_is_indexed(admin):
    reply = upload(admin, "general",
                   ("깨진 문서.pdf", b"this is not a pdf at all"),
                   ("../../etc/비밀.md", b"# x\n\ny\n"),
                   ("실행파일.exe", b"MZ\x90\x00"),
                   ("...", b"# x\n\ny\n"),
                   ("손상된 보고서.pdf", b"%PDF-1.7\n" + b"\x8f garbage " * 50),
                   ("청사 주차 안내.txt", OTHER.encode()))
    assert reply.status_code == 200, reply.text
    jobs = {j["filename"]: j for j in reply.json()["jobs"]}
    assert len(jobs) == 6

    for name in ("깨진 문서.pdf", "../../etc/비밀.md", "실행파일.exe", "..."):
        assert jobs[name]["status"] == "failed", jobs[name]
        assert jobs[name]["message"].startswith(f"{name}: "), jobs[name]
    assert "PDF" in jobs["깨진 문서.pdf"]["message"] or ".pdf" in jobs["깨진 문서.pdf"]["message"]
    assert "'..'" in jobs["../../etc/비밀.md"]["message"]
    assert "지원하지 않는 파일 형식" in jobs["실행파일.exe"]["message"]

    # A PDF with the right header but a broken body fails in the worker, by name.
    damaged = wait_job(admin, jobs["손상된 보고서.pdf"]["id"])
    assert damaged["status"] == "failed" and damaged["message"].startswith("손상된 보고서.pdf: PDF를 읽을 수 없습니다")
    good = wait_job(admin, jobs["청사 주차 안내.txt"]["id"])
    assert good["status"] == "done", good

    listed = {d["source"]: d for d in admin.get("/api/collections/general/documents").json()["documents"]}
    assert listed["청사 주차 안내.txt"]["status"] == "indexed"
    assert listed["손상된 보고서.pdf"]["status"] == "failed"
    assert listed["손상된 보고서.pdf"]["error"].startswith("손상된 보고서.pdf:")
    assert "../../etc/비밀.md" in listed and listed["../../etc/비밀.md"]["chunks"] == 0


def test_a_failed_new_version_leaves_the_indexed_one_in_place(admin, staff, svc):
    reply = upload(admin, "general", ("출장 여비 안내.md", b"\xff\xfe not utf-8"))
    [job] = reply.json()["jobs"]
    assert job["status"] == "failed" and "UTF-8" in job["message"]
    assert (svc.settings.uploads_dir / "general" / "출장 여비 안내.md").read_text(encoding="utf-8") == MANUAL
    listed = {d["source"]: d for d in admin.get("/api/collections/general/documents").json()["documents"]}
    doc = listed["출장 여비 안내.md"]
    assert doc["status"] == "indexed" and doc["error"].startswith("출장 여비 안내.md:") and doc["deletable"]
    assert ask(staff, "general", "국내 출장 일비는 하루에 얼마인가요?")["citations"][0]["source"] == "출장 여비 안내.md"


def test_nothing_is_written_outside_the_upload_folder(svc):
    uploads = svc.settings.uploads_dir
    stored = sorted(p.relative_to(uploads).as_posix() for p in uploads.rglob("*") if p.is_file())
    assert all(p.startswith("general/") for p in stored), stored
    assert not (svc.settings.data_dir / "etc").exists()


def test_uploads_only_to_collections_that_accept_them(admin):
    reply = upload(admin, "rfp", ("제안서.md", MANUAL.encode()))
    assert reply.status_code == 400 and "업로드" in reply.json()["error"]["message"]
    assert upload(admin, "nope", ("a.md", b"# a\n\nb\n")).status_code == 404
    bad_access = upload(admin, "general", ("a.md", b"# a\n\nb\n"), access="보육 과; drop")
    assert bad_access.status_code == 400 and bad_access.json()["error"]["field"] == "access"
    assert admin.post("/api/collections/general/documents", files=[]).status_code == 400


def test_staff_cannot_upload_delete_or_reindex(staff):
    assert upload(staff, "general", ("x.md", b"# x\n\ny\n")).status_code == 403
    assert staff.delete("/api/collections/general/documents",
                        params={"source": "출장 여비 안내.md"}).status_code == 403
    assert staff.post("/api/collections/general/reindex").status_code == 403
    assert staff.get("/api/jobs").json() == []  # not their uploads


def test_delete_removes_the_document_from_answers_and_disk(admin, staff, svc):
    reply = upload(admin, "general", ("삭제할 지침.md", "# 삭제할 지침\n\n폐기 문서는 문서고에 10년 보관한다.\n".encode()))
    assert wait_job(admin, reply.json()["jobs"][0]["id"])["status"] == "done"
    assert ask(staff, "general", "폐기 문서는 몇 년 보관하나요?")["citations"][0]["source"] == "삭제할 지침.md"

    gone = admin.delete("/api/collections/general/documents", params={"source": "삭제할 지침.md"})
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert not (svc.settings.uploads_dir / "general" / "삭제할 지침.md").exists()
    answer = ask(staff, "general", "폐기 문서는 몇 년 보관하나요?")
    assert all(p["source"] != "삭제할 지침.md" for p in answer["passages"])
    sources = [d["source"] for d in admin.get("/api/collections/general/documents").json()["documents"]]
    assert "삭제할 지침.md" not in sources
    assert admin.delete("/api/collections/general/documents",
                        params={"source": "삭제할 지침.md"}).status_code == 404


def test_corpus_documents_are_read_only(admin):
    reply = admin.delete("/api/collections/childcare/documents", params={"source": STATUTE_SOURCE})
    assert reply.status_code == 403 and "코퍼스" in reply.json()["error"]["message"]


def test_reindex_runs_in_the_background_and_is_audited(admin, svc):
    reply = admin.post("/api/collections/childcare/reindex")
    assert reply.status_code == 200 and reply.json()["status"] == "queued"
    assert svc.ingest_worker.wait_idle(60)
    status = [c for c in admin.get("/api/collections").json() if c["name"] == "childcare"][0]["reindex"]
    assert status["status"] == "done" and status["message"].startswith("다시 색인 완료")
    # The sample corpus is unchanged: the statute is still there, nothing removed.
    sources = [d["source"] for d in admin.get("/api/collections/childcare/documents").json()["documents"]]
    assert STATUTE_SOURCE in sources
    actions = [e["action"] for e in svc.audit.recent(50, username="admin")]
    assert {"upload", "upload_failed", "delete", "reindex"} <= set(actions)


def test_original_file_for_readers_and_nothing_outside_the_roots(staff):
    reply = staff.get("/api/collections/childcare/file", params={"source": STATUTE_SOURCE})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    assert "테스트법" in reply.text
    for source in ("../../../etc/passwd", "/etc/passwd", "statutes/없는 파일.md"):
        assert staff.get("/api/collections/childcare/file", params={"source": source}).status_code == 404


def test_collections_listing_shows_only_readable_ones_to_staff(staff, svc):
    names = {c["name"] for c in staff.get("/api/collections").json()}
    assert names == set(svc.collections)
    svc.accounts.set_readers("metabolic", ["role:admin"])
    try:
        listed = staff.get("/api/collections").json()
        assert "metabolic" not in {c["name"] for c in listed}
        assert all("readers" not in c for c in listed)
    finally:
        svc.accounts.set_readers("metabolic", ["*"])


def test_non_reader_gets_403_on_documents_passages_and_files(staff, svc):
    [chunk_id, *_] = sorted(svc.context.state.chunk_ids("childcare", STATUTE_SOURCE))
    svc.accounts.set_readers("childcare", ["감사과"])
    try:
        assert staff.get("/api/collections/childcare/documents").status_code == 403
        assert staff.get(f"/api/passages/childcare/{chunk_id}").status_code == 403
        assert staff.get("/api/collections/childcare/file", params={"source": STATUTE_SOURCE}).status_code == 403
    finally:
        svc.accounts.set_readers("childcare", ["*"])
    assert staff.get(f"/api/passages/childcare/{chunk_id}").status_code == 200


def test_upload_names_with_phone_numbers_are_masked_in_the_audit(admin, svc):
    reply = upload(admin, "general", ("담당자 010-1234-5678 연락처.md", "# 연락처\n\n담당 부서로 문의한다.\n".encode()))
    assert wait_job(admin, reply.json()["jobs"][0]["id"])["status"] == "done"
    [event] = [e for e in svc.audit.recent(20, action="upload") if "연락처" in e["detail"]]
    assert "010-1234-5678" not in event["detail"] and "010-1234-5678" not in " ".join(event["documents"])
    assert "[전화번호]" in event["detail"]


def test_an_oversized_file_fails_by_name_while_the_rest_of_the_upload_goes_on(tmp_path: Path):
    small = build_services(tmp_path, server={"max_upload_mb": 1, "ingest_on_start": False})
    try:
        with TestClient(create_app(small, start_background=False)) as client:
            login(client, "admin")
            big = b"# \xed\x81\xb0 \xeb\xac\xb8\xec\x84\x9c\n\n" + b"a" * (2 * 1024 * 1024)
            reply = upload(client, "general", ("큰 문서.md", big), ("작은 문서.md", b"# a\n\nb\n"))
            assert reply.status_code == 200, reply.text
            too_big, fits = reply.json()["jobs"]
            assert too_big["status"] == "failed" and too_big["message"].startswith("큰 문서.md: 파일이 너무 큽니다")
            assert fits["status"] == "queued"
            # Nothing of the large file was kept, in staging or anywhere else.
            kept = [p for p in small.settings.uploads_dir.rglob("*") if p.is_file()]
            assert [p.name for p in kept] == ["작은 문서.md"] and all(p.stat().st_size < 100 for p in kept)
    finally:
        small.close()


def test_a_request_over_the_limit_for_all_its_files_is_refused_with_413(tmp_path: Path):
    small = build_services(tmp_path, server={"max_upload_mb": 1, "ingest_on_start": False})
    try:
        with TestClient(create_app(small, start_background=False)) as client:
            login(client, "admin")
            # Declared up front: refused before the body is read.
            reply = client.post("/api/collections/general/documents", content=b"x" * 100,
                                headers={"content-type": "multipart/form-data; boundary=b",
                                         "content-length": str(21 * 1024 * 1024 + 1)})
            assert reply.status_code == 413 and "요청이 너무 큽니다" in reply.json()["error"]["message"]
            with small.db.session() as s:
                assert s.query(UploadJob).count() == 0
    finally:
        small.close()


def test_jobs_left_running_are_requeued_on_restart(tmp_path: Path):
    svc = build_services(tmp_path)
    try:
        admin = svc.accounts.resolve_session(svc.accounts.login("admin", "correct-horse-1")[0])
        job = svc.documents.upload(admin, "general", "재시작 안내.md", "# 재시작\n\n서버는 매일 새벽에 재시작한다.\n".encode())
        with svc.db.session() as s:  # the server stopped while this job ran
            s.get(UploadJob, job["id"]).status = "running"
        svc.state.corpus_indexed = True  # as the app's start-up would say
        svc.start_workers()
        assert svc.ingest_worker.wait_idle(60)
        with svc.db.session() as s:
            row = s.get(UploadJob, job["id"])
            assert row.status == "done" and row.chunks >= 1
            assert Path(row.stored_path) == svc.settings.uploads_dir / "general" / "재시작 안내.md"
        assert "재시작 안내.md" in svc.context.state.documents("general")
    finally:
        svc.close()
