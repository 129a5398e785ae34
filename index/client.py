"""Chroma clients, and one view of an embedded data directory shared by every process.

A Chroma server (`chroma run`) holds one vector index for all its clients. Embedded Chroma holds
each collection's vector index in the memory of every process that opened the directory, and
another process's writes reach the files but not that memory: a server that opened the
directory before a `rag ingest` was seen to find none of the new chunks by vector search, and a
process that wrote from such a stale view lost the other's vectors for good. So, for an
embedded directory (`EmbeddedDirectory`):

- every write is made under an exclusive lock on `WRITE_LOCK` (all processes and threads), by
  a client opened after the last write of any other process;
- every write ends by replacing the `STAMP` file (a new token);
- before each read, a process compares the stamp with the one it saw when its client was
  opened (one `stat`), and opens a new client when another process has written since (which
  costs that first search more, the more chunks there are); collection handles are then
  fetched again (`Source.epoch`).

Nothing is held between commands: a `rag ingest` beside a running `rag serve` is seen by the
server's next question, and the server's own uploads by the command's next run.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from rag.errors import StoreUnavailable

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from rag.settings import Settings

WRITE_LOCK = "rag-write.lock"
STAMP = "rag-stamp"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_LOW_SPACE = 64 * 2**20
# Chroma's shared per-path system is not safe to create from two threads at once (the
# background warm-up and a first request: one of them failed with "no attribute 'bindings'").
_CONNECT_LOCK = threading.Lock()
# Embedded directories this process keeps open, most recently used last. A service uses one; a
# process that goes through many (a test run) closes the least recently used beyond the limit:
# each open directory holds about a dozen file descriptors, and select()-based code (a terminal
# prompt) fails once descriptors pass 1024. A closed directory opens again on its next use.
_OPEN_LIMIT = 8
_DIRECTORIES: "OrderedDict[Path, EmbeddedDirectory]" = OrderedDict()
# A client replaced after another process's write is stopped this long after, when reads that
# were in flight on it have long finished (stopping frees its files; dropping it alone would not).
_RETIRE_AFTER_S = 60.0


def _chroma_settings():
    import chromadb

    return chromadb.Settings(anonymized_telemetry=False, allow_reset=False)


def data_dir_problem(path: Path, exc: BaseException | None = None) -> str | None:
    """What is wrong with embedded Chroma's directory `path` after `exc`, and what to do;
    None when the directory looks fine. Looks at the file system, not only at the message."""
    text = str(exc or "").lower()
    base = path
    while not base.exists() and base != base.parent:
        base = base.parent
    try:
        fs = os.statvfs(base)
    except OSError:
        fs = None
    if (fs is not None and fs.f_flag & os.ST_RDONLY) or "readonly" in text or "read-only" in text:
        return (
            f"The data directory {path} is on a read-only file system ({exc}). Make it writable, or "
            "point RAG_DATA_DIR at a writable directory; nothing stored there was changed."
        )
    if not os.access(base, os.W_OK) or "permission denied" in text:
        return (
            f"The data directory {path} cannot be written by this user ({exc}). Fix its permissions, "
            "or point RAG_DATA_DIR at a writable directory; nothing stored there was changed."
        )
    free = fs.f_bavail * fs.f_frsize if fs is not None else None
    if "disk is full" in text or "no space" in text or (free is not None and free < _LOW_SPACE):
        shown = f"{free / 2**20:.1f} MiB free" if free is not None else "no space"
        return (
            f"The disk holding the data directory {path} is full ({shown}; {exc}). Free some space or "
            "point RAG_DATA_DIR at a bigger disk, then run the command again: documents already "
            "stored are kept, and an interrupted ingest completes when it is run again."
        )
    database = path / "chroma.sqlite3"
    try:
        with open(database, "rb") as handle:
            damaged = handle.read(16) != _SQLITE_MAGIC
    except OSError:
        damaged = False
    if damaged or "malformed" in text or "not a database" in text:
        return (
            f"The Chroma database {database} is damaged ({exc}). It was left as it is: restore the "
            f"data directory from a backup, or move {path} aside and ingest your documents again."
        )
    return None


class Source:
    """Where a store's client comes from. A Chroma server's needs no care: one client, never stale."""

    location: Path | None = None  # embedded Chroma's directory, for error messages

    def __init__(self, client: "ClientAPI | None" = None):
        self._client = client
        self.epoch = 0

    def client(self) -> "ClientAPI":
        assert self._client is not None
        return self._client

    def refresh(self) -> None:
        """Open a new client if another process wrote since this one was opened."""

    @contextmanager
    def writing(self) -> Iterator[None]:
        yield


class EmbeddedDirectory(Source):
    """One embedded Chroma directory as this process sees it: the current client, reopened
    after other processes' writes, and the lock and stamp that every write goes through."""

    def __init__(self, path: Path):
        super().__init__()
        self.location = path
        self._lock = threading.RLock()
        self._depth = 0
        self._seen: tuple[int, int] | None = None
        self._lock_file: int | None = None
        self._retired: list[tuple[float, object]] = []  # (when, Chroma system) of replaced clients

    def client(self) -> "ClientAPI":
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._open()
        assert self._client is not None
        return self._client

    def refresh(self) -> None:
        if self._client is None or self._stamp() == self._seen:
            return
        with self._lock:  # waits for this process's own write to finish and record its stamp
            if self._stamp() != self._seen:
                self._open()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the directory's write lock, with a client that has seen every earlier write;
        stamp the directory when the outermost write ends."""
        with self._lock:
            if self._depth == 0:
                self._acquire()
            self._depth += 1
            try:
                if self._client is None or self._stamp() != self._seen:
                    self._open()
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    try:
                        self._seen = self._write_stamp()
                    finally:
                        self._release()

    # -- the files ---------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.location / STAMP)
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns)

    def _write_stamp(self) -> tuple[int, int] | None:
        # A new file each time (a new inode), so two writes within the clock's resolution differ.
        path = self.location / STAMP
        temporary = path.with_name(f"{STAMP}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        temporary.write_text(uuid.uuid4().hex, encoding="ascii")
        os.replace(temporary, path)
        return self._stamp()

    def _acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # no advisory locks here: writes are serialised within this process only
            return
        self._lock_file = os.open(self.location / WRITE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)

    def _release(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)  # closing the descriptor releases the lock
            self._lock_file = None

    def _open(self) -> None:
        """A new client on the directory's files, replacing this process's current one. Chroma
        keeps one system per path per process (its shared-system cache) and would hand the old
        one back: it is dropped from the cache, not stopped, so reads in flight on it finish."""
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient

        seen = self._stamp()  # before opening: a write that lands meanwhile is seen next time
        now = time.monotonic()
        with _CONNECT_LOCK:
            if self._client is not None:
                old = SharedSystemClient._identifier_to_system.pop(self._client._identifier, None)
                if old is not None:
                    self._retired.append((now, old))
            self._client = chromadb.PersistentClient(path=str(self.location), settings=_chroma_settings())
        self._seen = seen
        self.epoch += 1
        due = [system for when, system in self._retired if now - when > _RETIRE_AFTER_S]
        self._retired = [(when, system) for when, system in self._retired if now - when <= _RETIRE_AFTER_S]
        for system in due:
            system.stop()
        _remember(self)

    def close(self) -> bool:
        """Stop this process's clients of the directory (they open again on next use); False,
        doing nothing, while a write or an opening holds it."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if self._depth:
                return False
            from chromadb.api.shared_system_client import SharedSystemClient

            systems = [system for _, system in self._retired]
            if self._client is not None:
                with _CONNECT_LOCK:
                    current = SharedSystemClient._identifier_to_system.pop(self._client._identifier, None)
                if current is not None:
                    systems.append(current)
            self._client, self._retired = None, []
            self.epoch += 1  # stores fetch their handles again from the next client
            for system in systems:
                system.stop()
            return True
        finally:
            self._lock.release()


