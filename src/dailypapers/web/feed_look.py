"""What the feed page shows around its cards: the month calendar, dated Previous/Next labels, numbered pages and
the digest invitation. Pure functions of the feed's data, so the template stays a template."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from dailypapers.queries.feed import Period, month_of

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@dataclass(frozen=True)
class Calendar:
    """One month, Monday first: weeks of (day or None); `listed` days have a list and link to it."""

    title: str
    weeks: list[list[date | None]]
    listed: set[date]
    current: date | None
    previous_month: str  # YYYY-MM, for /papers/month/…
    next_month: str

    @staticmethod
    def month_name(label: str) -> str:
        return date.fromisoformat(label + "-01").strftime("%B")


def month_calendar(anchor: date, listed: set[date], current: date | None) -> Calendar:
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(anchor.year, anchor.month)
    cells = [[day if day.month == anchor.month else None for day in week] for week in weeks]
    first = anchor.replace(day=1)
    before = first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)
    after = first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    return Calendar(anchor.strftime("%B %Y"), cells, listed, current, before.strftime("%Y-%m"), after.strftime("%Y-%m"))


def month_bounds(anchor: date) -> tuple[date, date]:
    period = month_of(anchor)
    return period.start, period.end


def period_label(period: Period | None) -> str:
    """Short words for where Previous/Next go: "Jun 8", "Week 23", "May 2026"."""
    if period is None:
        return ""
    if period.kind == "day":
        return f"{period.start.strftime('%a, %b')} {period.start.day}"
    if period.kind == "week":
        return f"Week {period.start.isocalendar()[1]}"
    return period.start.strftime("%b %Y")


def page_numbers(page: int, total: int, limit: int) -> list[int | None]:
    """Page indexes to link (0-based), with None for a gap: first, last and two either side of the current."""
    count = max((total + limit - 1) // limit, 1)
    keep = sorted({0, count - 1, *range(max(page - 2, 0), min(page + 3, count))})
    numbers: list[int | None] = []
    for index in keep:
        if numbers and numbers[-1] is not None and index - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(index)
    return numbers
