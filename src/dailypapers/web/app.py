"""The web application factory: one store, the route table, sessions, templates and static assets.

`create_app(config)` refuses to build on a store whose schema is behind (the message names the fix), so a server
never runs against a half-migrated database. `dailypapers serve` calls `app_from_env()` in each worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from dailypapers.config import Config
from dailypapers.storage import Store, open_store
from dailypapers.storage.migrate import check_schema
from dailypapers.web import routes
from dailypapers.web.auth import RateLimiter, SignInRequired
from dailypapers.web.context import WEB_DIR, render

SESSION_COOKIE = "dp_session"
SESSION_DAYS = 30


def create_app(config: Config, store: Store | None = None) -> FastAPI:
    store = store or open_store(config)
    check_schema(store)  # raises SchemaOutdated naming `dailypapers db upgrade`

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    app.state.comment_limiter = RateLimiter(*config.rate("DAILYPAPERS_COMMENT_RATE"))  # the "comment" limit
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

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "there is no page at this address"
        page = _error_page(request, exc.status_code, message)
        page.headers.update(exc.headers or {})  # e.g. Retry-After on a 429
        return page

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg')}" for err in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse({"error": problems}, status_code=400)
        return _error_page(request, 400, problems)


def _error_page(request: Request, status: int, message: str) -> Response:
    titles = {
        400: "Bad request",
        401: "Sign in first",
        403: "Not allowed",
        404: "Not found",
        423: "Locked",
        429: "Slow down",
    }
    response = render(
        request, "error.html", {"status": status, "title": titles.get(status, "Error"), "message": message}, status
    )
    return response
