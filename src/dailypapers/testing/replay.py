"""A real HTTP server on loopback that replays recorded replies of arXiv and Hugging Face, with scripted faults.

Tests and benchmarks point the ingest code at `server.url` (every source takes a base URL), so the real client
stack runs: sockets, HTTP parsing, timeouts, retries. Replies are keyed by path and query (parameter order and
empty values do not matter; arXiv's sortBy/sortOrder are ignored). Faults queued with `fault()` are served first,
in order, to requests they match: an HTTP status (e.g. 503 with Retry-After), a connection reset mid-body, a
body cut short of its Content-Length, a complete reply whose XML is cut in half, or a stall past the timeout.

The arXiv API recordings store `body` as the UTF-8 reply decoded as Latin-1 by the recorder ("RamÃ­rez"), so
they are served as `body.encode("latin-1")`: the original bytes.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

IGNORED_PARAMS = frozenset({"sortBy", "sortOrder"})
ATOM_TYPE = "application/atom+xml; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

# The reply export.arxiv.org/oai2 gave before the recorded ListRecords page (paperhive/oai-pmh's recording).
RECORDED_503_BODY = b"<html><body>\n<h1>Retry after 10 seconds</h1>\n</body></html>\n"
RECORDED_503_RETRY_AFTER = "10"

_ENTRY = re.compile(r"<entry>.*?</entry>", re.DOTALL)
_ENTRY_ID = re.compile(r"<id>https?://arxiv\.org/abs/([^<]+?)(?:v(\d+))?</id>")


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """One scripted misbehaviour: `reply` (any status), `reset`, `truncate`, `cut_body` or `stall`."""

    kind: str
    reply: Reply | None = None
    seconds: float = 0.0

    @classmethod
    def status(cls, code: int, body: bytes = b"", retry_after: str | None = None) -> Fault:
        headers = {"Content-Type": "text/html"}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        return cls("reply", Reply(code, body, headers))

    @classmethod
    def recorded_503(cls, retry_after: str = RECORDED_503_RETRY_AFTER) -> Fault:
        """arXiv's recorded flow-control reply; `retry_after` may be shortened so tests stay quick."""
        return cls.status(503, RECORDED_503_BODY, retry_after)

    @classmethod
    def reset(cls) -> Fault:
        """Headers and half the body, then a TCP reset."""
        return cls("reset")

    @classmethod
    def truncate(cls) -> Fault:
        """Content-Length promises the whole body; half is sent and the connection closed."""
        return cls("truncate")

    @classmethod
    def cut_body(cls) -> Fault:
        """A well-formed HTTP reply whose body is the first half of the real one (XML cut mid-element)."""
        return cls("cut_body")

    @classmethod
    def stall(cls, seconds: float) -> Fault:
        return cls("stall", seconds=seconds)


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    at: float  # time.monotonic() when the request arrived


def query_key(params: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in params if v != "" and k not in IGNORED_PARAMS))


