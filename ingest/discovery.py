"""Find the files to ingest under a root, with their source names relative to it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .readers import INDEXED_EXTENSIONS, SUPPORTED_EXTENSIONS


@dataclass(frozen=True)
class FoundFile:
    path: Path
    source: str  # relative to the root, '/' separators: what citations and evals compare


def discover(root: Path, folders: list[str] | None = None) -> tuple[list[FoundFile], list[Path]]:
    """Supported files under `root` (or under the given sub-folders of it), sorted, and
    the files skipped for their extension. Symlinks leaving the root are not followed."""
    root = root.resolve()
    bases = [root / f for f in folders] if folders else [root]
    found: list[FoundFile] = []
    skipped: list[Path] = []
    for base in bases:
        if base.is_file():
            # A file named outright may be a notice table (CSV); a folder yields documents only.
            candidates, readable = [base], INDEXED_EXTENSIONS
        elif base.is_dir():
            candidates, readable = sorted(p for p in base.rglob("*") if p.is_file()), SUPPORTED_EXTENSIONS
        else:
            continue
        for path in candidates:
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            if not path.resolve().is_relative_to(root):
                skipped.append(path)
            elif path.suffix.lower() in readable:
                found.append(FoundFile(path, path.relative_to(root).as_posix()))
            else:
                skipped.append(path)
    return found, skipped
