"""SMTP delivery: one connection reused across messages, throttled, with retries that know what failed where.

Every failure is sorted into one of four outcomes, because the ledger needs to know which are safe to retry:
- TemporaryFailure: a 4xx reply or a lost connection *before* the message was fully handed over — not delivered,
  retried with backoff here and by the next run;
- Bounced: a 5xx reply to the recipient or the message — the address is marked and never mailed again;
- UncertainDelivery: the connection died after the whole message was sent but before the server replied — it
  may have been delivered, so it is not retried (never a duplicate);
- MailerUnavailable: the server or our own settings are broken (refused connection after retries, bad login,
  sender rejected) — the run stops and leaves the rest for later.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from dailypapers.config import Config


class MailError(Exception):
    """Base of the outcomes below."""


class TemporaryFailure(MailError):
    pass


class ConnectionFailure(TemporaryFailure):
    """Could not reach or talk to the server at all."""


class Bounced(MailError):
    pass


class UncertainDelivery(MailError):
    pass


class MailerUnavailable(MailError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect, parsed from DAILYPAPERS_SMTP_URL."""

    host: str
    port: int
    security: str  # plain | starttls | ssl
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url.strip())
        schemes = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465)}
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(
                f"DAILYPAPERS_SMTP_URL must look like smtp://host:port, smtp+starttls://user:pass@host:587 or "
                f"smtps://user:pass@host:465 (got scheme {parts.scheme or 'none'!r})"
            )
        security, default_port = schemes[parts.scheme]
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise ValueError(f"DAILYPAPERS_SMTP_URL has an invalid port: {exc}") from exc
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(parts.hostname, port, security, user, password)


class Mailer:
    """Sends messages one at a time over a kept-alive connection; see the module docstring for outcomes."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        rate: float = 0.0,
        retries: int = 3,
        backoff: float = 2.0,
        timeout: float = 60.0,  # RFC 5321 suggests minutes for DATA; a minute is plenty on a relay
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.retries = max(1, retries)
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep
        self._conn: smtplib.SMTP | None = None
        self._last_start = 0.0

    @classmethod
    def from_config(cls, config: Config) -> Mailer:
        return cls(
            SmtpSettings.from_url(config.text("DAILYPAPERS_SMTP_URL")),
            rate=config.number("DAILYPAPERS_MAIL_RATE"),
            retries=config.integer("DAILYPAPERS_MAIL_RETRIES"),
            backoff=config.number("DAILYPAPERS_MAIL_BACKOFF"),
        )

    def send(self, payload: bytes, recipient: str, sender: str) -> None:
        """Deliver the raw message (CRLF line endings) or raise one of the MailError outcomes; temporary
        failures are retried here first."""
        last: TemporaryFailure | None = None
        for attempt in range(self.retries):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self._throttle()
            try:
                self._send_once(payload, recipient, sender)
                return
            except TemporaryFailure as exc:
                last = exc
                self._reset()
        assert last is not None
        if isinstance(last, ConnectionFailure):
            raise MailerUnavailable(str(last)) from last
        raise last

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _throttle(self) -> None:
        if self.interval:
            wait = self._last_start + self.interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last_start = time.monotonic()

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        try:
            conn: smtplib.SMTP
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            conn.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailerUnavailable(f"SMTP login refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionFailure(f"cannot connect to {s.host}:{s.port}: {exc}") from exc
        self._conn = conn
        return conn

    def _reset(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def _rset(self, conn: smtplib.SMTP) -> None:
        """End a refused transaction so the connection can carry the next message (or drop it: the next
        message then reconnects)."""
        try:
            conn.rset()
        except (smtplib.SMTPException, OSError):
            self._reset()

    def _send_once(self, payload: bytes, recipient: str, sender: str) -> None:
        conn = self._connect()
        handed_over = False
        try:
            code, reply = conn.mail(sender)
            if code >= 500:
                raise MailerUnavailable(f"sender {sender} refused: {code} {_text(reply)}")
            _check(code, reply, "MAIL FROM")
            code, reply = conn.rcpt(recipient)
            if code >= 500:
                self._rset(conn)
                raise Bounced(f"{code} {_text(reply)}")
            _check(code, reply, "RCPT TO")
            code, reply = conn.docmd("DATA")
            if code >= 500:
                self._rset(conn)
                raise Bounced(f"{code} {_text(reply)}")
            _check(code, reply, "DATA", expected=354)
            body = re.sub(rb"(?m)^\.", b"..", payload)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            conn.send(body + b".\r\n")
            handed_over = True
            code, reply = conn.getreply()
            if code >= 500:
                raise Bounced(f"{code} {_text(reply)}")
            _check(code, reply, "end of DATA")
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as exc:
            self._reset()
            if handed_over:
                raise UncertainDelivery(f"connection lost after the message was sent: {exc}") from exc
            raise TemporaryFailure(f"connection lost: {exc}") from exc


def _check(code: int, reply: bytes, stage: str, expected: int = 250) -> None:
    if code == expected or (expected == 250 and 200 <= code < 300):
        return
    raise TemporaryFailure(f"{stage}: {code} {_text(reply)}")


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
