"""The intranet server: JSON API, SSE chat, the OpenAI-compatible API and the web UI.

Assistants plug in by folder: a package `assistants/<name>/` that has a `web` module
with a `router` (FastAPI APIRouter) gets it mounted under `/api/assistants/<name>`, a
`page.html` beside it is served at `/assistants/<name>` in the frame every page shares
(`api/pages.py`; listed as the assistant's `page` in /api/assistants), and a `static/`
folder beside it at `/assistants/<name>/static/` (the page's script and styles: the CSP
allows no inline ones). Nothing else changes."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

import assistants
from api.errors import install_error_handlers
from api.pages import render_assistant_page, with_partials
from api.routers import admin, auth, chat, documents, evaluations, health, openai_compat, passages, search
from api.services.container import Services
from api.services.startup import index_corpora

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent / "web"

#: A strict policy: our own scripts and styles only; answers are inserted as text.
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


_STREAM_THREADS = 256


def _assistant_plugins(app: FastAPI, package, titles: dict[str, str]) -> None:
    app.state.assistant_pages = {}
    app.state.assistant_workers = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg:
            continue
        module = f"{package.__name__}.{info.name}.web"
        try:
            web = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        # `workers(svc)`: background jobs the assistant needs while the server runs (a
        # retention purge), each with start() and stop().
        if callable(getattr(web, "workers", None)):
            app.state.assistant_workers.append(web.workers)
        router = getattr(web, "router", None)
        if router is not None:
            app.include_router(router, prefix=f"/api/assistants/{info.name}")
        page = Path(web.__file__).with_name("page.html")
        if page.is_file():
            url = f"/assistants/{info.name}"
            document = render_assistant_page(page, info.name, titles.get(info.name))  # a bad page fails at start
            app.add_api_route(url, lambda d=document: HTMLResponse(d), include_in_schema=False)
            app.state.assistant_pages[info.name] = url
        static = page.with_name("static")
        if static.is_dir():
            app.mount(f"/assistants/{info.name}/static", StaticFiles(directory=static),
                      name=f"assistant-{info.name}-static")


def _offline_docs(app: FastAPI) -> None:
    """/docs from the swagger-ui-bundle wheel: FastAPI's default page loads its scripts
    from a CDN, which an intranet cannot reach."""
    import swagger_ui_bundle
    from fastapi.openapi.docs import get_swagger_ui_html

    app.mount("/docs-static", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} — 문서",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon-32x32.png")


def create_app(svc: Services, *, start_background: bool = True, plugins=assistants) -> FastAPI:
    """The server over `svc`. `plugins`: the package whose sub-packages are assistants
    with their own endpoints and pages (tests pass another one)."""
    stop = threading.Event()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Each streaming answer holds a worker thread while it streams; anyio's default of
        # 40 would cap concurrent answers below what a vLLM backend serves.
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = _STREAM_THREADS
        svc.accounts  # migrate and seed before the first request
        # First: deletions a stopped server left unfinished are carried out before the
        # corpus walk or the worker could index those documents again.
        svc.start_workers()
        workers = [worker for make in app.state.assistant_workers for worker in make(svc)]
        for worker in workers:
            worker.start()
        if start_background and svc.settings.server.ingest_on_start:
            threading.Thread(target=index_corpora, args=(svc, stop), name="corpus-index", daemon=True).start()
        else:
            svc.state.corpus_indexed = True
            svc.state.message = "준비됨"
        try:
            yield
        finally:
            stop.set()
            for worker in workers:
                worker.stop()
            svc.stop_workers()

    app = FastAPI(title="서울시 AI 업무 도우미 API", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="범용·보육행정 업무매뉴얼, 제안요청서, 대사증후군 상담 도우미의 API. "
                              "모든 답변은 색인된 문서에서 검색한 근거와 함께 옵니다.")
    app.state.services = svc
    install_error_handlers(app)

    @app.middleware("http")
    async def observe(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        svc.metrics.requests.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - started)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not path.startswith(("/docs", "/redoc")):
            response.headers.setdefault("Content-Security-Policy", _CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    _offline_docs(app)
    for router in (health.router, auth.router, chat.router, search.router, documents.router, passages.router,
                   openai_compat.router, evaluations.router, admin.router):
        app.include_router(router)
    _assistant_plugins(app, plugins, {name: svc.assistants[name].title for name in svc.assistants})

    if WEB_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=WEB_DIR / "static", check_dir=False), name="static")

        @app.get("/", include_in_schema=False)
        def index() -> HTMLResponse:
            page = WEB_DIR / "index.html"
            if not page.is_file():
                return HTMLResponse("<!doctype html><title>서울시 AI 업무 도우미</title><p>웹 화면이 설치되지 않았습니다.</p>")
            return HTMLResponse(with_partials(page.read_text(encoding="utf-8")))

    return app
