"""The passage behind a citation chip: text, where it stands, the whole PDF page, the
original file; refused outside the reader's collections and access groups."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import build_services, login
from tests.ingest.readers.reader_fixtures import build_pdf

PAGE_ONE = ["제1조(목적) 이 지침은 보육료 지원 절차를 정한다."]
PAGE_TWO = ["제2조(신청) 보육료는 주민센터에 신청한다.", "",
            "제3조(지급) 보육료는 매월 25일에 어린이집으로 지급한다."]


def test_cited_passage_has_its_label_text_and_effective_date(staff):
    reply = staff.post("/api/chat/childcare", json={"question": "녹화된 영상은 며칠 이상 보관해야 하나요?"})
    citation = reply.json()["answer"]["citations"][0]
    passage = staff.get(f"/api/passages/childcare/{citation['chunk_id']}")
    assert passage.status_code == 200, passage.text
    body = passage.json()
    assert body["label"] == citation["label"] and body["label"].startswith("테스트법 제3조")
    assert body["source"] == citation["source"] and "60일" in body["text"]
    assert body["effective_date"] == "2025-03-01" and body["version"] == "current"
    assert body["page"] is None and body["page_text"] is None
    assert body["file_url"].startswith("/api/collections/childcare/file?source=")
    original = staff.get(body["file_url"])
    assert original.status_code == 200 and "폐쇄회로 텔레비전" in original.text


def test_unknown_passages_are_not_found(staff):
    assert staff.get("/api/passages/childcare/00000000-0000-0000-0000-000000000000").status_code == 404
    assert staff.get("/api/passages/childcare/not-a-uuid").status_code == 404
    assert staff.get("/api/passages/nope/00000000-0000-0000-0000-000000000000").status_code == 404


def test_passages_need_login(client):
    assert client.get("/api/passages/childcare/00000000-0000-0000-0000-000000000000").status_code == 401


# -- on a server of its own: uploads change the index -------------------------------------


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("passages"))
    svc.accounts.create_user("park", "correct-horse-1", "staff", groups=["감사과"])
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def own_app(own: Services):
    return create_app(own, start_background=False)


@contextmanager
def signed_in(app, username: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        login(client, username)
        yield client


@pytest.fixture(scope="module")
def uploaded(own: Services, own_app) -> dict[str, str]:
    """Two uploads to childcare: a public PDF and a Markdown note for 감사과 only."""
    with signed_in(own_app, "admin") as admin:
        files = [("files", ("보육료 지침.pdf", build_pdf([PAGE_ONE, PAGE_TWO], title="보육료 지침"), "application/pdf"))]
        first = admin.post("/api/collections/childcare/documents", files=files).json()["jobs"][0]
        note = "# 감사 메모\n\n보육료 부정수급 점검 대상은 별도 명단으로 관리한다.\n".encode()
        second = admin.post("/api/collections/childcare/documents", data={"access": "감사과"},
                            files=[("files", ("감사 메모.md", note, "text/markdown"))]).json()["jobs"][0]
        for job in (first, second):
            deadline = time.monotonic() + 60
            while admin.get(f"/api/jobs/{job['id']}").json()["status"] not in ("done", "failed"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert admin.get(f"/api/jobs/{job['id']}").json()["status"] == "done"
    state = own.context.state
    return {"pdf": "보육료 지침.pdf", "note": "감사 메모.md",
            "note_chunk": sorted(state.chunk_ids("childcare", "감사 메모.md"))[0]}


def pdf_chunk_on_page(own: Services, page: int) -> dict:
    chunks = own.context.retriever.fetch("childcare", flt=None)
    return next(c for c in chunks if c.source == "보육료 지침.pdf" and c.page == page)


def test_pdf_passage_comes_with_its_whole_page_and_the_pdf(own, own_app, uploaded):
    with signed_in(own_app, "kim") as kim:
        chunk = pdf_chunk_on_page(own, 2)
        body = kim.get(f"/api/passages/childcare/{chunk.id}").json()
        assert body["page"] == 2 and body["label"] == "보육료 지침 p. 2"
        assert "제2조(신청)" in body["page_text"] and "제3조(지급)" in body["page_text"]
        assert "제1조" not in body["page_text"]
        start, end = body["highlight"]["start"], body["highlight"]["end"]
        assert body["page_text"][start:end] == body["text"]
        pdf = kim.get(body["file_url"])
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        assert pdf.headers["x-frame-options"] == "SAMEORIGIN"


def test_restricted_passage_is_refused_outside_its_group(own_app, uploaded):
    path = f"/api/passages/childcare/{uploaded['note_chunk']}"
    file_path = "/api/collections/childcare/file"
    with signed_in(own_app, "park") as park, signed_in(own_app, "kim") as kim:
        allowed = park.get(path)
        assert allowed.status_code == 200 and "부정수급" in allowed.json()["text"]
        assert park.get(file_path, params={"source": uploaded["note"]}).status_code == 200
        # Someone outside 감사과 learns nothing, not even that it exists.
        assert kim.get(path).status_code == 404
        assert kim.get(file_path, params={"source": uploaded["note"]}).status_code == 404
        listed = [d["source"] for d in kim.get("/api/collections/childcare/documents").json()["documents"]]
        assert uploaded["note"] not in listed and uploaded["pdf"] in listed


def test_the_retriever_enforces_the_scope_for_passage_lookups(own, uploaded):
    from rag.access import AccessScope
    from rag.errors import AccessDenied

    retriever = own.context.retriever
    outsider = AccessScope(collections=frozenset({"childcare"}), groups=("보육과",))
    assert retriever.fetch("childcare", ids=[uploaded["note_chunk"]], scope=outsider) == []
    member = AccessScope(collections=frozenset({"childcare"}), groups=("감사과",))
    assert [c.id for c in retriever.fetch("childcare", ids=[uploaded["note_chunk"]], scope=member)] == [
        uploaded["note_chunk"]]
    with pytest.raises(AccessDenied):
        retriever.fetch("childcare", ids=[uploaded["note_chunk"]], scope=AccessScope(collections=frozenset()))


def test_viewing_a_passage_is_audited(services, staff):
    chunk_id = services.context.retriever.search("폐쇄회로 텔레비전", "childcare", k=1)[0].id
    assert staff.get(f"/api/passages/childcare/{chunk_id}").status_code == 200
    viewed = services.audit.recent(action="view_passage", username="kim")
    assert viewed and viewed[0]["documents"] == ["statutes/childcare/테스트법/법률.md"]
