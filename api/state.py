"""What one API worker holds: settings, the embedding model (loaded once), a pipeline per
collection, ingest jobs, and metrics."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable

from api.errors import store_down
from api.models import Job
from index.embedding import Embedder, Embedders
from rag.errors import RagError, UnknownCollection
from rag.pipeline import Pipeline
from rag.settings import Settings

if TYPE_CHECKING:
    from fastapi import Request

log = logging.getLogger(__name__)


def app_state(request: "Request") -> "AppState":
    """The worker's state, from a request."""
    return request.app.state.rag


class Metrics:
    """Request counts and latencies per route, and answer-stage latencies, for /metrics."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
        self.stages: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def record_request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            entry = self.latency[route]
            entry[0] += seconds
            entry[1] += 1

    def record_stages(self, timings_ms: dict[str, float]) -> None:
        with self._lock:
            for stage, ms in timings_ms.items():
                entry = self.stages[stage]
                entry[0] += ms / 1000
                entry[1] += 1

    def render(self) -> str:
        lines = [
            "# HELP rag_requests_total HTTP requests by method, route and status.",
            "# TYPE rag_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), count in sorted(self.requests.items()):
                lines.append(f'rag_requests_total{{method="{method}",route="{route}",status="{status}"}} {count}')
            lines += ["# HELP rag_request_seconds Request latency by route.", "# TYPE rag_request_seconds summary"]
            for route, (total, count) in sorted(self.latency.items()):
                lines.append(f'rag_request_seconds_sum{{route="{route}"}} {total:.6f}')
                lines.append(f'rag_request_seconds_count{{route="{route}"}} {count}')
            lines += ["# HELP rag_stage_seconds Answer latency by pipeline stage.", "# TYPE rag_stage_seconds summary"]
            for stage, (total, count) in sorted(self.stages.items()):
                lines.append(f'rag_stage_seconds_sum{{stage="{stage}"}} {total:.6f}')
                lines.append(f'rag_stage_seconds_count{{stage="{stage}"}} {count}')
        return "\n".join(lines) + "\n"


class AppState:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        """`embedder`, when given, serves every collection; otherwise one embedder per backend
        is loaded on first use and shared by the collections built with it."""
        self.settings = settings
        self.embedder_for = Embedders(embedder)
        self.metrics = Metrics()
        self._pipelines: dict[str, Pipeline] = {}
        self._lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self._jobs_lock = threading.Lock()
        self._ingest = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-ingest")
        self.warm_up_status: dict[str, object] = {"status": "off"}

    def default_embedder(self) -> Embedder:
        """The default collection's embedder; a new collection's when it does not exist yet."""
        try:
            return self.pipeline(None).embedder
        except RagError:  # no default collection yet, or one this server cannot open: a new one's
            return self.embedder_for(self.settings.index)

    def start_warm_up(self) -> threading.Thread:
        """Run `warm_up` in a daemon thread; `warm_up_status` says "running" until it ends."""
        self.warm_up_status = {"status": "running", "since": time.time()}
        thread = threading.Thread(target=self.warm_up, name="rag-warm-up", daemon=True)
        thread.start()
        return thread

    def warm_up(self) -> None:
        """Load the embedding model and the default collection's pipeline now, at start-up,
        rather than in the first request. A failure is logged and left for requests to meet
        (and report) as they would without a warm-up."""
        started = time.perf_counter()
        try:
            try:
                self.pipeline(None).warm_up()
            except UnknownCollection:
                self.embedder_for(self.settings.index).embed(["warm up"])  # nothing ingested yet: a new collection's model
        except Exception as exc:  # noqa: BLE001 - a server that cannot warm up still starts
            log.warning("warm-up failed (%s); the model and collection load on first use", exc)
            self.warm_up_status = {"status": "failed", "error": str(exc)}
            return
        self.warm_up_status = {"status": "done", "seconds": round(time.perf_counter() - started, 2)}
        log.info("warmed up in %.1f s", self.warm_up_status["seconds"])

    def pipeline(self, collection: str | None) -> Pipeline:
        name = self.settings.collection if collection is None else collection
        with self._lock:
            pipeline = self._pipelines.get(name)
        if pipeline is None:
            pipeline = Pipeline(self.settings, name, embedder_for=self.embedder_for)
            with self._lock:
                pipeline = self._pipelines.setdefault(name, pipeline)
        return pipeline

    def submit(self, collection: str, files: int, work: Callable[[], object]):
        """Run `work` as an ingest job, one at a time, and return (job, future)."""
        job = Job(id=uuid.uuid4().hex, status="queued", collection=collection, files=files)
        with self._jobs_lock:
            self.jobs[job.id] = job
            while len(self.jobs) > 1000:
                self.jobs.pop(next(iter(self.jobs)))

        def run():
            self._update(job.id, status="running")
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001 - a failed job reports, it does not crash
                code = exc.code if isinstance(exc, RagError) else ("store_unavailable" if store_down(exc) else "internal_error")
                self._update(job.id, status="failed", error={"code": code, "message": str(exc)})
                raise
            self._update(job.id, status="done", result=result)
            return result

        return job, self._ingest.submit(run)

    def _update(self, job_id: str, **changes) -> None:
        with self._jobs_lock:
            self.jobs[job_id] = Job.model_validate({**self.jobs[job_id].model_dump(), **changes})

    def close(self) -> None:
        self._ingest.shutdown(wait=True)
