"""Ingest corpus roots into the assistants' collections as their definitions say
(`folders`, `example_collections`, `accepts_uploads` in assistants/<name>/assistant.yaml, read by rag.assistants)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from rag.assistants import AssistantSpec

from .discovery import discover
from .pipeline import IngestReport, IngestService

log = logging.getLogger(__name__)


def ingest_corpora(service: IngestService, specs: Mapping[str, AssistantSpec], roots: list[Path],
                   uploads_dir: Path | None = None, assistants: list[str] | None = None,
                   progress: bool = True) -> dict[str, IngestReport]:
    """Phase 1 for every (root, assistant) pair: after this, sparse search works.
    Roots that do not exist are skipped (../shared/corpora is optional)."""
    reports: dict[str, IngestReport] = {}
    chosen = [spec for name, spec in specs.items() if not assistants or name in assistants]
    for spec in chosen:
        # The main collection, then the assistant's collections of examples (own folders).
        for collection, folders in spec.indexed:
            report = reports.setdefault(collection, IngestReport(collection))
            for root in roots:
                if not root.is_dir():
                    log.info("코퍼스 폴더가 없어 건너뜁니다: %s", root)
                    continue
                files, _ = discover(root, list(folders))
                report.merge(service.ingest(collection, root, files, progress=progress))
        report = reports[spec.collection]
        if uploads_dir is not None and spec.accepts_uploads:
            upload_root = uploads_dir / spec.name
            if upload_root.is_dir():
                files, _ = discover(upload_root)
                # Uploads keep the access group they were uploaded with.
                report.merge(service.ingest(spec.collection, upload_root, files, access=None,
                                            progress=progress))
    return reports
