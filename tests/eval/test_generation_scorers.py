"""An assistant's eval scorer is found in its own folder: `<package>/<name>/scorer.py`
with a `score(ctx, case)` function; one registered in code wins."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.generation import register_scorer, scorer_for, unregister_scorer

PACKAGE = "scorer_assistants"


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    root = tmp_path / PACKAGE
    (root / "drafter").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "drafter" / "__init__.py").write_text("")
    (root / "drafter" / "scorer.py").write_text(
        "def score(ctx, case):\n    return {'draft': case, 'failure': None}\n", encoding="utf-8")
    (root / "broken").mkdir()
    (root / "broken" / "__init__.py").write_text("")
    (root / "broken" / "scorer.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    (root / "chat_only").mkdir()  # a definition-only assistant: no scorer
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield PACKAGE
    for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
        del sys.modules[name]


def test_the_scorer_in_the_assistants_folder_is_found(package: str):
    scorer = scorer_for("drafter", package=package)

    assert scorer is not None and scorer(None, "case") == {"draft": "case", "failure": None}
    assert scorer_for("chat_only", package=package) is None
    assert scorer_for("nobody", package=package) is None


def test_a_scorer_that_cannot_import_what_it_needs_is_an_error(package: str):
    with pytest.raises(ModuleNotFoundError, match="no_such_module_anywhere"):
        scorer_for("broken", package=package)


def test_a_registered_scorer_wins(package: str):
    register_scorer("drafter", lambda ctx, case: {"draft": "registered", "failure": None})
    try:
        assert scorer_for("drafter", package=package)(None, "case")["draft"] == "registered"
    finally:
        unregister_scorer("drafter")


def test_the_packaged_definition_only_assistants_have_no_scorer():
    assert scorer_for("general") is None and scorer_for("childcare") is None
