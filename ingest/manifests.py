"""Corpus manifests: which folders of a corpus root form each assistant's collection."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from rag.errors import ConfigError


@dataclass(frozen=True)
class Manifest:
    assistant: str
    title: str
    collection: str
    folders: tuple[str, ...]
    accepts_uploads: bool = False


def load_manifests(directory: Path) -> dict[str, Manifest]:
    if not directory.is_dir():
        raise ConfigError(f"매니페스트 폴더가 없습니다: {directory}")
    manifests: dict[str, Manifest] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        try:
            manifest = Manifest(
                assistant=str(data["assistant"]), title=str(data.get("title", data["assistant"])),
                collection=str(data.get("collection", data["assistant"])),
                folders=tuple(str(f) for f in data.get("folders", [])),
                accepts_uploads=bool(data.get("accepts_uploads", False)),
            )
        except KeyError as exc:
            raise ConfigError(f"{path}: 필수 항목 {exc} 가 없습니다") from exc
        manifests[manifest.assistant] = manifest
    return manifests
