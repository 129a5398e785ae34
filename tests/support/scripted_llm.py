"""A scripted OpenAI-compatible chat server on 127.0.0.1, for contract tests of the LLM path.

Each request to /v1/chat/completions takes the next `Reply` from the script (the last one
repeats). A reply is what a real endpoint might do: answer (streamed or not), fail with a
status, hang, drop the connection, or send garbage. Every request body is recorded.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

# A client that went away (it timed out while a reply hung, or read what it needed) leaves the
# server writing to a closed socket: what a real endpoint sees too, and no failure of the test.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], _GONE):
            super().handle_error(request, client_address)


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    stream: bool | None = None  # None: as the client asked
    delay_s: float = 0.0  # before the headers
    token_delay_s: float = 0.0  # between streamed tokens
    raw: bytes | None = None  # sent as the body instead of a completion
    drop: bool = False  # close the connection without answering
    respond: Callable[[dict], str] | None = None  # the text, computed from the request body


@dataclass
class ScriptedLLM:
    script: list[Reply] = field(default_factory=lambda: [Reply("The documents do not say.")])
    requests: list[dict] = field(default_factory=list)
    tokens_sent: int = 0  # streamed tokens written, over all requests since `set`
    aborted: int = 0  # streams the client closed before the end

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server: _Server | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def set(self, *replies: Reply) -> None:
        with self._lock:
            self.script = list(replies)
            self.requests.clear()
            self.tokens_sent = self.aborted = 0

    def next_reply(self, body: dict) -> Reply:
        with self._lock:
            self.requests.append(body)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def start(self) -> "ScriptedLLM":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                reply = owner.next_reply(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if reply.raw is not None:
                    return self._send(reply.status, reply.raw, "application/json")
                if reply.status != 200:
                    return self._send(reply.status, json.dumps({"error": {"message": "scripted failure"}}).encode(), "application/json")
                text = reply.respond(body) if reply.respond else reply.text
                stream = body.get("stream", False) if reply.stream is None else reply.stream
                if not stream:
                    payload = {"id": "x", "object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}
                    return self._send(200, json.dumps(payload).encode(), "application/json")
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for token in _tokens(text):
                        event = {"id": "x", "object": "chat.completion.chunk", "choices": [
                            {"index": 0, "delta": {"content": token}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                        owner.tokens_sent += 1
                        if reply.token_delay_s:
                            time.sleep(reply.token_delay_s)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    owner.aborted += 1
                self.close_connection = True

            def _send(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _tokens(text: str) -> list[str]:
    """Split like a tokenizer might: words with their leading space."""
    out, current = [], ""
    for ch in text:
        if ch == " " and current:
            out.append(current)
            current = ""
        current += ch
    return out + ([current] if current else [])
