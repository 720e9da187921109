"""The Hugging Face-compatible JSON API: what `huggingface_hub` (HfApi.list_daily_papers, paper_info, list_papers,
read_paper) calls, with the same paths, parameters and field names, plus token-authenticated submit and upvote.

Reads go through `queries.feed` and the search service, writes through the same services the pages use. Errors are
`{"error": "..."}` with 400 (bad input), 401 (no or bad token), 403, 404 (a paper not held here, whatever the id
looks like, as huggingface.co answers) or 429; `errors_of` declares exactly these per operation in the OpenAPI
schema, which has no 422 (validation errors are 400s here).

`huggingface_hub` sends the user's saved huggingface.co token with every call, so reads ignore a bearer token that
is not one of ours (no `dp_` prefix) and answer as to anyone; writes still need a valid token of ours.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import feed as feed_queries
from dailypapers.queries.fetches import fetch_status as queued_fetch
from dailypapers.services.accounts import account_for_api_token, is_curator, is_site_token
from dailypapers.services.submissions import NotAllowed, Queued, SubmissionError, submit_paper
from dailypapers.services.votes import UnknownPaper, toggle_vote
from dailypapers.storage.accounts import StoredAccount
from dailypapers.web.api_models import (
    ApiDailyPaper,
    ApiError,
    ApiPaper,
    FetchStatus,
    Submission,
    SubmitBody,
    VoteResult,
    api_daily,
    api_fetch,
    api_paper,
    api_unlisted,
    paper_markdown,
)
from dailypapers.web.auth import enforce_limit, fetch_allowed
from dailypapers.web.context import config_of, render, store_of
from dailypapers.web.searching import SearchRequest, search_or_400

bearer = HTTPBearer(auto_error=False, description="An API token created on your profile page")
Token = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
HasCode = Annotated[bool, Query(description="true: only papers with a code repository (githubRepo set)")]


_STATUS_TEXT = {
    400: "Bad input: a parameter or the body is not valid (the message says which)",
    401: "No API token, or one that is not valid",
    403: "The token's account may not do this",
    404: "Not found: no such paper, collection or member here (a private collection is not found by others)",
    423: "The thread is locked by a curator",
    429: "Too many requests from this account: wait Retry-After seconds",
    503: "The store cannot save anything right now (full disk or read-only): try again later",
}
_ERRORS_OF: dict[str, tuple[int, ...]] = {
    "api_daily_papers": (400, 401),
    "api_search": (400,),
    "api_submit": (400, 401, 403, 429, 503),
    "api_fetch_status": (400, 404),
    "api_comments": (400, 404),
    "api_recommendations": (400, 401),
    "api_not_interested": (400, 401, 404),
    "api_unmark": (400, 401, 404),
    "api_post_comment": (400, 401, 403, 404, 423, 429),
    "api_edit_comment": (400, 401, 403, 404, 423, 429),
    "api_delete_comment": (400, 401, 403, 404),
    "api_upvote": (400, 401, 404, 429),
    "api_remove_upvote": (400, 401, 404, 429),
    "api_paper": (400, 401, 404),
    "paper_markdown": (400, 404),
    "api_collection": (400, 401, 404),
    "api_create_collection": (400, 401),
    "api_add_collection_item": (400, 401, 404),
    "api_remove_collection_item": (400, 401, 404),
    "api_user_collections": (400, 401, 404),
}
_MARKDOWN: dict[int | str, dict[str, Any]] = {
    200: {"description": "The paper as markdown", "content": {"text/markdown": {"schema": {"type": "string"}}}}
}


# Each operation's group and plain name on /api/docs; the operation ids (which clients may use) stay as they were.
_DOCS: dict[str, tuple[str, str]] = {
    "paper_markdown": ("Papers", "A paper as Markdown"),
    "api_daily_papers": ("Papers", "The daily list (Hugging Face compatible)"),
    "api_search": ("Papers", "Search papers"),
    "api_paper": ("Papers", "One paper"),
    "api_submit": ("Submitting and voting", "Submit a paper to today's list"),
    "api_fetch_status": ("Submitting and voting", "Where a fetch from arXiv stands"),
    "api_upvote": ("Submitting and voting", "Upvote a paper"),
    "api_remove_upvote": ("Submitting and voting", "Take an upvote back"),
    "api_comments": ("Discussion", "A paper's comments"),
    "api_post_comment": ("Discussion", "Comment on a paper"),
    "api_edit_comment": ("Discussion", "Edit your comment"),
    "api_delete_comment": ("Discussion", "Delete your comment"),
    "api_recommendations": ("For you", "Papers picked for you"),
    "api_not_interested": ("For you", "Not interested in a paper"),
    "api_unmark": ("For you", "Interested again"),
    "api_collection": ("Collections", "One collection"),
    "api_create_collection": ("Collections", "Create a collection"),
    "api_add_collection_item": ("Collections", "Add a paper to a collection"),
    "api_remove_collection_item": ("Collections", "Remove a paper from a collection"),
    "api_user_collections": ("Collections", "A member's collections"),
}
TAG_ORDER = ("Papers", "Submitting and voting", "Discussion", "For you", "Collections")


def docs_of(name: str) -> tuple[list[str] | None, str | None]:
    """(tags, summary) of an API operation for the OpenAPI schema; (None, None) for a page."""
    if name not in _DOCS:
        return None, None
    tag, summary = _DOCS[name]
    return [tag], summary


def errors_of(name: str) -> dict[int | str, dict[str, Any]]:
    """The answers an API operation gives besides success, for its OpenAPI entry (all `{"error": "..."}`)."""
    answers: dict[int | str, dict[str, Any]] = {
        code: {"model": ApiError, "description": _STATUS_TEXT[code]} for code in _ERRORS_OF[name]
    }
    return {**_MARKDOWN, **answers} if name == "paper_markdown" else answers


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, corrected where it would lie: no 422 (bad input is a 400 here, see above), and reads
    declare their token optional (they answer anyone; a token only lets curators see hidden items)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=[{"name": tag} for tag in TAG_ORDER],
        )
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                operation.get("responses", {}).pop("422", None)
                if method == "get" and operation.get("security"):
                    operation["security"] = [{}, *operation["security"]]
        for unused in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(unused, None)
        app.openapi_schema = schema
    return app.openapi_schema


def docs_page(request: Request) -> HTMLResponse:
    """The API reference in the site's own look (both themes, grouped, named), rendered on the server from the
    OpenAPI schema: it paints at once, where Swagger UI's bundle took seconds. Swagger UI stays for trying calls."""
    schema = openapi_schema(request.app)
    groups: dict[str, list[dict[str, Any]]] = {tag: [] for tag in TAG_ORDER}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            tag = (operation.get("tags") or ["Other"])[0]
            groups.setdefault(tag, []).append({"method": method.upper(), "path": path, **operation})
    context = {"groups": groups, "openapi_url": "/api/openapi.json", "description": schema.get("info", {})}
    return render(request, "api_docs.html", context)


