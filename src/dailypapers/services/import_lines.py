"""Bulk files read line by line, skipping the lines this store has imported before without parsing them.

Importing a line again changes nothing (services/imports.merge_records), so a line whose digest is recorded
(storage/import_lines) can be skipped: a re-run of an unchanged file costs reading and hashing it, not parsing,
linking and hashing every paper (most of an import's CPU time). The digest covers the format key, which names the
parser's version: a release that stores a line differently (its parsing, or what services/imports derives from a
record) changes its key, and every line is read once more. The store never deletes a paper itself; one removed by
hand comes back only with `--reparse`, which parses every line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from dailypapers.domain import ImportItem, ImportSummary
from dailypapers.services.imports import BATCH_SIZE, import_items
from dailypapers.storage import Store
from dailypapers.storage import import_lines as line_store

LineParser = Callable[[int, str], list[ImportItem]]
LOOKUP = 2000  # lines whose digests are looked up in one read


def line_digest(format_key: str, line: str) -> str:
    return hashlib.blake2b(f"{format_key}\n{line}".encode(), digest_size=16).hexdigest()


def import_lines(
    store: Store,
    lines: Iterable[tuple[int, str]],
    parse: LineParser,
    format_key: str,
    *,
    reparse: bool = False,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import (line number, text) pairs through `parse`; with `reparse`, parse even the lines imported before."""
    items = _new_line_items(store, lines, parse, format_key, reparse)
    return import_items(store, items, batch_size=batch_size, on_batch=on_batch)


def _new_line_items(
    store: Store, lines: Iterable[tuple[int, str]], parse: LineParser, format_key: str, reparse: bool
) -> Iterator[ImportItem]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, LOOKUP)):
        digests = [line_digest(format_key, text) for _, text in chunk]
        known: dict[str, int] = {}
        if not reparse:
            with store.read() as conn:
                known = line_store.item_counts_by_digest(conn, digests)
        for (number, text), digest in zip(chunk, digests, strict=True):
            if digest in known:
                yield ImportItem(line=number, skipped=known[digest])
                continue
            items = parse(number, text)
            if items and all(item.error is None for item in items):  # a rejected part is reported again next time
                items[-1].completes_line = (digest, len(items))
            yield from items
