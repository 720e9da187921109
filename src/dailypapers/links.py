"""Code repositories and project pages named in a paper's abstract, comments or imported data. No I/O here.

Only http/https URLs come out, normalised (lower-case host, no fragment, no `.git`, no trailing punctuation, a
repository cut to its root, https for code hosts) so the same repository written three ways is one link. A code
link points into GitHub, GitLab, Bitbucket, Codeberg, anonymous.4open.science or a Hugging Face model, dataset,
Space, collection or organisation; a project page is a github.io / gitlab.io / netlify / vercel site, or any other
site the text introduces as a project page, website, homepage or demo, or as where something "is available at".
Cited venues, DOIs, videos and social media never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

# http(s) URLs, and bare `github.com/…` / `www.…` ones (abstracts often drop the scheme).
_URL = re.compile(
    r"(?:https?://|(?<![\w@/.])(?=(?:www\.|github\.com/|gitlab\.com/|huggingface\.co/)))[^\s<>\"'`{}|\\^]+",
    re.IGNORECASE,
)
# Every _URL match contains one of these (lower-cased): a substring test rules out the regex for most texts.
_URL_MARKERS = ("http://", "https://", "www.", "github.com/", "gitlab.com/", "huggingface.co/")
_TRAILING = ".,;:!?'\"”’)]}>*"
_CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "anonymous.4open.science"}
_HF_HOSTS = {"huggingface.co", "hf.co"}
_HF_NOT_REPOS = {"papers", "docs", "blog", "spaces", "datasets", "models", "join", "login", "settings", "pricing"}
_GITHUB_NOT_REPOS = {"features", "topics", "orgs", "sponsors", "marketplace", "settings", "about", "login"}
_PAGES_HOSTS = (".github.io", ".gitlab.io", ".pages.dev", ".netlify.app", ".vercel.app")
# Sites that are never a paper's own project page.
_NOT_PROJECT = (
    "arxiv.org",
    "doi.org",
    "creativecommons.org",
    "openreview.net",
    "aclanthology.org",
    "ieeexplore.ieee.org",
    "dl.acm.org",
    "proceedings.mlr.press",
    "neurips.cc",
    "papers.nips.cc",
    "openaccess.thecvf.com",
    "zenodo.org",
    "youtube.com",
    "youtu.be",
    "twitter.com",
    "x.com",
    "colab.research.google.com",
    "drive.google.com",
)
_PROJECT_CUE = re.compile(
    r"(project\s*(?:page|website|site|homepage)|web\s*(?:site|page)|homepage|home\s*page|demo|"
    r"(?:code|data|dataset|models?|benchmark|resources?|materials?)[^.]{0,40}?(?:available|released|found|at)|"
    r"available\s+(?:at|on|from|online|here)|can\s+be\s+(?:found|accessed|seen)(?:\s+(?:here|at|in|on))?|see|visit|"
    r"here|at|in|on)\W{0,6}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Links:
    code: str | None = None
    project: str | None = None


def normalise_url(raw: str | None) -> str | None:
    """`raw` as a clean http/https URL, or None when it is not one (another scheme, no host, not a URL)."""
    if not raw:
        return None
    text = raw.strip().rstrip(_TRAILING)
    while text.endswith(")") or text.endswith("]"):
        text = text[:-1]
    if not re.match(r"^https?://", text, re.IGNORECASE):
        if "://" in text or text.lower().startswith(("mailto:", "javascript:", "data:")):
            return None
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme.lower() not in ("http", "https") or "." not in host or parts.username or parts.password:
        return None
    if not re.fullmatch(r"[a-z0-9.\-]+\.[a-z]{2,24}", host):  # a real top-level domain (not "github.c10pom")
        return None
    netloc = host if port is None else f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip(_TRAILING)
    if host.startswith("www.") and host[4:] in _CODE_HOSTS | _HF_HOSTS:
        host = netloc = host[4:]
    scheme = parts.scheme.lower()
    if host in _CODE_HOSTS or host in _HF_HOSTS:
        scheme = "https"  # every code host serves https; http links to them only redirect
        path = _repository_root(host, path) or path
        if path.lower().endswith(".git"):
            path = path[:-4]
    path = path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query if path else "", ""))


def _repository_root(host: str, path: str) -> str | None:
    """The repository (or organisation) a link points into, cut to its root; None when it is not one.

    /owner/repo on GitHub and the like (an /owner page alone counts: labs publish their code there), every group
    level on GitLab, /r/name on anonymous.4open.science, and a Hugging Face model, dataset, Space, collection or
    organisation."""
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    if host in _HF_HOSTS:
        if segments[0] in ("spaces", "datasets", "collections"):
            return "/" + "/".join(segments[:3]) if len(segments) >= 3 else None
        return None if segments[0] in _HF_NOT_REPOS else "/" + "/".join(segments[:2])
    if host == "anonymous.4open.science":
        return "/" + "/".join(segments[:2]) if segments[0] == "r" and len(segments) >= 2 else None
    if host == "gitlab.com":
        if "-" in segments:  # gitlab.com/group/sub/project/-/tree/main
            segments = segments[: segments.index("-")]
        return "/" + "/".join(segments)
    if segments[0].lower() in _GITHUB_NOT_REPOS:
        return None
    return "/" + "/".join(segments[:2])


def is_code_url(url: str) -> bool:
    """A repository link: on a code host (or Hugging Face) with an owner and a repository."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (host in _CODE_HOSTS or host in _HF_HOSTS) and _repository_root(host, parts.path) is not None


_LATEX_OPENER = re.compile(r"[~$]*\\(?:href|url)\s*\{?\s*$")


def _is_project_url(url: str, before: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    before = _LATEX_OPENER.sub("", before.rstrip()).rstrip("({[ ")
    if any(host == h or host.endswith("." + h) for h in _NOT_PROJECT) or host in _CODE_HOSTS | _HF_HOSTS:
        return False
    return host.endswith(_PAGES_HOSTS) or bool(_PROJECT_CUE.search(before + " "))


def urls_in(text: str | None) -> list[tuple[str, str]]:
    """Every http/https URL in `text`, normalised, with the 60 characters before it (for cue phrases)."""
    found: list[tuple[str, str]] = []
    lowered = (text or "").lower()
    if not any(marker in lowered for marker in _URL_MARKERS):  # most abstracts: skip the regex's per-character scan
        return found
    for match in _URL.finditer(text or ""):
        url = normalise_url(match.group(0))
        if url:
            found.append((url, text[max(0, match.start() - 60) : match.start()] if text else ""))
    return found


def find_links(*texts: str | None) -> Links:
    """The first code repository and the first project page named in `texts` (abstract first, then comments)."""
    code = project = None
    for text in texts:
        for url, before in urls_in(text):
            if code is None and is_code_url(url):
                code = url
            elif project is None and not is_code_url(url) and _is_project_url(url, before):
                project = url
    return Links(code, project)


def paper_links(
    abstract: str | None, comments: str | None, repo_url: str | None = None, project_page: str | None = None
) -> Links:
    """What a source states outright (HF's githubRepo / projectPage) wins over what the text mentions.

    A stated project page that is really a repository (HF sometimes puts the GitHub link there) counts as code."""
    stated_code, stated_project = normalise_url(repo_url), normalise_url(project_page)
    if stated_project and is_code_url(stated_project):
        stated_code = stated_code or stated_project
        stated_project = None if stated_project == stated_code else stated_project
    found = find_links(abstract, comments)
    return Links(stated_code or found.code, stated_project or found.project)
