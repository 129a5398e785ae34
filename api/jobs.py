"""Ingest jobs, kept in the store itself so that every API worker finds every job.

A job is run by the worker that took the upload; its record (status, result or error) lives in
one Chroma collection beside the user's (`index.jobs`, hidden from listings), so
`GET /v1/jobs/{id}` answers the same whichever worker it reaches, embedded or on a Chroma server.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

from api.models import Job
from index.jobs import JobRecords

if TYPE_CHECKING:
    from rag.settings import Settings

KEEP = 1000  # the most recent jobs kept; older ones are removed as new ones arrive
_PRUNE_EVERY = 50


class JobStore:
    """Job records in the store named by `settings`."""

    def __init__(self, settings: "Settings"):
        self.settings = settings
        self._lock = threading.Lock()
        self._records = JobRecords(settings)
        self._added = 0

    def put(self, job: Job) -> None:
        self._records.put(job.id, job.model_dump_json())

    def add(self, job: Job) -> None:
        """Record a new job; every `_PRUNE_EVERY` additions, drop all but the `KEEP` most recently updated."""
        self.put(job)
        with self._lock:
            self._added += 1
            prune = self._added % _PRUNE_EVERY == 0
        if prune:
            self.prune()

    def get(self, job_id: str) -> Job | None:
        stored = self._records.get(job_id)
        return None if stored is None else Job.model_validate(json.loads(stored))

    def update(self, job_id: str, **changes: object) -> Job:
        with self._lock:  # this worker's updates of one job never interleave
            current = self.get(job_id)
            if current is None:
                raise KeyError(job_id)
            job = Job.model_validate({**current.model_dump(), **changes})
            self.put(job)
        return job

    def prune(self, keep: int = KEEP) -> None:
        self._records.prune(keep)
