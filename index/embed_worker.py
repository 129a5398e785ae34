"""Embedding a large ingest's chunks in a child process, while this process writes to Chroma.

Chroma's Python bindings hold the interpreter lock for the whole of a write, so in one process
the model loop stalls through every write. A worker process has its own interpreter lock: it
embeds batch n+1 (model runs, sentence pooling, blob encoding) while this process writes batch
n. It costs a second copy of the model in memory and a start-up, and it makes no CPU time: on
two cores, which the model alone keeps busy, the writes' CPU time still comes out of the
model's, and it measured no faster than one process. With a core to spare it cut the overhead
over bare encoding. So it is off by default (`IndexSettings.embed_worker`); `Embedding` starts
one for large ingests when asked, and embeds the first batch here meanwhile. The measurements
are in docs/bench/notes.md.

Anything wrong with the worker (it cannot start, dies, or raises) is logged and the batch is
embedded here instead, where a real error raises as it would have without a worker: a worker
never changes what an ingest stores, only how fast.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Sequence

import numpy as np

from index.sentence_vectors import embed_chunks
from index.sentence_vectors import encode as encode_sentence_vectors

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from index.embedding import Embedder
    from rag.settings import IndexSettings

log = logging.getLogger(__name__)

Embedded = tuple[np.ndarray, "list[str] | None"]
# Input bytes from which `auto` starts a worker: about 1,600 chunks at the default chunk size,
# whose encoding takes many times longer than a worker takes to start.
AUTO_MIN_BYTES = 2**20
_POLL_S = 0.5  # how often a wait for the worker checks that it is still alive
_STOP_S = 10.0  # how long a closing worker may take to exit before it is terminated, then killed
# How long a batch may take in the worker before it counts as stuck (and the batch is embedded
# here): generous, far beyond the encoding rate measured on the benchmark machine, as a busy
# machine can be many times slower.
_WAIT_BASE_S = 120.0
_WAIT_PER_TEXT_S = 1.0


class WorkerFailed(Exception):
    """The worker could not give a batch's vectors (it died, or raised)."""


def embed_here(embedder: "Embedder", texts: Sequence[str], with_sentences: bool) -> Embedded:
    """Chunk vectors and, when asked, each chunk's sentence-vector blob, in this process."""
    if not with_sentences:
        return embedder.embed(texts), None
    vectors, sentences = embed_chunks(embedder, texts)
    return vectors, [encode_sentence_vectors(spans, rows) for spans, rows in sentences]


def _serve(conn: "Connection", embedder: "Embedder", with_sentences: bool) -> None:
    """The worker process: batches of texts in, `embed_here`'s output back, in order, until None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it closes us
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # terminated: exit through cleanups (temporary files)
    try:
        try:
            _ = embedder.dimension  # load the model before the first batch comes
        except Exception as exc:  # noqa: BLE001 - the parent logs it and embeds here, where it raises for real
            conn.send(("error", f"could not load the model: {type(exc).__name__}: {exc}"))
            return
        conn.send(("ready", None))
        while True:
            texts = conn.recv()
            if texts is None:
                return
            try:
                conn.send(("ok", embed_here(embedder, texts, with_sentences)))
            except Exception as exc:  # noqa: BLE001 - the parent logs it and embeds the batch itself
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
    except (EOFError, OSError):
        return  # the parent went away


class EmbeddingWorker:
    """One child process embedding batches in the order they are submitted."""

    def __init__(self, embedder: "Embedder", with_sentences: bool):
        import multiprocessing

        # spawn, not fork: this process runs Chroma's and onnxruntime's threads, which fork would copy mid-flight.
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, embedder, with_sentences), name="rag-embed-worker", daemon=True
        )
        # Ignored from before the child starts: Ctrl-C during its imports would print its traceback.
        # (An ignored SIGINT is inherited and kept by the new interpreter; `_serve` ignores it too.)
        on_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if on_main else None
        try:
            self._process.start()
        finally:
            if on_main:  # None: a handler not set from Python, which cannot be put back; Python's own then
                signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        theirs.close()
        # Sends go through a thread: a send blocks until the worker reads, and the worker reads
        # only after its previous reply has been read here.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-embed-send")
        self._sends: list[Future] = []
        self._sizes: list[int] = []  # texts per submitted batch; its length is the next ticket
        self._received = 0
        self._ready = False
        self._closed = False

    def submit(self, texts: Sequence[str]) -> int:
        """Queue a batch; returns its ticket for `result`."""
        if self._closed:
            raise WorkerFailed("the embedding worker is closed")
        self._sends.append(self._sender.submit(self._conn.send, list(texts)))
        self._sizes.append(len(texts))
        return len(self._sizes) - 1

    def result(self, ticket: int) -> Embedded:
        """The output for `ticket`; tickets must be collected in the order they were submitted."""
        if ticket != self._received:
            raise ValueError(f"ticket {ticket} collected out of order (next is {self._received})")
        if not self._ready:
            kind, value = self._receive(_WAIT_BASE_S)
            if kind != "ready":
                raise WorkerFailed(f"the embedding worker did not start: {value}")
            self._ready = True
        kind, value = self._receive(_WAIT_BASE_S + _WAIT_PER_TEXT_S * self._sizes[ticket])
        self._received += 1
        if kind != "ok":
            raise WorkerFailed(str(value))
        return value

    def _receive(self, within_s: float) -> tuple[str, Any]:
        deadline = time.monotonic() + within_s
        try:
            while not self._conn.poll(_POLL_S):
                if not self._process.is_alive():
                    self._fail(f"it exited with code {self._process.exitcode}")
                if time.monotonic() > deadline:
                    self._fail(f"no answer within {within_s:.0f} s")
            return self._conn.recv()
        except (EOFError, OSError) as exc:
            self._process.join(_POLL_S)  # the pipe closes as the process ends: say how it ended
            code = self._process.exitcode
            self._fail(f"it exited with code {code}" if code is not None else f"it stopped ({type(exc).__name__})")

    def _fail(self, why: str) -> NoReturn:
        for send in self._sends:
            if send.done() and send.exception() is not None:
                why += f"; sending failed: {send.exception()}"
                break
        raise WorkerFailed(f"the embedding worker failed: {why}")

    def close(self) -> None:
        """Stop the worker (idempotent): an idle one is asked to exit; one still starting, or busy
        with work nobody will collect, is terminated (killed if that does not stop it)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._ready and self._received == len(self._sizes) and self._process.is_alive():
                self._conn.send(None)  # it is waiting for a batch: it exits at once
                self._process.join(_STOP_S)
        except OSError:
            pass  # it has gone already
        finally:
            for stop in (self._process.terminate, self._process.kill):
                if not self._process.is_alive():
                    break
                stop()
                self._process.join(_STOP_S)
            self._sender.shutdown(wait=True, cancel_futures=True)  # a send blocked on the pipe failed when the worker went
            self._conn.close()


