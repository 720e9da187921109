"""What a digest contains and looks like, read back from a real SMTP server with the `email` package."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dailypapers.config import Config
from dailypapers.digest.compose import excerpt, period_for
from dailypapers.digest.links import unsign
from dailypapers.latex import plain
from dailypapers.queries.subscriptions import subscription_from_link
from dailypapers.services.accounts import create_account
from dailypapers.services.digests import send_due_digests
from dailypapers.services.subscriptions import Preferences, subscribe
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import Store
from dailypapers.storage.feed import feed_page
from dailypapers.storage.papers import StoredPaper, papers_by_ids
from dailypapers.testing.smtp import smtp_server
from helpers.digest import MONDAY_15, MONDAY_22, TUESDAY_16, link_token, links_in, load_week, mail_config


def listed(store: Store, first: date, last: date) -> list[StoredPaper]:
    with store.read() as conn:
        return [row.paper for row in feed_page(conn, start=first, end=last, order="upvotes", limit=None).rows]


def test_a_daily_digest_is_multipart_with_title_authors_excerpt_upvotes_and_link_of_the_top_papers(
    store: Store, config: Config
) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe(store, mail, "ada@example.org", preferences=Preferences(top_n=5), confirmed=True)
        send_due_digests(store, mail, TUESDAY_16)
    (message,) = handler.to("ada@example.org")
    expected = listed(store, MONDAY_15, MONDAY_15)[:5]
    assert message.get_content_type() == "multipart/alternative"
    assert "5 papers" in message["Subject"] and "Monday 15 June 2026" in message["Subject"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    positions = [text.index(plain(p.title)) for p in expected]  # LaTeX as plain text (SP$^3$ reads SP³)
    assert positions == sorted(positions), "most upvoted first"
    top = expected[0]
    assert f"▲ {top.upvotes} upvote" in text and top.authors[0] in text
    assert excerpt(plain(top.abstract))[:60] in text
    assert (
        f"https://papers.example.org/papers/{top.id}" in text
        and f'href="https://papers.example.org/papers/{top.id}"' in html
    )
    assert "<table" in html and 'style="' in html


def test_every_digest_carries_a_preferences_link_and_rfc8058_one_click_unsubscribe(
    store: Store, config: Config
) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        sub = subscribe(store, mail, "grace@example.org", confirmed=True).subscription
        send_due_digests(store, mail, TUESDAY_16)
    (message,) = handler.to("grace@example.org")
    header = message["List-Unsubscribe"]
    assert header.startswith("<https://papers.example.org/unsubscribe/") and header.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@papers.example.org>")
    assert unsign(mail, "unsubscribe", link_token(header.strip("<>"))) == sub.token
    preferences = [u for u in links_in(message) if "/subscribe/preferences/" in u]
    assert preferences and subscription_from_link(store, mail, "preferences", link_token(preferences[0])).id == sub.id


def test_categories_and_minimum_upvotes_narrow_the_digest(store: Store, config: Config) -> None:
    load_week(store)
    prefs = Preferences(top_n=50, categories=["cs.CV"], min_upvotes=5)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe(store, mail, "vision@example.org", preferences=prefs, confirmed=True)
        send_due_digests(store, mail, TUESDAY_16)
    (message,) = handler.to("vision@example.org")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    day = listed(store, MONDAY_15, MONDAY_15)
    wanted = [p for p in day if "cs.CV" in p.categories and p.upvotes >= 5]
    unwanted = [p for p in day if p not in wanted]
    assert wanted and unwanted
    assert all(plain(p.title) in text for p in wanted)
    assert not any(f"/papers/{p.id}\n" in text for p in unwanted)


def test_a_weekly_digest_goes_out_on_the_chosen_day_with_the_seven_days_before(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        prefs = Preferences(frequency="weekly", weekday=0, top_n=3)
        subscribe(store, mail, "weekly@example.org", preferences=prefs, confirmed=True)
        tuesday = send_due_digests(store, mail, TUESDAY_16)
        monday = send_due_digests(store, mail, MONDAY_22)
    assert tuesday.due == 0 and monday.sent == 1
    (message,) = handler.to("weekly@example.org")
    week = listed(store, date(2026, 6, 15), date(2026, 6, 21))[:3]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "weekly" in message["Subject"] and all(plain(p.title) in text for p in week)


def test_a_saved_search_adds_papers_of_the_period_containing_its_words(store: Store, config: Config) -> None:
    load_week(store)
    word = "agent"
    prefs = Preferences(include_trending=False, searches=[word], top_n=50)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe(store, mail, "agents@example.org", preferences=prefs, confirmed=True)
        send_due_digests(store, mail, TUESDAY_16)
    (message,) = handler.to("agents@example.org")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"New for “{word}”" in text
    with store.read() as conn:
        shown = list(papers_by_ids(conn, re.findall(r"/papers/(\S+)", text)).values())
    assert shown
    for paper in shown:
        assert paper.published_at is not None and paper.published_at.date() == MONDAY_15
        assert word in f"{paper.title} {paper.abstract}".lower()


def test_a_digest_with_nothing_to_show_is_not_sent(store: Store, config: Config) -> None:
    load_week(store)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe(store, mail, "picky@example.org", preferences=Preferences(min_upvotes=100_000), confirmed=True)
        report = send_due_digests(store, mail, TUESDAY_16)
        again = send_due_digests(store, mail, TUESDAY_16)
    assert report.empty == 1 and handler.accepted == 0 and again.already == 1


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (date(2026, 6, 15), "daily", ("2026-06-15", date(2026, 6, 12), date(2026, 6, 14))),
        (date(2026, 6, 16), "daily", ("2026-06-16", date(2026, 6, 15), date(2026, 6, 15))),
        (date(2026, 6, 20), "daily", None),
        (date(2026, 6, 22), "weekly", ("2026-W26", date(2026, 6, 15), date(2026, 6, 21))),
        (date(2026, 6, 23), "weekly", None),
    ],
)
def test_daily_digests_go_out_on_weekdays_and_weekly_ones_on_their_day(
    day: date, frequency: str, expected: tuple[str, date, date] | None
) -> None:
    period = period_for(frequency, 0, day)
    assert (period and (period.key, period.first, period.last)) == expected


def test_an_excerpt_is_whole_sentences_within_the_limit() -> None:
    abstract = "First sentence here. " * 30
    cut = excerpt(abstract, limit=100)
    assert len(cut) <= 100 and cut.endswith(".")
    assert excerpt("Short abstract.") == "Short abstract."
    assert excerpt("word " * 200, limit=50).endswith("…")


def test_a_members_picks_come_from_the_period_and_leave_out_what_they_already_upvoted(
    store: Store, config: Config
) -> None:
    load_week(store)
    account = create_account(store, "picker", "correct horse battery")
    seeds = [p for p in listed(store, date(2026, 6, 12), date(2026, 6, 12)) if p.categories][:3]
    for seed in seeds:
        toggle_vote(store, account, seed.id, want=True)
    prefs = Preferences(include_trending=False, include_picks=True, top_n=10)
    with smtp_server() as (handler, url):
        mail = mail_config(config, url)
        subscribe(store, mail, "picker@example.org", preferences=prefs, account_id=account.id, confirmed=True)
        send_due_digests(store, mail, TUESDAY_16)
    (message,) = handler.to("picker@example.org")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Picked for you" in text
    with store.read() as conn:
        shown = list(papers_by_ids(conn, re.findall(r"/papers/(\S+)", text)).values())
    assert shown and not {p.id for p in shown} & {s.id for s in seeds}
    assert all(p.published_at is not None and p.published_at.date() == MONDAY_15 for p in shown)
