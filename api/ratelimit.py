"""Request-rate limits: a token bucket per API key, or per client address when no key is
given (or the service runs without keys). Over the limit: 429 with `Retry-After`."""

from __future__ import annotations

import hashlib
import math
import threading
import time


class RateLimiter:
    """`per_minute` requests a minute on average, bursts of up to `burst`, per identity.

    Identities are opaque strings (a key's hash, an address); at most `max_identities` are
    kept, the least recently seen dropped first, so a flood of addresses cannot grow memory.
    """

    def __init__(self, per_minute: int, burst: int, max_identities: int = 10_000, clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._max = max_identities
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, identity: str) -> float:
        """Take one request for `identity`: 0.0 when allowed, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, seen = self._buckets.pop(identity, (self.burst, now))
            tokens = min(self.burst, tokens + (now - seen) * self.rate)
            if tokens >= 1.0:
                self._buckets[identity] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[identity] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self._max:
                self._buckets.pop(next(iter(self._buckets)))
        return wait


def identity(token: str | None, client_host: str | None) -> str:
    """The bucket a request counts against: its API key (hashed, never kept in the clear),
    or its client address."""
    if token:
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return "addr:" + (client_host or "unknown")


def retry_after(wait: float) -> str:
    """`Retry-After` in whole seconds, at least 1."""
    return str(max(1, math.ceil(wait)))
