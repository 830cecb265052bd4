"""Stored evaluation runs: one folder per run, so that runs can be listed, compared,
reported on and resumed after a crash.

    <run>/run.json      what was run: id, created, status (running | done | failed |
                        interrupted), suites with sha256, corpus, LLM, settings (secrets
                        removed), code version, and the judge: its model, prompts and
                        their hash when the run is judged (`--judge`), else
                        {"model": null, "prompt": null}
    <run>/cases.jsonl   one record per finished case, appended and fsynced at once, so a
                        killed run loses at most the case it was writing
    <run>/metrics.json  computed from cases.jsonl alone at the end
    <run>/report.html   eval.report_html

Default place: settings.data_dir / eval / runs / <YYYYmmdd-HHMMSS>-<name>-<llm>."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from rag.config import Settings
from rag.errors import ConfigError

from .provenance import code_version, settings_snapshot

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
CASES_FILE = "cases.jsonl"
METRICS_FILE = "metrics.json"
REPORT_FILE = "report.html"

Status = Literal["running", "done", "failed", "interrupted"]
Resume = Literal["auto", "require", "never"]
#: run.json's judge block of a run nobody judged.
NO_JUDGE: dict[str, Any] = {"model": None, "prompt": None}

_UNSAFE_NAME = re.compile(r"[^\w.+-]+")


@dataclass(frozen=True)
class SuiteInfo:
    path: str
    name: str
    sha256: str
    cases: int


@dataclass(frozen=True)
class RunPlan:
    """What a run is asked to do; two plans with the same suites (by content), LLM mode,
    limit, kind and judge (model and prompts) are the same run, so an unfinished one may
    be resumed. `judge`: run.json's judge block (eval.judging.judge_meta), None when
    the run is not judged."""

    suites: list[SuiteInfo]
    corpus: Path
    llm_mode: str
    limit: int | None = None
    name: str | None = None
    kind: Literal["answers", "retrieval"] = "answers"
    workers: int = 1
    judge: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return run_label(self.name, [s.name for s in self.suites])


def run_label(name: str | None, suite_names: list[str]) -> str:
    return name or "+".join(n.replace("/", "-") for n in suite_names) or "run"


@dataclass(frozen=True)
class RunInfo:
    """One stored run as the list and the web UI show it."""

    path: Path
    id: str
    name: str
    created: str
    status: str
    suites: list[str]
    llm_mode: str
    llm_name: str
    cases_done: int
    cases_total: int | None
    headline: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Run:
    info: RunInfo
    meta: dict[str, Any]
    records: list[dict[str, Any]]
    metrics: dict[str, Any] | None


# --- planning ----------------------------------------------------------------------------

def suite_infos(paths: list[Path], names: list[str], counts: list[int]) -> list[SuiteInfo]:
    return [SuiteInfo(str(p.resolve()), n, file_sha256(p), c) for p, n, c in zip(paths, names, counts)]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def runs_root(settings: Settings) -> Path:
    return settings.data_dir / "eval" / "runs"


def new_run_id(label: str, llm_mode: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{_safe(label)}-{_safe(llm_mode)}"


def default_run_dir(settings: Settings, label: str, llm_mode: str, now: datetime | None = None) -> Path:
    """A fresh folder under runs_root; a second run in the same second gets a suffix."""
    base = runs_root(settings) / new_run_id(label, llm_mode, now)
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def _safe(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text).strip("_.") or "run"


# --- one run folder ------------------------------------------------------------------------

class RunDir:
    """A run folder being written. Records may be appended from several threads."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        self.path = path
        self.meta = meta
        self._lock = threading.Lock()

    @property
    def cases_path(self) -> Path:
        return self.path / CASES_FILE

    def records(self) -> list[dict[str, Any]]:
        return read_records(self.cases_path)

    def done_ids(self) -> set[str]:
        return {r["id"] for r in self.records()}

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock, self.cases_path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def set_status(self, status: Status, **fields: Any) -> None:
        self.meta.update(fields, status=status, updated=_now())
        write_json(self.path / RUN_FILE, self.meta)

    def finish(self, **fields: Any) -> None:
        self.set_status("done", finished=_now(), **fields)

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Leave the run marked interrupted (Ctrl-C, SIGTERM) or failed when the work
        inside raises, so `eval list` and `--resume` see what happened."""
        try:
            yield
        except KeyboardInterrupt:
            self.set_status("interrupted")
            raise
        except BaseException as exc:
            self.set_status("failed", error=str(exc) or type(exc).__name__)
            raise

    def write_metrics(self, metrics: dict[str, Any]) -> Path:
        return write_json(self.path / METRICS_FILE, metrics)


def start_run(path: Path, plan: RunPlan, settings: Settings, resume: Resume = "auto") -> tuple[RunDir, bool]:
    """Open the run at `path`: resumed when it holds an unfinished run of the same plan
    (or when `resume` is "require", which refuses a different plan), else started anew
    (an older run's files there are replaced). Returns the run and whether it resumed."""
    meta = read_meta(path)
    mismatch = ""
    if meta is not None and resume != "never":
        mismatch = plan_mismatch(meta, plan) or provenance_mismatch(meta, settings)
        if mismatch and resume == "require":
            raise ConfigError(f"{path}: 이어서 실행할 수 없습니다 ({mismatch})")
        if not mismatch and (resume == "require" or meta.get("status") != "done"):
            _refuse_if_live(path, meta)
            dropped = repair_cases(path / CASES_FILE)
            if dropped:
                log.warning("%s: 끝까지 쓰이지 않은 기록 %d줄을 버리고 그 문항을 다시 실행합니다", path, dropped)
            run = RunDir(path, meta)
            run.set_status("running", pid=os.getpid(), host=socket.gethostname(),
                           resumed=[*meta.get("resumed", []), _now()])
            return run, True
    if resume == "require":
        raise ConfigError(f"{path}: 이어서 실행할 평가 결과(run.json)가 없습니다")
    if meta is not None:
        why = f" ({mismatch})" if meta.get("status") != "done" and mismatch else ""
        log.warning("%s: 기존 실행(%s, 상태 %s)을 지우고 새로 실행합니다%s", path, meta.get("id"), meta.get("status"), why)
    path.mkdir(parents=True, exist_ok=True)
    for name in (CASES_FILE, METRICS_FILE, REPORT_FILE, RUN_FILE):
        (path / name).unlink(missing_ok=True)
    (path / CASES_FILE).touch()
    run = RunDir(path, new_meta(plan, settings))
    run.set_status("running")
    return run, False


def new_meta(plan: RunPlan, settings: Settings) -> dict[str, Any]:
    return {
        "id": new_run_id(plan.label, plan.llm_mode),
        "name": plan.name or plan.label,
        "kind": plan.kind,
        "created": _now(),
        "status": "running",
        "suites": [vars(s) for s in plan.suites],
        "cases_total": sum(s.cases for s in plan.suites),
        "limit": plan.limit,
        "corpus": str(plan.corpus.resolve()),
        "llm": {"mode": plan.llm_mode, "name": ""},
        "workers": plan.workers,
        "settings": settings_snapshot(settings),
        "code": code_version(),
        # The LLM judge's model, prompts and their hash (eval.judging.judge_meta).
        "judge": plan.judge or dict(NO_JUDGE),
        "pid": os.getpid(),
        "host": socket.gethostname(),
    }


def plan_mismatch(meta: dict[str, Any], plan: RunPlan) -> str:
    """Why a stored run is not this plan ("" when it is)."""
    if [s.get("sha256") for s in meta.get("suites", [])] != [s.sha256 for s in plan.suites]:
        return "평가 세트가 다릅니다"
    if meta.get("llm", {}).get("mode") != plan.llm_mode:
        return f"언어 모델이 다릅니다 ({meta.get('llm', {}).get('mode')} ≠ {plan.llm_mode})"
    if meta.get("limit") != plan.limit:
        return f"--limit이 다릅니다 ({meta.get('limit')} ≠ {plan.limit})"
    if meta.get("kind", "answers") != plan.kind:
        return "평가 종류가 다릅니다"
    return judge_mismatch(meta.get("judge"), plan.judge)


#: Settings that do not change an answer: how the server listens, how much is logged.
_NOT_ANSWERING = frozenset({"server", "log_level"})


def provenance_mismatch(meta: dict[str, Any], settings: Settings) -> str:
    """Why a stored run was made by other settings or other code ("" when it was not). A
    run resumed after the retriever, the prompts or the model changed would mix two
    systems' answers in one set of metrics."""
    stored = meta.get("settings")
    if isinstance(stored, dict):
        current = settings_snapshot(settings)
        changed = sorted(k for k in set(stored) | set(current)
                         if k not in _NOT_ANSWERING and stored.get(k) != current.get(k))
        if changed:
            return f"설정이 다릅니다 ({', '.join(changed)})"
    before = (meta.get("code") or {}).get("commit")
    now = code_version().get("commit")
    if before and now and before != now:
        return f"코드가 다릅니다 (커밋 {before[:10]} ≠ {now[:10]})"
    return ""


def judge_mismatch(stored: dict[str, Any] | None, wanted: dict[str, Any] | None) -> str:
    """Why a stored run's judge is not the wanted one ("" when it is): judged on one side
    only, another engine (our prompts or ragas), another model, or other prompts. One run
    is judged by one judge throughout."""
    stored, wanted = stored or {}, wanted or {}
    engines = [(block.get("engine") or "prompt") for block in (stored, wanted)]
    if stored.get("model") and wanted.get("model") and engines[0] != engines[1]:
        return f"판정 방식이 다릅니다 (--judge-engine {engines[0]} ≠ {engines[1]})"
    if stored.get("model") != wanted.get("model"):
        return f"판정 모델이 다릅니다 ({stored.get('model') or '판정 없음'} ≠ {wanted.get('model') or '판정 없음'})"
    if stored.get("model") and stored.get("prompt_sha256") != wanted.get("prompt_sha256"):
        return f"판정 프롬프트가 다릅니다 ({stored.get('prompt_sha256')} ≠ {wanted.get('prompt_sha256')})"
    return ""


def _refuse_if_live(path: Path, meta: dict[str, Any]) -> None:
    # Two processes appending to one cases.jsonl would score cases twice.
    pid = meta.get("pid")
    if (meta.get("status") == "running" and isinstance(pid, int) and pid != os.getpid()
            and meta.get("host") == socket.gethostname() and _alive(pid)):
        raise ConfigError(f"{path}: 다른 프로세스(pid {pid})가 이 평가를 실행 중입니다")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- reading -------------------------------------------------------------------------------

def read_meta(path: Path) -> dict[str, Any] | None:
    file = path / RUN_FILE
    if not file.is_file():
        return None
    try:
        meta = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        log.warning("%s: run.json을 읽을 수 없습니다", file)
        return None
    return meta if isinstance(meta, dict) else None


def read_records(path: Path) -> list[dict[str, Any]]:
    """The complete records of a cases.jsonl; a line cut short by a kill is skipped."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        record = _parse_record(line)
        if record is not None:
            records.append(record)
    return records


def repair_cases(path: Path) -> int:
    """Drop lines that are not whole records (a write cut off by a kill), so that the
    next append starts on a line of its own. Returns how many were dropped."""
    if not path.is_file():
        return 0
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    good = [line for line in lines if _parse_record(line) is not None]
    if len(good) != len(lines) or (text and not text.endswith("\n")):
        temp = path.with_name(path.name + ".tmp")
        temp.write_text("".join(line + "\n" for line in good), encoding="utf-8")
        os.replace(temp, path)
    return len(lines) - len(good)


def _parse_record(line: str) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) and isinstance(record.get("id"), str) else None


def load_run(path: Path) -> Run:
    """A stored run: run.json, the records and metrics.json (None until computed). A
    folder written before runs were stored (metrics.json and cases.jsonl only) loads too."""
    meta = read_meta(path)
    metrics_file = path / METRICS_FILE
    if meta is None and not (path / CASES_FILE).is_file() and not metrics_file.is_file():
        raise ConfigError(f"{path}: 평가 결과 폴더가 아닙니다 (run.json, cases.jsonl 없음)")
    metrics = None
    if metrics_file.is_file():
        try:
            metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            log.warning("%s: metrics.json을 읽을 수 없습니다", metrics_file)
    records = read_records(path / CASES_FILE)
    meta = meta or _legacy_meta(path, metrics)
    return Run(_info(path, meta, len(records), metrics), meta, records, metrics)


def list_runs(settings: Settings, root: Path | None = None) -> list[RunInfo]:
    """Stored runs under `root` (default runs_root(settings)), newest first."""
    folder = root or runs_root(settings)
    if not folder.is_dir():
        return []
    found = []
    for run_file in folder.glob(f"*/{RUN_FILE}"):
        meta = read_meta(run_file.parent)
        if meta is None:
            continue
        metrics = None
        metrics_file = run_file.parent / METRICS_FILE
        if metrics_file.is_file():
            try:
                metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                metrics = None
        found.append(_info(run_file.parent, meta, _count_records(run_file.parent / CASES_FILE), metrics))
    return sorted(found, key=lambda r: (r.created, r.id), reverse=True)


def _count_records(path: Path) -> int:
    return len(read_records(path))


def _info(path: Path, meta: dict[str, Any], done: int, metrics: dict[str, Any] | None) -> RunInfo:
    llm = meta.get("llm") or {}
    return RunInfo(path=path, id=str(meta.get("id", path.name)), name=str(meta.get("name", "")),
                   created=str(meta.get("created", "")), status=str(meta.get("status", "")),
                   suites=[s.get("name", "") for s in meta.get("suites", [])], llm_mode=str(llm.get("mode", "")),
                   llm_name=str(llm.get("name", "")), cases_done=done, cases_total=meta.get("cases_total"),
                   headline=headline(metrics) if metrics else {})


def headline(metrics: dict[str, Any]) -> dict[str, float | None]:
    """The few numbers a list of runs shows."""
    picks = {"hit@5": ("retrieval", "hit@5"), "token_f1": ("answer", "token_f1"),
             "correctness": ("answer", "correctness"),
             "citation_recall": ("citation", "recall"), "abstention_f1": ("abstention", "f1"),
             "ttft_p50": ("latency_ms", "ttft_p50")}
    return {name: (metrics.get(block) or {}).get(key) for name, (block, key) in picks.items()
            if key in (metrics.get(block) or {})}


def _legacy_meta(path: Path, metrics: dict[str, Any] | None) -> dict[str, Any]:
    metrics = metrics or {}
    suite = str(metrics.get("suite", ""))
    return {"id": path.name, "name": path.name, "status": "done" if metrics else "unknown",
            "suites": [{"path": suite, "name": Path(suite).stem}] if suite else [],
            "llm": {"mode": (metrics.get("llm") or {}).get("mode", "extractive" if "answer" in metrics else ""),
                    "name": (metrics.get("llm") or {}).get("name", "")},
            "kind": "answers" if "answer" in metrics else "retrieval",
            "judge": dict(NO_JUDGE)}


# --- files --------------------------------------------------------------------------------

def write_json(path: Path, data: Any) -> Path:
    """Whole or not at all: a reader never sees half a run.json."""
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temp, path)
    return path


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
