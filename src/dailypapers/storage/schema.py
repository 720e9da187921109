"""The tables, as SQLAlchemy Core metadata. Migrations create them; storage modules query them.

Only `storage/` modules use these tables (no SQL elsewhere). Changing a table here needs a migration in
`storage/migrations/versions/`; the comments on columns with a fixed set of values list every value the code uses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite has no time zones, so store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(DateTime(timezone=dialect.name != "sqlite"))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

papers = Table(
    "papers",
    metadata,
    Column("id", String(64), primary_key=True),  # arXiv id without version
    Column("version", Integer, nullable=False, default=1),
    Column("title", Text, nullable=False),
    Column("abstract", Text, nullable=False, default=""),
    Column("authors", JSON, nullable=False),  # ordered list of names
    Column("primary_category", String(32)),
    Column("categories", JSON, nullable=False),  # ordered list, primary first
    Column("comments", Text),
    Column("journal_ref", Text),
    Column("doi", Text),
    Column("license", Text),
    Column("report_no", Text),
    Column("code_url", Text),
    Column("published_at", UTCDateTime),
    Column("updated_at", UTCDateTime),
    Column("imported_upvotes", Integer, nullable=False, default=0),  # from HF; apart from members' votes
    Column("num_comments", Integer, nullable=False, default=0),
    Column("content_hash", String(32), nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("project_url", Text),  # migration 0011 (links.py: a project page named by the source or the text)
    Index("ix_papers_published_at", "published_at"),
)

paper_versions = Table(
    "paper_versions",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("created_at", UTCDateTime),
)

paper_categories = Table(
    "paper_categories",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("category", String(32), primary_key=True),
    Index("ix_paper_categories_category", "category", "paper_id"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("fullname", String(200), nullable=False, default=""),
    Column("email", String(320)),
    Column("password_hash", Text),
    Column("role", String(16), nullable=False, default="member"),  # member | curator | admin
    Column("created_at", UTCDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False, default=""),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
)

listings = Table(
    "listings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", Date, nullable=False),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("submitter_name", String(100)),  # imported curators have a name but no account here
    Column("submitter_fullname", String(200)),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("comment", Text),
    Column("hidden", Boolean, nullable=False, default=False),
    UniqueConstraint("day", "paper_id"),
    Index("ix_listings_paper_id", "paper_id"),
    Index("ix_listings_account_id", "account_id"),
    Index("ix_listings_submitted_at", "submitted_at"),  # migration 0004
)

votes = Table(
    "votes",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_votes_paper_id", "paper_id"),
)

harvest_state = Table(
    "harvest_state",
    metadata,
    Column("source", String(100), primary_key=True),  # "oai:<set>:<format>", "listing:<cat+cat>" or "hf:<endpoint>"
    Column("cursor", Text),  # resumption token or other resume point of an unfinished run
    Column("last_datestamp", String(32)),  # newest datestamp fully harvested
    Column("updated_at", UTCDateTime, nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL"), index=True),
    Column("status", String(16), nullable=False, default="pending"),  # pending|active|unsubscribed|bounced
    Column("frequency", String(8), nullable=False, default="daily"),  # daily | weekly
    Column("weekday", Integer, nullable=False, default=0),  # 0 = Monday, for weekly
    Column("top_n", Integer, nullable=False, default=10),
    Column("include_trending", Boolean, nullable=False, default=True),
    Column("include_searches", Boolean, nullable=False, default=True),
    Column("include_picks", Boolean, nullable=False, default=False),
    Column("categories", JSON, nullable=False),  # empty list = all
    Column("min_upvotes", Integer, nullable=False, default=0),
    Column("token", String(64), nullable=False, unique=True),  # random id used in signed links
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime),
    Column("unsubscribed_at", UTCDateTime),
    Column("bounce_reason", Text),
)

saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("query", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("subscription_id", "query"),
)

# The delivery ledger that makes every email exactly-once: one row per (subscription, kind, period), claimed before
# SMTP starts and settled after (storage/deliveries.py has the SQL, services/digests.py the protocol). Statuses:
#   pending  the row exists, nothing attempted yet (the default; claim_delivery normally inserts rows already
#            'sending', and a row created only to be marked 'empty' becomes 'empty' in the same transaction)
#   sending  claimed by a run that is handing the message to SMTP; left so by a crash, or by a connection lost
#            after the whole message went out, the outcome is unknown: not resent unless the operator asks
#            (`dailypapers digest send --resend-uncertain`)
#   sent     the server accepted the message (sent_at set); never sent again
#   failed   a temporary failure (4xx, connection lost before the message was handed over, server unreachable);
#            `error` says why and the next run claims it again
#   bounced  a permanent 5xx for the recipient or message; the subscription is marked 'bounced' too
#   empty    digests only: nothing to show for the period, so nothing was sent; not composed again
# 'pending' and 'failed' are claimable (storage.deliveries.CLAIMABLE); 'sent', 'empty' and 'bounced' are done.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    # the recipient: a subscription (digests, confirmations) or, for notification email, an account (migration 0007)
    Column("subscription_id", Integer, ForeignKey("subscriptions.id", ondelete="CASCADE")),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE")),
    Column("period", String(32), nullable=False),  # e.g. "2026-11-26", "2026-W48", or "n123" (one notification)
    Column("kind", String(16), nullable=False, default="digest"),  # digest | confirm | notify | notify-daily
    Column("status", String(16), nullable=False, default="pending"),  # pending|sending|sent|failed|bounced|empty
    Column("attempts", Integer, nullable=False, default=0),
    Column("message_id", String(255)),
    Column("error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("subscription_id", "kind", "period"),
    UniqueConstraint("account_id", "kind", "period"),
)


# Collections (migration 0008): a member's reading lists. `slug` is one URL segment, unique site-wide and kept when
# the title changes; every member has one collection with is_reading_list set (made on first save).
collections = Table(
    "collections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(120), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("private", Boolean, nullable=False, default=False),
    Column("is_reading_list", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

collection_items = Table(
    "collection_items",
    metadata,
    Column("collection_id", Integer, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),  # 0, 1, 2 … in the owner's order
    Column("note", Text, nullable=False, default=""),
    Column("added_at", UTCDateTime, nullable=False),
    Index("ix_collection_items_paper_id", "paper_id"),
)

# Authorship claims (migration 0008): a member says "I wrote this paper"; a curator approves or rejects it.
author_claims = Table(
    "author_claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    Column("author_name", String(300), nullable=False),  # which of the paper's author names is the member
    Column("status", String(16), nullable=False, default="pending"),  # pending | approved | rejected
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    UniqueConstraint("account_id", "paper_id"),
    Index("ix_author_claims_paper_id", "paper_id"),
    Index("ix_author_claims_status", "status"),
)

# Follows (migration 0008): what a member follows, for the "Following" tab, the digest and the private feed.
follows = Table(
    "follows",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),  # author | category | collection | search
    Column("target", String(500), primary_key=True),  # an author name, category, collection slug or query
    Column("created_at", UTCDateTime, nullable=False),
)

# The secret in a member's private Atom feed URL (migration 0008); replacing it revokes the old URL.
feed_tokens = Table(
    "feed_tokens",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)


class EmbeddingVector(TypeDecorator[Any]):
    """A float32 numpy vector: raw bytes on SQLite (the ANN index lives in a usearch file), pgvector on PostgreSQL."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        import numpy as np

        vector = np.asarray(value, dtype=np.float32)
        return vector.tobytes() if dialect.name == "sqlite" else vector

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        import numpy as np

        if value is None:
            return None
        if isinstance(value, bytes | memoryview):
            return np.frombuffer(bytes(value), dtype=np.float32)
        return np.asarray(value, dtype=np.float32)

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from pgvector.sqlalchemy import Vector

            return dialect.type_descriptor(Vector(384))
        return dialect.type_descriptor(LargeBinary())


