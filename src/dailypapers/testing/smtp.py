"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and can be told to fail on cue.

Used by the digest tests and the digest benchmark: messages are parsed with the `email` package exactly as a
mail client would see them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class RecordingHandler:
    """Stores every accepted message. Failure knobs:

    fail_after / fail_with: after this many accepted messages, answer DATA with `fail_with` (e.g. "451 ..." or
    "421 ..."); drop_after: after this many, drop the connection at MAIL FROM; bounce: recipients answered 550;
    keep_raw=False keeps only envelopes (benchmarks).
    """

    fail_after: int | None = None
    fail_with: str = "451 4.3.0 try again later"
    drop_after: int | None = None
    bounce: set[str] = field(default_factory=set)
    keep_raw: bool = True
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> int:
        return len(self.received)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]) -> str:
        if self.drop_after is not None and self.accepted >= self.drop_after:
            self.refused += 1
            server.transport.close()
            return "421 4.3.2 going away"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address.lower() in self.bounce:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_after is not None and self.accepted >= self.fail_after:
            self.refused += 1
            return self.fail_with
        raw = envelope.original_content if self.keep_raw else b"Subject: (dropped)\r\n\r\n"
        message = message_from_bytes(raw, policy=default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 queued"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.recipients]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(handler: RecordingHandler | None = None) -> Iterator[tuple[RecordingHandler, str]]:
    """Run the server for the block; yields (handler, DAILYPAPERS_SMTP_URL pointing at it)."""
    from aiosmtpd.controller import Controller  # a test dependency: imported only when a server starts

    handler = handler or RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, data_size_limit=10_000_000)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
