"""Where the API's ingest jobs are kept: one Chroma collection beside the user's
(`index.layout.JOBS_COLLECTION`, hidden from listings), so that every worker of the API, embedded
or on a Chroma server, reads the same records. A record is a job's JSON and when it was last
updated; what a job holds is `api.jobs`' business."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from index.client import Source, source
from index.layout import JOBS_COLLECTION, placeholder

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from rag.settings import Settings


class JobRecords:
    """Job records, as JSON text by job id, in the store named by `settings`."""

    def __init__(self, settings: "Settings"):
        self.settings = settings
        self._origin: Source | None = None  # made on first use: one client, not one per call
        self._handle: tuple[int, "Collection"] | None = None

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

    def put(self, job_id: str, job: str) -> None:
        """Keep `job` (its JSON) under `job_id`, stamped with the time now."""
        record = {"job": job, "updated": time.time()}
        self._collection().upsert(ids=[job_id], embeddings=[placeholder(job_id)], metadatas=[record])

    def get(self, job_id: str) -> str | None:
        """The JSON of job `job_id`; None when there is none."""
        got = self._collection().get(ids=[job_id], include=["metadatas"])
        if not got["ids"]:
            return None
        return str((got["metadatas"][0] or {})["job"])

    def prune(self, keep: int) -> None:
        """Drop all but the `keep` most recently updated records."""
        collection = self._collection()
        got = collection.get(include=["metadatas"])
        order = sorted(zip(got["ids"], got["metadatas"]), key=lambda row: float((row[1] or {}).get("updated", 0)))
        old = [job_id for job_id, _ in order[: max(0, len(order) - keep)]]
        if old:
            collection.delete(ids=old)
