"""Turns on the language model. An in-process CPU model answers one question at a time
(two answers at once on 2 cores made both crawl), so requests wait in line and are told
their position; server backends (vLLM, OpenAI-compatible) take several at once."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class GenerationQueue:
    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self._cond = threading.Condition()
        self._running = 0
        self._waiting: list[int] = []
        self._tickets = itertools.count()

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)

    @property
    def running(self) -> int:
        with self._cond:
            return self._running

    def wait_turn(self, poll_s: float = 0.5) -> Iterator[int]:
        """Yields the 1-based position in line whenever it changes, returns once this
        caller holds a slot. The caller must then call `release()` exactly once."""
        ticket = next(self._tickets)
        with self._cond:
            self._waiting.append(ticket)
            try:
                last = None
                while not (self._running < self.slots and self._waiting[0] == ticket):
                    position = self._waiting.index(ticket) + 1
                    if position != last:
                        last = position
                        self._cond.release()
                        try:
                            yield position
                        finally:
                            self._cond.acquire()
                        continue
                    self._cond.wait(poll_s)
            except BaseException:
                # The client went away while waiting: leave the line.
                self._waiting.remove(ticket)
                self._cond.notify_all()
                raise
            self._waiting.remove(ticket)
            self._running += 1
            self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._running = max(0, self._running - 1)
            self._cond.notify_all()

    @contextmanager
    def turn(self) -> Iterator[None]:
        for _ in self.wait_turn():
            pass
        try:
            yield
        finally:
            self.release()
