"""Reading a YAML file that must hold a mapping (settings profiles, assistant definitions),
with errors that name the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from rag.errors import ConfigError


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The mapping in `path`; {} when the file is missing or empty. Raises ConfigError
    naming the file for bad YAML or a top level that is not a mapping."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML을 읽을 수 없습니다 ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: 최상위가 매핑이어야 합니다")
    return data
