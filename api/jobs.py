"""Ingest jobs, kept in the store itself so that every API worker finds every job.

A job is run by the worker that took the upload; its record (status, result or error) lives in
one Chroma collection beside the user's (`JOBS_COLLECTION`, hidden from listings), so
`GET /v1/jobs/{id}` answers the same whichever worker it reaches, embedded or on a Chroma server.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING

from api.models import Job
from index.client import Source, source
from index.layout import JOBS_COLLECTION, placeholder

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from rag.settings import Settings

KEEP = 1000  # the most recent jobs kept; older ones are removed as new ones arrive
_PRUNE_EVERY = 50


class JobStore:
    """Job records in the store named by `settings`."""

    def __init__(self, settings: "Settings"):
        self.settings = settings
        self._lock = threading.Lock()
        self._origin: Source | None = None  # made on first use: one client, not one per call
        self._handle: tuple[int, "Collection"] | None = None
        self._added = 0

    def _collection(self) -> "Collection":
        if self._origin is None:
            self._origin = source(self.settings)
        origin = self._origin
        origin.refresh()
        cached = self._handle
        if cached is not None and cached[0] == origin.epoch:
            return cached[1]
        collection = origin.client().get_or_create_collection(
            JOBS_COLLECTION, embedding_function=None, metadata={"rag_jobs": 1}
        )
        self._handle = (origin.epoch, collection)
        return collection

    def put(self, job: Job) -> None:
        record = {"job": job.model_dump_json(), "updated": time.time()}
        self._collection().upsert(ids=[job.id], embeddings=[placeholder(job.id)], metadatas=[record])

    def add(self, job: Job) -> None:
        """Record a new job; every `_PRUNE_EVERY` additions, drop all but the `KEEP` most recently updated."""
        self.put(job)
        with self._lock:
            self._added += 1
            prune = self._added % _PRUNE_EVERY == 0
        if prune:
            self.prune()

    def get(self, job_id: str) -> Job | None:
        got = self._collection().get(ids=[job_id], include=["metadatas"])
        if not got["ids"]:
            return None
        return Job.model_validate(json.loads(str((got["metadatas"][0] or {})["job"])))

    def update(self, job_id: str, **changes: object) -> Job:
        with self._lock:  # this worker's updates of one job never interleave
            current = self.get(job_id)
            if current is None:
                raise KeyError(job_id)
            job = Job.model_validate({**current.model_dump(), **changes})
            self.put(job)
        return job

    def prune(self, keep: int = KEEP) -> None:
        collection = self._collection()
        got = collection.get(include=["metadatas"])
        order = sorted(zip(got["ids"], got["metadatas"]), key=lambda row: float((row[1] or {}).get("updated", 0)))
        old = [job_id for job_id, _ in order[: max(0, len(order) - keep)]]
        if old:
            collection.delete(ids=old)
