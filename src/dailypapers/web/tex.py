"""LaTeX in arXiv titles, abstracts and search snippets turned into HTML, escaped first so no author text is markup.

Text-mode macros (\\emph{…}, \\textbf{…}, ``quotes'', ~, --) become HTML everywhere. Math is handled two ways:

- `tex_text` leaves `$…$` as escaped source for the vendored KaTeX (the paper page, whose discussion needs KaTeX
  anyway and which KaTeX renders with its full LaTeX coverage);
- `tex_html` and `tex_snippet` render each formula server-side to MathML (web/mathml.py) for cards, search
  snippets and lists, which load no KaTeX; a formula that will not convert stays as its escaped source.

Plain text (for `<title>`, feeds, emails) is `dailypapers.latex.plain`, exposed to templates as `tex_plain`.
`tex_links` also turns the http(s) URLs of a paper's arXiv comments into links (linkify-it-py, markdown-it's
linkifier), rel="nofollow noopener"; any other scheme (javascript:, data:, ftp:, mailto:) stays text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache, lru_cache
from urllib.parse import urlsplit

from linkify_it import LinkifyIt
from markupsafe import Markup, escape

from dailypapers.latex import MATH, plain
from dailypapers.web.mathml import formula

_MACROS = {
    "emph": "em",
    "textit": "em",
    "textbf": "strong",
    "texttt": "code",
    "textsc": "span",
    "textrm": "span",
    "textsf": "span",
    "mbox": "span",
}
_MACRO = re.compile(r"\\(" + "|".join(_MACROS) + r")\{([^{}]*)\}")
_TILDE = re.compile(r"(?<![/\w])~|(?<=\w)~(?=\w)")
_MARKS = re.compile(r"</?mark>")
_TEXT_MARKERS = ("\\", "``", "&#39;&#39;", "&#x27;&#x27;", "--", "~")


def _text_part(part: str) -> str:
    """Text-mode LaTeX of an already escaped piece outside math (it may hold the search's <mark> tags)."""
    if not any(marker in part for marker in _TEXT_MARKERS):
        return part  # most text: no regex run
    part = _MACRO.sub(lambda m: f"<{_MACROS[m.group(1)]}>{m.group(2)}</{_MACROS[m.group(1)]}>", part)
    part = part.replace("``", "\u201c").replace("&#39;&#39;", "\u201d").replace("&#x27;&#x27;", "\u201d")
    part = part.replace("---", "\u2014").replace("--", "\u2013").replace("\\%", "%").replace("\\&amp;", "&amp;")
    return _TILDE.sub("\u00a0", part)


def _rendered(escaped: str, math: Callable[[str], str], dollars: bool = True) -> Markup:
    """`dollars`: show an escaped `\\$` as `$` (not for KaTeX, whose auto-render reads `\\$` itself)."""
    parts = MATH.split(escaped) if "$" in escaped or "\\" in escaped else [escaped]
    text = (lambda part: _text_part(part).replace("\\$", "$")) if dollars else _text_part
    return Markup("".join(math(part) if index % 2 else text(part) for index, part in enumerate(parts)))


def tex_text(text: str | None) -> Markup:
    """Text-mode LaTeX as HTML, math left as escaped `$…$` for KaTeX (the paper page)."""
    return _rendered(str(escape(text or "")), lambda part: part, dollars=False)


def _mathml(escaped: str) -> str:
    """One escaped formula, delimiters included (search <mark>s possibly inside), as MathML; else as it came."""
    marked = "<mark>" in escaped
    source = html.unescape(_MARKS.sub("", escaped))
    cut = 2 if source.startswith(("$$", "\\[", "\\(")) else 1
    rendered = formula(source[cut:-cut])  # inline even for $$…$$: a card has no room for a display formula
    if rendered is None:
        return escaped
    return f"<mark>{rendered}</mark>" if marked else rendered


def tex_feed(text: str | None) -> Markup:
    """For feed readers, which run no KaTeX and seldom show MathML: text-mode macros as HTML, each formula as
    plain Unicode text (pylatexenc), escaped."""
    return _rendered(str(escape(text or "")), lambda part: str(escape(plain(html.unescape(part)))))


@lru_cache(maxsize=4096)
def tex_html(text: str | None) -> Markup:
    """Text-mode LaTeX as HTML and math as MathML: titles, abstracts and TL;DRs outside the paper page."""
    return _rendered(str(escape(text or "")), _mathml)


def tex_snippet(snippet: str | None) -> Markup:
    """A search snippet (HTML-escaped by search.snippet, matches in <mark>…</mark>) with its LaTeX rendered.

    Only the snippet's own <mark> tags are markup in it: everything else was escaped by search.snippet, and a
    formula's marks are dropped before conversion (the whole formula is marked instead)."""
    return _rendered(snippet or "", _mathml)


@cache
def _linkify() -> LinkifyIt:
    return LinkifyIt(options={"fuzzy_email": False})


def tex_links(text: str | None) -> Markup:
    """`tex_text` (math left for KaTeX) with http(s) URLs as links: a paper's arXiv comments on its page."""
    text = text or ""
    out, at = [], 0
    for match in _linkify().match(text) or []:
        if urlsplit(match.url).scheme.lower() not in ("http", "https"):
            continue
        out += [
            tex_text(text[at : match.index]),
            Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(match.url, match.text),
        ]
        at = match.last_index
    out.append(tex_text(text[at:]))
    return Markup("").join(out)
