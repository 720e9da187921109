"""Shared by the digest tests: a real slice of the demo data (the daily lists of 12-22 June 2026, with their
arXiv metadata and Hugging Face upvotes) and settings pointing the mailer at a loopback SMTP server."""

from __future__ import annotations

import re
from datetime import date
from email.message import EmailMessage
from functools import cache

from dailypapers.config import Config
from dailypapers.demo import ARXIV_FILE, HF_FILE
from dailypapers.domain import ImportItem
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.hf_daily import read_hf_daily
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.imports import import_items
from dailypapers.storage import Store

FIRST, LAST = date(2026, 6, 12), date(2026, 6, 22)
MONDAY_15, TUESDAY_16, MONDAY_22 = date(2026, 6, 15), date(2026, 6, 16), date(2026, 6, 22)


@cache
def week_items() -> tuple[list[ImportItem], list[ImportItem]]:
    daily = [i for i in read_hf_daily(LineSource(HF_FILE)) if i.listing and FIRST <= i.listing.day <= LAST]
    ids = {i.listing.paper_id for i in daily if i.listing}
    papers = [i for i in read_kaggle(LineSource(ARXIV_FILE)) if i.paper and i.paper.id in ids]
    return papers, daily


def load_week(store: Store) -> None:
    papers, daily = week_items()
    import_items(store, papers)
    import_items(store, daily)


def mail_config(config: Config, smtp_url: str, **overrides: str) -> Config:
    """The test store's settings plus a mailer that neither throttles nor waits long between retries."""
    values = {
        **config.values,
        "DAILYPAPERS_SMTP_URL": smtp_url,
        "DAILYPAPERS_MAIL_RATE": "0",
        "DAILYPAPERS_MAIL_BACKOFF": "0.01",
        "DAILYPAPERS_SITE_URL": "https://papers.example.org",
        "DAILYPAPERS_MAIL_FROM": "Daily Papers <digest@papers.example.org>",
        **overrides,
    }
    return Config(values)


def links_in(message: EmailMessage) -> list[str]:
    body = message.get_body(("plain",))
    assert body is not None
    return re.findall(r"https?://\S+", body.get_content())


def link_token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]
