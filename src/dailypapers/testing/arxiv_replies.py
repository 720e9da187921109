"""Build replies arXiv would give from real recorded data, for cases no recording covers.

- OAI-PMH `arXivRaw` pages chained by resumption tokens, rendered from rows of the real Kaggle snapshot (which
  arXiv derives from arXivRaw: same fields, same version history).
- A daily announcement feed (rss.arxiv.org/atom style) naming recorded papers with their announce types.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from dailypapers.testing.replay import ReplayServer

OAI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    "<responseDate>2026-11-26T06:00:00Z</responseDate>\n"
    '<request verb="ListRecords">http://export.arxiv.org/oai2</request>\n<ListRecords>\n'
)


def arxiv_raw_record(row: dict[str, Any]) -> str:
    """One Kaggle snapshot row as an OAI `<record>` in arXivRaw, datestamped with its `update_date`."""

    def el(name: str, key: str | None = None) -> str:
        value = row.get(key or name)
        return f"<{name}>{escape(value)}</{name}>" if value else ""

    versions = "".join(
        f'<version version="{escape(v["version"])}"><date>{escape(v["created"])}</date></version>'
        for v in row.get("versions") or []
    )
    return (
        f"<record><header><identifier>oai:arXiv.org:{escape(row['id'])}</identifier>"
        f"<datestamp>{escape(row['update_date'])}</datestamp></header><metadata>"
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
        f"{el('id')}{el('submitter')}{versions}{el('title')}{el('authors')}{el('categories')}"
        f"{el('comments')}{el('report-no')}{el('journal-ref')}{el('doi')}{el('license')}{el('abstract')}"
        "</arXivRaw></metadata></record>\n"
    )


def oai_page(records: Sequence[str], token: str | None, cursor: int, complete: int) -> bytes:
    token_xml = (
        f'<resumptionToken cursor="{cursor}" completeListSize="{complete}">{escape(token or "")}</resumptionToken>'
    )
    return (OAI_HEAD + "".join(records) + token_xml + "\n</ListRecords>\n</OAI-PMH>\n").encode()


def serve_oai_chain(
    server: ReplayServer,
    rows: Sequence[dict[str, Any]],
    *,
    per_page: int,
    first_query: dict[str, str],
    path: str = "/oai2",
    token_prefix: str = "tok",
) -> list[str]:
    """Serve `rows` as a chain of ListRecords pages; returns the tokens (page 2 is asked for with tokens[0])."""
    pages = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    tokens = [f"{token_prefix}|{i}|{per_page * i}" for i in range(1, len(pages))]
    for number, page in enumerate(pages):
        token = tokens[number] if number < len(tokens) else None
        body = oai_page([arxiv_raw_record(r) for r in page], token, per_page * number, len(rows))
        query = first_query if number == 0 else {"verb": "ListRecords", "resumptionToken": tokens[number - 1]}
        server.add(path, body, query=query)
    return tokens


def listing_feed(announced: Sequence[tuple[str, str]], day: date, categories: str = "cs.LG") -> bytes:
    """An arXiv announcement feed: (id with version, announce type) pairs, stamped at midnight US Eastern."""
    stamp = f"{day.isoformat()}T00:00:00-05:00"
    entries = "".join(
        f"<entry><id>oai:arXiv.org:{escape(arxiv_id)}</id><title>announced paper {escape(arxiv_id)}</title>"
        f"<updated>{stamp}</updated>"
        f'<link href="https://arxiv.org/abs/{escape(arxiv_id)}" rel="alternate" type="text/html"/>'
        f"<summary>arXiv:{escape(arxiv_id)} Announce Type: {kind}\nAbstract: see the API</summary>"
        f'<category term="{escape(categories.split("+")[0])}" scheme="http://arxiv.org/schemas/atom"/>'
        f"<published>{stamp}</published><arxiv:announce_type>{kind}</arxiv:announce_type>"
        "<dc:creator>Someone</dc:creator></entry>\n"
        for arxiv_id, kind in announced
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<id>http://rss.arxiv.org/atom/{categories}</id><title>{categories} updates on arXiv.org</title>"
        f"<updated>{stamp}</updated>\n{entries}</feed>\n"
    ).encode()
