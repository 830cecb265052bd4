"""`seoul-assist ingest PATH... [--collection NAME]` and `seoul-assist ingest --corpora`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest.corpus import ingest_corpora
from ingest.discovery import FoundFile, discover
from ingest.pipeline import IngestReport
from ingest.readers import SUPPORTED_EXTENSIONS

from .common import context_from, show_progress


def register(sub) -> None:
    p = sub.add_parser("ingest", help="문서를 색인합니다 (변경된 것만 다시 처리)")
    p.add_argument("paths", nargs="*", type=Path, help="파일 또는 폴더")
    p.add_argument("--collection", default="general", help="넣을 컬렉션 (기본: general)")
    p.add_argument("--corpora", action="store_true", help="설정의 코퍼스 폴더를 도우미 정의(assistant.yaml)대로 모두 색인")
    p.add_argument("--access", default="public", help="접근 그룹 (기본: public)")
    p.add_argument("--no-embed", action="store_true", help="희소(BM25) 색인만 하고 임베딩은 나중에")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    progress = show_progress()
    try:
        if args.corpora or not args.paths:
            settings = ctx.settings
            reports = ingest_corpora(ctx.ingest, ctx.assistants, settings.corpus_roots,
                                     uploads_dir=settings.uploads_dir, progress=progress)
        else:
            reports = {args.collection: _ingest_paths(ctx, args.collection, args.paths, args.access, progress)}
        for report in reports.values():
            print_report(report)
        if not args.no_embed:
            for name in reports:
                count = ctx.ingest.embed_pending(name, progress=progress)
                done, total = ctx.state.progress(name)
                print(f"[{name}] 임베딩 {count}개 추가, 전체 {done}/{total} ({_share(done, total)})")
        return 1 if any(r.failed for r in reports.values()) else 0
    finally:
        ctx.close()


def _ingest_paths(ctx, collection: str, paths: list[Path], access: str, progress: bool) -> IngestReport:
    report = IngestReport(collection)
    for path in paths:
        if path.is_dir():
            files, _ = discover(path)
            report.merge(ctx.ingest.ingest(collection, path, files, access=access, progress=progress))
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
                supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
                report.failed.append((str(path), f"지원하지 않는 파일 형식입니다 ({path.suffix or '확장자 없음'}). 지원 형식: {supported}"))
                continue
            found = [FoundFile(path, path.name)]
            report.merge(ctx.ingest.ingest(collection, path.parent, found, remove_missing=False,
                                           access=access, progress=progress))
        else:
            report.failed.append((str(path), "파일이나 폴더가 없습니다"))
    return report


def print_report(report: IngestReport) -> None:
    print(f"[{report.collection}] 추가 {len(report.added)}, 변경 {len(report.updated)}, "
          f"그대로 {len(report.unchanged)}, 삭제 {len(report.removed)}, 실패 {len(report.failed)} "
          f"— 청크 {report.chunks}개, {report.seconds:.1f}초")
    for warning in report.warnings[:20]:
        print(f"  주의: {warning}")
    if len(report.warnings) > 20:
        print(f"  주의 {len(report.warnings) - 20}건 더")
    if report.failed:
        print("  색인하지 못한 파일 (이전에 색인된 내용은 그대로입니다):")
        for source, reason in report.failed:
            print(f"  - {source}: {reason}")


def _share(done: int, total: int) -> str:
    return f"{100 * done / total:.0f}%" if total else "—"
