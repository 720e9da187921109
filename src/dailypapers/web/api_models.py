"""The JSON shapes of the Hugging Face papers API, field for field, and converters from our stored records.

`huggingface_hub`'s PaperInfo reads a daily item as {paper: {...}, publishedAt: <listed at>, title, numComments,
submittedBy} and a paper as {id, authors, publishedAt: <on arXiv>, submittedOnDailyAt, ...}; we keep those names
(camelCase, datetimes as ISO 8601 in UTC ending in `Z`) so the real client and scripts written for
huggingface.co work against this site unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from dailypapers.domain import safe_url
from dailypapers.storage.feed import FeedRow, Submitter
from dailypapers.storage.fetches import StoredFetch
from dailypapers.storage.papers import StoredPaper


def zulu(value: datetime | None) -> str | None:
    """2024-05-27T03:50:58.348Z, as huggingface.co writes datetimes."""
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class ApiUser(BaseModel):
    """Who submitted a paper to a day's list."""

    user: str = Field(description="Username (imported curators keep the name their source gave)")
    name: str = Field(description="Same as `user`; huggingface.co sends both")
    fullname: str
    type: str = "user"
    isMember: bool = Field(description="False for curators named by an imported source, who have no account here")


class ApiAuthor(BaseModel):
    name: str
    hidden: bool = False


class ApiPaper(BaseModel):
    id: str = Field(description="arXiv id without version, e.g. 2405.15738")
    title: str
    summary: str = Field(description="The abstract")
    authors: list[ApiAuthor]
    publishedAt: str | None = Field(description="First published on arXiv (UTC, ends in Z)")
    upvotes: int = Field(description="Imported upvotes plus this site's members' votes")
    githubRepo: str | None = Field(default=None, description="The code repository (GitHub, GitLab, Hugging Face)")
    projectPage: str | None = Field(default=None, description="The project page, when the paper names one")
    ai_summary: str | None = Field(default=None, description="One-sentence TL;DR (docs/glance.md)")
    ai_keywords: list[str] = Field(default_factory=list, description="3-6 keywords, best first")
    numComments: int = 0
    version: int
    categories: list[str]
    arxivUrl: str
    pdfUrl: str
    submittedOnDailyAt: str | None = None
    submittedOnDailyBy: ApiUser | None = None


class ApiDailyPaper(BaseModel):
    """One entry of a day's list (or a search result): the paper plus when and by whom it was listed."""

    paper: ApiPaper
    publishedAt: str | None = Field(description="When it was put on the list (UTC, ends in Z)")
    title: str
    summary: str
    numComments: int = 0
    submittedBy: ApiUser | None = None
    isAuthorParticipating: bool = False
    # Repeated from `paper`: huggingface_hub's PaperInfo reads these four from the item itself.
    ai_summary: str | None = None
    ai_keywords: list[str] = Field(default_factory=list)
    githubRepo: str | None = None
    projectPage: str | None = None


class ApiError(BaseModel):
    error: str


class SubmitBody(BaseModel):
    id: str = Field(description="arXiv id or URL (arxiv.org or huggingface.co/papers)", max_length=300)
    comment: str | None = Field(default=None, max_length=1000)
    date: str | None = Field(default=None, description="YYYY-MM-DD; members may only submit to today's list")


class Submission(BaseModel):
    id: str
    date: str
    title: str
    listingId: int


class FetchStatus(BaseModel):
    """A paper waiting in the fetch queue (202 from submit, GET /api/fetches/{id}); `state` done means it is here."""

    id: str
    state: str = Field(description="queued | running | done | failed | not_found")
    attempts: int
    nextAttemptAt: str | None = Field(description="When a queued fetch is tried (again)")
    lastError: str | None
    requestedAt: str | None
    updatedAt: str | None
    date: str | None = Field(None, description="The day a queued submission will be listed on")
    paper: str = Field(description="The paper's page, which shows it once it has arrived")


