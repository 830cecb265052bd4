"""Layering: the RAG core (rag/) never imports the apps built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import rag

FORBIDDEN = {"api", "cli", "assistants", "eval"}
RAG_DIR = Path(rag.__file__).resolve().parent


def forbidden_imports(source: str) -> list[str]:
    """Absolute imports of a forbidden top-level package, anywhere in the module
    (also inside functions and TYPE_CHECKING blocks)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.extend(name for name in names if name.split(".")[0] in FORBIDDEN)
    return found


def test_checker_sees_every_import_form():
    source = (
        "import os\nimport eval.metrics\nfrom cli import main\nfrom . import eval\n"
        "from rag.evaluation import x\nimport assistants as a, api.routes\n"
        "def f():\n    from api.app import create\n"
    )

    assert forbidden_imports(source) == ["eval.metrics", "cli", "assistants", "api.routes", "api.app"]


def test_rag_imports_nothing_from_the_apps():
    files = sorted(RAG_DIR.rglob("*.py"))
    assert len(files) > 15  # the walk really sees the package

    offenders = {str(path.relative_to(RAG_DIR)): names
                 for path in files if (names := forbidden_imports(path.read_text(encoding="utf-8")))}

    assert offenders == {}