def try_page(request: Request) -> HTMLResponse:
    """Swagger UI, served from /static and started by a file, not an inline script (CSP): for trying calls."""
    return render(request, "api_try.html", {"openapi_url": "/api/openapi.json"})


_DAILY_LIST = TypeAdapter(list[ApiDailyPaper])


def json_of(items: list[ApiDailyPaper]) -> Response:
    """A list of daily items as JSON in one pass of pydantic's serializer: returned as is, FastAPI skips checking
    the models again and encoding them twice (most of what a list cost beyond its query). The route declares
    `response_model`, so the OpenAPI schema still says what comes back."""
    return Response(_DAILY_LIST.dump_json(items), media_type="application/json")


def _token_account(request: Request, credentials: HTTPAuthorizationCredentials | None) -> StoredAccount | None:
    if credentials is None:
        return None
    account = account_for_api_token(store_of(request), credentials.credentials)
    if account is None:
        raise HTTPException(401, "the API token is not valid (create one on your profile page)")
    return account


def _reader(request: Request, credentials: HTTPAuthorizationCredentials | None) -> StoredAccount | None:
    """The account behind a read's token; someone else's token (e.g. a Hugging Face one) is dropped unseen."""
    if credentials is not None and not is_site_token(credentials.credentials):
        return None
    return _token_account(request, credentials)


