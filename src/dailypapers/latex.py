"""LaTeX in arXiv titles and abstracts as plain text (pylatexenc), and where its math formulas are. No I/O here.

Plain text is for places that cannot show markup: `<title>`, RSS/Atom feeds, email subjects and bodies, the
suggestions' JSON. `SP$^3$` reads `SP³`, `$\\ell_2$` reads `ℓ₂`, `\\textbf{MBench}` reads `MBench`. Conversions are
cached (a feed converts the same titles on every request) and text with nothing LaTeX-like skips the parser.
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache

from pylatexenc.latex2text import LatexNodes2Text

log = logging.getLogger(__name__)

# A formula: $$…$$, $…$, \(…\) or \[…\]; an escaped dollar (\$5) opens nothing.
MATH = re.compile(
    r"((?<!\\)\$\$.+?(?<!\\)\$\$|(?<!\\)\$(?:\\.|[^$\\])+?\$|\\\(.+?\\\)|\\\[.+?\\\])",
    re.DOTALL,
)
_NEEDS_PARSER = re.compile(r"[\\${}]")  # without these, LaTeX in prose is only ligatures, quotes and ~
_TIE = re.compile(r"(?<!/)~")  # Fig.~3 is a tie; the ~ of http://host/~user is not
_UNESCAPED = re.compile(r"(?<!\\)([%&#])")  # comment / alignment / parameter in LaTeX, plain characters in abstracts
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]{1,12})\}|([0-9a-z+\-=()]))")
_SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
_SUBSCRIPTS = dict(zip("0123456789+-=()aeijkmnoprstux", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₘₙₒₚᵣₛₜᵤₓ", strict=True))


def math_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every formula in `text`, delimiters included."""
    return [m.span() for m in MATH.finditer(text)] if "$" in text or "\\" in text else []


@lru_cache(maxsize=8192)
def plain(text: str | None) -> str:
    """`text` with its LaTeX rendered as Unicode plain text on one line; the source itself if it will not parse."""
    flat = " ".join((text or "").split())
    if not _NEEDS_PARSER.search(flat):  # most titles: no parser (pylatexenc takes milliseconds a text)
        return _ligatures(flat)
    source = MATH.sub(lambda m: _scripts(m.group(0)), _UNESCAPED.sub(r"\\\1", flat))
    try:
        converted = _converter().latex_to_text(source)
    except Exception:  # pylatexenc raises assorted errors on malformed input: show the source, never fail
        log.debug("plain text of LaTeX failed for %r", flat[:80])
        return flat
    return " ".join(converted.split())


def _ligatures(text: str) -> str:
    """What pylatexenc would make of prose without macros, braces or math: dashes, quotes and ties."""
    for latex, char in (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d")):
        text = text.replace(latex, char)
    return _TIE.sub("\u00a0", text) if "~" in text else text


def _scripts(formula: str) -> str:
    """`^3`, `^{10}`, `_{2}` as Unicode super/subscripts where every character has one; others left to pylatexenc."""

    def one(m: re.Match[str]) -> str:
        body = m.group(2) if m.group(2) is not None else m.group(3)
        table = _SUPERSCRIPTS if m.group(1) == "^" else _SUBSCRIPTS
        return "".join(table[c] for c in body) if all(c in table for c in body) else m.group(0)

    return _SCRIPT.sub(one, formula)


@cache
def _converter() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)
