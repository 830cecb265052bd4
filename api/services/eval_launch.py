"""Starting an evaluation run from the dashboard: `seoul-assist eval run` in a child
process of its own (a run takes minutes to hours, loads its own index and model, and
must not share the server's threads or signal handlers), into a fresh folder under
data_dir/eval/runs that the run list then shows.

Who may use it: admins and evaluators (the router checks the role). The suite must be a
.jsonl file on the server under the data folder, the repository's benchmarks folder or
beside a corpus root (e.g. ../shared/benchmarks next to ../shared/corpora), and the
corpus one of the configured corpus roots, so a request cannot make the server read
arbitrary files. One server-started run at a time: runs are CPU-heavy."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, get_args

from api.errors import InputError, ServiceError
from api.services.audit import AuditLog
from eval.runs import RUN_FILE, default_run_dir, run_label
from eval.suites import suite_names
from rag.config import Settings
from rag.config.settings import LLMSettings, base_dir

LOG_FILE = "server-run.log"

_children: dict[str, tuple[Path, subprocess.Popen, dict[str, Any]]] = {}
_lock = threading.Lock()


class Busy(ServiceError):
    status = 409
    code = "busy"
    english = "An evaluation run is already in progress"


def llm_modes() -> tuple[str, ...]:
    return get_args(LLMSettings.model_fields["mode"].annotation)


def suite_roots(settings: Settings) -> list[Path]:
    return [settings.data_dir, base_dir() / "benchmarks", *(root.parent for root in settings.corpus_roots)]


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path.is_relative_to(root.resolve()) for root in roots)


def check_suite(settings: Settings, suite: str) -> Path:
    path = Path(suite).expanduser()
    path = (path if path.is_absolute() else base_dir() / path).resolve()
    if path.suffix != ".jsonl" or not _within(path, suite_roots(settings)):
        places = ", ".join(str(r) for r in suite_roots(settings))
        raise InputError("suite", f"평가 세트는 다음 폴더 아래의 .jsonl 파일이어야 합니다: {places}")
    if not path.is_file():
        raise InputError("suite", f"평가 세트 파일이 없습니다: {path}")
    return path


def check_corpus(settings: Settings, corpus: str | None) -> Path:
    roots = [r.resolve() for r in settings.corpus_roots]
    if corpus is None:
        found = [r for r in roots if r.is_dir()]
        if not found:
            raise InputError("corpus", "설정된 코퍼스 폴더가 없습니다")
        return found[0]
    path = Path(corpus).expanduser()
    path = (path if path.is_absolute() else base_dir() / path).resolve()
    if path not in roots or not path.is_dir():
        raise InputError("corpus", f"코퍼스는 설정된 코퍼스 폴더 중 하나여야 합니다: {', '.join(map(str, roots))}")
    return path


def start(settings: Settings, audit: AuditLog, started_by: str, *, suite: str, llm: str, corpus: str | None = None,
          name: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """Start the run and return its id (the folder name) at once; the audit log records
    who started which suite."""
    suite_path = check_suite(settings, suite)
    corpus_path = check_corpus(settings, corpus)
    if llm not in llm_modes():
        raise InputError("llm", f"다음 중 하나여야 합니다: {', '.join(llm_modes())}")
    if limit is not None and limit < 1:
        raise InputError("limit", "1 이상이어야 합니다")
    with _lock:
        if any(proc.poll() is None for _, proc, _ in _children.values()):
            raise Busy("이미 실행 중인 평가가 있습니다. 끝난 뒤에 다시 시작하세요")
        out = default_run_dir(settings, run_label(name, suite_names([suite_path])), llm)
        out.mkdir(parents=True)
        command = [sys.executable, "-m", "cli.main", "--profile", settings.profile,
                   "--data-dir", str(settings.data_dir), "eval", "run", "--suite", str(suite_path),
                   "--corpus", str(corpus_path), "--out", str(out), "--llm", llm]
        if name:
            command += ["--name", name]
        if limit is not None:
            command += ["--limit", str(limit)]
        with (out / LOG_FILE).open("wb") as log:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    cwd=base_dir(), start_new_session=True)
        started = {"id": out.name, "status": "starting", "suite": str(suite_path), "corpus": str(corpus_path),
                   "llm": llm}
        _children[out.name] = (out, proc, started)
    audit.record(started_by, "eval_run", f"{started['id']}: {started['suite']} ({llm})")
    return started


def pending() -> list[dict[str, Any]]:
    """Server-started runs that have not written run.json yet: still starting, or
    failed before they could (a bad suite file), with the end of their log."""
    rows = []
    with _lock:
        for run_id, (out, proc, started) in list(_children.items()):
            code = proc.poll()
            if (out / RUN_FILE).is_file():
                if code is not None:
                    del _children[run_id]  # run.json tells the rest
                continue
            row: dict[str, Any] = {"id": run_id, "name": run_id, "suite": Path(started["suite"]).stem, "suites": [],
                                   "kind": "answers", "llm": {"mode": started["llm"], "name": ""}, "judge": None,
                                   "started": None, "finished": None,
                                   "status": "starting" if code is None else "failed", "n": 0, "n_total": None,
                                   "metrics": {}, "has_report": False}
            if code is not None:
                log = out / LOG_FILE
                row["error"] = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.is_file() else ""
            rows.append(row)
    return rows


def stop_all() -> None:
    """For tests and shutdown: end the runs this process started (by their own id)."""
    with _lock:
        for _, proc, _ in _children.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
        _children.clear()
