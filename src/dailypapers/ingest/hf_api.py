"""A Hugging Face-compatible papers API (`GET {endpoint}/api/daily_papers?date=…`): one day's curated list.

Works against huggingface.co and against another dailypapers instance (which serves the same route). Items are
read by the same code as the bulk HF import, so a live day and an archived day are stored identically.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx

from dailypapers.domain import ImportItem
from dailypapers.ingest.hf_daily import items_for_day
from dailypapers.ingest.http import PoliteClient, UnreadableReply

PAGE_LIMIT = 100
MAX_PAGES = 20


def daily_url(endpoint: str) -> str:
    return f"{endpoint.rstrip('/')}/api/daily_papers"


def fetch_day(client: PoliteClient, endpoint: str, day: date) -> list[ImportItem]:
    """Every item listed on `day`, following pages while they are full (a server ignoring `p` stops the loop)."""
    items: list[Any] = []
    seen: set[str] = set()
    for page in range(MAX_PAGES):
        params = {"date": day.isoformat(), "limit": str(PAGE_LIMIT)}
        if page:
            params["p"] = str(page)
        batch = client.get(daily_url(endpoint), params, parse=_json_list)
        fresh = [item for item in batch if _key(item) not in seen]
        seen.update(_key(item) for item in fresh)
        items.extend(fresh)
        if len(batch) < PAGE_LIMIT or not fresh:
            break
    return list(items_for_day(1, items, day))


def _key(item: Any) -> str:
    paper = item.get("paper") if isinstance(item, dict) else None
    return str(paper.get("id")) if isinstance(paper, dict) else json.dumps(item, sort_keys=True)[:200]


def _json_list(reply: httpx.Response) -> list[Any]:
    try:
        data = reply.json()
    except ValueError as exc:
        raise UnreadableReply(f"not JSON: {exc}") from None
    if not isinstance(data, list):
        raise UnreadableReply("expected a JSON array of daily papers")
    return data
