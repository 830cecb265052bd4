"""A new folder is all it takes (assistants/README.md): an assistant defined only by an
`assistant.yaml` in a temporary folder, named by `assistants_dir`, is served by the API,
answered by the CLI and accepted by the evaluation harness, with its own role prompt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from cli.main import main
from eval.suites import load_suite
from rag.errors import SuiteError
from tests.api.conftest import build_services, login

ROLE = "어린이집 급식 규정만 안내하는 시험용 도우미"
KITCHEN = f"""\
# A throwaway assistant: nothing but this file defines it.
name: kitchen
title: 급식 도우미
collection: kitchen
folders:
  - statutes/childcare
role: {ROLE}
sample_questions:
  - 급식 식단은 누가 작성하나요?
"""
QUESTION = "급식 식단은 누가 작성하나요?"
SUITE_CASE = {"id": "k-01", "assistant": "kitchen", "question": QUESTION, "answerable": True,
              "evidence": [{"source": "statutes/childcare/테스트법/법률.md", "quote": "영양사가 작성한 식단"}]}


@pytest.fixture
def assistants_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "assistants"
    (folder / "kitchen").mkdir(parents=True)
    (folder / "kitchen" / "assistant.yaml").write_text(KITCHEN, encoding="utf-8")
    return folder


@pytest.fixture
def services(tmp_path: Path, assistants_dir: Path) -> Iterator[Services]:
    svc = build_services(tmp_path / "server", assistants_dir=assistants_dir)
    yield svc
    svc.close()


def test_the_api_lists_serves_and_answers_a_new_assistant(services: Services):
    with TestClient(create_app(services, start_background=False)) as c:
        login(c, "kim")
        listed = c.get("/api/assistants").json()
        assert [(a["name"], a["title"], a["collection"]) for a in listed] == [("kitchen", "급식 도우미", "kitchen")]
        assert listed[0]["sample_questions"] == [QUESTION]

        key = services.accounts.create_api_key("kim")
        models = c.get("/v1/models", headers={"Authorization": f"Bearer {key}"}).json()
        assert [m["id"] for m in models["data"]] == ["kitchen"]

        reply = c.post("/api/chat/kitchen", json={"question": QUESTION})
        assert reply.status_code == 200, reply.text
        answer = reply.json()["answer"]
        assert not answer["abstained"] and answer["citations"][0]["locator"].startswith("제4조")
        # The role the model was given is the folder's, not another assistant's.
        system = services.context.answers.llm().prompts[-1][0].content
        assert system.startswith(f"당신은 {ROLE}입니다.")

        assert c.post("/api/chat/general", json={"question": QUESTION}).status_code == 404


def run_cli(*args: str) -> int:
    return main(list(args))


def test_the_cli_lists_and_answers_a_new_assistant(tmp_path: Path, assistants_dir: Path, sample_corpus: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture):
    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")
    monkeypatch.setenv("SEOUL_ASSIST_ASSISTANTS_DIR", str(assistants_dir))
    data = ["--data-dir", str(tmp_path / "data")]

    assert run_cli(*data, "assistants") == 0
    assert "- kitchen: 급식 도우미 (컬렉션 kitchen; 코퍼스 폴더 statutes/childcare)" in capsys.readouterr().out

    assert run_cli(*data, "ingest", str(sample_corpus / "statutes/childcare/테스트법"), "--collection", "kitchen") == 0
    capsys.readouterr()
    assert run_cli(*data, "ask", QUESTION, "--assistant", "kitchen", "--llm", "fake") == 0
    out = capsys.readouterr().out
    assert "[검증된 답변]" in out and "테스트법 제4조" in out

    # The folder is the whole registry: the packaged assistants are not in it.
    assert run_cli(*data, "ask", QUESTION, "--assistant", "general", "--llm", "fake") == 2
    assert "알 수 없는 도우미: general (가능: kitchen)" in capsys.readouterr().err


def test_the_harness_runs_a_suite_of_a_new_assistant(tmp_path: Path, assistants_dir: Path, sample_corpus: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture):
    suite = tmp_path / "kitchen.jsonl"
    suite.write_text(json.dumps(SUITE_CASE, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(SuiteError, match="assistant는 .* 중 하나여야 합니다: 'kitchen'"):
        load_suite(suite)  # the assistants shipped with the code do not include it
    monkeypatch.setenv("SEOUL_ASSIST_PROFILE", "test")
    monkeypatch.setenv("SEOUL_ASSIST_ASSISTANTS_DIR", str(assistants_dir))
    out_dir = tmp_path / "run"

    code = run_cli("--data-dir", str(tmp_path / "data"), "eval", "run", "--suite", str(suite),
                   "--corpus", str(sample_corpus), "--out", str(out_dir), "--retrieval-only")

    assert code == 0, capsys.readouterr().err
    (record,) = [json.loads(line) for line in (out_dir / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    assert record["assistant"] == "kitchen" and record["rank"] == 1
