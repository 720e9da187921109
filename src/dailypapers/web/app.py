"""The web application factory: one store, the route table, sessions, templates and static assets.

`create_app(config)` refuses to build on a store whose schema is behind (the message names the fix), so a server
never runs against a half-migrated database. `dailypapers serve` calls `app_from_env()` in each worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from dailypapers.config import Config
from dailypapers.services.fetches import FetchWorker
from dailypapers.storage import Store, StoreUnwritable, open_store
from dailypapers.storage.db import os_unwritable_reason, pool_options
from dailypapers.storage.migrate import check_schema
from dailypapers.web import routes
from dailypapers.web.auth import RateLimiter, SignInRequired
from dailypapers.web.context import WEB_DIR, render

SESSION_COOKIE = "dp_session"
SESSION_DAYS = 30


def create_app(config: Config, store: Store | None = None) -> FastAPI:
    threads = max(1, int(config.get("DAILYPAPERS_WEB_THREADS")))
    store = store or open_store(config, **pool_options(threads))
    check_schema(store)  # raises SchemaOutdated naming `dailypapers db upgrade`

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Handler threads and pooled connections match (pool_options), so no request waits on the pool.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        worker = FetchWorker(store, config).start() if int(config.get("DAILYPAPERS_FETCH_WORKER")) else None
        yield
        if worker is not None:
            worker.stop()
        store.dispose()

    site_name = config.values["DAILYPAPERS_SITE_NAME"]
    app = FastAPI(
        title=f"{site_name} API",
        description="Hugging Face Daily Papers-compatible API of this site.",
        docs_url=None,  # /api/docs is served by web/api.py with a vendored Swagger UI (no CDN)
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.store = store
    app.state.login_limiter = RateLimiter(*config.rate("DAILYPAPERS_LOGIN_RATE"))
    app.state.vote_limiter = RateLimiter(*config.rate("DAILYPAPERS_VOTE_RATE"))
    app.state.fetch_limiter = RateLimiter(*config.rate("DAILYPAPERS_FETCH_RATE"))  # the "fetch" limit, per account
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.secret_key(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_DAYS * 86400,
        same_site="lax",
        https_only=config.site_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    routes.register(app)
    _add_error_pages(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for the server's worker processes (`uvicorn --factory`): settings from the environment."""
    return create_app(Config.from_env())


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)

    @app.exception_handler(StoreUnwritable)
    async def _unwritable(request: Request, exc: StoreUnwritable) -> Response:
        request.app.state.write_probe = None  # /healthz probes again instead of answering from its cache
        return _unavailable(request, f"the site cannot save anything right now: {exc}. Try again later.")

    @app.exception_handler(OSError)
    async def _disk(request: Request, exc: OSError) -> Response:
        reason = os_unwritable_reason(exc)
        if reason is None:
            raise exc
        return _unavailable(request, f"the site cannot save anything right now: {reason}. Try again later.")

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "there is no page at this address"
        response = _error_page(request, exc.status_code, message)
        response.headers.update(exc.headers or {})  # e.g. Retry-After of a 429
        return response

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg')}" for err in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse({"error": problems}, status_code=400)
        return _error_page(request, 400, problems)


def _unavailable(request: Request, message: str) -> Response:
    """503 for a store that refuses writes (full disk, read-only): the operator's problem, said plainly."""
    headers = {"Retry-After": "60"}
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=503, headers=headers)
    response = _error_page(request, 503, message)
    response.headers.update(headers)
    return response


def _error_page(request: Request, status: int, message: str) -> Response:
    titles = {400: "Bad request", 401: "Sign in first", 403: "Not allowed", 404: "Not found", 429: "Slow down"}
    titles[503] = "Cannot save right now"
    response = render(
        request, "error.html", {"status": status, "title": titles.get(status, "Error"), "message": message}, status
    )
    return response