def _require_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> StoredAccount:
    account = _token_account(request, credentials)
    if account is None:
        raise HTTPException(401, "send an API token: Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
    return account


def _period(date: str | None, week: str | None, month: str | None) -> feed_queries.Period | None:
    given = [
        (text, parse)
        for text, parse in (
            (date, feed_queries.parse_day),
            (week, feed_queries.parse_week),
            (month, feed_queries.parse_month),
        )
    ]
    chosen = [(text, parse) for text, parse in given if text is not None]
    if len(chosen) > 1:
        raise HTTPException(400, "give at most one of date, week and month")
    if not chosen:
        return None
    text, parse = chosen[0]
    try:
        return parse(text.strip())
    except feed_queries.InvalidPeriod as exc:
        raise HTTPException(400, str(exc)) from exc


def _paper_id(text: str) -> str:
    """The arXiv id of a path; text that is no arXiv id names no paper held here: 404, as huggingface.co answers."""
    try:
        return parse_arxiv_id(text).id
    except InvalidArxivId as exc:
        raise HTTPException(404, f"no paper here: {exc}") from exc


def daily_papers(
    request: Request,
    credentials: Token,
    date: Annotated[str | None, Query(description="A day, YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(description="An ISO week, YYYY-Www (e.g. 2025-W09)")] = None,
    month: Annotated[str | None, Query(description="A month, YYYY-MM")] = None,
    submitter: Annotated[str | None, Query(description="Only papers this user submitted", max_length=100)] = None,
    sort: Annotated[Literal["publishedAt", "trending"], Query(description="Newest listing first, or trending")] = (
        "publishedAt"
    ),
    p: Annotated[int, Query(ge=0, le=100_000, description="Page number, from 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=feed_queries.MAX_LIMIT, description="Papers per page")] = 50,
    has_code: HasCode = False,
) -> Response:
    """Papers listed on a day, week or month (default: every day, most recent first), as huggingface.co answers.

    `sort=trending` ranks by upvotes decayed by age (see docs/api.md); without a period it covers the last
    DAILYPAPERS_TRENDING_DAYS days. A bad date, week or month is a 400. Curators' tokens also see hidden items.
    """
    period = _period(date, week, month)
    store, config = store_of(request), config_of(request)
    curator = is_curator(_reader(request, credentials))
    if sort == "trending" and period is None and not submitter:
        result = feed_queries.trending(store, config, page=p, limit=limit, include_hidden=curator, has_code=has_code)
    else:
        internal: feed_queries.Sort = "trending" if sort == "trending" else "submitted"
        result = feed_queries.feed(
            store,
            config,
            period=period,
            submitter=submitter.strip() if submitter else None,
            sort=internal,
            page=p,
            limit=limit,
            include_hidden=curator,
            all_days=True,
            has_code=has_code,
            neighbours=False,  # the previous and next day are the pages' links; the API has none
        )
    return json_of([api_daily(item.row) for item in result.items])


def paper_info(request: Request, paper_id: str, credentials: Token) -> ApiPaper:
    """One paper, with its first listing's time and submitter (`submittedOnDailyAt`, `submittedOnDailyBy`)."""
    arxiv_id = _paper_id(paper_id)
    curator = is_curator(_reader(request, credentials))
    detail = feed_queries.paper_detail(store_of(request), arxiv_id, include_hidden=curator)
    if detail is None:
        raise HTTPException(404, f"no paper {arxiv_id} here")
    return api_paper(detail.paper, detail.first_listing)


def search(
    request: Request,
    query: Annotated[str, Query(alias="q", max_length=500, description="Words, phrases, author:, cat:, or an id")],
    limit: Annotated[int, Query(ge=1, le=feed_queries.MAX_LIMIT)] = 20,
    has_code: HasCode = False,
) -> Response:
    """Hybrid (full-text + semantic) search over every paper in the store, best match first (`has:code` in `q`
    or `has_code=true`: only papers with a code repository)."""
    if not query.strip():
        raise HTTPException(400, "q is empty: say what to search for")
    results = search_or_400(request, SearchRequest(q=query, limit=limit, has_code=has_code, snippets=False))
    return json_of([api_unlisted(hit.paper) for hit in results.hits])


def paper_md(request: Request, paper_id: str) -> Response:
    """The paper page as markdown (`HfApi.read_paper`)."""
    try:  # not under /api/, so errors are answered here in the API's JSON shape
        arxiv_id = parse_arxiv_id(paper_id).id
    except InvalidArxivId as exc:
        return JSONResponse({"error": f"no paper here: {exc}"}, status_code=404)
    detail = feed_queries.paper_detail(store_of(request), arxiv_id)
    if detail is None:
        return JSONResponse({"error": f"no paper {arxiv_id} here"}, status_code=404)
    text = paper_markdown(detail.paper, [d.isoformat() for d in detail.days], config_of(request).site_url)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


def submit(request: Request, response: Response, body: SubmitBody, credentials: Token) -> Submission | FetchStatus:
    """Put a paper on today's list (curators: any day's) — needs an API token. 201 on success.

    A paper this site lacks is queued for fetching from arXiv: 202 with the queue entry (see GET /api/fetches/{id});
    it is listed when it arrives.
    """
    account = _require_token(request, credentials)
    day = _period(body.date, None, None) if body.date else None
    try:
        done = submit_paper(
            store_of(request),
            config_of(request),
            account,
            body.id,
            day.start if day else None,
            body.comment,
            may_fetch=lambda: fetch_allowed(request, account),
        )
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from exc
    except SubmissionError as exc:
        raise HTTPException(400, str(exc)) from exc
    if isinstance(done, Queued):
        response.status_code = 202
        return api_fetch(done.fetch, done.day.isoformat())
    response.status_code = 201
    return Submission(id=done.paper_id, date=done.day.isoformat(), title=done.title, listingId=done.listing_id)


def fetch_status(request: Request, paper_id: str) -> FetchStatus:
    """Where a paper asked for from arXiv is: queued, running, done, failed or not_found (404: never asked for)."""
    arxiv_id = _paper_id(paper_id)
    entry = queued_fetch(store_of(request), arxiv_id)
    if entry is None:
        if feed_queries.paper_detail(store_of(request), arxiv_id) is not None:
            raise HTTPException(404, f"{arxiv_id} is here already and was never queued: see /api/papers/{arxiv_id}")
        raise HTTPException(404, f"nobody asked to fetch {arxiv_id}")
    return api_fetch(entry)


def _vote(request: Request, paper_id: str, credentials: HTTPAuthorizationCredentials | None, want: bool) -> VoteResult:
    account = _require_token(request, credentials)
    arxiv_id = _paper_id(paper_id)
    enforce_limit(request, "vote", account)
    try:
        voted, count = toggle_vote(store_of(request), account, arxiv_id, want)
    except UnknownPaper as exc:
        raise HTTPException(404, str(exc)) from exc
    return VoteResult(id=arxiv_id, upvoted=voted, upvotes=count)


def upvote(request: Request, paper_id: str, credentials: Token) -> VoteResult:
    """Upvote a paper as the token's account (idempotent: a second upvote changes nothing)."""
    return _vote(request, paper_id, credentials, True)


def remove_upvote(request: Request, paper_id: str, credentials: Token) -> VoteResult:
    """Withdraw the token's account's upvote (idempotent)."""
    return _vote(request, paper_id, credentials, False)
