"""Real servers on 127.0.0.1 for the tests: a `chroma run` process, uvicorn in a thread, and
waiting until an app has warmed up or is ready."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chroma_binary() -> str:
    found = Path(sys.executable).with_name("chroma")
    return str(found) if found.exists() else (shutil.which("chroma") or "chroma")


class ChromaServer:
    """A real `chroma run` process on 127.0.0.1; can be stopped and started again."""

    def __init__(self, path: Path):
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [chroma_binary(), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"chroma run exited with {self.process.returncode}") from None
                time.sleep(0.1)
        raise RuntimeError("chroma run did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class UvicornThread:
    """A real uvicorn server on 127.0.0.1 in a thread of this process."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def wait_warm(client, deadline_s: float = 120.0) -> dict:
    """/readyz once the background warm-up has ended (503 `warming_up` until then)."""
    ends = time.monotonic() + deadline_s
    while True:
        response = client.get("/readyz")
        body = response.json()
        if body.get("warm_up", {}).get("status") != "running":
            return body
        assert response.status_code == 503 and body["error"]["code"] == "warming_up"
        assert time.monotonic() < ends, "the warm-up did not end"
        time.sleep(0.05)


def wait_ready(url: str, headers: dict[str, str] | None = None, deadline_s: float = 180.0) -> None:
    ends = time.monotonic() + deadline_s
    while httpx.get(f"{url}/readyz", headers=headers, timeout=30).status_code != 200:
        assert time.monotonic() < ends, "the server did not become ready"
        time.sleep(0.1)