# The fetch queue (migration 0006): papers members asked for that the store lacks, fetched by a worker.
fetch_queue = Table(
    "fetch_queue",
    metadata,
    Column("arxiv_id", String(64), primary_key=True),  # without version: one row per paper
    Column("state", String(16), nullable=False),  # queued | running | done | failed | not_found
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),  # a queued row is due from then on
    Column("claimed_until", UTCDateTime),  # a running row whose worker died is due again after this
    Column("last_error", Text),
    Column("requested_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # A member's submission waiting for the paper: listed on submit_day once it arrives.
    Column("submit_account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("submit_day", Date),
    Column("submit_comment", Text),
    Index("ix_fetch_queue_state_next_attempt_at", "state", "next_attempt_at"),
)

# Collections waiting for a queued paper (migration 0023): a BibTeX import named an arXiv id the store lacked;
# the paper joins each waiting collection when the fetch worker stores it.
fetch_collection_waits = Table(
    "fetch_collection_waits",
    metadata,
    Column("arxiv_id", String(64), primary_key=True),
    Column("collection_id", Integer, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("requested_at", UTCDateTime, nullable=False),
)

# Request pacing per remote host, shared by every worker process (migration 0006).
pacing = Table(
    "pacing",
    metadata,
    Column("host", String(200), primary_key=True),
    Column("next_at", UTCDateTime, nullable=False),  # the earliest time anyone may send the next request
)

# Named leases: at most one holder at a time, e.g. the served app's one active fetch worker (migration 0006).
leases = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# Batches of `dailypapers index --workers` work: a range of paper ids one worker at a time leases (migration 0013).
index_batches = Table(
    "index_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("after_id", String(64), nullable=False),  # the range is after_id < paper id <= last_id
    Column("last_id", String(64), nullable=False),
    Column("holder", String(100), nullable=True),  # the worker that claimed it last (kept once done)
    Column("expires_at", UTCDateTime, nullable=True),  # its lease: claimable again after this, unless done
    Column("claims", Integer, nullable=False, server_default="0"),  # times claimed: above 1 only after a lease ran out
    Column("done_at", UTCDateTime, nullable=True),
    Index("ix_index_batches_model_done_at", "model", "done_at"),
)

# /healthz writes a row here and rolls it back: a cheap proof that the store accepts writes (migration 0006).
health_probe = Table(
    "health_probe",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payload", LargeBinary, nullable=False),
)

# SQLite only: a stable integer id per paper for the FTS5 index and the usearch file (created by migration 0002).
search_docs = Table(
    "search_docs",
    metadata,
    Column("doc_id", Integer, primary_key=True, autoincrement=True),
    Column("paper_id", String(64), nullable=False, unique=True),
    info={"dialects": ["sqlite"]},
)

# PostgreSQL only: each lexeme's change in paper count per write, summed on read and compacted by `index`; the same
# for the number of papers and their total `search_length` (BM25's statistics, kept by migration 0027's triggers).
search_terms = Table(
    "search_terms",
    metadata,
    Column("lexeme", Text, nullable=False),
    Column("papers", BigInteger, nullable=False),
    Index("ix_search_terms_lexeme", "lexeme"),
    info={"dialects": ["postgresql"]},
)

search_corpus = Table(
    "search_corpus",
    metadata,
    Column("papers", BigInteger, nullable=False),
    Column("tokens", BigInteger, nullable=False),
    info={"dialects": ["postgresql"]},
)

paper_embeddings = Table(
    "paper_embeddings",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(200), nullable=False),
    Column("text_hash", String(32), nullable=False),  # digest of the embedded text: re-embed only when it changes
    Column("content_hash", String(32), nullable=False),  # papers.content_hash when last checked
    Column("seq", BigInteger, nullable=False),  # batch number, so the vector index can catch up incrementally
    Column("vector", EmbeddingVector, nullable=False),
    # migration 0018: the `seq` this paper's stored similar list was computed from (NULL or older: recompute)
    Column("similar_seq", BigInteger),
    Index("ix_paper_embeddings_seq", "seq"),
)

# Each paper's nearest papers by embedding (migration 0018), computed by `dailypapers index` (services/similar.py)
# so a paper page reads a short list instead of searching the vector index. Derived data: deleting rows makes the
# page compute them live again until the next index run.
similar_papers = Table(
    "similar_papers",
    metadata,
    Column("model", String(200), primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("neighbour_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("score", Float, nullable=False),  # cosine similarity
    Index("ix_similar_papers_neighbour_id", "neighbour_id"),  # deleting a paper finds the lists holding it
)

# Server-side sign-in sessions (migration 0005). The cookie holds a random id; only its SHA-256 is stored, so a
# leaked database holds no usable session. A row is the session: deleting it signs that browser out.
sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),  # absolute expiry counts from here
    Column("last_seen_at", UTCDateTime, nullable=False),  # idle expiry counts from here (updated at most once a minute)
    Column("user_agent", String(200), nullable=False, default=""),
)

# Rate-limit counters shared by every worker (migration 0005): one row per (limit, key, fixed window). `key` is
# "ip:<address>" or "account:<id>"; windows start at multiples of the limit's period (epoch seconds).
rate_counters = Table(
    "rate_counters",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("key", String(160), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", BigInteger, nullable=False),  # epoch seconds after which the row can be deleted
    Index("ix_rate_counters_expires_at", "expires_at"),
)

# Failed sign-ins per account name (migration 0005): after a few, sign-in is locked for a doubling time, and while
# it is locked even the right password is refused.
sign_in_backoff = Table(
    "sign_in_backoff",
    metadata,
    Column("name_key", String(100), primary_key=True),  # lower-cased username tried (known or not)
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
)

# Names of submitters that imported daily lists carry (migration 0005). They are not accounts and never become
# one: sign-up refuses these names, so no new account can take over an imported history.
imported_submitters = Table(
    "imported_submitters",
    metadata,
    Column("name_key", String(100), primary_key=True),  # lower-cased name
    Column("name", String(100), nullable=False),
)

# --- discussion (migration 0007): comments on papers, moderation, notifications ---

# One row per comment; never deleted, so replies keep their place: deleting sets `deleted` (a tombstone) and hiding
# by a curator sets `hidden`. `html` is the sanitised rendering of `raw`, cached at write time.
comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("parent_id", Integer, ForeignKey("comments.id", ondelete="SET NULL")),
    Column("raw", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("edited", Boolean, nullable=False, default=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("hidden_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Index("ix_comments_paper_id", "paper_id", "id"),
    Index("ix_comments_created_at", "created_at"),
    Index("ix_comments_account_id", "account_id"),
)

thread_locks = Table(
    "thread_locks",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("locked_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("locked_at", UTCDateTime, nullable=False),
)

comment_bans = Table(
    "comment_bans",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("banned_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("banned_at", UTCDateTime, nullable=False),
)

# The moderation queue: open reports have resolved_at NULL; a member reports a comment once.
comment_reports = Table(
    "comment_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("comment_id", Integer, ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("reporter_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    UniqueConstraint("comment_id", "reporter_id"),
    Index("ix_comment_reports_resolved_at", "resolved_at"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("recipient_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # mention | reply | submitted (a comment on a paper I submitted)
    Column("comment_id", Integer, ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime),
    UniqueConstraint("recipient_id", "comment_id"),  # one notification per comment and member, whatever the reasons
    Index("ix_notifications_created_at", "created_at"),
)

# How a member wants notification email; no row means the default (services/notifications.py DEFAULT_EMAIL).
notification_settings = Table(
    "notification_settings",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(16), nullable=False),  # immediately | daily | off
    Column("changed_at", UTCDateTime, nullable=False),
    Column("bounce_reason", Text),
)

# Personal recommendations (migration 0009). A member's "not interested" marks and seed papers ("a few papers you
# like"); their stored model and settings in member_profiles. All private to the member (storage/recommendations.py).
not_interested = Table(
    "not_interested",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

seed_papers = Table(
    "seed_papers",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

member_profiles = Table(
    "member_profiles",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("dial", Float, nullable=False, default=0.2),  # 0 = only the personal model, 1 = only community trending
    Column("categories", JSON, nullable=False),  # chosen categories: the cold start's trending filter
    Column("feed_token_hash", String(64), unique=True),  # SHA-256 of the private Atom feed's token; NULL = no feed
    Column("model", JSON),  # authors, categories, terms, counts (recommend/model.py); NULL until the first signal
    Column("centroid", LargeBinary),  # float32 unit vector: mean of the positives' embeddings
    Column("negative", LargeBinary),  # float32 unit vector: mean of the not-interested papers' embeddings
    Column("updated_at", UTCDateTime, nullable=False),
)

# A paper at a glance (migration 0011): keywords and an extractive TL;DR made by `dailypapers index` from the text
# whose hash is kept, and an abstractive summary made by `dailypapers summarise` when an LLM endpoint is set. Derived
# data: deleting a row makes the next index run redo it.
paper_glance = Table(
    "paper_glance",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("text_hash", String(32), nullable=False),  # of title + abstract (search.embed.text_hash)
    Column("content_hash", String(32), nullable=False),  # papers.content_hash when last checked
    Column("keywords", JSON, nullable=False),  # 3-6 phrases, best first
    Column("tldr", Text),  # the abstract sentence that states the contribution
    Column("ai_summary", Text),  # the LLM's one sentence, shown only while ai_summary_hash == text_hash
    Column("ai_summary_hash", String(32)),
    Column("ai_model", String(200)),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Thumbnails of papers' first PDF pages (migration 0019): the image is a file under $DAILYPAPERS_HOME/thumbnails;
# this row records what became of the last try, so a paper without one is not fetched again on every run.
paper_thumbnails = Table(
    "paper_thumbnails",
    metadata,
    Column("paper_id", String(64), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("state", String(16), nullable=False),  # queued | done | none (no PDF to be had) | failed (fetch failed)
    Column("version", Integer),  # the paper version rendered (a newer version is rendered again)
    Column("attempts", Integer, nullable=False, default=0),  # tries since the last success
    Column("next_attempt_at", UTCDateTime),  # queued/none/failed rows are due from then on; NULL: never again
    Column("last_error", Text),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_paper_thumbnails_state_next_attempt_at", "state", "next_attempt_at"),
)

# Lines of bulk files already imported (migration 0025): a re-run skips a line whose digest is here without parsing
# it, since importing the same line again changes nothing (services/imports.import_lines). The digest covers the
# file format's parser version, so a parser change re-reads every line once.
import_lines = Table(
    "import_lines",
    metadata,
    Column("digest", String(32), primary_key=True),  # blake2b-128, hex, of the format key and the line's text
    Column("papers", Integer, nullable=False),  # papers the line held, counted as read and unchanged when skipped
    Column("imported_at", UTCDateTime, nullable=False),
)
