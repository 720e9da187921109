"""Health check for load balancers and `dailypapers serve` supervisors.

A store that answers reads but refuses writes (full disk, read-only mount or database) is not healthy: /healthz
also proves a write works (storage/health.py), at most once every PROBE_SECONDS per app, so probing stays cheap.
"""

from __future__ import annotations

import threading
import time

from fastapi import Request
from fastapi.responses import JSONResponse

from dailypapers.web.context import config_of, store_of

PROBE_SECONDS = 5.0
_probe_lock = threading.Lock()


def healthz(request: Request) -> JSONResponse:
    """200 when the store answers and takes writes; 503 naming what is wrong otherwise."""
    from dailypapers.queries.site import store_reachable

    store = store_of(request)
    if not store_reachable(store):
        return JSONResponse({"status": "unavailable", "error": "the store does not answer"}, status_code=503)
    problem = _write_problem(request)
    if problem is not None:
        body = {"status": "unavailable", "writable": False, "error": f"the store is not writable: {problem}"}
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ok", "writable": True})


def _write_problem(request: Request) -> str | None:
    """The cached result of the write probe (None: writable)."""
    from dailypapers.queries.site import store_write_problem

    state = request.app.state
    with _probe_lock:
        cached = getattr(state, "write_probe", None)
        if cached is not None and time.monotonic() - cached[0] < PROBE_SECONDS:
            return cached[1]
        problem = store_write_problem(store_of(request), config_of(request).home)
        state.write_probe = (time.monotonic(), problem)
        return problem