class ReplayServer:
    """Start with `with ReplayServer() as server:`; `server.url` is `http://127.0.0.1:PORT`."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, tuple[tuple[str, str], ...]], Reply] = {}
        self.paths: dict[str, Reply] = {}
        self.faults: list[tuple[str, dict[str, str], deque[Fault]]] = []
        self.requests: list[Seen] = []
        self.entries: dict[str, list[tuple[int, str]]] = {}  # arXiv id → [(version, entry XML)]
        self.hf_days: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.replay = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replay-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- what to serve -------------------------------------------------------------------------------------
    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        query: Mapping[str, str] | None = None,
        status: int = 200,
        content_type: str = XML_TYPE,
    ) -> None:
        """Serve `body` at `path` (for any query when `query` is None, else for that query only)."""
        data = body.encode() if isinstance(body, str) else body
        reply = Reply(status, data, {"Content-Type": content_type})
        if query is None:
            self.paths[path] = reply
        else:
            self.routes[(path, query_key(query.items()))] = reply

    def fault(self, path: str, *faults: Fault, when: Mapping[str, str] | None = None) -> None:
        """Serve `faults`, in order, to the next requests for `path` whose query includes `when`."""
        with self._lock:
            self.faults.append((path, dict(when or {}), deque(faults)))

    def load_arxiv_api(self, directory: Path, path: str = "/api/query") -> int:
        """Recorded arXiv API replies (`{"url", "status_code", "body"}` files); returns how many."""
        count = 0
        for file in sorted(directory.glob("*.json")):
            record = json.loads(file.read_text())
            body = record["body"].encode("latin-1")
            query = parse_qsl(urlsplit(record["url"]).query, keep_blank_values=True)
            self.routes[(path, query_key(query))] = Reply(record["status_code"], body, {"Content-Type": ATOM_TYPE})
            self._index_entries(body.decode("utf-8"))
            count += 1
        return count

    def load_arxiv_api_2016(self, directory: Path, path: str = "/api/query") -> int:
        """The older raw Atom replies, named after their query (`id_list=1111.2011v2.xml`)."""
        count = 0
        for file in sorted(directory.glob("*.xml")):
            body = file.read_bytes()
            query = parse_qsl(unquote(file.stem).replace("+", " "), keep_blank_values=True)
            self.routes[(path, query_key(query))] = Reply(200, body, {"Content-Type": ATOM_TYPE})
            self._index_entries(body.decode("utf-8"))
            count += 1
        return count

    def load_hf_daily(self, path: Path, days: Iterable[str] | None = None) -> int:
        """Days of the shared HF archive (one `{"date", "papers"}` object a line), served by date."""
        wanted = set(days) if days is not None else None
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if wanted is not None and line[10:20] not in wanted:
                    continue
                obj = json.loads(line)
                self.hf_days[obj["date"]] = json.dumps(obj["papers"], ensure_ascii=False).encode()
        return len(self.hf_days)

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # --- answering -----------------------------------------------------------------------------------------
    def _index_entries(self, text: str) -> None:
        for entry in _ENTRY.findall(text):
            match = _ENTRY_ID.search(entry)
            if match:
                version = int(match.group(2) or 1)
                known = self.entries.setdefault(match.group(1), [])
                if all(v != version for v, _ in known):
                    known.append((version, entry))
                    known.sort()

    def _take_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault_path, when, queue in self.faults:
                if fault_path == path and queue and all(params.get(k) == v for k, v in when.items()):
                    return queue.popleft()
        return None

    def answer(self, path: str, pairs: list[tuple[str, str]]) -> Reply:
        reply = self.routes.get((path, query_key(pairs))) or self.paths.get(path)
        if reply is not None:
            return reply
        params = dict(pairs)
        if path.endswith("/api/query") and params.get("id_list"):
            return self._compose_id_list(params["id_list"].split(","))
        if path.endswith("/api/daily_papers") and "date" in params:
            body = b"[]" if params.get("p", "0") != "0" else self.hf_days.get(params["date"], b"[]")
            return Reply(200, body, {"Content-Type": "application/json"})
        return Reply(404, f"no recorded reply for {path}?{pairs}".encode(), {"Content-Type": "text/plain"})

    def _compose_id_list(self, ids: list[str]) -> Reply:
        """An id_list query nobody recorded, answered from recorded entries as arXiv would (unknown ids omitted)."""
        chosen = []
        for raw in ids:
            match = re.match(r"^(.+?)(?:v(\d+))?$", raw.strip())
            known = self.entries.get(match.group(1), []) if match else []
            if match and match.group(2):
                known = [e for e in known if e[0] == int(match.group(2))]
            if known:
                chosen.append(known[-1][1])
        body = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <opensearch:totalResults>{len(chosen)}</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n  " + "\n  ".join(chosen) + "\n</feed>\n"
        )
        return Reply(200, body.encode(), {"Content-Type": ATOM_TYPE})


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Scripted faults break connections on purpose; a client hanging up early is no error either."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        return

    def do_GET(self) -> None:
        server: ReplayServer = self.server.replay  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        with server._lock:
            server.requests.append(Seen(split.path, dict(pairs), time.monotonic()))
        fault = server._take_fault(split.path, dict(pairs))
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "reply" and fault.reply is not None:
            self._send(fault.reply)
            return
        reply = server.answer(split.path, pairs)
        if fault is None:
            self._send(reply)
        elif fault.kind == "cut_body":
            self._send(Reply(reply.status, reply.body[: len(reply.body) // 2], reply.headers))
        else:
            self._send_broken(reply, reset=fault.kind == "reset")

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _send_broken(self, reply: Reply, *, reset: bool) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body[: max(1, len(reply.body) // 2)])
        self.wfile.flush()
        self.close_connection = True
        if reset:  # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
