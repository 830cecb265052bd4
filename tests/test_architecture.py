"""Layering: the RAG core (rag/) never imports ingestion or the apps built on it; what wires
them together (the shared objects) lives in appcontext/."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import rag

FORBIDDEN = {"api", "cli", "assistants", "eval", "ingest", "appcontext"}
RAG_DIR = Path(rag.__file__).resolve().parent
PYPROJECT = RAG_DIR.parent / "pyproject.toml"


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


def test_import_linter_contract_forbids_the_same_packages():
    # CI runs lint-imports as well; the two checks must not drift apart.
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    contract, = (c for c in config["contracts"] if c["source_modules"] == ["rag"])

    assert set(contract["forbidden_modules"]) == FORBIDDEN
    assert FORBIDDEN <= set(config["root_packages"])


def test_the_apps_run_without_the_optional_extras():
    # llama-index is an extra (`llamaindex`): the server, the CLI and the harness must not
    # load it, or an install without the extra breaks. A fresh interpreter sees every import.
    probe = ("import sys, api.app, cli.main, eval.answer_runner, appcontext\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'llama_index', 'vllm', 'llama_cpp'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=RAG_DIR.parent,
                            timeout=300)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def audit_records(source: str) -> list[int]:
    """Lines that write an audit record (`….audit.record(…)` or `audit.record(…)`)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record":
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "audit":
                lines.append(node.lineno)
    return lines


def test_audit_checker_sees_both_forms():
    assert audit_records("svc.audit.record('a', 'b')\naudit.record('a', 'b')\nlog.record('x')\n") == [1, 2]


def test_routers_write_no_audit_records():
    # What is audited is decided in api/services, once for the web UI, the OpenAI API and the CLI.
    routers = sorted((RAG_DIR.parent / "api" / "routers").glob("*.py"))
    assert len(routers) > 5

    offenders = {path.name: lines for path in routers
                 if (lines := audit_records(path.read_text(encoding="utf-8")))}

    assert offenders == {}
