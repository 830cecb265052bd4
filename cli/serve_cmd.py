"""`seoul-assist serve`: the main job. The intranet server with the web UI, embedded
Qdrant and the embedded model; the corpus roots are indexed in the background."""

from __future__ import annotations

import argparse
import logging

from .common import settings_from


def register(sub) -> None:
    p = sub.add_parser("serve", help="인트라넷 서버와 웹 화면을 시작합니다 (기본 작업)")
    p.add_argument("--host", help="들을 주소 (기본: settings의 server.host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="포트 (기본: 8080)")
    p.add_argument("--llm", help="답변 생성 방식 (기본: 설정의 llm.mode)")
    p.add_argument("--no-ingest", action="store_true", help="시작할 때 코퍼스를 색인하지 않음")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.services.container import Services

    overrides: dict = {}
    if args.llm:
        overrides["llm"] = {"mode": args.llm}
    server: dict = {}
    if args.host:
        server["host"] = args.host
    if args.port:
        server["port"] = args.port
    if args.no_ingest:
        server["ingest_on_start"] = False
    if server:
        overrides["server"] = server
    settings = settings_from(args, **overrides)
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    svc = Services(settings)
    made = svc.ensure_first_admin()
    url = f"http://{settings.server.host}:{settings.server.port}/"
    print(f"서울시 AI 업무 도우미 서버: {url}  (API 문서: {url}docs)")
    print("코퍼스:", ", ".join(f"{r} ({'있음' if r.is_dir() else '없음, 건너뜀'})" for r in settings.corpus_roots))
    if made:
        print(f"첫 관리자 계정을 만들었습니다: 사용자 이름 '{made[0]}', 비밀번호는 {made[1]} 에 있습니다.")
    try:
        uvicorn.run(create_app(svc), host=settings.server.host, port=settings.server.port, log_level="info",
                    timeout_graceful_shutdown=5)
    finally:
        svc.close()
    return 0
