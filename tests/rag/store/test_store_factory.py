"""The settings choose the store: the in-process engine under the index folder by default,
a Qdrant server by URL (checked when the store is built: a wrong URL fails at start-up,
naming it, not at the first question)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import load_settings
from rag.store.edge import EdgeStore
from rag.store.factory import build_store
from rag.errors import StoreError


def test_the_embedded_engine_is_the_default(tmp_path: Path):
    settings = load_settings("test", data_dir=tmp_path)
    store = build_store(settings)
    try:
        assert isinstance(store, EdgeStore) and store.root == settings.index_dir
    finally:
        store.close()


@pytest.mark.filterwarnings("ignore:Failed to obtain server version")
def test_server_mode_talks_to_the_url_given(tmp_path: Path):
    settings = load_settings("test", data_dir=tmp_path, store={"mode": "server", "url": "http://127.0.0.1:9",
                                                               "prefix": "t_"})
    with pytest.raises(StoreError, match=r"Qdrant 서버에 연결할 수 없습니다 \(http://127.0.0.1:9\)"):
        build_store(settings)
