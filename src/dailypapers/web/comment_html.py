"""A paper's discussion thread as HTML, built in one Python pass instead of a recursive Jinja macro.

Why not a template: a Jinja macro call per comment with a dozen attribute look-ups and tests cost ~40 µs, so a
200-comment thread spent more time in the template than the rest of the page together (issue 15 wants that page
within 1.5× of an empty one). Here a comment costs a few string joins: its body is the sanitised HTML stored at
write time (services/comments.py → markup.render_comment), everything else is escaped. The one open form (reply or
edit, `?reply=N` / `?edit=N`) is still the template's `comment_form` macro, passed in and called once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from dailypapers.queries.comments import Node, Thread
from dailypapers.web.context import iso_time, nice_date

Form = Callable[..., str]  # the template's comment_form(action, label, parent_id, text, submit) macro


@dataclass(frozen=True)
class Viewer:
    """Who looks, and which single comment form the page opens."""

    account_id: int | None  # None: signed out, no actions shown
    curator: bool
    token: str  # CSRF token for the inline delete / hide / report forms
    open_kind: str  # "reply", "edit", "report" or ""
    open_id: int | None
    keep: str  # query string kept in action links ("&order=newest")


def comment_thread(thread: Thread, paper_id: str, viewer: Viewer, form: Form) -> Markup:
    """The `<li>` of every root comment with its replies, in the thread's order."""
    can_write = not thread.locked and not thread.banned
    out: list[str] = []
    for node in thread.roots:
        _node(out, node, paper_id, viewer, can_write, form)
    return Markup("".join(out))


def _node(out: list[str], node: Node, paper: str, viewer: Viewer, can_write: bool, form: Form) -> None:
    c = node.comment
    css = "comment" + (" hidden-item" if c.hidden else "") + (" tombstone" if c.deleted else "")
    if c.author_username:
        who = f'<a class="author" href="/u/{escape(c.author_username)}">{escape(c.author_username)}</a>'
    else:
        who = "<span>[deleted account]</span>"
    out.append(
        f'<li class="{css}" id="comment-{c.id}">\n<div class="comment-head small muted">{who}'
        f' · <a class="permalink" href="/papers/{escape(paper)}#comment-{c.id}">'
        f'<time datetime="{iso_time(c.created_at)}">{nice_date(c.created_at)}</time></a>'
    )
    if c.edited and not c.deleted:
        out.append(' · <span class="edited">edited</span>')
    if node.replying_to:
        out.append(f" · replying to @{escape(node.replying_to)}")
    if c.hidden:
        out.append(' · <span class="hidden-flag">hidden by a moderator</span>')
    out.append("</div>\n")
    if c.deleted:
        out.append('<p class="comment-body muted">[deleted]</p>\n')
    elif c.hidden and not viewer.curator:
        out.append('<p class="comment-body muted">[hidden by a moderator]</p>\n')
    else:
        out.append(f'<div class="comment-body">{c.html}</div>\n')  # sanitised when written (markup.clean)
    if viewer.account_id is not None and not c.deleted:
        _actions(out, node, paper, viewer, can_write, form)
    if node.children:
        out.append('<ol class="replies plain">')
        for child in node.children:
            _node(out, child, paper, viewer, can_write, form)
        out.append("</ol>\n")
    out.append("</li>\n")


def _actions(out: list[str], node: Node, paper: str, viewer: Viewer, can_write: bool, form: Form) -> None:
    c, token, anchor = node.comment, escape(viewer.token), f"{escape(viewer.keep)}#comment-{node.comment.id}"
    mine = c.account_id == viewer.account_id
    out.append('<div class="comment-actions small">')
    if node.shows_text and can_write:
        out.append(f' <a class="reply-link" href="?reply={c.id}{anchor}">Reply</a>')
    if mine and not c.hidden and can_write:
        out.append(f' <a class="edit-link" href="?edit={c.id}{anchor}">Edit</a>')
    if mine or viewer.curator:
        out.append(
            f' <form method="post" action="/comments/{c.id}/delete" class="inline">'
            f'<input type="hidden" name="csrf_token" value="{token}">'
            '<button class="linklike delete" type="submit">Delete</button></form>'
        )
    if not mine and node.shows_text:
        out.append(f' <a class="report-link" href="?report={c.id}{anchor}">Report</a>')
    if viewer.curator:
        flag, label = ("0", "Unhide") if c.hidden else ("1", "Hide")
        out.append(
            f' <form method="post" action="/comments/{c.id}/hide" class="inline">'
            f'<input type="hidden" name="csrf_token" value="{token}"><input type="hidden" name="hidden" value="{flag}">'
            f'<button class="linklike moderate" type="submit">{label}</button></form>'
        )
    out.append("</div>\n")
    if viewer.open_id != c.id:
        return
    if viewer.open_kind == "reply" and node.shows_text and can_write:
        reply = form(f"/papers/{paper}/comments", "Your reply", c.id, "", "Reply")
        out.append(f'<div class="reply-form">{reply}</div>\n')
    elif viewer.open_kind == "edit" and mine and not c.hidden and can_write:
        edit = form(f"/comments/{c.id}/edit", "Edit your comment", None, c.raw, "Save")
        out.append(f'<div class="edit-form">{edit}</div>\n')
    elif viewer.open_kind == "report" and not mine and node.shows_text:
        out.append(
            f'<form class="report-form" method="post" action="/comments/{c.id}/report">'
            f'<input type="hidden" name="csrf_token" value="{token}">'
            '<label class="small">Why? <input name="reason" maxlength="500"></label> '
            '<button type="submit">Report to moderators</button></form>\n'
        )
