"""Members' comment text to safe HTML: CommonMark (markdown-it-py) with `$…$` / `$$…$$` math and @mentions, then
cleaned by nh3 (the ammonia sanitiser), whatever the Markdown produced.

Math is parsed by mdit-py-plugins' dollarmath before any emphasis rule can mangle it and is emitted escaped inside
`<span class="math-inline">` / `.math-display`, which web/static/comments.js hands to the vendored KaTeX. Raw HTML
is never passed through (markdown-it's `html` option is off, and nh3 would drop it anyway); images are not
rendered (no tracking pixels); links keep only http(s) targets and the `/u/{name}` profile paths of mentions, and
get rel="nofollow ugc noopener". No I/O: which names are accounts is the caller's answer (`known`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9][A-Za-z0-9_-]{1,38})\b")
_PROFILE = re.compile(r"^/u/[A-Za-z0-9][A-Za-z0-9_-]{1,38}$")
_TAGS = {
    "a", "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "span", "div",
}  # fmt: skip
_CLASSES = {"span": {"math-inline", "math-display", "mention"}, "div": {"math-display"}}


def _math(kind: str) -> Callable[..., str]:
    tag, css = ("div", "math-display") if kind == "block" else ("span", kind)

    def render(_self: Any, tokens: list[Token], idx: int, _options: Any, _env: Any) -> str:
        return f'<{tag} class="{css}">{html.escape(tokens[idx].content.strip())}</{tag}>'

    return render


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    md.add_render_rule("math_inline", _math("math-inline"))
    md.add_render_rule("math_inline_double", _math("math-display"))
    md.add_render_rule("math_block", _math("block"))
    md.add_render_rule("math_block_label", _math("block"))
    return md


def mentioned_names(raw: str) -> set[str]:
    """Lower-cased @names in the text, outside code, math and links (which names are accounts is not known here)."""
    found: set[str] = set()
    for token in _text_tokens(_parser().parse(raw)):
        found.update(m.group(1).lower() for m in MENTION.finditer(token.content))
    return found


def render_comment(raw: str, known: Mapping[str, str]) -> str:
    """Sanitised HTML of a comment; `known` maps lower-cased names of existing accounts to their spelling."""
    md = _parser()
    tokens = md.parse(raw)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _link_mentions(token.children, known)
    return clean(md.renderer.render(tokens, md.options, {}))


def clean(markup: str) -> str:
    """nh3 with our allow-list: the last word on what reaches a page, whatever produced the markup."""
    return nh3.clean(
        markup,
        tags=_TAGS,
        attributes={"a": {"href"}},
        allowed_classes=_CLASSES,
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener",
        attribute_filter=_only_web_links,
        strip_comments=True,
    )


def _only_web_links(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        if value.startswith(("http://", "https://")) or _PROFILE.match(value):
            return value
        return None
    return value


def _text_tokens(tokens: list[Token]) -> list[Token]:
    """Plain text tokens outside links (inline code and math are tokens of their own, so they are skipped)."""
    out: list[Token] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for child in token.children:
            depth += child.type == "link_open"
            depth -= child.type == "link_close"
            if child.type == "text" and not depth:
                out.append(child)
    return out


def _link_mentions(children: list[Token], known: Mapping[str, str]) -> list[Token]:
    out: list[Token] = []
    depth = 0
    for child in children:
        depth += child.type == "link_open"
        depth -= child.type == "link_close"
        if child.type != "text" or depth or "@" not in child.content:
            out.append(child)
            continue
        text, last = child.content, 0
        for match in MENTION.finditer(text):
            name = known.get(match.group(1).lower())
            if name is None:
                continue
            out.append(_text(text[last : match.start()]))
            link = Token("link_open", "a", 1, attrs={"href": f"/u/{name}"})
            out += [link, _text(f"@{name}"), Token("link_close", "a", -1)]
            last = match.end()
        out.append(_text(text[last:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token
