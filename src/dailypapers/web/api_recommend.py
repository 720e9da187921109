"""The personal part of the JSON API: a member's recommendations and their "not interested" marks (bearer token).

`GET /api/recommendations?date_from&date_to&limit` answers a list, best first, of {"paper": the object of
GET /api/papers/{id}, "score", "reasons"}; never a paper the member upvoted or marked not interested.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import HTTPException, Query, Request, Response
from pydantic import BaseModel

from dailypapers.queries import recommendations as rq
from dailypapers.services.recommendations import set_not_interested
from dailypapers.services.votes import UnknownPaper
from dailypapers.storage import feed as feed_store
from dailypapers.web.api import Token, _paper_id, _require_token
from dailypapers.web.api_models import ApiPaper, api_paper
from dailypapers.web.context import config_of, store_of

MAX_LIMIT = 500
DEFAULT_SPAN_DAYS = 7


class ApiRecommendation(BaseModel):
    paper: ApiPaper
    score: float
    reasons: list[str]


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        if len(text.strip()) != 10:
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HTTPException(400, f"invalid {name} {text!r}: expected YYYY-MM-DD") from None


def recommendations(
    request: Request,
    credentials: Token,
    date_from: Annotated[str | None, Query(description="First publication day, YYYY-MM-DD (inclusive)")] = None,
    date_to: Annotated[str | None, Query(description="Last publication day, YYYY-MM-DD (inclusive)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many, 1–500")] = 50,
) -> list[ApiRecommendation]:
    """The token's member's papers, best first, each with its score and the reasons (default: the last 7 days)."""
    account = _require_token(request, credentials)
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    store = store_of(request)
    if end is None:
        end = rq.window(store, "day")[1] if start is None else max(start, rq.window(store, "day")[1])
    if start is None:
        start = end - timedelta(days=DEFAULT_SPAN_DAYS - 1)
    if start > end:
        raise HTTPException(400, f"date_from {start} is after date_to {end}")
    result = rq.recommend(store, config_of(request), account.id, start, end, limit=limit)
    with store.read() as conn:
        firsts = {item.paper.id: feed_store.first_listing_row(conn, item.paper.id) for item in result.items}
    return [
        ApiRecommendation(paper=api_paper(item.paper, firsts[item.paper.id]), score=item.score, reasons=item.reasons)
        for item in result.items
    ]


def _mark(request: Request, paper_id: str, credentials: Token, on: bool) -> Response:
    account = _require_token(request, credentials)
    try:
        set_not_interested(store_of(request), account, _paper_id(paper_id), on)
    except UnknownPaper as exc:
        raise HTTPException(404, str(exc)) from exc
    return Response(status_code=204)


def mark(request: Request, paper_id: str, credentials: Token) -> Response:
    """Mark a paper not interesting for the token's member: hidden from their lists, similar papers demoted. 204."""
    return _mark(request, paper_id, credentials, True)


def unmark(request: Request, paper_id: str, credentials: Token) -> Response:
    """Take a not-interested mark back. 204."""
    return _mark(request, paper_id, credentials, False)
