"""`kill -9` in the middle of an ingest, then a rerun: every document indexed exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.config import load_settings
from appcontext import AppContext
from rag.store.base import PointFilter

N_DOCS = 600


def _write_corpus(root: Path) -> None:
    for i in range(N_DOCS):
        folder = root / f"문서{i:04d}"
        folder.mkdir(parents=True)
        (folder / "안내.md").write_text(
            f"# 업무 안내 {i}\n\n## 처리 절차\n\n민원 처리 절차 안내 {i}번 문서입니다. 고유번호 표지{i:04d}.\n",
            encoding="utf-8")


def _ingest_cmd(data_dir: Path, corpus: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "--profile", "test", "--data-dir", str(data_dir),
            "ingest", str(corpus), "--collection", "general", *extra]


def _committed(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=0.1) as conn:
            return conn.execute("SELECT COUNT(*) FROM documents WHERE content_hash != ''").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ingest finished (rc={proc.returncode}) before it could be killed; make the corpus larger")
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.005)
    proc.kill()
    pytest.fail("ingest never reached the kill point")


def _assert_exactly_once(data_dir: Path) -> None:
    ctx = AppContext(load_settings("test", data_dir=str(data_dir)))
    try:
        collection = ctx.collection("general")
        ids = collection.ids(PointFilter(versions=None))
        assert len(ids) == len(set(ids)) == N_DOCS
        docs = ctx.state.documents("general")
        assert len(docs) == N_DOCS and all(d.content_hash for d in docs.values())
        assert ctx.state.progress("general") == (N_DOCS, N_DOCS)
        assert collection.count(PointFilter(has_dense=True, versions=None)) == N_DOCS
        hits = ctx.retriever.search("고유번호 표지0123", "general", k=3, mode="sparse")
        assert [h.source for h in hits].count("문서0123/안내.md") == 1
    finally:
        ctx.close()


@pytest.mark.parametrize("phase", ["sparse", "embedding"])
def test_kill_9_mid_ingest_then_rerun_indexes_every_document_once(tmp_path, phase):
    corpus, data_dir = tmp_path / "corpus", tmp_path / "data"
    _write_corpus(corpus)
    db = data_dir / "ingest.sqlite3"
    env = {**os.environ, "SEOUL_ASSIST_PROFILE": "test"}
    repo = Path(__file__).resolve().parents[2]
    if phase == "sparse":
        proc = subprocess.Popen(_ingest_cmd(data_dir, corpus), cwd=repo, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_when(proc, lambda: 40 <= _committed(db) < N_DOCS - 40)
        assert _committed(db) < N_DOCS
    else:
        subprocess.run(_ingest_cmd(data_dir, corpus, "--no-embed"), cwd=repo, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        proc = subprocess.Popen(_ingest_cmd(data_dir, corpus), cwd=repo, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_when(proc, lambda: _embedded(db) >= 64)
    rerun = subprocess.run(_ingest_cmd(data_dir, corpus), cwd=repo, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    _assert_exactly_once(data_dir)


def _embedded(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=0.1) as conn:
            return conn.execute("SELECT COALESCE(SUM(embedded), 0) FROM chunks").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
