"""Every route of the site in one table: path, methods, handler. Read this file to know what the site serves.

Each handler module (pages_*.py, api.py, syndication.py, subscriptions.py …) defines plain FastAPI handlers; this
table is the only place they are attached to paths. To add routes: import the module below and append rows to the
section they belong to. Order matters only where paths overlap: anything under `/papers/…` must come before the
paper-page catch-all, which stays in the LAST section of the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from dailypapers.web import (
    api,
    api_collections,
    api_comments,
    api_recommend,
    collection_feeds,
    discussion_feed,
    exports,
    icons,
    pages_account,
    pages_authors,
    pages_collections,
    pages_discussion,
    pages_feed,
    pages_following,
    pages_foryou,
    pages_moderation,
    pages_notifications,
    pages_paper,
    pages_submit,
    subscriptions,
    suggest,
    syndication,
    system,
    thumbnails,
)


@dataclass(frozen=True)
class Route:
    path: str
    methods: tuple[str, ...]
    handler: Callable[..., Any]
    name: str
    in_schema: bool = False  # shown on the OpenAPI page (the JSON API sets True)
    status_code: int | None = None  # the success status the OpenAPI schema declares (default 200)
    responses: dict[int | str, dict[str, Any]] | None = None  # the error answers the schema declares
    response_model: Any = None  # for a handler that returns its JSON ready-made (web/api.py `json_of`)


def API(
    method: str,
    path: str,
    handler: Callable[..., Any],
    name: str,
    status_code: int | None = None,
    response_model: Any = None,
) -> Route:
    """A JSON API row: in the OpenAPI schema, with the error statuses its handler can answer (web/api.py says)."""
    return Route(path, (method,), handler, name, True, status_code, api.errors_of(name), response_model)


def GET(path: str, handler: Callable[..., Any], name: str, *, in_schema: bool = False) -> Route:
    return Route(path, ("GET",), handler, name, in_schema)


def POST(path: str, handler: Callable[..., Any], name: str, *, in_schema: bool = False) -> Route:
    return Route(path, ("POST",), handler, name, in_schema)


ROUTES: list[Route] = [
    # --- system (web/system.py) ---
    GET("/healthz", system.healthz, "healthz"),
    # --- generated pictures: submitters' avatars, the favicon (web/icons.py) ---
    GET("/avatars/{username}.svg", icons.avatar, "avatar"),
    GET("/favicon.ico", icons.favicon_ico, "favicon"),
    # --- FIRST under /papers/: any path ending in .md is a paper's Markdown (web/api.py), never a day or a feed ---
    API("GET", "/papers/{paper_id:path}.md", api.paper_md, "paper_markdown"),
    # --- daily feed, trending, search (web/pages_feed.py) ---
    GET("/", pages_feed.home, "home"),
    GET("/papers", pages_feed.papers, "papers"),
    GET("/papers/date/{day}", pages_feed.papers_of_day, "papers_of_day"),
    GET("/papers/week/{week}", pages_feed.papers_of_week, "papers_of_week"),
    GET("/papers/month/{month}", pages_feed.papers_of_month, "papers_of_month"),
    GET("/papers/trending", pages_feed.trending, "trending"),
    GET("/search/suggest", suggest.suggest, "search_suggest"),  # web/suggest.py: titles as you type
    GET("/papers/following", pages_following.following_page, "following"),  # web/pages_following.py
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
    POST("/settings/signout-everywhere", pages_account.signout_everywhere, "signout_everywhere"),
    POST("/settings/password", pages_account.change_password, "change_password"),
    GET("/u/{username}", pages_account.profile, "profile"),
    POST("/settings/tokens", pages_account.create_token, "create_token"),
    POST("/settings/tokens/{token_id}/revoke", pages_account.revoke_token, "revoke_token"),
    # --- upvotes, fetching a paper from arXiv (web/pages_paper.py) ---
    POST("/papers/{arxiv_id:path}/upvote", pages_paper.upvote, "upvote"),
    POST("/papers/{arxiv_id:path}/fetch", pages_paper.fetch, "fetch_paper"),
    # --- discussions, moderation, notifications (web/pages_discussion.py, pages_moderation.py, …) ---
    POST("/papers/{arxiv_id:path}/comments", pages_discussion.post, "post_comment"),
    GET("/papers/{arxiv_id:path}/comments.atom", discussion_feed.thread_atom, "comments_atom"),
    POST("/papers/{arxiv_id:path}/lock", pages_moderation.lock, "lock_thread"),
    POST("/comments/{comment_id}/edit", pages_discussion.edit, "edit_comment"),
    POST("/comments/{comment_id}/delete", pages_discussion.delete, "delete_comment"),
    POST("/comments/{comment_id}/report", pages_discussion.report, "report_comment"),
    POST("/comments/{comment_id}/hide", pages_moderation.hide, "hide_comment"),
    POST("/comments/{comment_id}/dismiss", pages_moderation.dismiss, "dismiss_reports"),
    GET("/discussions", pages_discussion.discussions, "discussions"),
    GET("/moderation", pages_moderation.queue, "moderation"),
    POST("/moderation/ban", pages_moderation.ban, "ban_commenter"),
    GET("/notifications", pages_notifications.page, "notifications"),
    POST("/notifications", pages_notifications.update, "update_notifications"),
    GET("/notifications/unsubscribe/{token}", pages_notifications.unsubscribe_page, "notifications_unsubscribe_page"),
    POST("/notifications/unsubscribe/{token}", pages_notifications.unsubscribe, "notifications_unsubscribe"),
    # --- collections (web/pages_collections.py, collection_feeds.py): the .atom row before the page row ---
    GET("/collections", pages_collections.my_collections, "my_collections"),
    POST("/collections", pages_collections.create, "create_collection"),
    POST("/saved", pages_collections.save, "save_paper"),
    GET("/collections/{slug}.atom", collection_feeds.collection_atom, "collection_atom"),
    GET("/collections/{slug}", pages_collections.collection_page, "collection"),
    POST("/collections/{slug}/edit", pages_collections.edit, "edit_collection"),
    POST("/collections/{slug}/delete", pages_collections.delete, "delete_collection"),
    POST("/collections/{slug}/items", pages_collections.add_item, "add_collection_item"),
    POST("/collections/{slug}/import", pages_collections.import_upload, "import_collection_bibtex"),
    POST("/collections/{slug}/items/{paper_id:path}/remove", pages_collections.remove_item, "remove_collection_item"),
    POST("/collections/{slug}/items/{paper_id:path}/note", pages_collections.note_item, "note_collection_item"),
    POST("/collections/{slug}/items/{paper_id:path}/move", pages_collections.move_item, "move_collection_item"),
    GET("/export/{fmt}", exports.export, "export"),
    # --- authors and authorship claims (web/pages_authors.py) ---
    GET("/authors/{name:path}", pages_authors.author_page, "author"),
    POST("/papers/{arxiv_id:path}/claim", pages_authors.claim, "claim_authorship"),
    GET("/claims", pages_authors.claims_queue, "claims_queue"),
    POST("/claims/{claim_id}/decide", pages_authors.decide, "decide_claim"),
    # --- following and the private feed (web/pages_following.py) ---
    POST("/follow", pages_following.follow, "follow"),
    POST("/settings/feed-token", pages_following.create_feed_token, "create_feed_token"),
    POST("/settings/feed-token/revoke", pages_following.revoke_feed_token, "revoke_feed_token"),
    GET("/feeds/following/{token}.atom", pages_following.following_atom, "following_atom"),
    # --- collections JSON API (web/api_collections.py) ---
    API("GET", "/api/collections/{slug}", api_collections.get_collection, "api_collection"),
    API("POST", "/api/collections", api_collections.create_collection, "api_create_collection", status_code=201),
    API("POST", "/api/collections/{slug}/items", api_collections.add_item, "api_add_collection_item"),
    API(
        "DELETE",
        "/api/collections/{slug}/items/{paper_id:path}",
        api_collections.remove_item,
        "api_remove_collection_item",
    ),
    API("GET", "/api/users/{username}/collections", api_collections.user_collections, "api_user_collections"),
    # --- JSON API, HF-compatible (web/api.py) ---
    GET("/api/docs", api.docs_page, "api_docs"),
    GET("/api/docs/try", api.try_page, "api_try"),
    API("GET", "/api/daily_papers", api.daily_papers, "api_daily_papers", response_model=list[api.ApiDailyPaper]),
    API("GET", "/api/papers/search", api.search, "api_search", response_model=list[api.ApiDailyPaper]),
    API("GET", "/api/fetches/{paper_id:path}", api.fetch_status, "api_fetch_status"),
    API("POST", "/api/papers/submit", api.submit, "api_submit", status_code=201),
    API("GET", "/api/papers/{paper_id:path}/comments", api_comments.list_comments, "api_comments"),
    API("POST", "/api/papers/{paper_id:path}/comments", api_comments.post_comment, "api_post_comment", status_code=201),
    API("PATCH", "/api/comments/{comment_id}", api_comments.edit_comment, "api_edit_comment"),
    API("DELETE", "/api/comments/{comment_id}", api_comments.delete_comment, "api_delete_comment"),
    API("POST", "/api/papers/{paper_id:path}/upvote", api.upvote, "api_upvote"),
    API("DELETE", "/api/papers/{paper_id:path}/upvote", api.remove_upvote, "api_remove_upvote"),
    API("GET", "/api/recommendations", api_recommend.recommendations, "api_recommendations"),
    API(
        "POST", "/api/papers/{paper_id:path}/not_interested", api_recommend.mark, "api_not_interested", status_code=204
    ),
    API("DELETE", "/api/papers/{paper_id:path}/not_interested", api_recommend.unmark, "api_unmark", status_code=204),
    API("GET", "/api/papers/{paper_id:path}", api.paper_info, "api_paper"),
    # --- RSS / Atom syndication of the daily list, trending and searches (web/syndication.py) ---
    GET("/papers.rss", syndication.papers_rss, "papers_rss"),
    GET("/papers.atom", syndication.papers_atom, "papers_atom"),
    GET("/papers/trending.rss", syndication.trending_rss, "trending_rss"),
    GET("/papers/trending.atom", syndication.trending_atom, "trending_atom"),
    # --- email digest subscriptions: sign-up, confirmation, preferences, unsubscribing (web/subscriptions.py) ---
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
    # --- first-page thumbnails of papers, files of the data directory (web/thumbnails.py) ---
    GET("/thumbnails/{paper_id:path}.webp", thumbnails.thumbnail, "thumbnail"),
    # --- LAST: the paper page catch-all (arXiv ids contain dots and, old-style, slashes) ---
    GET("/papers/{arxiv_id:path}", pages_paper.paper, "paper"),
]


def register(app: FastAPI, routes: list[Route] | None = None) -> None:
    """Attach the table's routes to the app, in order. Every GET row also answers HEAD (headers, no body), as
    HTTP asks of every GET resource; the HEAD twin stays out of the OpenAPI schema."""
    for route in ROUTES if routes is None else routes:
        tags, summary = api.docs_of(route.name) if route.in_schema else (None, None)
        model = {"response_model": route.response_model} if route.response_model is not None else {}
        app.add_api_route(
            route.path,
            route.handler,
            methods=list(route.methods),
            name=route.name,
            include_in_schema=route.in_schema,
            status_code=route.status_code,
            responses=route.responses,
            tags=tags,  # type: ignore[arg-type]
            summary=summary,
            **model,
        )
        if "GET" in route.methods and "HEAD" not in route.methods:
            app.add_api_route(
                route.path, route.handler, methods=["HEAD"], name=f"{route.name}_head", include_in_schema=False
            )


def allowed_methods(app: FastAPI, scope: Scope) -> str:
    """The `Allow` of a 405: every method of the rows sharing the path of the first row the request's path matches
    (Starlette alone would name only that row's, e.g. POST but not DELETE for `/api/papers/{id}/upvote`)."""
    matched: list[BaseRoute] = [route for route in app.router.routes if route.matches(scope)[0] != Match.NONE]
    path = getattr(matched[0], "path", None) if matched else None
    methods = {m for route in matched if getattr(route, "path", None) == path for m in getattr(route, "methods", ())}
    return ", ".join(sorted(methods))