class Embedding:
    """Turns batches of chunk texts into vectors and sentence-vector blobs, here or in a worker.

    `submit` returns a callable giving the batch's output; callers collect them in order. With a
    worker running, `ahead` is 1: collect batch n only after submitting n+1, so the worker
    embeds n+1 while batch n is written.
    """

    def __init__(self, embedder: "Embedder", settings: "IndexSettings", input_bytes: Callable[[], int]):
        """`input_bytes` gives the ingest's input size, asked only when `auto` needs it."""
        self.embedder = embedder
        self.with_sentences = settings.store_sentence_vectors
        self._wanted = _wanted(settings.embed_worker, embedder, input_bytes)
        self._worker: EmbeddingWorker | None = None
        self._started = False

    @property
    def worker(self) -> EmbeddingWorker | None:
        return self._worker

    @property
    def ahead(self) -> int:
        return 0 if self._worker is None else 1

    def submit(self, texts: Sequence[str]) -> Callable[[], Embedded]:
        if not self._started:
            self._started = True
            # The worker starts with the first batch, so an ingest with nothing to embed starts
            # none, and after the model is loaded here (a first use may export it: once, here).
            # The first batch (a small one) is embedded here at once, while the worker starts.
            if self._wanted:
                _ = self.embedder.dimension  # loads the model
                self._start()
            done = embed_here(self.embedder, texts, self.with_sentences)
            return lambda: done
        if self._worker is not None:
            try:
                ticket = self._worker.submit(texts)
                return lambda: self._from_worker(ticket, texts)
            except WorkerFailed as exc:
                self._give_up(exc)
        return lambda: embed_here(self.embedder, texts, self.with_sentences)

    def _start(self) -> None:
        try:
            self._worker = EmbeddingWorker(self.embedder, self.with_sentences)
        except Exception as exc:  # noqa: BLE001 - embedding here instead is always possible
            log.warning("embedding in this process: the embedding worker could not start (%s)", exc)

    def _from_worker(self, ticket: int, texts: Sequence[str]) -> Embedded:
        worker = self._worker
        if worker is not None:
            try:
                return worker.result(ticket)
            except WorkerFailed as exc:
                self._give_up(exc)
        return embed_here(self.embedder, texts, self.with_sentences)

    def _give_up(self, exc: Exception) -> None:
        log.warning("%s; embedding the rest of this ingest in this process", exc)
        self.close()

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()

    def __enter__(self) -> "Embedding":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _wanted(mode: str, embedder: "Embedder", input_bytes: Callable[[], int]) -> bool:
    if mode == "off" or not getattr(embedder, "runs_in_worker", False):
        return False
    return mode == "on" or input_bytes() >= AUTO_MIN_BYTES
