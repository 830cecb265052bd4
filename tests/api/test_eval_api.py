"""The evaluation dashboard's API over a real run: `seoul-assist eval run` on a tiny suite
with the fake LLM into the server's data_dir, then the list, one run, its cases (with
filters and pages) and its report, who may see them, run names that try to leave the
runs folder, and a run started through the API (a real child process)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import eval_launch
from api.services.container import Services
from cli.main import main
from eval.runs import runs_root
from tests.api.conftest import build_services, login
from tests.eval.test_answer_runner import SAMPLES, write_suite


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("eval-api")
    services = build_services(root)
    suite = write_suite(root / "statutes.jsonl")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEOUL_ASSIST_PROFILE", "test")
        assert main(["--data-dir", str(services.settings.data_dir), "eval", "run", "--suite", str(suite),
                     "--corpus", str(SAMPLES), "--llm", "fake", "--name", "작은세트"]) == 0
    yield services
    eval_launch.stop_all()
    services.close()


@pytest.fixture(scope="module")
def app(svc: Services):
    return create_app(svc, start_background=False)


@pytest.fixture
def run_id(svc: Services) -> str:
    (folder,) = runs_root(svc.settings).glob("*-작은세트-fake")
    return folder.name


def test_the_list_shows_the_run_with_its_headline_numbers(evaluator: TestClient, run_id: str):
    reply = evaluator.get("/api/eval/runs")

    assert reply.status_code == 200
    (run,) = [r for r in reply.json() if r["id"] == run_id]
    assert run["id"] == run_id and run_id.endswith("-작은세트-fake")
    assert (run["name"], run["suite"], run["status"], run["kind"]) == ("작은세트", "statutes", "done", "answers")
    assert (run["n"], run["n_total"], run["llm"]["mode"], run["judge"]) == (4, 4, "fake", None)
    assert run["metrics"]["hit@5"] == 1.0 and "citation_recall" in run["metrics"]
    assert run["started"] and run["has_report"] is True


def test_one_run_is_its_run_json_and_metrics(evaluator: TestClient, run_id: str):
    body = evaluator.get(f"/api/eval/runs/{run_id}").json()

    assert body["id"] == run_id and body["summary"]["id"] == run_id
    assert body["run"]["status"] == "done" and body["run"]["suites"][0]["cases"] == 4
    assert "judge" in body["run"]
    assert body["metrics"]["n_total"] == 4 and set(body["metrics"]["by_assistant"]) == {"childcare", "metabolic"}


def test_cases_say_why_they_failed_and_filter_and_page(evaluator: TestClient, run_id: str):
    base = f"/api/eval/runs/{run_id}/cases"
    everything = evaluator.get(base).json()
    failed = evaluator.get(base, params={"failed": "true"}).json()
    passed = evaluator.get(base, params={"failed": "false", "assistant": "", "category": ""}).json()
    metabolic = evaluator.get(base, params={"assistant": "metabolic"}).json()
    deadline = evaluator.get(base, params={"category": "기한"}).json()
    uncategorised = evaluator.get(base, params={"category": "(분류 없음)"}).json()
    by_kind = evaluator.get(base, params={"failure": "answered_unanswerable"}).json()
    page = evaluator.get(base, params={"offset": 1, "limit": 2}).json()

    assert everything["total"] == 4 and [r["id"] for r in everything["items"]] == ["cc-01", "cc-02", "mb-01", "cc-03"]
    (wrong,) = failed["items"]
    assert wrong["id"] == "cc-03" and wrong["failed"] is True
    assert wrong["failure_kinds"] == ["answered_unanswerable"] and wrong["failure"] == "답할 수 없는데 답변함"
    assert wrong["question"] == "보육교사 월급날은 언제인가요?" and wrong["answer"]
    assert passed["total"] == 3 and all(not r["failed"] for r in passed["items"])
    assert [r["id"] for r in metabolic["items"]] == ["mb-01"]
    assert [r["id"] for r in deadline["items"]] == ["cc-01"]
    assert uncategorised["total"] == 3
    assert [r["id"] for r in by_kind["items"]] == ["cc-03"]
    assert (page["total"], page["offset"], page["limit"]) == (4, 1, 2)
    assert [r["id"] for r in page["items"]] == ["cc-02", "mb-01"]
    first = everything["items"][0]
    assert first["sources"][0]["locator"] == "제5조" and first["passages"]
    assert first["scores"]["rank"] == 1 and first["scores"]["token_f1"] > 0
    assert set(first["scores"]) >= {"correctness", "faithfulness"} and first["latency_ms"]["total"] > 0
    assert everything["facets"] == {"assistants": ["childcare", "metabolic"], "categories": ["(분류 없음)", "기한"],
                                    "suites": ["statutes"], "failures": {"answered_unanswerable": 1},
                                    "failed": 1, "n": 4}
    assert evaluator.get(base, params={"limit": 0}).status_code == 422


def test_the_report_may_be_framed_by_our_pages_and_runs_no_scripts(evaluator: TestClient, run_id: str):
    reply = evaluator.get(f"/api/eval/runs/{run_id}/report")

    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert "<svg" in reply.text and "작은세트" in reply.text
    csp = reply.headers["content-security-policy"]
    assert "script-src 'none'" in csp and "style-src 'unsafe-inline'" in csp and "frame-ancestors 'self'" in csp
    assert reply.headers["x-frame-options"] == "SAMEORIGIN"


def test_only_admins_and_evaluators_may_see_runs(app, run_id: str):
    paths = ["/api/eval/runs", f"/api/eval/runs/{run_id}", f"/api/eval/runs/{run_id}/cases",
             f"/api/eval/runs/{run_id}/report"]
    with TestClient(app) as anonymous:
        assert [anonymous.get(p).status_code for p in paths] == [401] * 4
    with TestClient(app) as staff:
        login(staff, "kim")
        refused = [staff.get(p) for p in paths]
        assert [r.status_code for r in refused] == [403] * 4
        assert "evaluator" in refused[0].json()["error"]["message"]
    with TestClient(app) as admin:
        login(admin, "admin")
        assert [admin.get(p).status_code for p in paths] == [200] * 4


def test_run_names_that_leave_the_runs_folder_are_not_found(evaluator: TestClient, svc: Services, tmp_path):
    # A folder outside the runs folder that looks like a run, and a link to it inside.
    outside = tmp_path / "secret-run"
    outside.mkdir()
    (outside / "run.json").write_text(json.dumps({"id": "secret", "status": "done"}), encoding="utf-8")
    (outside / "report.html").write_text("<p>비밀</p>", encoding="utf-8")
    link, empty = runs_root(svc.settings) / "linked", runs_root(svc.settings) / "not-a-run"
    link.symlink_to(outside, target_is_directory=True)
    empty.mkdir()
    try:
        for name in ["..", "%2E%2E", "%2E", "..%2F..%2Fdata", "%2E%2E%2Feval", ".hidden", "linked", "not-a-run",
                     "없는-실행", "a%00b"]:
            for suffix in ("", "/cases", "/report"):
                reply = evaluator.get(f"/api/eval/runs/{name}{suffix}")
                assert reply.status_code == 404, (name, suffix, reply.status_code)
                assert "비밀" not in reply.text
        assert "linked" not in {r["id"] for r in evaluator.get("/api/eval/runs").json()}
    finally:
        link.unlink()
        empty.rmdir()


def test_an_evaluator_starts_a_run_in_the_background(app, svc: Services):
    (svc.settings.data_dir / "suites").mkdir(exist_ok=True)
    suite = write_suite(svc.settings.data_dir / "suites" / "작은.jsonl")
    with TestClient(app) as staff:
        login(staff, "kim")
        assert staff.post("/api/eval/runs", json={"suite": str(suite), "llm": "fake"}).status_code == 403
    with TestClient(app) as lee:
        login(lee, "lee")
        outside = lee.post("/api/eval/runs", json={"suite": "/etc/passwd", "llm": "fake"})
        wrong_llm = lee.post("/api/eval/runs", json={"suite": str(suite), "llm": "gpt-9"})
        assert (outside.status_code, outside.json()["error"]["field"]) == (400, "suite")
        assert (wrong_llm.status_code, wrong_llm.json()["error"]["field"]) == (400, "llm")

        started = lee.post("/api/eval/runs", json={"suite": str(suite), "llm": "fake", "limit": 2,
                                                   "name": "백그라운드"})
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        assert run_id.endswith("-백그라운드-fake")
        assert lee.post("/api/eval/runs", json={"suite": str(suite), "llm": "fake"}).status_code == 409
        deadline = time.monotonic() + 180
        while True:
            (row,) = [r for r in lee.get("/api/eval/runs").json() if r["id"] == run_id]
            if row["status"] in ("done", "failed"):
                break
            assert row["status"] in ("starting", "running") and time.monotonic() < deadline, row
            time.sleep(0.5)
        assert row["status"] == "done" and (row["n"], row["n_total"], row["name"]) == (2, 2, "백그라운드"), row
        assert lee.get(f"/api/eval/runs/{run_id}/cases").json()["total"] == 2
        assert lee.get(f"/api/eval/runs/{run_id}/report").status_code == 200
    assert any(e["action"] == "eval_run" for e in svc.audit.recent(username="lee"))
