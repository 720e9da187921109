"""A real OpenAI-compatible chat server on loopback (`POST /v1/chat/completions`), scripted by tests.

It answers like Ollama / llama.cpp / vLLM do (`{"choices": [{"message": {"role": "assistant", "content": …}}]}`);
a script can instead answer with an HTTP status, a body that is not JSON, or stall past the client's timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[dict[str, Any]], str]


@dataclass
class Scripted:
    """One scripted reply: content to send, or a status / raw body, optionally after a stall."""

    content: str | None = None
    status: int = 200
    raw: bytes | None = None
    stall: float = 0.0


@dataclass
class ChatRequest:
    body: dict[str, Any]
    authorization: str | None


@dataclass
class ChatServer:
    answer: Answer = field(default=lambda body: "We propose a method.")
    script: list[Scripted] = field(default_factory=list)  # consumed first, one per request
    seen: list[ChatRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="chat-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def next_reply(self, body: dict[str, Any]) -> Scripted:
        with self._lock:
            if self.script:
                return self.script.pop(0)
        return Scripted(self.answer(body))


def _handler_for(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path != "/v1/chat/completions":
                self._reply(404, b'{"error": "not found"}')
                return
            server.seen.append(ChatRequest(body, self.headers.get("Authorization")))
            reply = server.next_reply(body)
            if reply.stall:
                time.sleep(reply.stall)
            if reply.raw is not None or reply.status != 200:
                self._reply(reply.status, reply.raw or b'{"error": "scripted failure"}')
                return
            message = {"role": "assistant", "content": reply.content}
            payload = {
                "id": "chat-1",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            }
            self._reply(200, json.dumps(payload).encode())

        def _reply(self, status: int, data: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

    return Handler
