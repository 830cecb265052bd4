"""What a run ran with, recorded in its run.json: the settings without their secrets and
the version of the code."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from rag.config import Settings
from rag.config.settings import base_dir

# Settings keys whose values must not be written to disk with a run.
_SECRET_KEY = re.compile(r"(^|_)(api_key|password|secret|token)$")


def settings_snapshot(settings: Settings) -> dict[str, Any]:
    """The settings as JSON without secrets (API keys; passwords inside URLs)."""
    return _scrub(settings.model_dump(mode="json"))


def without_secrets(node: Any) -> Any:
    """Any JSON-like value without secret keys and passwords inside URLs."""
    return _scrub(node)


def _scrub(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _scrub(v) for k, v in node.items() if not _SECRET_KEY.search(str(k))}
    if isinstance(node, list):
        return [_scrub(v) for v in node]
    if isinstance(node, str) and "://" in node and "@" in node:
        parts = urlsplit(node)
        if parts.password or parts.username:
            host = parts.hostname or ""
            netloc = host + (f":{parts.port}" if parts.port else "")
            return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return node


def code_version() -> dict[str, Any]:
    """The git commit of the checkout this code runs from, when there is one."""
    version: dict[str, Any] = {"commit": None, "dirty": None}
    try:
        version["package"] = package_version("seoul-assist")
    except PackageNotFoundError:  # run from a checkout without installing: the commit still says it
        version["package"] = None
    root = base_dir()
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10)
        if commit.returncode == 0:
            version["commit"] = commit.stdout.strip()
            status = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True, timeout=10)
            version["dirty"] = bool(status.stdout.strip()) if status.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return version
