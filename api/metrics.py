"""Request and answer-stage metrics for `/metrics`, in Prometheus' text format (prometheus-client).

With several API workers (`rag serve --workers N`) each worker writes its counts to files in the
directory named by `MULTIPROC_ENV` (`rag serve` makes a fresh one per run), and whichever worker
answers `/metrics` adds up every worker's counts (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import os

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """Request counts and latencies per route, and answer-stage latencies."""

    def __init__(self) -> None:
        import prometheus_client
        from prometheus_client import CollectorRegistry, Counter, Summary

        prometheus_client.disable_created_metrics()  # only the counts and sums, as before
        # A registry per app, so that several apps in one process (tests) keep their own counts.
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rag_requests", "HTTP requests by method, route and status.", ["method", "route", "status"], registry=self.registry
        )
        self.request_seconds = Summary("rag_request_seconds", "Request latency by route.", ["route"], registry=self.registry)
        self.stage_seconds = Summary("rag_stage_seconds", "Answer latency by pipeline stage.", ["stage"], registry=self.registry)

    def record_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(route).observe(seconds)

    def record_stages(self, timings_ms: dict[str, float]) -> None:
        for stage, ms in timings_ms.items():
            self.stage_seconds.labels(stage).observe(ms / 1000)

    def render(self) -> str:
        from prometheus_client import CollectorRegistry, generate_latest

        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry).decode()
        return generate_latest(self.registry).decode()
