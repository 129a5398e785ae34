"""What one API worker holds: settings, the embedding model (loaded once), a pipeline per
collection, the ingest jobs it runs (their records are shared: `api.jobs`), and metrics."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable

from api.errors import store_down
from api.jobs import JobStore
from api.metrics import Metrics
from api.models import Job
from index.client import connect
from index.embedding import Embedder, Embedders
from index.layout import list_collections
from rag.demo import answering_collection
from rag.errors import RagError, UnknownCollection
from rag.pipeline import Pipeline
from rag.settings import Settings

if TYPE_CHECKING:
    from fastapi import Request

log = logging.getLogger(__name__)


def app_state(request: "Request") -> "AppState":
    """The worker's state, from a request."""
    return request.app.state.rag


class AppState:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        """`embedder`, when given, serves every collection; otherwise one embedder per backend
        is loaded on first use and shared by the collections built with it."""
        self.settings = settings
        self.embedder_for = Embedders(embedder)
        self.metrics = Metrics()
        self._pipelines: dict[str, Pipeline] = {}
        self._lock = threading.Lock()
        self.jobs = JobStore(settings)
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
        """The pipeline of `collection`; when none is named, the default collection's, or the demo
        corpus's while the default one does not exist (`rag.demo`)."""
        name = self.settings.collection if collection is None else collection
        with self._lock:
            opened = name in self._pipelines
        if collection is None and not opened:  # once the default collection is open, no listing per question
            name = answering_collection(self.settings, None, list_collections(connect(self.settings)))
        with self._lock:
            pipeline = self._pipelines.get(name)
        if pipeline is None:
            pipeline = Pipeline(self.settings, name, embedder_for=self.embedder_for)
            with self._lock:
                pipeline = self._pipelines.setdefault(name, pipeline)
        return pipeline

    def forget(self, collection: str) -> None:
        """Drop this worker's pipeline of a deleted collection (other workers' notice on their own:
        a deleted collection is refused, and one made again under its name is read afresh)."""
        with self._lock:
            self._pipelines.pop(collection, None)

    def submit(self, collection: str, files: int, work: Callable[[], object]):
        """Run `work` as an ingest job, one at a time in this worker, and return (job, future).
        The job's record is kept in the store, where every worker finds it (`api.jobs`)."""
        job = Job(id=uuid.uuid4().hex, status="queued", collection=collection, files=files)
        self.jobs.add(job)

        def run():
            self.jobs.update(job.id, status="running")
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001 - a failed job reports, it does not crash
                code = exc.code if isinstance(exc, RagError) else ("store_unavailable" if store_down(exc) else "internal_error")
                self.jobs.update(job.id, status="failed", error={"code": code, "message": str(exc)})
                raise
            self.jobs.update(job.id, status="done", result=result)
            return result

        return job, self._ingest.submit(run)

    def close(self) -> None:
        self._ingest.shutdown(wait=True)
