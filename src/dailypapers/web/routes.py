"""Every route of the site in one table: path, methods, handler. Read this file to know what the site serves.

Each helper module (pages_*.py, api.py, feeds.py, subscriptions.py …) defines plain FastAPI handlers; this table
is the only place they are attached to paths. To add routes: import your module below and append rows to YOUR
section. Order matters only where paths overlap: anything under `/papers/…` must come before the paper-page
catch-all, which stays in the LAST section of the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from dailypapers.web import (
    api,
    api_recommend,
    feeds,
    pages_account,
    pages_feed,
    pages_foryou,
    pages_paper,
    pages_submit,
    subscriptions,
    system,
)


@dataclass(frozen=True)
class Route:
    path: str
    methods: tuple[str, ...]
    handler: Callable[..., Any]
    name: str
    in_schema: bool = False  # shown on the OpenAPI page (the JSON API sets True)


def GET(path: str, handler: Callable[..., Any], name: str, *, in_schema: bool = False) -> Route:
    return Route(path, ("GET",), handler, name, in_schema)


def POST(path: str, handler: Callable[..., Any], name: str, *, in_schema: bool = False) -> Route:
    return Route(path, ("POST",), handler, name, in_schema)


ROUTES: list[Route] = [
    # --- system (web/system.py) ---
    GET("/healthz", system.healthz, "healthz"),
    # --- daily feed, trending, search (web/pages_feed.py) ---
    GET("/", pages_feed.home, "home"),
    GET("/papers", pages_feed.papers, "papers"),
    GET("/papers/date/{day}", pages_feed.papers_of_day, "papers_of_day"),
    GET("/papers/week/{week}", pages_feed.papers_of_week, "papers_of_week"),
    GET("/papers/month/{month}", pages_feed.papers_of_month, "papers_of_month"),
    GET("/papers/trending", pages_feed.trending, "trending"),
    # --- For you: the personal feed, its settings, not-interested, the private feed (web/pages_foryou.py) ---
    GET("/papers/foryou", pages_foryou.foryou, "foryou"),
    POST("/papers/{arxiv_id:path}/not_interested", pages_foryou.not_interested, "not_interested"),
    GET("/settings/foryou", pages_foryou.settings_page, "foryou_settings"),
    POST("/settings/foryou", pages_foryou.save_settings, "foryou_save_settings"),
    POST("/settings/foryou/seeds", pages_foryou.add_seed, "foryou_add_seed"),
    POST("/settings/foryou/seeds/{arxiv_id:path}/remove", pages_foryou.remove_seed, "foryou_remove_seed"),
    POST("/settings/foryou/feed", pages_foryou.new_feed, "foryou_new_feed"),
    POST("/settings/foryou/feed/revoke", pages_foryou.revoke_feed, "foryou_revoke_feed"),
    GET("/settings/foryou/export", pages_foryou.export, "foryou_export"),
    POST("/settings/foryou/delete", pages_foryou.delete_data, "foryou_delete"),
    GET("/feeds/foryou/{token}.atom", pages_foryou.private_feed, "foryou_atom"),
    # --- submissions and curation (web/pages_submit.py) ---
    GET("/papers/submit", pages_submit.submit_form, "submit_form"),
    POST("/papers/submit", pages_submit.submit, "submit"),
    POST("/listings/{listing_id}/hide", pages_submit.hide, "hide_listing"),
    # --- accounts and profiles (web/pages_account.py) ---
    GET("/signup", pages_account.signup_form, "signup_form"),
    POST("/signup", pages_account.signup, "signup"),
    GET("/signin", pages_account.signin_form, "signin_form"),
    POST("/signin", pages_account.signin, "signin"),
    POST("/signout", pages_account.signout, "signout"),
    GET("/u/{username}", pages_account.profile, "profile"),
    POST("/settings/tokens", pages_account.create_token, "create_token"),
    POST("/settings/tokens/{token_id}/revoke", pages_account.revoke_token, "revoke_token"),
    # --- upvotes, fetching a paper from arXiv (web/pages_paper.py) ---
    POST("/papers/{arxiv_id:path}/upvote", pages_paper.upvote, "upvote"),
    POST("/papers/{arxiv_id:path}/fetch", pages_paper.fetch, "fetch_paper"),
    # --- JSON API (web/api.py) — API helper adds rows here ---
    GET("/api/docs", api.docs_page, "api_docs"),
    GET("/api/daily_papers", api.daily_papers, "api_daily_papers", in_schema=True),
    GET("/api/papers/search", api.search, "api_search", in_schema=True),
    POST("/api/papers/submit", api.submit, "api_submit", in_schema=True),
    POST("/api/papers/{paper_id:path}/upvote", api.upvote, "api_upvote", in_schema=True),
    Route("/api/papers/{paper_id:path}/upvote", ("DELETE",), api.remove_upvote, "api_remove_upvote", True),
    GET("/api/recommendations", api_recommend.recommendations, "api_recommendations", in_schema=True),
    Route("/api/papers/{paper_id:path}/not_interested", ("POST",), api_recommend.mark, "api_not_interested", True),
    Route("/api/papers/{paper_id:path}/not_interested", ("DELETE",), api_recommend.unmark, "api_unmark", True),
    GET("/api/papers/{paper_id:path}", api.paper_info, "api_paper", in_schema=True),
    GET("/papers/{paper_id:path}.md", api.paper_md, "paper_markdown", in_schema=True),
    # --- RSS / Atom feeds (web/feeds.py) — API helper adds rows here ---
    GET("/papers.rss", feeds.papers_rss, "papers_rss"),
    GET("/papers.atom", feeds.papers_atom, "papers_atom"),
    GET("/papers/trending.rss", feeds.trending_rss, "trending_rss"),
    GET("/papers/trending.atom", feeds.trending_atom, "trending_atom"),
    # --- email subscriptions (web/subscriptions.py) — digest helper adds rows here ---
    GET("/subscribe", subscriptions.subscribe_form, "subscribe_form"),
    POST("/subscribe", subscriptions.subscribe, "subscribe"),
    GET("/subscribe/confirm/{token}", subscriptions.confirm_page, "subscription_confirm_page"),
    POST("/subscribe/confirm/{token}", subscriptions.confirm, "subscription_confirm"),
    GET("/subscribe/preferences/{token}", subscriptions.preferences_page, "subscription_preferences"),
    POST("/subscribe/preferences/{token}", subscriptions.save_preferences, "subscription_save_preferences"),
    GET("/unsubscribe/{token}", subscriptions.unsubscribe_page, "unsubscribe_page"),
    POST("/unsubscribe/{token}", subscriptions.unsubscribe, "unsubscribe"),
    GET("/settings/subscription", subscriptions.member_page, "member_subscription"),
    POST("/settings/subscription", subscriptions.save_member, "member_save_subscription"),
    # --- LAST: the paper page catch-all (arXiv ids contain dots and, old-style, slashes) ---
    GET("/papers/{arxiv_id:path}", pages_paper.paper, "paper"),
]


def register(app: FastAPI, routes: list[Route] | None = None) -> None:
    """Attach the table's routes to the app, in order."""
    for route in ROUTES if routes is None else routes:
        app.add_api_route(
            route.path,
            route.handler,
            methods=list(route.methods),
            name=route.name,
            include_in_schema=route.in_schema,
        )
