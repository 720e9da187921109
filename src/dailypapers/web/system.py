"""Health check for load balancers and `dailypapers serve` supervisors."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from dailypapers.web.context import store_of


def healthz(request: Request) -> JSONResponse:
    """200 when the store answers a query, 503 otherwise."""
    from dailypapers.queries.site import store_reachable

    if store_reachable(store_of(request)):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable", "error": "the store does not answer"}, status_code=503)
