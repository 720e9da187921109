"""The web application factory: one store, the route table, session cookies, templates and static assets.

`create_app(config)` refuses to build on a store whose schema is behind (the message names the fix), so a server
never runs against a half-migrated database. `dailypapers serve` calls `app_from_env()` in each worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from dailypapers.config import Config
from dailypapers.search.semantic import warm_query_model as warm
from dailypapers.services.fetches import FetchWorker
from dailypapers.services.sessions import max_age
from dailypapers.storage import Store, StoreUnwritable, open_store
from dailypapers.storage.db import os_unwritable_reason, pool_options
from dailypapers.storage.migrate import check_schema
from dailypapers.web import api, routes
from dailypapers.web.auth import RateLimited, SessionCookies, SignInRequired, retry_headers
from dailypapers.web.context import WEB_DIR, render
from dailypapers.web.headers import SecurityHeaders
from dailypapers.web.page_cache import PageCache


def create_app(config: Config, store: Store | None = None, warm_query_model: bool = False) -> FastAPI:
    """The site on `store` (default: the configured one). With warm_query_model (`dailypapers serve`), each worker
    loads the query model in the background as it starts (search.semantic.warm_query_model)."""
    threads = max(1, config.integer("DAILYPAPERS_WEB_THREADS"))
    store = store or open_store(config, **pool_options(threads))
    check_schema(store)  # raises SchemaOutdated naming `dailypapers db upgrade`

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Handler threads and pooled connections match (pool_options), so no request waits on the pool.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        worker = FetchWorker(store, config).start() if config.integer("DAILYPAPERS_FETCH_WORKER") else None
        if warm_query_model:
            warm(store, config)
        yield
        if worker is not None:
            worker.stop()
        store.dispose()

    site_name = config.text("DAILYPAPERS_SITE_NAME")
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
    # Innermost: it sees the cookies SessionCookies read, and the cookies handlers asked for before they are set.
    app.add_middleware(PageCache, seconds=config.number("DAILYPAPERS_PAGE_CACHE_SECONDS"))
    app.add_middleware(
        SessionCookies,
        secure=config.site_url.startswith("https://"),
        max_age=int(max_age(config).total_seconds()),
    )
    app.add_middleware(SecurityHeaders, site_url=config.site_url)  # outermost: also on errors and static files
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    routes.register(app)
    app.openapi = lambda: api.openapi_schema(app)  # type: ignore[method-assign]
    _add_error_pages(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for the server's worker processes (`uvicorn --factory`): settings from the environment."""
    return create_app(Config.from_env(), warm_query_model=True)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _add_error_pages(app: FastAPI) -> None:
    # Plain `def` handlers: Starlette runs them in the thread pool, and an error page looks up the session.
    @app.exception_handler(SignInRequired)
    def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)

    @app.exception_handler(RateLimited)
    def _too_many(request: Request, exc: RateLimited) -> Response:
        return too_many_requests(request, exc)

    @app.exception_handler(StoreUnwritable)
    def _unwritable(request: Request, exc: StoreUnwritable) -> Response:
        request.app.state.write_probe = None  # /healthz probes again instead of answering from its cache
        return _unavailable(request, f"the site cannot save anything right now: {exc}. Try again later.")

    @app.exception_handler(OSError)
    def _disk(request: Request, exc: OSError) -> Response:
        reason = os_unwritable_reason(exc)
        if reason is None:
            raise exc
        return _unavailable(request, f"the site cannot save anything right now: {reason}. Try again later.")

    @app.exception_handler(HTTPException)
    def _http_error(request: Request, exc: HTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = routes.allowed_methods(request.app, request.scope)
        if _wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=headers)
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "there is no page at this address"
        return _error_page(request, exc.status_code, message, headers)  # Retry-After, WWW-Authenticate, Allow

    @app.exception_handler(DataError)
    def _unstorable(request: Request, _exc: DataError) -> Response:
        """A value the database refuses (PostgreSQL: a NUL byte in text, a number beyond its type) is the request's
        fault on every route, whichever field carried it: a 400, never a 500."""
        message = "the request holds a value that cannot be stored or looked up (a NUL byte, or a number out of range)"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=400)
        return _error_page(request, 400, message)

    @app.exception_handler(RequestValidationError)
    def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg')}" for err in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse({"error": problems}, status_code=400)
        return _error_page(request, 400, problems)


def too_many_requests(request: Request, exc: RateLimited) -> Response:
    """The one 429 answer of every limited page and API call: the reason, and Retry-After in seconds."""
    headers = retry_headers(exc.refused)
    if _wants_json(request):
        return JSONResponse({"error": exc.refused.message}, status_code=429, headers=headers)
    return _error_page(request, 429, exc.refused.message, headers)


def _unavailable(request: Request, message: str) -> Response:
    """503 for a store that refuses writes (full disk, read-only): the operator's problem, said plainly."""
    headers = {"Retry-After": "60"}
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=503, headers=headers)
    return _error_page(request, 503, message, headers)


def _error_page(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    titles = {400: "Bad request", 401: "Sign in first", 403: "Not allowed", 404: "Not found", 429: "Slow down"}
    titles.update({423: "Locked", 503: "Cannot save right now"})
    response = render(
        request, "error.html", {"status": status, "title": titles.get(status, "Error"), "message": message}, status
    )
    response.headers.update(headers or {})
    return response