def api_fetch(entry: StoredFetch, day: str | None = None) -> FetchStatus:
    return FetchStatus(
        id=entry.arxiv_id,
        state=entry.state,
        attempts=entry.attempts,
        nextAttemptAt=zulu(entry.next_attempt_at) if entry.state == "queued" else None,
        lastError=entry.last_error,
        requestedAt=zulu(entry.requested_at),
        updatedAt=zulu(entry.updated_at),
        date=day or (entry.submit_day.isoformat() if entry.submit_day else None),
        paper=f"/papers/{entry.arxiv_id}",
    )


class VoteResult(BaseModel):
    id: str
    upvoted: bool = Field(description="Whether the token's account now upvotes the paper")
    upvotes: int


def api_user(submitter: Submitter | None) -> ApiUser | None:
    if submitter is None:
        return None
    return ApiUser(
        user=submitter.username,
        name=submitter.username,
        fullname=submitter.fullname or submitter.username,
        isMember=submitter.is_member,
    )


def api_paper(paper: StoredPaper, row: FeedRow | None = None) -> ApiPaper:
    return ApiPaper(
        id=paper.id,
        title=paper.title,
        summary=paper.abstract,
        authors=[ApiAuthor(name=name) for name in paper.authors],
        publishedAt=zulu(paper.published_at),
        upvotes=paper.upvotes,
        githubRepo=safe_url(paper.code_url),
        projectPage=safe_url(paper.project_url),
        ai_summary=paper.glance.summary if paper.glance else None,
        ai_keywords=list(paper.glance.keywords) if paper.glance else [],
        numComments=paper.num_comments,
        version=paper.version,
        categories=paper.categories,
        arxivUrl=paper.abs_url,
        pdfUrl=paper.pdf_url,
        submittedOnDailyAt=zulu(row.listing.submitted_at) if row else None,
        submittedOnDailyBy=api_user(row.submitter) if row else None,
    )


def _glance_fields(paper: ApiPaper) -> dict[str, Any]:
    return {name: getattr(paper, name) for name in ("ai_summary", "ai_keywords", "githubRepo", "projectPage")}


def api_daily(row: FeedRow) -> ApiDailyPaper:
    paper = row.paper
    shown = api_paper(paper, row)
    return ApiDailyPaper(
        **_glance_fields(shown),
        paper=shown,
        publishedAt=zulu(row.listing.submitted_at),
        title=paper.title,
        summary=paper.abstract,
        numComments=paper.num_comments,
        submittedBy=api_user(row.submitter),
    )


def api_unlisted(paper: StoredPaper) -> ApiDailyPaper:
    """A search hit that was never on a day's list still has the daily-item shape the client expects."""
    shown = api_paper(paper)
    return ApiDailyPaper(
        **_glance_fields(shown),
        paper=shown,
        publishedAt=zulu(paper.published_at),
        title=paper.title,
        summary=paper.abstract,
        numComments=paper.num_comments,
    )


def paper_markdown(paper: StoredPaper, days: list[str], site_url: str) -> str:
    """The paper page as markdown (what `HfApi.read_paper` returns)."""
    lines = [f"# {paper.title}", ""]
    if paper.authors:
        lines += [f"**Authors:** {', '.join(paper.authors)}", ""]
    facts = [
        f"- arXiv: [{paper.id}]({paper.abs_url}) ([PDF]({paper.pdf_url}))",
        f"- Published: {paper.published_at.date().isoformat()}" if paper.published_at else "",
        f"- Categories: {', '.join(paper.categories)}" if paper.categories else "",
        f"- Upvotes: {paper.upvotes}",
        f"- Code: {safe_url(paper.code_url)}" if safe_url(paper.code_url) else "",
        f"- Project page: {safe_url(paper.project_url)}" if safe_url(paper.project_url) else "",
        f"- Keywords: {', '.join(paper.glance.keywords)}" if paper.glance and paper.glance.keywords else "",
        f"- Listed on: {', '.join(f'[{d}]({site_url}/papers/date/{d})' for d in days)}" if days else "",
        f"- Page: {site_url}/papers/{paper.id}",
    ]
    lines += [fact for fact in facts if fact]
    if paper.glance and paper.glance.summary:
        lines += ["", "## TL;DR", "", paper.glance.summary]
    lines += ["", "## Abstract", "", paper.abstract or "(no abstract)", ""]
    if paper.comments:
        lines += ["## Comments", "", paper.comments, ""]
    return "\n".join(lines)
