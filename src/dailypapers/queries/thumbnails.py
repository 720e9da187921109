"""Where a paper's thumbnail lives and whether it has one: the file under $DAILYPAPERS_HOME/thumbnails is the truth
(cards look for it; no query per card), the store's row says what became of the last try."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from dailypapers.config import Config
from dailypapers.domain import parse_arxiv_id
from dailypapers.storage import Store
from dailypapers.storage.thumbnails import StoredThumbnail, thumbnail_record

DIRECTORY = "thumbnails"


def thumbnails_enabled(config: Config) -> bool:
    return bool(config.text("DAILYPAPERS_ARXIV_PDF_URL"))


@lru_cache(maxsize=8192)
def _file_name(paper_id: str) -> str:
    """The thumbnail's file name (cached: every card of every page asks). `paper_id` must be a bare arXiv id
    (InvalidArxivId otherwise), so no path outside the directory can be named; an old-style id's slash becomes an
    underscore."""
    bare = parse_arxiv_id(paper_id).id
    if bare != paper_id:
        raise ValueError(f"not a bare arXiv id: {paper_id!r}")
    return f"{bare.replace('/', '_')}.webp"


@lru_cache(maxsize=16)
def _directory(home: str) -> str:
    return os.path.join(os.path.expanduser(home), DIRECTORY)  # as Config.home expands it


def thumbnail_path(config: Config, paper_id: str) -> Path:
    """The file of a paper's thumbnail (made or not); ValueError for anything not a bare arXiv id."""
    return config.home / DIRECTORY / _file_name(paper_id)


def thumbnail_file(config: Config, paper_id: str) -> Path | None:
    """The thumbnail file of `paper_id` when one has been made, else None (also for anything not an arXiv id).

    One stat of a string path: a page of 50 cards asks 50 times, so no Path is built unless the file is there."""
    try:
        name = _file_name(paper_id)
    except ValueError:
        return None
    path = os.path.join(_directory(config.values["DAILYPAPERS_HOME"]), name)
    return Path(path) if os.path.isfile(path) else None


def thumbnail_url(paper_id: str) -> str:
    return f"/thumbnails/{paper_id}.webp"


def thumbnail_state(store: Store, paper_id: str) -> StoredThumbnail | None:
    with store.read() as conn:
        return thumbnail_record(conn, paper_id)
