"""Text-mode LaTeX in arXiv abstracts (\\emph{…}, ``quotes'', ~) turned into HTML; math is left for KaTeX.

Abstracts are escaped first, then only the pieces outside math delimiters are rewritten, so nothing an author
typed can inject markup, and `$…$` reaches KaTeX untouched.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$]+?\$|\\\(.+?\\\)|\\\[.+?\\\])", re.DOTALL)
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


def tex_text(text: str | None) -> Markup:
    parts = _MATH.split(str(escape(text or "")))
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # a math segment
            out.append(part)
            continue
        part = _MACRO.sub(lambda m: f"<{_MACROS[m.group(1)]}>{m.group(2)}</{_MACROS[m.group(1)]}>", part)
        part = part.replace("``", "\u201c").replace("&#39;&#39;", "\u201d").replace("---", "\u2014")
        part = part.replace("--", "\u2013").replace("\\%", "%").replace("\\&amp;", "&amp;")
        part = _TILDE.sub("\u00a0", part)
        out.append(part)
    return Markup("".join(out))
