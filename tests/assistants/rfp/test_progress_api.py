"""POST /api/assistants/rfp/drafts/stream: the draft written section by section with its
progress streamed (SSE `progress` {section, done, total}), then saved for the user (`done`
with the saved draft's id); a bad field is a 400 naming it before anything streams and
nothing is saved; waiting for the model's turn is streamed as `queued`; a failure mid-way is
an `error` event and saves nothing."""

from __future__ import annotations

import threading

from api.services.generation_queue import GenerationQueue
from assistants.rfp.draft import AI_DRAFT_MARK, RfpDraft, RfpInput
from assistants.rfp.drafting import OUTLINE
from assistants.rfp.progress import drafting_events
from tests.api.conftest import sse_events

from . import drafts_server
from .drafts_server import DRAFTS, FORM, error, ok

services, app, kim, park = drafts_server.services, drafts_server.app, drafts_server.kim, drafts_server.park

STREAM = f"{DRAFTS}/stream"


def _ids(client) -> list[int]:
    return [d["id"] for d in ok(client.get(DRAFTS))["drafts"]]


def test_progress_is_streamed_per_section_then_the_saved_draft(kim, park):
    reply = kim.post(STREAM, json={"input": FORM})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = sse_events(reply.text)
    progress = [data for name, data in events if name == "progress"]
    assert [p["done"] for p in progress] == list(range(1, len(OUTLINE) + 1))
    assert {p["total"] for p in progress} == {len(OUTLINE)}
    assert [p["section"] for p in progress] == [f"{number} {title}" for number, title, _ in OUTLINE]
    assert [name for name, _ in events][-1] == "done"
    done = events[-1][1]
    assert done["title"] == FORM["project_name"] and done["status_label"] == AI_DRAFT_MARK

    saved = ok(kim.get(f"{DRAFTS}/{done['id']}"))
    assert saved["owner"] == "kim" and saved["draft"]["input"]["budget_krw"] == 330_000_000
    assert [s["number"] for s in saved["draft"]["sections"]] == [number for number, _, _ in OUTLINE]
    assert done["id"] in _ids(kim) and done["id"] not in _ids(park)  # saved for the user who asked


def test_a_bad_budget_is_refused_by_field_before_anything_streams(kim):
    before = _ids(kim)
    body = error(kim.post(STREAM, json={"input": {**FORM, "budget_krw": "삼억"}}), 400, "input.budget_krw")
    assert "사업 예산은 원 단위 숫자여야 합니다" in body["message"]
    error(kim.post(STREAM, json={"input": {**FORM, "budget_krw": -5}}), 400, "input.budget_krw")
    error(kim.post(STREAM, json={"input": {**FORM, "agency_type": "구청"}}), 400, "input.agency_type")
    error(kim.post(STREAM, json={"input": {**FORM, "period_months": 121}}), 400, "input.period_months")
    error(kim.post(STREAM, json={"draft": {}}), 400, "input")
    error(kim.post(STREAM, json={"input": FORM, "llm": "yes"}), 400, "llm")
    error(kim.post(STREAM, content=b"{not json", headers={"Content-Type": "application/json"}), 400, "body")
    assert _ids(kim) == before


def test_signed_out_nothing_is_drafted(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        assert client.post(STREAM, json={"input": FORM}).status_code == 401


def _tiny_draft(progress) -> RfpDraft:
    for done in (1, 2):
        progress(done, 2, f"절 {done}")
    return RfpDraft(input=RfpInput(project_name="시험 사업", agency="시험 기관"))


def test_waiting_for_the_models_turn_is_streamed_and_the_turn_given_back():
    line = GenerationQueue(1)
    held = line.wait_turn()
    for _ in held:  # someone else is generating
        pass
    saved: list[RfpDraft] = []
    events = drafting_events(_tiny_draft, lambda d: saved.append(d) or {"id": 7, "title": "시험 사업"},
                             wait_turn=line.wait_turn, release=line.release)
    assert next(events) == ("queued", {"position": 1})
    assert line.waiting == 1
    line.release()
    rest = list(events)
    assert [name for name, _ in rest] == ["progress", "progress", "done"]
    assert rest[-1][1]["id"] == 7 and len(saved) == 1
    assert line.running == 0  # the drafting's turn was given back


def test_a_failure_mid_way_is_an_error_event_and_nothing_is_saved():
    saved: list[RfpDraft] = []

    def broken(progress):
        progress(1, 3, "Ⅰ 사업 안내")
        raise RuntimeError("model crashed")

    events = list(drafting_events(broken, lambda d: saved.append(d) or {"id": 1}))
    assert [name for name, _ in events] == ["progress", "error"]
    assert events[-1][1]["message"] == "초안을 작성하는 중 오류가 발생했습니다: 저장하지 않았습니다"
    assert "model crashed" not in str(events[-1][1]) and saved == []


def test_a_draft_whose_page_went_away_is_still_saved():
    saved = threading.Event()
    events = drafting_events(_tiny_draft, lambda d: saved.set() or {"id": 3})
    next(events)
    events.close()  # the browser left after the first section
    assert saved.wait(10)
