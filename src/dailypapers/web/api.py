"""The Hugging Face-compatible JSON API: what `huggingface_hub` (HfApi.list_daily_papers, paper_info, list_papers,
read_paper) calls, with the same paths, parameters and field names, plus token-authenticated submit and upvote.

Reads go through `queries.feed` and the search service, writes through the same services the pages use. Errors are
`{"error": "..."}` with 400 (bad input), 401 (no or bad token), 403, 404 (unknown paper) or 429.

`huggingface_hub` sends the user's saved huggingface.co token with every call, so reads ignore a bearer token that
is not one of ours (no `dp_` prefix) and answer as to anyone; writes still need a valid token of ours.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Query, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import feed as q
from dailypapers.services.accounts import account_for_api_token, is_curator, is_site_token
from dailypapers.services.submissions import NotAllowed, SubmissionError, submit_paper
from dailypapers.services.votes import UnknownPaper, toggle_vote
from dailypapers.storage.accounts import StoredAccount
from dailypapers.web.api_models import (
    ApiDailyPaper,
    ApiPaper,
    Submission,
    SubmitBody,
    VoteResult,
    api_daily,
    api_paper,
    api_unlisted,
    paper_markdown,
)
from dailypapers.web.context import config_of, store_of

bearer = HTTPBearer(auto_error=False, description="An API token created on your profile page")
Token = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
HasCode = Annotated[bool, Query(description="true: only papers with a code repository (githubRepo set)")]


def docs_page(request: Request) -> HTMLResponse:
    """The OpenAPI page, with Swagger UI served from /static (FastAPI's default loads it from a CDN)."""
    site_name = config_of(request).values["DAILYPAPERS_SITE_NAME"]
    return get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title=f"{site_name} API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )


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


def _period(date: str | None, week: str | None, month: str | None) -> q.Period | None:
    given = [(text, parse) for text, parse in ((date, q.parse_day), (week, q.parse_week), (month, q.parse_month))]
    chosen = [(text, parse) for text, parse in given if text is not None]
    if len(chosen) > 1:
        raise HTTPException(400, "give at most one of date, week and month")
    if not chosen:
        return None
    text, parse = chosen[0]
    try:
        return parse(text.strip())
    except q.InvalidPeriod as exc:
        raise HTTPException(400, str(exc)) from exc


def _paper_id(text: str) -> str:
    try:
        return parse_arxiv_id(text).id
    except InvalidArxivId as exc:
        raise HTTPException(400, str(exc)) from exc


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
    limit: Annotated[int, Query(ge=1, le=q.MAX_LIMIT, description="Papers per page")] = 50,
    has_code: HasCode = False,
) -> list[ApiDailyPaper]:
    """Papers listed on a day, week or month (default: every day, most recent first), as huggingface.co answers.

    `sort=trending` ranks by upvotes decayed by age (see docs/api.md); without a period it covers the last
    DAILYPAPERS_TRENDING_DAYS days. A bad date, week or month is a 400. Curators' tokens also see hidden items.
    """
    period = _period(date, week, month)
    store, config = store_of(request), config_of(request)
    curator = is_curator(_reader(request, credentials))
    if sort == "trending" and period is None and not submitter:
        result = q.trending(store, config, page=p, limit=limit, include_hidden=curator, has_code=has_code)
    else:
        internal: q.Sort = "trending" if sort == "trending" else "submitted"
        result = q.feed(
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
        )
    return [api_daily(item.row) for item in result.items]


def paper_info(request: Request, paper_id: str, credentials: Token) -> ApiPaper:
    """One paper, with its first listing's time and submitter (`submittedOnDailyAt`, `submittedOnDailyBy`)."""
    arxiv_id = _paper_id(paper_id)
    curator = is_curator(_reader(request, credentials))
    detail = q.paper_detail(store_of(request), arxiv_id, include_hidden=curator)
    if detail is None:
        raise HTTPException(404, f"no paper {arxiv_id} here")
    return api_paper(detail.paper, detail.first_listing)


def search(
    request: Request,
    q_: Annotated[str, Query(alias="q", max_length=500, description="Words, phrases, author:, cat:, or an id")],
    limit: Annotated[int, Query(ge=1, le=q.MAX_LIMIT)] = 20,
    has_code: HasCode = False,
) -> list[ApiDailyPaper]:
    """Hybrid (full-text + semantic) search over every paper in the store, best match first (`has:code` in `q`
    or `has_code=true`: only papers with a code repository)."""
    from dailypapers.search.service import SearchError, SearchRequest, search_papers

    if not q_.strip():
        raise HTTPException(400, "q is empty: say what to search for")
    try:
        results = search_papers(
            store_of(request), config_of(request), SearchRequest(q=q_, limit=limit, has_code=has_code)
        )
    except SearchError as exc:
        raise HTTPException(400, str(exc)) from exc
    return [api_unlisted(hit.paper) for hit in results.hits]


def paper_md(request: Request, paper_id: str) -> Response:
    """The paper page as markdown (`HfApi.read_paper`)."""
    try:
        arxiv_id = parse_arxiv_id(paper_id).id
    except InvalidArxivId as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    detail = q.paper_detail(store_of(request), arxiv_id)
    if detail is None:
        return JSONResponse({"error": f"no paper {arxiv_id} here"}, status_code=404)
    text = paper_markdown(detail.paper, [d.isoformat() for d in detail.days], config_of(request).site_url)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


def submit(request: Request, response: Response, body: SubmitBody, credentials: Token) -> Submission:
    """Put a paper on today's list (curators: any day's) — needs an API token. 201 on success."""
    account = _require_token(request, credentials)
    day = _period(body.date, None, None) if body.date else None
    try:
        done = submit_paper(
            store_of(request), config_of(request), account, body.id, day.start if day else None, body.comment
        )
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from exc
    except SubmissionError as exc:
        raise HTTPException(400, str(exc)) from exc
    response.status_code = 201
    return Submission(id=done.paper_id, date=done.day.isoformat(), title=done.title, listingId=done.listing_id)


def _vote(request: Request, paper_id: str, credentials: HTTPAuthorizationCredentials | None, want: bool) -> VoteResult:
    account = _require_token(request, credentials)
    arxiv_id = _paper_id(paper_id)
    limiter = request.app.state.vote_limiter
    key = f"vote:{account.id}"
    if not limiter.allow(key):
        raise HTTPException(429, "too many votes: wait a little", {"Retry-After": str(limiter.retry_after(key))})
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
