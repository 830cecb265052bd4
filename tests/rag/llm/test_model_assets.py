"""Assembling the embedded model from its parts, with small part files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rag.errors import LLMUnavailable
from rag.llm.model_assets import MODEL_FILE, PART_COUNT, ensure_model, packaged_parts


def make_parts(folder: Path, contents: list[bytes]) -> tuple[list[Path], str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, data in enumerate(contents, 1):
        path = folder / f"part{i:02d}.bin"
        path.write_bytes(data)
        paths.append(path)
    return paths, hashlib.sha256(b"".join(contents)).hexdigest()


CONTENTS = [b"GGUF" + bytes(range(256)) * 40, b"\x01" * 5000, b"tail"]


def test_assembles_the_parts_in_order_and_verifies_them(tmp_path):
    parts, digest = make_parts(tmp_path / "parts", CONTENTS)
    cache = tmp_path / "cache"

    path = ensure_model(cache, parts=parts, sha256=digest, filename="m.gguf")

    assert path == cache / "m.gguf"
    assert path.read_bytes() == b"".join(CONTENTS)
    assert (cache / "m.gguf.sha256").read_text().split() == [digest, str(path.stat().st_size)]
    assert not list(cache.glob("*.tmp"))


def test_a_second_call_does_not_assemble_again(tmp_path):
    parts, digest = make_parts(tmp_path / "parts", CONTENTS)
    cache = tmp_path / "cache"
    first = ensure_model(cache, parts=parts, sha256=digest, filename="m.gguf")
    mtime = first.stat().st_mtime_ns
    for part in parts:
        part.unlink()  # the wheels are no longer needed once the model is in the cache

    again = ensure_model(cache, parts=parts, sha256=digest, filename="m.gguf")

    assert again == first and again.stat().st_mtime_ns == mtime


def test_a_truncated_model_is_assembled_again(tmp_path):
    parts, digest = make_parts(tmp_path / "parts", CONTENTS)
    cache = tmp_path / "cache"
    path = ensure_model(cache, parts=parts, sha256=digest, filename="m.gguf")
    path.write_bytes(b"GGUF")

    ensure_model(cache, parts=parts, sha256=digest, filename="m.gguf")

    assert path.read_bytes() == b"".join(CONTENTS)


def test_a_corrupt_part_is_refused_and_leaves_nothing_behind(tmp_path):
    _, digest = make_parts(tmp_path / "good", CONTENTS)
    parts, _ = make_parts(tmp_path / "bad", [CONTENTS[0], b"\x02" * 5000, CONTENTS[2]])
    cache = tmp_path / "cache"

    with pytest.raises(LLMUnavailable, match="손상.*pip install --force-reinstall"):
        ensure_model(cache, parts=parts, sha256=digest, filename="m.gguf")

    assert sorted(p.name for p in cache.iterdir()) == ["m.gguf.lock"]


def test_a_missing_part_names_it(tmp_path):
    parts, digest = make_parts(tmp_path / "parts", CONTENTS)
    parts[1].unlink()

    with pytest.raises(LLMUnavailable, match="part02.bin"):
        ensure_model(tmp_path / "cache", parts=parts, sha256=digest, filename="m.gguf")


def test_the_packaged_parts_are_found_in_order():
    parts = packaged_parts()

    assert len(parts) == PART_COUNT
    assert [p.name for p in parts] == [f"part{i:02d}.bin" for i in range(1, PART_COUNT + 1)]
    assert MODEL_FILE.endswith(".gguf")
