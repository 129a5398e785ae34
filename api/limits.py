"""Limits on what one client can make the service do.

- Request rate: a token bucket per API key, or per client address when no key is given (or
  the service runs without keys). Over the limit: 429 with `Retry-After`.
- Request size: bodies over the limit are refused with 413 before they are read (by
  `Content-Length`) or as soon as they pass it (chunked bodies), so a huge upload never
  reaches memory or disk.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from typing import Callable


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


class BodyLimit:
    """ASGI middleware: refuse request bodies larger than `limit_for(path)` bytes with 413."""

    def __init__(self, app, limit_for: Callable[[str], int]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(send, limit)
        seen = 0
        refused = False

        async def counted_receive():
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    await self._refuse(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not refused:  # once refused, the app's own reply to the cut-off body is dropped
                await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise

    @staticmethod
    async def _refuse(send, limit: int) -> None:
        body = json.dumps({"error": {"code": "request_too_large", "message": (
            f"The request body is over the {limit / 2**20:.1f} MiB limit (uploads: RAG_API__MAX_UPLOAD_MB)."
        )}}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})
