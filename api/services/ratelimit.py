"""Questions per user per minute, a token bucket per user held in memory (one server
process; behind several replicas each enforces its own share)."""

from __future__ import annotations

import math
import threading
import time

from api.errors import RateLimited


class RateLimiter:
    def __init__(self, per_minute: int, clock=time.monotonic) -> None:
        self.capacity = max(1, per_minute)
        self.rate = self.capacity / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """One request for `key`, or RateLimited saying when to come back."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.capacity), now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                raise RateLimited(max(1, math.ceil((1 - tokens) / self.rate)))
            self._buckets[key] = (tokens - 1, now)
