"""Feed reads: days, weeks, months, trending, submitters, hidden listings, paper details, profiles, query counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from dailypapers.config import Config
from dailypapers.queries import feed as q
from dailypapers.services.accounts import create_account
from dailypapers.services.submissions import set_hidden
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import Store
from helpers.feed_data import add, import_hf_days, listed, paper

MON = date(2026, 11, 16)  # a Monday; week 2026-W47


def ids(feed: q.Feed) -> list[str]:
    return [item.paper.id for item in feed.items]


@contextmanager
def counting_queries(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", _count)


def test_a_day_lists_its_papers_most_upvoted_first_counting_members_votes(store: Store, config: Config) -> None:
    add(store, listed(paper("2611.00001", upvotes=5), MON), listed(paper("2611.00002", upvotes=4), MON))
    add(store, listed(paper("2611.00003", upvotes=50), MON + timedelta(days=1)))
    assert ids(q.feed(store, config, period=q.day_period(MON))) == ["2611.00001", "2611.00002"]
    for name in ("ann", "bob"):
        toggle_vote(store, create_account(store, name, "correct horse battery"), "2611.00002")
    day = q.feed(store, config, period=q.day_period(MON))
    assert ids(day) == ["2611.00002", "2611.00001"]
    assert [item.paper.upvotes for item in day.items] == [6, 5]
    assert day.total == 2 and day.items[0].row.submitter == q.feed_store.Submitter("curator1", "Curator One", False)


def test_without_a_period_the_feed_shows_the_latest_day_with_papers(store: Store, config: Config) -> None:
    assert q.feed(store, config).items == [] and q.latest_day(store) is None
    add(store, listed(paper("2611.00001"), MON), listed(paper("2611.00002"), MON + timedelta(days=3)))
    latest = q.feed(store, config)
    assert latest.period == q.day_period(MON + timedelta(days=3)) and ids(latest) == ["2611.00002"]


def test_previous_and_next_skip_empty_days(store: Store, config: Config) -> None:
    for offset, pid in ((0, "2611.00001"), (4, "2611.00002"), (9, "2611.00003")):
        add(store, listed(paper(pid), MON + timedelta(days=offset)))
    middle = q.feed(store, config, period=q.day_period(MON + timedelta(days=4)))
    assert middle.previous == q.day_period(MON) and middle.next == q.day_period(MON + timedelta(days=9))
    first = q.feed(store, config, period=q.day_period(MON))
    assert first.previous is None and first.next == q.day_period(MON + timedelta(days=4))
    empty = q.feed(store, config, period=q.day_period(MON + timedelta(days=2)))
    assert empty.items == [] and empty.previous == q.day_period(MON) and empty.next is not None


def test_weeks_and_months_show_each_paper_once_and_navigate_by_their_own_kind(store: Store, config: Config) -> None:
    twice = paper("2611.00001", upvotes=9)
    add(store, listed(twice, MON), listed(twice, MON + timedelta(days=2)))
    add(store, listed(paper("2611.00002", upvotes=3), MON + timedelta(days=6)))  # Sunday, same ISO week
    add(store, listed(paper("2611.00003", upvotes=1), MON + timedelta(days=7)))  # next week
    add(store, listed(paper("2610.00004", upvotes=1), date(2026, 10, 2)))
    week = q.feed(store, config, period=q.parse_week("2026-W47"))
    assert ids(week) == ["2611.00001", "2611.00002"] and week.total == 2
    assert week.items[0].row.listing.day == MON  # its first listing in the week
    assert week.next == q.parse_week("2026-W48") and week.previous == q.parse_week("2026-W40")
    month = q.feed(store, config, period=q.parse_month("2026-11"))
    assert sorted(ids(month)) == ["2611.00001", "2611.00002", "2611.00003"]
    assert month.previous == q.parse_month("2026-10") and month.next is None


def test_pages_split_a_period_and_report_the_total(store: Store, config: Config) -> None:
    add(store, *[listed(paper(f"2611.{n:05d}", upvotes=n), MON) for n in range(1, 8)])
    pages = [q.feed(store, config, period=q.day_period(MON), page=p, limit=3) for p in range(4)]
    assert [ids(p) for p in pages[:3]] == [
        ["2611.00007", "2611.00006", "2611.00005"],
        ["2611.00004", "2611.00003", "2611.00002"],
        ["2611.00001"],
    ]
    assert [p.total for p in pages] == [7, 7, 7, 7] and pages[1].has_more and not pages[2].has_more
    assert pages[3].items == []


def test_sorting_by_submission_time_puts_the_latest_submission_first(store: Store, config: Config) -> None:
    add(
        store,
        listed(paper("2611.00001", upvotes=9), MON, hours_after_midnight=1),
        listed(paper("2611.00002", upvotes=1), MON, hours_after_midnight=5),
    )
    assert ids(q.feed(store, config, period=q.day_period(MON), sort="submitted")) == ["2611.00002", "2611.00001"]


def test_trending_decays_upvotes_by_age_with_the_configured_gravity(store: Store, config: Config) -> None:
    # Now is Friday 00:00. Old: 100 upvotes, 64 h old -> 100/66^1.5 = 0.19. Fresh: 30 upvotes, 4 h old -> 30/6^1.5
    # = 2.04. Middle: 60 upvotes, 40 h old -> 60/42^1.5 = 0.22.
    now = datetime.combine(MON + timedelta(days=4), datetime.min.time(), UTC)
    add(
        store,
        listed(paper("2611.00001", upvotes=100), MON + timedelta(days=1), hours_after_midnight=8),
        listed(paper("2611.00002", upvotes=30), MON + timedelta(days=3), hours_after_midnight=20),
        listed(paper("2611.00003", upvotes=60), MON + timedelta(days=2), hours_after_midnight=8),
    )
    hot = q.trending(store, config, now=now)
    assert ids(hot) == ["2611.00002", "2611.00003", "2611.00001"]
    scores = [item.score for item in hot.items]
    assert scores == pytest.approx([30 / 6**1.5, 60 / 42**1.5, 100 / 66**1.5])
    flat = Config.from_env(config.values, DAILYPAPERS_TRENDING_GRAVITY="0")
    assert ids(q.trending(store, flat, now=now)) == ["2611.00001", "2611.00003", "2611.00002"]


def test_trending_only_looks_at_the_recent_window(store: Store, config: Config) -> None:
    add(
        store,
        listed(paper("2611.00001", upvotes=999), MON),
        listed(paper("2611.00002", upvotes=1), MON + timedelta(days=10)),
    )
    now = datetime.combine(MON + timedelta(days=11), datetime.min.time(), UTC)
    assert ids(q.trending(store, config, now=now)) == ["2611.00002"]
    wide = Config.from_env(config.values, DAILYPAPERS_TRENDING_DAYS="30")
    assert ids(q.trending(store, wide, now=now)) == ["2611.00001", "2611.00002"]


def test_an_archive_that_stopped_updating_still_trends_from_its_last_day(store: Store, config: Config) -> None:
    add(
        store,
        listed(paper("2611.00001", upvotes=10), MON, hours_after_midnight=22),
        listed(paper("2611.00002", upvotes=40), MON - timedelta(days=1), hours_after_midnight=2),
    )
    years_later = datetime(2030, 1, 1, tzinfo=UTC)
    # Anchored at the end of MON: 10/(2+2)^1.5 = 1.25 beats 40/(46+2)^1.5 = 0.12.
    assert ids(q.trending(store, config, now=years_later)) == ["2611.00001", "2611.00002"]


def test_hidden_listings_are_for_curators_only(store: Store, config: Config) -> None:
    add(store, listed(paper("2611.00001"), MON), listed(paper("2611.00002"), MON + timedelta(days=1)))
    curator = create_account(store, "cura", "correct horse battery", role="curator")
    hidden = q.feed(store, config, period=q.day_period(MON + timedelta(days=1))).items[0].row.listing
    set_hidden(store, curator, hidden.id)
    assert q.feed(store, config, period=q.day_period(MON + timedelta(days=1))).items == []
    assert q.latest_day(store) == MON and q.feed(store, config).period == q.day_period(MON)
    assert q.feed(store, config, period=q.day_period(MON)).next is None
    seen = q.feed(store, config, period=q.day_period(MON + timedelta(days=1)), include_hidden=True)
    assert ids(seen) == ["2611.00002"] and seen.items[0].row.listing.hidden is True
    detail = q.paper_detail(store, "2611.00002")
    assert detail is not None and detail.days == []
    assert q.trending(store, config).items[0].paper.id == "2611.00001"


def test_a_submitter_filter_matches_members_and_imported_curators_case_insensitively(
    store: Store, config: Config
) -> None:
    add(store, listed(paper("2611.00001"), MON, by="Curator7"), listed(paper("2611.00002"), MON, by="other"))
    assert ids(q.feed(store, config, submitter="curator7")) == ["2611.00001"]
    assert ids(q.submissions_of(store, config, "CURATOR7")) == ["2611.00001"]
    assert q.feed(store, config, submitter="nobody").items == []


def test_paper_detail_has_versions_and_listing_days(store: Store) -> None:
    record = paper("2611.00001")
    record.versions = [(1, datetime(2026, 11, 1, tzinfo=UTC)), (2, datetime(2026, 11, 9, tzinfo=UTC))]
    record.version = 2
    add(store, listed(record, MON), listed(record, MON + timedelta(days=5)))
    detail = q.paper_detail(store, "2611.00001")
    assert detail is not None
    assert [v for v, _ in detail.versions] == [1, 2] and detail.days == [MON, MON + timedelta(days=5)]
    assert q.paper_detail(store, "2611.99999") is None


def test_a_profile_lists_the_papers_a_member_upvoted_latest_first(store: Store) -> None:
    add(store, *[listed(paper(f"2611.0000{n}"), MON) for n in (1, 2, 3)])
    member = create_account(store, "ann", "correct horse battery")
    for pid in ("2611.00002", "2611.00001"):
        toggle_vote(store, member, pid)
    assert [p.id for p in q.upvoted_by(store, member.id)] == ["2611.00001", "2611.00002"]
    assert q.upvoted_by(store, member.id)[0].upvotes == 1


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "26-01-01", "yesterday", ""])
def test_a_malformed_date_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(q.InvalidPeriod, match="YYYY-MM-DD"):
        q.parse_day(text)


@pytest.mark.parametrize("text", ["2026-W54", "2026-W00", "2026-47", "2026W47"])
def test_a_malformed_week_is_refused(text: str) -> None:
    with pytest.raises(q.InvalidPeriod, match="YYYY-Www"):
        q.parse_week(text)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "2026/11"])
def test_a_malformed_month_is_refused(text: str) -> None:
    with pytest.raises(q.InvalidPeriod, match="YYYY-MM"):
        q.parse_month(text)


def test_week_2020_w53_exists_and_covers_monday_to_sunday() -> None:
    week = q.parse_week("2020-W53")
    assert (week.start, week.end, week.label) == (date(2020, 12, 28), date(2021, 1, 3), "2020-W53")


def test_the_feed_issues_the_same_number_of_queries_for_3_or_60_papers(
    store: Store, config: Config, shared: Path
) -> None:
    import_hf_days(store, shared, days=4)
    voters = [create_account(store, f"voter{n}", "correct horse battery") for n in range(2)]
    day = q.latest_day(store)
    assert day is not None
    first = q.feed(store, config, period=q.day_period(day), limit=60)
    for account in voters:
        for item in first.items[:5]:
            toggle_vote(store, account, item.paper.id)
    counts = {}
    for limit in (3, 60):
        for sort in ("upvotes", "trending"):
            with counting_queries(store) as statements:
                result = q.feed(store, config, period=q.parse_month(day.strftime("%Y-%m")), sort=sort, limit=limit)
            assert len(result.items) == min(limit, result.total) and result.total > 30
            counts[(limit, sort)] = len(statements)
        with counting_queries(store) as statements:
            q.feed(store, config, limit=limit)
        counts[(limit, "latest")] = len(statements)
    assert counts[(3, "upvotes")] == counts[(60, "upvotes")] == 2
    assert counts[(3, "trending")] == counts[(60, "trending")] == 3
    assert counts[(3, "latest")] == counts[(60, "latest")] == 3
