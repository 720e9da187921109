"""Emails from templates: multipart plain text + HTML, with the list headers mail clients act on.

Every message carries a preferences link and RFC 8058 one-click unsubscribe headers (`List-Unsubscribe` with the
signed HTTPS link and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`), and a Message-ID derived from
(subscription, kind, period) so the same digest always has the same identity.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dailypapers.config import Config
from dailypapers.digest import links
from dailypapers.digest.compose import Digest
from dailypapers.domain import safe_url
from dailypapers.latex import plain
from dailypapers.storage.subscriptions import StoredSubscription

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class OutgoingMail:
    """A rendered email ready for SMTP: its identity, its recipient and its bytes."""

    message_id: str
    recipient: str
    raw: bytes


MAX_AUTHORS = 6


def authors_line(authors: list[str]) -> str:
    if len(authors) <= MAX_AUTHORS:
        return ", ".join(authors)
    return ", ".join(authors[:MAX_AUTHORS]) + f" and {len(authors) - MAX_AUTHORS} more"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["authors"] = authors_line
    env.filters["safe_url"] = lambda url: safe_url(url) or ""  # every href: http(s) only, as on the site
    return env


def digest_heading(digest: Digest) -> str:
    kind = "weekly papers" if digest.period.frequency == "weekly" else "daily papers"
    return f"Your {kind}: {digest.period.label}"


def digest_message(config: Config, digest: Digest) -> OutgoingMail:
    heading = digest_heading(digest)
    count = digest.paper_count
    subject = f"{heading} — {count} paper{'' if count == 1 else 's'}"
    context = {"digest": digest, "heading": heading}
    return _message(config, digest.subscription, "digest", digest.period.key, subject, "digest", context)


def confirm_message(config: Config, sub: StoredSubscription, period: str) -> OutgoingMail:
    site_name = config.text("DAILYPAPERS_SITE_NAME")
    context = {"confirm_url": links.link(config, "confirm", sub.token)}
    return _message(config, sub, "confirm", period, f"Confirm your subscription to {site_name}", "confirm", context)


def notification_message(
    config: Config, username: str, email: str, account_id: int, kind: str, period: str, notes: Sequence[Any]
) -> OutgoingMail:
    """Notification email to a member (kind 'notify': one notification; 'notify-daily': the day's batch), with
    a one-click link that turns notification email off (no subscription involved)."""
    site_name = config.values["DAILYPAPERS_SITE_NAME"]
    unsubscribe_url = links.link(config, "notifications", str(account_id))
    subject = f"{site_name}: {_what(notes[0])}" if len(notes) == 1 else f"{site_name}: {len(notes)} notifications"
    context = {
        "site_name": site_name,
        "site_url": config.site_url,
        "username": username,
        "notes": [
            (_what(n), f"{config.site_url}/papers/{n.paper_id}#comment-{n.comment_id}", n.excerpt) for n in notes
        ],
        "settings_url": f"{config.site_url}/notifications",
        "unsubscribe_url": unsubscribe_url,
    }
    headers = [
        ("Subject", _encoded(subject)),
        ("From", _address(config.values["DAILYPAPERS_MAIL_FROM"])),
        ("To", email),
        ("Date", format_datetime(datetime.now(UTC))),
        ("Message-ID", links.message_id(config, kind, period, account_id)),
        ("List-Id", _address(f"{site_name} <notifications.{urlsplit(config.site_url).hostname or 'localhost'}>")),
        ("List-Unsubscribe", f"<{unsubscribe_url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
    ]
    env = _environment()
    text = env.get_template("notification.txt").render(context)
    html = env.get_template("notification.html").render(context)
    return OutgoingMail(headers[4][1], email, _mime(headers, text, html))


def _what(note: Any) -> str:
    who = f"@{note.author_username}" if note.author_username else "Someone"
    verb = {"mention": "mentioned you", "reply": "replied to you", "submitted": "commented on a paper you submitted"}
    return f"{who} {verb.get(note.kind, 'commented')} on “{plain(note.paper_title)}”"


def _message(
    config: Config,
    sub: StoredSubscription,
    kind: str,
    period: str,
    subject: str,
    template: str,
    context: Mapping[str, object],
) -> OutgoingMail:
    env = _environment()
    unsubscribe_url = links.link(config, "unsubscribe", sub.token)
    site_name = config.text("DAILYPAPERS_SITE_NAME")
    full = {
        **context,
        "site_name": site_name,
        "site_url": config.site_url,
        "email": sub.email,
        "preferences_url": links.link(config, "preferences", sub.token),
        "unsubscribe_url": unsubscribe_url,
    }
    headers = [
        ("Subject", _encoded(subject)),
        ("From", _address(config.text("DAILYPAPERS_MAIL_FROM"))),
        ("To", sub.email),
        ("Date", format_datetime(datetime.now(UTC))),
        ("Message-ID", links.message_id(config, kind, period, sub.id)),
        ("List-Id", _address(f"{site_name} <digest.{urlsplit(config.site_url).hostname or 'localhost'}>")),
        ("List-Unsubscribe", f"<{unsubscribe_url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Auto-Submitted", "auto-generated"),
    ]
    text = env.get_template(f"{template}.txt").render(full)
    html = env.get_template(f"{template}.html").render(full)
    return OutgoingMail(headers[4][1], sub.email, _mime(headers, text, html))


def _mime(headers: list[tuple[str, str]], text: str, html: str) -> bytes:
    """multipart/alternative on the wire, assembled directly: the `email` package's generator spends ~20 ms a
    message folding headers, which at 10,000 digests a run is most of the time. Bodies are quoted-printable UTF-8
    (binascii, in C), headers ASCII or RFC 2047-encoded; the tests parse the result with the `email` package."""
    boundary = f"=_dp_{secrets.token_hex(12)}"
    lines = [f"{name}: {value}" for name, value in headers]
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    head = "\r\n".join(lines).encode("ascii")
    parts = [head]
    for subtype, body in (("plain", text), ("html", html)):
        part_head = (
            f'\r\n--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        encoded = binascii.b2a_qp(body.replace("\r\n", "\n").replace("\n", "\r\n").encode(), istext=True)
        parts += [part_head.encode("ascii"), encoded]
    parts.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts)


def _encoded(value: str) -> str:
    """RFC 2047 base64 encoded-words for a non-ASCII header, 30 characters a word (the `email` package's Header
    does the same in ~2 ms)."""
    if value.isascii():
        return value
    words = [value[i : i + 30] for i in range(0, len(value), 30)]
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w.encode()).decode('ascii')}?=" for w in words)


@cache
def _address(text: str) -> str:
    name, address = parseaddr(text)
    return formataddr((name, address), charset="utf-8") if address else text


def envelope_sender(config: Config) -> str:
    """The bare address of DAILYPAPERS_MAIL_FROM, for SMTP's MAIL FROM."""
    return parseaddr(config.text("DAILYPAPERS_MAIL_FROM"))[1] or config.text("DAILYPAPERS_MAIL_FROM")
