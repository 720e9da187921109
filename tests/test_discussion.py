"""Discussions on paper pages: posting, replies, edits, tombstones, safe Markdown + LaTeX, moderation, counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from dailypapers.config import Config
from dailypapers.queries.comments import MAX_DEPTH, thread
from dailypapers.services import accounts, moderation
from dailypapers.services.comments import (
    CommentError,
    NotAllowed,
    ThreadLocked,
    UnknownTarget,
    delete_comment,
    edit_comment,
    post_comment,
    report_comment,
)
from dailypapers.storage import Store
from helpers.site import client_for, csrf_from, hf_days, load_days, sign_in, sign_up, soup

PASSWORD = "correct horse battery"


@pytest.fixture
def paper_id(store: Store, shared: Path) -> str:
    days = hf_days(shared, 1)
    load_days(store, days)
    return str(days[0]["papers"][0]["paper"]["id"])


def member(store: Store, name: str, role: str = "member") -> accounts.StoredAccount:
    return accounts.create_account(store, name, PASSWORD, email=f"{name}@example.org", role=role)


def test_a_reply_sits_under_its_parent_and_a_deleted_parent_keeps_it(store: Store, paper_id: str) -> None:
    ada, bob = member(store, "ada"), member(store, "bob")
    top = post_comment(store, ada, paper_id, "What is the **baseline**?")
    reply = post_comment(store, bob, paper_id, "See table 2.", top.id)
    delete_comment(store, ada, top.id)
    roots = thread(store, paper_id, None).roots
    assert [n.comment.id for n in roots] == [top.id]
    assert roots[0].comment.deleted and roots[0].comment.raw == "" and not roots[0].shows_text
    assert [n.comment.id for n in roots[0].children] == [reply.id]
    assert thread(store, paper_id, None).count == 1


def test_editing_marks_the_comment_edited_and_only_its_author_may(store: Store, paper_id: str) -> None:
    ada, bob = member(store, "ada"), member(store, "bob")
    comment = post_comment(store, ada, paper_id, "first")
    edited = edit_comment(store, ada, comment.id, "second")
    assert edited.edited and edited.raw == "second" and "second" in edited.html
    with pytest.raises(NotAllowed):
        edit_comment(store, bob, comment.id, "mine now")
    with pytest.raises(NotAllowed):
        delete_comment(store, bob, comment.id)
    curator = member(store, "cleo", "curator")
    assert delete_comment(store, curator, comment.id).deleted


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "$</span><script>alert(1)</script>$",
        "$$\\href{javascript:alert(1)}{x}$$",
        "`<script>`",
        '<div onclick="alert(1)">x</div>',
    ],
)
def test_markdown_raw_html_and_latex_never_carry_script(store: Store, paper_id: str, text: str) -> None:
    html = post_comment(store, member(store, "ada"), paper_id, text).html
    page = soup(html)
    assert not page.find_all(["script", "img", "iframe", "style"])
    for tag in page.find_all(True):
        assert not [a for a in tag.attrs if a.startswith("on")]
        href = tag.get("href")
        assert href is None or str(href).startswith(("http://", "https://", "/u/"))
    assert "javascript:" not in " ".join(str(a.get("href", "")) for a in page.find_all("a"))


def test_links_code_and_math_render_and_math_reaches_katex_escaped(store: Store, paper_id: str) -> None:
    text = "See [code](https://github.com/x/y), `a<b`, $x_1 < y$ and\n\n$$\\sum_i a_i$$\n\n```\nif a<b: pass\n```"
    page = soup(post_comment(store, member(store, "ada"), paper_id, text).html)
    link = page.select_one("a")
    assert link is not None and link["href"] == "https://github.com/x/y"
    assert set(str(link["rel"]).split() if isinstance(link["rel"], str) else link["rel"]) == {
        "nofollow",
        "ugc",
        "noopener",
    }
    assert page.select_one("span.math-inline").get_text() == "x_1 < y"  # type: ignore[union-attr]
    assert page.select_one(".math-display").get_text() == "\\sum_i a_i"  # type: ignore[union-attr]
    assert page.select_one("pre code").get_text() == "if a<b: pass\n"  # type: ignore[union-attr]


def test_mentions_link_to_existing_members_only(store: Store, paper_id: str) -> None:
    member(store, "Bob")
    html = post_comment(store, member(store, "ada"), paper_id, "@bob and @nobody, not `@bob`").html
    links = soup(html).select("a")
    assert [(a["href"], a.get_text()) for a in links] == [("/u/Bob", "@Bob")]


def test_empty_huge_and_foreign_parent_comments_are_refused(store: Store, paper_id: str, shared: Path) -> None:
    ada = member(store, "ada")
    with pytest.raises(CommentError, match="empty"):
        post_comment(store, ada, paper_id, "   ")
    with pytest.raises(CommentError, match="too long"):
        post_comment(store, ada, paper_id, "x" * 10_001)
    assert post_comment(store, ada, paper_id, "x" * 10_000).raw == "x" * 10_000
    other = str(hf_days(shared, 1)[0]["papers"][1]["paper"]["id"])
    elsewhere = post_comment(store, ada, other, "on another paper")
    with pytest.raises(CommentError, match="not part of"):
        post_comment(store, ada, paper_id, "reply", elsewhere.id)
    with pytest.raises(CommentError, match="not part of"):
        post_comment(store, ada, paper_id, "reply", 987654)
    with pytest.raises(UnknownTarget):
        post_comment(store, ada, "2401.99999", "hello")


def test_a_deep_reply_chain_is_shown_no_deeper_than_the_cap(store: Store, paper_id: str) -> None:
    ada = member(store, "ada")
    parent = None
    for i in range(40):
        parent = post_comment(store, ada, paper_id, f"level {i}", parent.id if parent else None)
    nodes, depth, node = [], 0, thread(store, paper_id, None).roots[0]
    while True:
        nodes.append(node)
        depth = max(depth, node.depth)
        if not node.children:
            break
        node = node.children[-1]
    assert depth == MAX_DEPTH
    flat = [n for n in _walk(thread(store, paper_id, None).roots)]
    assert len(flat) == 40 and max(n.depth for n in flat) == MAX_DEPTH
    assert all(n.replying_to == "ada" for n in flat if n.depth == MAX_DEPTH and n.comment.raw != "level 6")


def _walk(nodes: list) -> list:  # type: ignore[type-arg]
    out = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node.children))
    return out


def test_locks_and_bans_stop_posting_and_only_curators_set_them(store: Store, paper_id: str) -> None:
    ada, cleo = member(store, "ada"), member(store, "cleo", "curator")
    with pytest.raises(NotAllowed):
        moderation.lock_thread(store, ada, paper_id)
    moderation.lock_thread(store, cleo, paper_id)
    with pytest.raises(ThreadLocked):
        post_comment(store, ada, paper_id, "hello")
    moderation.lock_thread(store, cleo, paper_id, locked=False)
    comment = post_comment(store, ada, paper_id, "hello")
    moderation.ban_commenter(store, cleo, "ada")
    with pytest.raises(NotAllowed, match="no longer comment"):
        post_comment(store, ada, paper_id, "again")
    with pytest.raises(NotAllowed):
        moderation.ban_commenter(store, cleo, "cleo")
    moderation.ban_commenter(store, cleo, "ada", banned=False)
    assert post_comment(store, ada, paper_id, "back", comment.id).parent_id == comment.id


def test_a_hidden_comment_shows_as_a_tombstone_to_members_and_leaves_the_queue(
    store: Store, config: Config, paper_id: str
) -> None:
    ada, bob, cleo = member(store, "ada"), member(store, "bob"), member(store, "cleo", "curator")
    comment = post_comment(store, ada, paper_id, "rude words here")
    assert report_comment(store, bob, comment.id, "rude") and not report_comment(store, bob, comment.id)
    client = client_for(config, store)
    sign_up(client, "dora")
    page = soup(client.get(f"/papers/{paper_id}").text)
    assert "rude words" in page.select_one(f"#comment-{comment.id}").get_text()  # type: ignore[union-attr]
    moderation.hide_comment(store, cleo, comment.id)
    page = soup(client.get(f"/papers/{paper_id}").text)
    body = page.select_one(f"#comment-{comment.id} .comment-body")
    assert body is not None and body.get_text() == "[hidden by a moderator]"
    assert client.get("/moderation").status_code == 403
    cleo_client = client_for(config, store)
    sign_in(cleo_client, "cleo", PASSWORD)
    assert "rude words" in cleo_client.get(f"/papers/{paper_id}").text  # curators still see it
    assert soup(cleo_client.get("/moderation").text).select(".report") == []


def test_cards_and_the_paper_page_link_our_count_and_label_the_imported_one(
    store: Store, config: Config, paper_id: str
) -> None:
    post_comment(store, member(store, "ada"), paper_id, "one")
    client = client_for(config, store)
    card = soup(client.get("/papers").text).find(id=f"paper-{paper_id}")
    assert card is not None
    count = card.select_one("a.discussion-count")
    assert count is not None and count["href"] == f"/papers/{paper_id}#discussion" and count.get_text() == "1 comment"
    imported = card.select_one(".imported-count")
    assert imported is None or "imported" in imported.get_text()
    page = soup(client.get(f"/papers/{paper_id}").text)
    assert page.select_one("#discussion") is not None
    assert page.select_one("dd a.discussion-count").get_text() == "1 comment"  # type: ignore[union-attr]


def test_the_page_forms_post_reply_edit_and_delete_with_csrf(store: Store, config: Config, paper_id: str) -> None:
    client = client_for(config, store)
    sign_up(client, "ada")
    token = csrf_from(client, f"/papers/{paper_id}")
    refused = client.post(f"/papers/{paper_id}/comments", data={"text": "hi"}, follow_redirects=False)
    assert refused.status_code == 403
    posted = client.post(
        f"/papers/{paper_id}/comments", data={"text": "hi $x$", "csrf_token": token}, follow_redirects=False
    )
    assert posted.status_code == 303 and "#comment-" in posted.headers["location"]
    comment_id = int(posted.headers["location"].rsplit("-", 1)[1])
    data = {"text": "edited text", "csrf_token": token}
    assert client.post(f"/comments/{comment_id}/edit", data=data, follow_redirects=False).status_code == 303
    page = soup(client.get(f"/papers/{paper_id}").text)
    assert page.select_one(f"#comment-{comment_id} .edited") is not None
    opened = soup(client.get(f"/papers/{paper_id}?edit={comment_id}").text)
    assert opened.select_one(f"#comment-{comment_id} .edit-form textarea").get_text() == "edited text"  # type: ignore[union-attr]
    opened = soup(client.get(f"/papers/{paper_id}?reply={comment_id}").text)
    parent_field = opened.select_one(f"#comment-{comment_id} .reply-form input[name=parent_id]")
    assert parent_field is not None and parent_field["value"] == str(comment_id)
    assert client.get(f"/papers/{paper_id}?reply=abc").status_code == 400
    data = {"text": "a reply", "parent_id": str(comment_id), "csrf_token": token}
    assert client.post(f"/papers/{paper_id}/comments", data=data, follow_redirects=False).status_code == 303
    delete = client.post(f"/comments/{comment_id}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert delete.status_code == 303
    page = soup(client.get(f"/papers/{paper_id}?order=newest").text)
    assert page.select_one(f"#comment-{comment_id} > .comment-body").get_text() == "[deleted]"  # type: ignore[union-attr]
    assert "a reply" in page.select_one(f"#comment-{comment_id} .replies").get_text()  # type: ignore[union-attr]
    assert client.post("/papers/2401.99999/comments", data={"text": "x", "csrf_token": token}).status_code == 404


def test_each_reader_sees_only_the_actions_they_may_take(store: Store, config: Config, paper_id: str) -> None:
    ada, cleo = member(store, "ada"), member(store, "cleo", "curator")
    top = post_comment(store, ada, paper_id, "top <b>x</b>")
    reply = post_comment(store, cleo, paper_id, "a reply", top.id)

    def actions(client: object, comment_id: int, query: str = "") -> list[str]:
        page = soup(client.get(f"/papers/{paper_id}{query}").text)  # type: ignore[attr-defined]
        found = page.select(
            f"#comment-{comment_id} > .comment-actions a, #comment-{comment_id} > .comment-actions button"
        )
        return [tag.get_text() for tag in found]

    outsider = client_for(config, store)
    assert actions(outsider, top.id) == [] and "<b>x</b>" not in outsider.get(f"/papers/{paper_id}").text
    author = client_for(config, store)
    sign_in(author, "ada", PASSWORD)
    assert actions(author, top.id) == ["Reply", "Edit", "Delete"]
    assert actions(author, reply.id) == ["Reply", "Report"]
    opened = soup(author.get(f"/papers/{paper_id}?report={reply.id}&order=newest").text)
    assert opened.select_one(f"#comment-{reply.id} > .report-form")["action"] == f"/comments/{reply.id}/report"  # type: ignore[index]
    assert (
        opened.select_one(f"#comment-{reply.id} .report-link")["href"]
        == f"?report={reply.id}&order=newest#comment-{reply.id}"
    )  # type: ignore[index]
    curator = client_for(config, store)
    sign_in(curator, "cleo", PASSWORD)
    assert actions(curator, top.id) == ["Reply", "Delete", "Report", "Hide"]
    moderation.lock_thread(store, cleo, paper_id)
    assert actions(author, top.id) == ["Delete"]
    assert soup(author.get(f"/papers/{paper_id}?reply={top.id}").text).select(".reply-form") == []


def test_rapid_posting_is_answered_429(store: Store, config: Config, paper_id: str) -> None:
    limited = Config({**config.values, "DAILYPAPERS_COMMENT_RATE": "3/3600"})
    client = client_for(limited, store)
    sign_up(client, "ada")
    token = csrf_from(client, f"/papers/{paper_id}")
    codes = [
        client.post(f"/papers/{paper_id}/comments", data={"text": f"n{i}", "csrf_token": token}, follow_redirects=False)
        for i in range(5)
    ]
    assert [r.status_code for r in codes] == [303, 303, 303, 429, 429]
    assert int(codes[-1].headers["retry-after"]) > 0


def test_the_paper_page_costs_the_same_queries_with_200_comments(store: Store, config: Config, paper_id: str) -> None:
    client = client_for(config, store)
    sign_up(client, "ada")
    client.get(f"/papers/{paper_id}")  # warm caches

    def statements() -> int:
        count = 0

        def seen(*_args: object) -> None:
            nonlocal count
            count += 1

        event.listen(store.engine, "before_cursor_execute", seen)
        try:
            assert client.get(f"/papers/{paper_id}").status_code == 200
        finally:
            event.remove(store.engine, "before_cursor_execute", seen)
        return count

    empty = statements()
    authors = [member(store, f"m{i}") for i in range(5)]
    parent = None
    for i in range(200):
        reply_to = parent.id if parent and i % 3 else None
        parent = post_comment(store, authors[i % 5], paper_id, f"comment {i} with $x^{i}$ and @m{i % 5}", reply_to)
    full = statements()
    assert full == empty
    page = soup(client.get(f"/papers/{paper_id}").text)
    assert len(page.select("li.comment")) == 200
    assert len(page.select("textarea")) == 1  # one form for a new comment; the others open by link


def test_recent_discussions_and_the_thread_feed_list_visible_comments(
    store: Store, config: Config, paper_id: str
) -> None:
    import feedparser

    ada = member(store, "ada")
    kept = post_comment(store, ada, paper_id, "a <b>bold</b> *claim*")
    gone = post_comment(store, ada, paper_id, "regret")
    delete_comment(store, ada, gone.id)
    client = client_for(config, store)
    listed = soup(client.get("/discussions").text).select("ol.discussed li a")
    assert [a["href"] for a in listed] == [f"/papers/{paper_id}#discussion"]
    feed = client.get(f"/papers/{paper_id}/comments.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert [e.link for e in parsed.entries] == [f"{config.site_url}/papers/{paper_id}#comment-{kept.id}"]
    assert "<script" not in parsed.entries[0].content[0].value
    assert client.get("/papers/2401.99999/comments.atom").status_code == 404


def test_stored_comments_are_built_from_the_columns_in_field_order() -> None:
    from dataclasses import fields

    from dailypapers.storage.comments import StoredComment, _with_author

    assert [c.name for c in _with_author().selected_columns] == [f.name for f in fields(StoredComment)]
