"""The collections JSON API: read any public collection, and (with a bearer token) create and fill your own.

A private collection answers 404 to everyone but its owner, exactly as a missing one does. Errors are
`{"error": …}` with 400 (bad input), 401 (no or bad token) or 404.
"""

from __future__ import annotations

from fastapi import HTTPException, Request, Response
from pydantic import BaseModel, Field

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import collections as cq
from dailypapers.services import collections as cs
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.collections import StoredItem
from dailypapers.web.api import Token, _reader, _require_token
from dailypapers.web.context import store_of


class ApiOwner(BaseModel):
    user: str
    fullname: str


class ApiItem(BaseModel):
    type: str = Field(default="paper", description="Always `paper`")
    id: str = Field(description="arXiv id without version")
    note: str
    position: int = Field(description="0 for the first item, in the owner's order")


class ApiCollection(BaseModel):
    slug: str = Field(description="One URL segment, `{username}-{title words}`, kept when the title changes")
    title: str
    description: str
    owner: ApiOwner
    private: bool
    items: list[ApiItem]


class NewCollection(BaseModel):
    title: str = Field(max_length=cs.MAX_TITLE)
    description: str | None = Field(None, max_length=cs.MAX_DESCRIPTION)
    private: bool | None = False


class NewItem(BaseModel):
    id: str = Field(max_length=100, description="arXiv id (a version suffix is dropped)")
    note: str | None = Field(None, max_length=cs.MAX_NOTE)


def _api_item(item: StoredItem) -> ApiItem:
    return ApiItem(type="paper", id=item.paper_id, note=item.note, position=item.position)


def _api_collection(view: cq.CollectionView) -> ApiCollection:
    found = view.collection
    return ApiCollection(
        slug=found.slug,
        title=found.title,
        description=found.description,
        owner=ApiOwner(user=found.owner_username, fullname=found.owner_fullname),
        private=found.private,
        items=[_api_item(entry.item) for entry in view.entries],
    )


def _view(request: Request, slug: str, viewer: StoredAccount | None) -> ApiCollection:
    view = cq.visible_collection(store_of(request), slug, viewer)
    if view is None:
        raise HTTPException(404, f"no collection {slug!r} here")
    return _api_collection(view)


def _paper_id(text: str) -> str:
    try:
        return parse_arxiv_id(text.strip()).id
    except InvalidArxivId as exc:
        raise HTTPException(400, str(exc)) from exc


def get_collection(request: Request, slug: str, credentials: Token) -> ApiCollection:
    """A collection with its papers in order (a private one only with its owner's token)."""
    return _view(request, slug, _reader(request, credentials))


def user_collections(request: Request, username: str, credentials: Token) -> list[ApiCollection]:
    """A member's public collections (with their own token: the private ones too), the reading list first."""
    viewer = _reader(request, credentials)
    store = store_of(request)
    found = cq.collections_of_member(store, username, viewer)
    if found is None:
        raise HTTPException(404, f"no member named {username!r}")
    views = [cq.visible_collection(store, c.slug, viewer) for c in found]
    return [_api_collection(view) for view in views if view is not None]


def create_collection(request: Request, response: Response, body: NewCollection, credentials: Token) -> ApiCollection:
    """Create a collection for the token's account; 201 with the new collection."""
    account = _require_token(request, credentials)
    try:
        made = cs.create_collection(store_of(request), account, body.title, body.description, bool(body.private))
    except cs.CollectionError as exc:
        raise HTTPException(400, str(exc)) from exc
    response.status_code = 201
    return _view(request, made.slug, account)


def add_item(request: Request, slug: str, body: NewItem, credentials: Token) -> ApiCollection:
    """Add a paper at the end of your collection; adding it again changes nothing (not even the note)."""
    account = _require_token(request, credentials)
    try:
        cs.add_item(store_of(request), account, slug, _paper_id(body.id), body.note)
    except (cs.UnknownCollection, cs.UnknownItem) as exc:
        raise HTTPException(404, str(exc)) from exc
    except cs.CollectionError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _view(request, slug, account)


def remove_item(request: Request, slug: str, paper_id: str, credentials: Token) -> ApiCollection:
    """Take a paper out of your collection (404 when it is not in it)."""
    account = _require_token(request, credentials)
    try:
        cs.remove_item(store_of(request), account, slug, _paper_id(paper_id))
    except (cs.UnknownCollection, cs.UnknownItem) as exc:
        raise HTTPException(404, str(exc)) from exc
    return _view(request, slug, account)
