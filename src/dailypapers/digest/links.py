"""Signed links in emails: confirm, preferences and one-click unsubscribe, plus deterministic Message-IDs.

Links carry the subscription's random `token` signed with the site key (itsdangerous), one salt per purpose, so a
link for one purpose cannot be replayed for another and nobody can forge or guess one. Confirmation links expire;
preference and unsubscribe links must keep working from old emails, so they do not.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from dailypapers.config import Config

CONFIRM_MAX_AGE = 7 * 24 * 3600
PURPOSES = ("confirm", "preferences", "unsubscribe", "notifications")  # notifications: an account id, turns mail off


class InvalidLink(ValueError):
    """The token is forged, damaged, for another purpose, or (for confirmation) expired."""


def sign(config: Config, purpose: str, token: str) -> str:
    if purpose == "confirm":
        return URLSafeTimedSerializer(config.secret_key(), salt="subscription-confirm").dumps(token)
    return URLSafeSerializer(config.secret_key(), salt=f"subscription-{purpose}").dumps(token)


def unsign(config: Config, purpose: str, signed: str) -> str:
    """The subscription token inside a signed link, or InvalidLink with a reason a person can act on."""
    if purpose not in PURPOSES:
        raise InvalidLink(f"unknown link purpose {purpose!r}")
    try:
        if purpose == "confirm":
            serializer = URLSafeTimedSerializer(config.secret_key(), salt="subscription-confirm")
            value = serializer.loads(signed, max_age=CONFIRM_MAX_AGE)
        else:
            value = URLSafeSerializer(config.secret_key(), salt=f"subscription-{purpose}").loads(signed)
    except SignatureExpired as exc:
        raise InvalidLink("this confirmation link has expired; subscribe again to get a new one") from exc
    except BadSignature as exc:
        raise InvalidLink("this link is not valid; it may have been copied incompletely") from exc
    if not isinstance(value, str):
        raise InvalidLink("this link is not valid")
    return value


def link(config: Config, purpose: str, token: str) -> str:
    paths = {
        "confirm": "/subscribe/confirm",
        "preferences": "/subscribe/preferences",
        "unsubscribe": "/unsubscribe",
        "notifications": "/notifications/unsubscribe",
    }
    return f"{config.site_url}{paths[purpose]}/{sign(config, purpose, token)}"


def message_id(config: Config, kind: str, period: str, subscription_id: int) -> str:
    """The same Message-ID every time a given (subscription, kind, period) is sent, so a resend after an
    uncertain crash is recognisable as the same message by mail servers and clients that de-duplicate."""
    mac = hmac.new(config.secret_key().encode(), f"{kind}:{period}:{subscription_id}".encode(), hashlib.sha256)
    host = urlsplit(config.site_url).hostname or "localhost"
    return f"<{kind}.{period}.{subscription_id}.{mac.hexdigest()[:16]}@{host}>"
