"""Drafting with its progress as events, for the page's streamed view (progress_web.py): the
draft is made section by section in a worker thread whose progress callback feeds a queue,
and the events are read from that queue as they come.

Events, in order: `queued` {position} (only while waiting for the language model's turn),
`progress` {section, done, total} after each section, then `done` {id, title, status_label,
notices} once the draft is saved, or `error` {message, field?}. The draft is saved whole or
not at all; a draft whose page was closed while it was written is still saved (it appears
in the saved drafts list)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from api.errors import InputError, ServiceError

from .draft import RfpDraft
from .drafting import Progress
from .inputs import RfpInputError

log = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any]]
#: Waits for the language model's turn, yielding the position in line; returns holding it.
WaitTurn = Callable[[], Iterator[int]]

_END = object()


def drafting_events(make: Callable[[Progress], RfpDraft], save: Callable[[RfpDraft], dict], *,
                    wait_turn: WaitTurn | None = None, release: Callable[[], None] | None = None) -> Iterator[Event]:
    """`make(progress)` drafts, calling progress(done, total, title) per section; `save`
    stores the draft and returns the saved view (its `id`). With `wait_turn` the drafting
    waits for a generation slot first and `release` gives it back."""
    events: queue.Queue = queue.Queue()

    def progress(done: int, total: int, title: str) -> None:
        events.put(("progress", {"section": title, "done": done, "total": total}))

    def work() -> None:
        try:
            if wait_turn is not None:
                for position in wait_turn():
                    events.put(("queued", {"position": position}))
            try:
                draft = make(progress)
            finally:
                if wait_turn is not None and release is not None:
                    release()
            saved = save(draft)
            events.put(("done", {"id": saved["id"], "title": saved.get("title", draft.input.project_name),
                                 "status_label": saved.get("status_label", draft.review.label),
                                 "notices": saved.get("notices", [])}))
        except RfpInputError as exc:
            events.put(("error", {"message": exc.message, "field": f"input.{exc.field}"}))
        except InputError as exc:
            events.put(("error", {"message": str(exc), "field": exc.field}))
        except ServiceError as exc:
            events.put(("error", {"message": str(exc)}))
        except Exception as exc:  # the stream has started: say so in-band, never a stack trace
            log.exception("제안요청서 초안 작성 오류")
            events.put(("error", {"message": "초안을 작성하는 중 오류가 발생했습니다: 저장하지 않았습니다",
                                  "detail": type(exc).__name__}))
        finally:
            events.put(_END)

    threading.Thread(target=work, name="rfp-draft", daemon=True).start()
    while True:
        item = events.get()
        if item is _END:
            return
        yield item
