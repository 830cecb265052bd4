"""Ingest corpus roots into the assistants' collections as their manifests say."""

from __future__ import annotations

import logging
from pathlib import Path

from .discovery import discover
from .manifests import Manifest
from .pipeline import IngestReport, IngestService

log = logging.getLogger(__name__)


def ingest_corpora(service: IngestService, manifests: dict[str, Manifest], roots: list[Path],
                   uploads_dir: Path | None = None, assistants: list[str] | None = None,
                   progress: bool = True) -> dict[str, IngestReport]:
    """Phase 1 for every (root, assistant) pair: after this, sparse search works.
    Roots that do not exist are skipped (../shared/corpora is optional)."""
    reports: dict[str, IngestReport] = {}
    chosen = [m for name, m in manifests.items() if not assistants or name in assistants]
    for manifest in chosen:
        report = reports.setdefault(manifest.collection, IngestReport(manifest.collection))
        for root in roots:
            if not root.is_dir():
                log.info("코퍼스 폴더가 없어 건너뜁니다: %s", root)
                continue
            files, _ = discover(root, list(manifest.folders))
            report.merge(service.ingest(manifest.collection, root, files, progress=progress))
        if uploads_dir is not None and manifest.accepts_uploads:
            upload_root = uploads_dir / manifest.assistant
            if upload_root.is_dir():
                files, _ = discover(upload_root)
                # Uploads keep the access group they were uploaded with.
                report.merge(service.ingest(manifest.collection, upload_root, files, access=None,
                                            progress=progress))
    return reports