def _remember(directory: EmbeddedDirectory) -> None:
    """Mark `directory` the most recently used; close the least recently used beyond the limit
    (one busy writing is left open and tried again next time)."""
    path = directory.location
    with _CONNECT_LOCK:
        _DIRECTORIES[path] = directory
        _DIRECTORIES.move_to_end(path)
        surplus = [d for d in list(_DIRECTORIES.values())[: max(0, len(_DIRECTORIES) - _OPEN_LIMIT)]]
    for old in surplus:
        if old.close():
            with _CONNECT_LOCK:
                if _DIRECTORIES.get(old.location) is old:
                    del _DIRECTORIES[old.location]


def source(settings: "Settings") -> Source:
    """This process's client source for the settings' store: a new client of the Chroma
    server at `chroma_url`, or the shared view of the embedded data directory."""
    if settings.chroma_url:
        return Source(_server_client(settings))
    path = settings.chroma_dir.resolve()
    with _CONNECT_LOCK:
        directory = _DIRECTORIES.get(path)
        if directory is None:
            directory = _DIRECTORIES[path] = EmbeddedDirectory(path)
        else:
            _DIRECTORIES.move_to_end(path)  # in use: the last to be closed
    try:
        path.mkdir(parents=True, exist_ok=True)
        directory.client()
    except Exception as exc:  # noqa: BLE001
        raise StoreUnavailable(
            data_dir_problem(path, exc)
            or f"Cannot open the Chroma store at {path} ({exc}). Check that the directory is "
            "writable, or point RAG_DATA_DIR somewhere else."
        ) from exc
    return directory


def _server_client(settings: "Settings") -> "ClientAPI":
    from urllib.parse import urlparse

    import chromadb

    url = urlparse(settings.chroma_url)
    try:
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=_chroma_settings(),
        )
    except Exception as exc:  # noqa: BLE001 - connection errors come in many types
        raise StoreUnavailable(
            f"Cannot reach the Chroma server at {settings.chroma_url} ({exc}). Start it with "
            f"`chroma run --path DIR --port {url.port or 8000}`, or unset RAG_CHROMA_URL to "
            "use embedded Chroma."
        ) from exc


def connect(settings: "Settings") -> "ClientAPI":
    """A Chroma client: the server at `chroma_url`, or embedded under the data directory (the
    process's current view of it: `source`)."""
    found = source(settings)
    found.refresh()
    return found.client()
