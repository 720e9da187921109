"""One LaTeX formula to MathML, server-side (latex2mathml), so cards, snippets and lists show math with no script.

latex2mathml's output is not trusted as it comes: it is parsed as XML and written out again keeping only MathML
presentation elements and layout attributes (so `\\href{javascript:…}` loses its href, and no author text becomes
markup). A formula that does not convert, does not parse, or holds a macro latex2mathml does not know (it would
show `\\foo` as an identifier) gives None, and the caller shows the escaped source instead. Cached per formula.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from functools import lru_cache
from html import escape

from latex2mathml.converter import convert

log = logging.getLogger(__name__)

_ELEMENTS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt",
    "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose",
}  # fmt: skip
_ATTRIBUTES = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent", "accentunder",
    "movablelimits", "largeop", "symmetric", "minsize", "maxsize", "width", "height", "depth", "linethickness",
    "columnalign", "rowspacing", "columnspacing", "columnlines", "rowlines", "frame", "scriptlevel",
    "displaystyle", "notation", "form",
}  # fmt: skip
_TOKENS = {"mi", "mn", "mo", "ms", "mtext"}
MAX_FORMULA = 500  # characters of LaTeX; longer ones stay source (a runaway `$` pairing, not a formula)


class _Refused(ValueError):
    """The converted formula holds something we do not pass on."""


@lru_cache(maxsize=8192)
def formula(latex: str, display: bool = False) -> str | None:
    """MathML (`<math>…</math>`, no namespace: this is HTML) for one formula without its delimiters, or None."""
    if not latex.strip() or len(latex) > MAX_FORMULA:
        return None
    try:
        root = ET.fromstring(convert(latex, display="block" if display else "inline"))
        return _written(root)
    except Exception:  # latex2mathml raises many error types on malformed LaTeX; the source is shown instead
        log.debug("no MathML for %r", latex[:80])
        return None


def _written(element: ET.Element) -> str:
    tag = element.tag.rpartition("}")[2]
    if tag not in _ELEMENTS:
        raise _Refused(tag)
    text = element.text or ""
    if tag in _TOKENS and text.startswith("\\"):
        raise _Refused(text)  # an unknown macro, e.g. \foo, that latex2mathml passed through as a name
    attributes = "".join(
        f' {name}="{escape(value)}"'
        for name, value in sorted(element.attrib.items())
        if name in _ATTRIBUTES and (name, value) != ("display", "inline")  # inline is MathML's default
    )
    inner = escape(text, quote=False) + "".join(
        _written(child) + escape(child.tail or "", quote=False) for child in element
    )
    return f"<{tag}{attributes}>{inner}</{tag}>"
