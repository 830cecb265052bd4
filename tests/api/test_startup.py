"""Start-up indexing in the background: search is ready after the first phase, failed
files are reported on /readyz, and the dense vectors are filled in by the ingest worker."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from rag.config import load_settings
from tests.conftest import write_sample_corpus, write_text


def test_serve_indexes_in_the_background_and_embeds_through_the_worker(tmp_path):
    corpus = write_sample_corpus(tmp_path / "corpus")
    write_text(corpus, "statutes/childcare/빈법/법률.md", "")
    svc = Services(load_settings("test", data_dir=tmp_path / "data", corpus_roots=[corpus]))
    try:
        with TestClient(create_app(svc)) as client:
            deadline = time.monotonic() + 60
            # Ready for search first; "준비됨" once the model is loaded and embedding queued.
            while not client.get("/readyz").json()["message"].startswith("준비됨"):
                assert time.monotonic() < deadline, client.get("/readyz").json()
                time.sleep(0.1)
            assert svc.ingest_worker.wait_idle(60)
            ready = client.get("/readyz").json()
            assert any("빈법" in e for e in ready["errors"]), ready
            done, total = svc.context.state.progress("childcare")
            assert total > 0 and done == total
    finally:
        svc.close()
