"""A server on fakes: the test profile (fake embedder, fake LLM, embedded Qdrant), the
sample corpus indexed into the childcare and metabolic collections, and three users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from ingest.corpus import ingest_corpora
from rag.config import load_settings
from tests.conftest import write_sample_corpus

PASSWORD = "correct-horse-1"


def build_services(root: Path, **overrides) -> Services:
    corpus = write_sample_corpus(root / "corpus")
    settings = load_settings("test", data_dir=root / "data", corpus_roots=[corpus], **overrides)
    svc = Services(settings)
    ingest_corpora(svc.context.ingest, svc.assistants, settings.corpus_roots, progress=False)
    for collection in svc.collections:
        svc.context.ingest.embed_pending(collection, progress=False)
    svc.accounts.create_user("admin", PASSWORD, "admin")
    svc.accounts.create_user("kim", PASSWORD, "staff", groups=["보육과"])
    svc.accounts.create_user("lee", PASSWORD, "evaluator")
    return svc


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("server"))
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def app(services: Services):
    return create_app(services, start_background=False)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    reply = client.post("/api/auth/login", json={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    token = reply.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def staff(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        login(c, "kim")
        yield c


@pytest.fixture
def admin(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        login(c, "admin")
        yield c


@pytest.fixture
def evaluator(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        login(c, "lee")
        yield c


def sse_events(body: str) -> list[tuple[str, dict]]:
    import json

    events = []
    for block in body.strip().split("\n\n"):
        name, data = "", ""
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
        if name:
            events.append((name, json.loads(data)))
    return events
