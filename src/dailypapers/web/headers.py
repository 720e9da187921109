"""Security headers on every response (pages, API, feeds, static files, error pages).

The Content-Security-Policy allows scripts, styles, fonts and images from this site only: every script is a file
under /static (no inline `<script>`, no `on…=` attributes, no `style=` attributes), KaTeX and Swagger UI are
vendored there, and `frame-ancestors 'none'` keeps pages out of other sites' frames. HSTS is sent only when the
site's own URL is https, so a plain-http install on a LAN is never locked out of itself.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # KaTeX and Swagger UI draw small icons as data: URLs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000"


def security_headers(site_url: str) -> dict[str, str]:
    """The headers every answer carries for a site served at `site_url`."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if site_url.lower().startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Pure ASGI middleware (no response buffering): adds the headers to the start of every HTTP response."""

    def __init__(self, app: ASGIApp, site_url: str) -> None:
        self.app = app
        self.headers = security_headers(site_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
