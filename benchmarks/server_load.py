"""The server under load: 50 signed-in users chat at once over SSE against the real server
(uvicorn in its own process, so the load generator does not share its GIL) for 60 s.
The server runs the test profile (fake embedder, embedded Qdrant, corpora/samples indexed)
with a fake model paced like a GPU server (20 pieces/s, at most 60 pieces an answer), so
what is measured is the server's own work: retrieval, the extractive answer, SSE, the
history and audit writes. "Server overhead" = total time − the model's own streaming time
(pieces received / rate). Phase 2 repeats it while an admin uploads small documents
(POST /api/collections/general/documents); it is skipped when that route is missing.

    .venv/bin/python benchmarks/server_load.py [--seconds 60] [--users 50] [--rate 20] [--pieces 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shared import BENCH_DATA, print_table, write_json  # noqa: E402

UPLOAD_ROUTE = re.compile(r"^/api/collections/\{[^}]+\}/documents/?$")
QUESTIONS = [
    ("general", "민원 처리기간은 어떻게 계산하나요?"),
    ("general", "민원 처리기간을 연장할 수 있나요?"),
    ("childcare", "어린이집 CCTV를 설치하지 않으면 어떻게 되나요?"),
    ("childcare", "만 2세반 보육교사 1명당 영아 수는?"),
    ("childcare", "어린이집 안전점검은 얼마나 자주 해야 하나요?"),
    ("rfp", "제안요청서에 무엇을 적어야 하나요?"),
    ("metabolic", "허리둘레는 어떻게 재야 하나요?"),
]


# -- the server process --------------------------------------------------------------------

def serve(data_dir: Path, port: int, rate: float, pieces: int, users: int, threadpool: int | None) -> None:
    """Index the sample corpus, create the users, then run uvicorn until killed."""
    import anyio.to_thread
    import uvicorn

    from api.app import create_app
    from api.services.container import Services
    from ingest.corpus import ingest_corpora
    from rag.config import load_settings
    from appcontext import AppContext
    from rag.llm.fake import FakeLLM

    class PacedLLM:
        """FakeLLM's reply in at most `pieces` pieces, one every 1/rate s, like a model
        server streaming tokens (the sleep frees the GIL as a socket read would)."""

        def __init__(self) -> None:
            self.inner = FakeLLM()
            self.name = "paced-fake"
            self.context_window = self.inner.context_window

        def count_tokens(self, text: str) -> int:
            return self.inner.count_tokens(text)

        def stream(self, messages, params):
            reply = "".join(self.inner.stream(messages, params))
            self.inner.prompts.clear()  # FakeLLM records every prompt; a long run would hoard them
            self.inner.params.clear()
            return self._paced(reply)

        def _paced(self, reply: str):
            size = max(1, -(-len(reply) // pieces))
            for start in range(0, len(reply), size):
                time.sleep(1 / rate)
                yield reply[start:start + size]

    class PacedContext(AppContext):
        def llm(self):
            return PacedLLM()

    settings = load_settings("test", data_dir=data_dir, server={
        "host": "127.0.0.1", "port": port, "ingest_on_start": False,
        # A server backend takes every request at once; no user hits the per-minute limit.
        "generation_slots": users * 4, "rate_limit_per_minute": 1_000_000})
    svc = Services(settings, PacedContext(settings))
    ingest_corpora(svc.context.ingest, svc.assistants, settings.corpus_roots, progress=False)
    for collection in svc.collections:
        svc.context.ingest.embed_pending(collection, progress=False)
    password = os.environ["BENCH_PASSWORD"]
    svc.accounts.create_user("bench-admin", password, "admin")
    for i in range(users):
        svc.accounts.create_user(f"bench-{i:03d}", password, "staff")
    app = create_app(svc, start_background=False)

    async def asgi(scope, receive, send):
        # --threadpool: how many sync handlers/stream steps run at once (anyio's default is 40).
        if threadpool and scope["type"] == "lifespan":
            anyio.to_thread.current_default_thread_limiter().total_tokens = threadpool
        await app(scope, receive, send)

    try:
        uvicorn.run(asgi, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    finally:
        svc.close()


# -- the load generator ----------------------------------------------------------------------

@dataclass
class Request:
    ok: bool
    total_s: float
    extractive_s: float | None = None
    ttft_s: float | None = None
    pieces: int = 0
    error: str = ""


@dataclass
class Phase:
    name: str
    requests: list[Request] = field(default_factory=list)
    uploads: list[tuple[int, float]] = field(default_factory=list)  # (status, seconds)
    upload_note: str = ""
    job_ids: list[int] = field(default_factory=list)
    jobs_at_end: dict[str, int] = field(default_factory=dict)  # job status → count when the chat stopped
    jobs_drain_s: float | None = None  # then until none was queued or running
    seconds: float = 0.0


async def login(client, username: str, password: str) -> None:
    reply = await client.post("/api/auth/login", json={"username": username, "password": password})
    reply.raise_for_status()
    client.headers["X-CSRF-Token"] = reply.json()["csrf_token"]


async def ask(client, assistant: str, question: str, conversation_id: int | None) -> tuple[Request, int | None]:
    started = time.perf_counter()
    req = Request(ok=False, total_s=0.0)
    event, got_final = "", False
    try:
        async with client.stream("POST", f"/api/chat/{assistant}/stream",
                                 json={"question": question, "conversation_id": conversation_id}) as reply:
            if reply.status_code != 200:
                await reply.aread()
                req.error = f"HTTP {reply.status_code}"
            else:
                async for line in reply.aiter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                        now = time.perf_counter() - started
                        if event == "extractive" and req.extractive_s is None:
                            req.extractive_s = now
                        elif event == "token":
                            req.pieces += 1
                            if req.ttft_s is None:
                                req.ttft_s = now
                        elif event == "error":
                            req.error = "SSE error event"
                    elif line.startswith("data: ") and event == "final":
                        got_final = True
                        conversation_id = json.loads(line[6:]).get("conversation_id")
                if not got_final and not req.error:
                    req.error = "no final event"
    except Exception as exc:  # the run goes on; the error is counted and named
        req.error = type(exc).__name__
    req.total_s = time.perf_counter() - started
    req.ok = got_final and not req.error
    return req, conversation_id


async def chat_user(client, index: int, deadline: float, phase: Phase) -> None:
    conversations: dict[str, int | None] = {}  # a conversation belongs to one assistant
    turn = index
    while time.perf_counter() < deadline:
        assistant, question = QUESTIONS[turn % len(QUESTIONS)]
        turn += 1
        req, conversations[assistant] = await ask(client, assistant, question, conversations.get(assistant))
        phase.requests.append(req)
        if not req.ok:
            conversations[assistant] = None
            await asyncio.sleep(0.5)  # a failing server is not hammered in a tight loop


async def uploader(client, deadline: float, interval_s: float, phase: Phase) -> None:
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        text = (f"# 부하 시험 문서 {n}\n\n## 1. 개요\n\n이 문서는 서버 부하 시험에서 {n}번째로 올린 예시 문서이다. "
                f"민원 처리기간과 문서 보존에 관한 연습용 문장을 담는다. 식별자 {secrets.token_hex(4)}.\n")
        started = time.perf_counter()
        try:
            reply = await client.post("/api/collections/general/documents",
                                      files=[("files", (f"bench-{n:05d}.md", text.encode(), "text/markdown"))])
            status = reply.status_code
            if status == 200:
                phase.job_ids += [job["id"] for job in reply.json().get("jobs", [])]
        except Exception:
            status = -1
        phase.uploads.append((status, time.perf_counter() - started))
        if status == 404:
            phase.upload_note = "업로드 경로가 404를 돌려주어 업로드를 멈췄습니다"
            return
        await asyncio.sleep(max(0.0, interval_s - (time.perf_counter() - started)))


async def run_phase(base_url: str, args, password: str, name: str, with_uploads: bool) -> Phase:
    import httpx

    phase = Phase(name)
    clients = [httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(120, connect=10)) for _ in range(args.users)]
    admin = httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(120, connect=10))
    try:
        await asyncio.gather(*(login(c, f"bench-{i:03d}", password) for i, c in enumerate(clients)))
        await login(admin, "bench-admin", password)
        tasks = []
        started = time.perf_counter()
        deadline = started + args.seconds
        if with_uploads:
            tasks.append(uploader(admin, deadline, args.upload_interval, phase))
        tasks += [chat_user(c, i, deadline, phase) for i, c in enumerate(clients)]
        await asyncio.gather(*tasks)
        phase.seconds = time.perf_counter() - started
        if phase.job_ids:
            await follow_jobs(admin, phase)
    finally:
        for c in (*clients, admin):
            await c.aclose()
    return phase


async def job_statuses(admin, ids: set[int]) -> dict[str, int]:
    reply = await admin.get("/api/jobs", params={"collection": "general", "limit": 500})
    reply.raise_for_status()
    return dict(Counter(job["status"] for job in reply.json() if job["id"] in ids))


async def follow_jobs(admin, phase: Phase, wait_s: float = 120.0) -> None:
    """Where the upload jobs stood when the chat stopped, then how long the rest took
    (the ingest worker defers embedding while answers are generated)."""
    ids = set(phase.job_ids)
    phase.jobs_at_end = await job_statuses(admin, ids)
    started = time.perf_counter()
    while time.perf_counter() - started < wait_s:
        statuses = await job_statuses(admin, ids)
        if not statuses.get("queued") and not statuses.get("running"):
            phase.jobs_drain_s = round(time.perf_counter() - started, 1)
            return
        await asyncio.sleep(1.0)


def has_upload_route(base_url: str) -> bool:
    import httpx

    paths = httpx.get(f"{base_url}/openapi.json", timeout=30).json().get("paths", {})
    return any(UPLOAD_ROUTE.match(p) and "post" in ops for p, ops in paths.items())


def summarise(phase: Phase, rate: float) -> dict:
    from eval.metrics import percentile

    ok = [r for r in phase.requests if r.ok]

    def p(values: list[float], q: float) -> float:
        return round(percentile(values, q) * 1000, 1)

    extractive = [r.extractive_s for r in ok if r.extractive_s is not None]
    ttft = [r.ttft_s for r in ok if r.ttft_s is not None]
    total = [r.total_s for r in ok]
    overhead = [r.total_s - r.pieces / rate for r in ok]
    uploads_ok = [s for status, s in phase.uploads if 200 <= status < 300]
    return {
        "requests": len(phase.requests), "ok": len(ok), "errors": len(phase.requests) - len(ok),
        "error_kinds": dict(Counter(r.error for r in phase.requests if not r.ok)),
        "requests_per_s": round(len(phase.requests) / phase.seconds, 2) if phase.seconds else 0.0,
        "seconds": round(phase.seconds, 1),
        "mean_pieces": round(sum(r.pieces for r in ok) / len(ok), 1) if ok else 0.0,
        "no_token_answers": sum(1 for r in ok if r.pieces == 0),
        "extractive_ms": {"p50": p(extractive, 50), "p95": p(extractive, 95)},
        "ttft_ms": {"p50": p(ttft, 50), "p95": p(ttft, 95)},
        "total_ms": {"p50": p(total, 50), "p95": p(total, 95)},
        "server_overhead_ms": {"p50": p(overhead, 50), "p95": p(overhead, 95)},
        "uploads": {"sent": len(phase.uploads), "accepted": len(uploads_ok),
                    "statuses": dict(Counter(str(s) for s, _ in phase.uploads)),
                    "p50_ms": p(uploads_ok, 50), "p95_ms": p(uploads_ok, 95), "note": phase.upload_note,
                    "jobs_when_chat_stopped": phase.jobs_at_end, "jobs_drained_after_s": phase.jobs_drain_s},
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base_url: str, server: subprocess.Popen, log_path: Path, timeout_s: float = 600) -> float:
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if server.poll() is not None:
            sys.exit(f"서버가 시작하지 못했습니다 (종료 코드 {server.returncode}); 로그: {log_path}\n"
                     + log_path.read_text(encoding="utf-8", errors="replace")[-3000:])
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"서버가 {timeout_s:.0f}초 안에 준비되지 않았습니다; 로그: {log_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="각 단계의 길이 (기본 60초)")
    parser.add_argument("--users", type=int, default=50, help="동시에 대화하는 사용자 수")
    parser.add_argument("--rate", type=float, default=20.0, help="가짜 모델의 초당 조각 수")
    parser.add_argument("--pieces", type=int, default=60, help="답변 하나의 최대 조각 수")
    parser.add_argument("--upload-interval", type=float, default=1.0, help="업로드 사이 간격 (초)")
    parser.add_argument("--threadpool", type=int, default=None,
                        help="서버의 스레드 풀 크기 (기본: anyio 기본값 40 그대로)")
    parser.add_argument("--out", default="server_load.json")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # internal: the server process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.rate, args.pieces, args.users, args.threadpool)
        return

    data_dir = BENCH_DATA / "server_load"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(12)
    log_path = data_dir / "server.log"
    command = [sys.executable, __file__, "--serve", str(data_dir / "data"), "--port", str(port),
               "--rate", str(args.rate), "--pieces", str(args.pieces), "--users", str(args.users)]
    if args.threadpool:
        command += ["--threadpool", str(args.threadpool)]
    load_before = os.getloadavg()
    print(f"머신: CPU {os.cpu_count()}개, 부하 평균 {load_before[0]:.1f} (다른 작업과 공유하면 지연이 부풀려집니다)")
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "BENCH_PASSWORD": password})
    try:
        startup_s = wait_ready(base_url, server, log_path)
        print(f"서버 준비: {startup_s:.1f}초 (색인 + 사용자 {args.users + 1}명 생성 포함)")
        phases = [asyncio.run(run_phase(base_url, args, password, "chat", with_uploads=False))]
        if has_upload_route(base_url):
            phases.append(asyncio.run(run_phase(base_url, args, password, "chat + uploads", with_uploads=True)))
            upload_skipped = ""
        else:
            upload_skipped = ("업로드 단계를 건너뜁니다: POST /api/collections/{collection}/documents 경로가 없습니다 "
                              "(api/routers/documents.py 미설치)")
            print(upload_skipped)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    load_after = os.getloadavg()
    report = {p.name: summarise(p, args.rate) for p in phases}
    if upload_skipped:
        report["chat + uploads"] = {"skipped": upload_skipped}
    rows = []
    for name, r in report.items():
        if "skipped" in r:
            rows.append([name, "건너뜀", "", "", "", "", "", "", ""])
            continue
        up = r["uploads"]
        rows.append([name, r["requests"], r["requests_per_s"], r["errors"],
                     f"{r['extractive_ms']['p50']:.0f} / {r['extractive_ms']['p95']:.0f}",
                     f"{r['ttft_ms']['p50']:.0f} / {r['ttft_ms']['p95']:.0f}",
                     f"{r['total_ms']['p50']:.0f} / {r['total_ms']['p95']:.0f}",
                     f"{r['server_overhead_ms']['p50']:.0f} / {r['server_overhead_ms']['p95']:.0f}",
                     f"{up['accepted']}/{up['sent']}" if up["sent"] else "-"])
    print()
    print_table(["phase", "requests", "req/s", "errors", "extractive ms p50/p95", "TTFT ms p50/p95",
                 "total ms p50/p95", "overhead ms p50/p95", "uploads ok/sent"], rows)
    chat = report["chat"]
    print(f"\n{args.users} users × {args.seconds:.0f} s per phase; fake model {args.rate:g} pieces/s, "
          f"mean {chat['mean_pieces']} pieces an answer (model time ≈ {chat['mean_pieces'] / args.rate:.1f} s); "
          f"overhead = total − pieces/rate.")
    print(f"CPU {os.cpu_count()}개, 부하 평균 {load_before[0]:.1f} → {load_after[0]:.1f}; "
          "server and load generator share these cores with other work.")
    for name, r in report.items():
        if r.get("error_kinds"):
            print(f"{name} errors: {r['error_kinds']}")
        up = r.get("uploads", {})
        if up.get("sent"):
            print(f"{name}: upload p50/p95 {up['p50_ms']:.0f}/{up['p95_ms']:.0f} ms, HTTP {up['statuses']}; jobs when "
                  f"the chat stopped {up['jobs_when_chat_stopped']}, none left queued/running after "
                  f"{up['jobs_drained_after_s']} s {up['note']}")
    write_json(args.out, {
        "users": args.users, "seconds": args.seconds, "rate_pieces_per_s": args.rate, "max_pieces": args.pieces,
        "threadpool": args.threadpool or 40, "upload_interval_s": args.upload_interval,
        "server_startup_s": round(startup_s, 1), "cpu_count": os.cpu_count(),
        "loadavg_before": round(load_before[0], 2), "loadavg_after": round(load_after[0], 2),
        "phases": report})


if __name__ == "__main__":
    main()
