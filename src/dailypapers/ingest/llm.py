"""One-sentence summaries from an OpenAI-compatible chat endpoint (`POST /v1/chat/completions`).

Ollama, llama.cpp's server and vLLM all speak this protocol. Requests go through the polite client (paced per host,
bounded retries, one clear `IngestError` at the end); what comes back is checked before it is kept: one sentence,
not empty, not too long, and no number the abstract does not contain. An answer that fails is dropped and the
extractive TL;DR stays.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from dailypapers.config import Config
from dailypapers.ingest.http import PoliteClient, UnreadableReply
from dailypapers.search.tldr import sentences

SYSTEM_PROMPT = (
    "You write the TL;DR of a research paper: exactly one plain sentence of at most 35 words saying what the paper "
    "contributes. Use only facts stated in the abstract; do not add numbers, names or claims it does not contain. "
    "Answer with the sentence only: no preamble, no quotes, no Markdown."
)
MAX_WORDS = 60
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PREFIX = re.compile(r"^\s*(?:tl;?dr|summary|one-sentence summary)\s*[:\-–]\s*", re.IGNORECASE)


def chat_url(base: str) -> str:
    """The chat endpoint under a base URL given with or without `/v1` (or as the full endpoint)."""
    url = base.strip().rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    return url + ("/chat/completions" if url.endswith("/v1") else "/v1/chat/completions")


def llm_configured(config: Config) -> bool:
    return bool(config.text("DAILYPAPERS_LLM_URL").strip() and config.text("DAILYPAPERS_LLM_MODEL").strip())


def llm_client(config: Config) -> PoliteClient:
    """A polite client paced by DAILYPAPERS_LLM_DELAY instead of arXiv's three seconds."""
    client = PoliteClient(config)
    client.delay = config.number("DAILYPAPERS_LLM_DELAY")
    return client


def _content(reply: httpx.Response) -> str:
    try:
        content = reply.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise UnreadableReply(f"not a chat completion: {exc}") from None
    if not isinstance(content, str):
        raise UnreadableReply("the message content is not text")
    return content


def ask_summary(client: PoliteClient, config: Config, title: str, abstract: str) -> str:
    """The model's raw answer for one paper; raises IngestError when the endpoint fails."""
    body: dict[str, Any] = {
        "model": config.text("DAILYPAPERS_LLM_MODEL").strip(),
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Title: {title}\n\nAbstract: {abstract}"},
        ],
        "temperature": 0,
        "max_tokens": 120,
        "stream": False,
    }
    key = config.values["DAILYPAPERS_LLM_API_KEY"].strip()
    headers = {"Authorization": f"Bearer {key}"} if key else None
    return client.post_json(chat_url(config.values["DAILYPAPERS_LLM_URL"]), body, parse=_content, headers=headers)


def checked_summary(answer: str, title: str, abstract: str) -> str | None:
    """The answer as one clean sentence, or None when it is empty, several sentences, too long, or has a number
    that is not in the title or abstract (an invented figure)."""
    text = " ".join(answer.split()).strip("\"'“”* ")
    text = _PREFIX.sub("", text).strip("\"'“”* ")
    if not text or len(sentences(text)) != 1 or len(text.split()) > MAX_WORDS or len(text.split()) < 4:
        return None
    known = set(_NUMBER.findall(f"{title} {abstract}"))
    if any(number not in known for number in _NUMBER.findall(text)):
        return None
    return text if text.endswith((".", "!", "?")) else text + "."
