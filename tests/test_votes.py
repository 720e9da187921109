"""Upvotes: one per member and paper, toggled by one POST, counts derived from rows so they never drift."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.services import accounts
from dailypapers.services.votes import UnknownPaper, toggle_vote
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from helpers.site import client_for, hf_days, load_days, sign_up, soup


@pytest.fixture
def day_loaded(store: Store, shared: Path) -> str:
    """One real day of Hugging Face's list; returns the id of its first paper."""
    days = hf_days(shared, 1)
    load_days(store, days)
    return str(days[0]["papers"][0]["paper"]["id"])


def shown_upvotes(store: Store, paper_id: str) -> int:
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, paper_id)
    assert paper is not None
    return paper.upvotes


def test_toggling_adds_then_removes_one_vote_on_top_of_imported_upvotes(store: Store, day_loaded: str) -> None:
    before = shown_upvotes(store, day_loaded)
    ada = accounts.create_account(store, "ada", "analytical engine")
    assert toggle_vote(store, ada, day_loaded) == (True, before + 1)
    assert toggle_vote(store, ada, day_loaded) == (False, before)
    assert toggle_vote(store, ada, day_loaded, want=True) == (True, before + 1)
    assert toggle_vote(store, ada, day_loaded, want=True) == (True, before + 1)  # idempotent when explicit
    assert shown_upvotes(store, day_loaded) == before + 1


def test_voting_on_an_unknown_paper_is_refused(store: Store) -> None:
    ada = accounts.create_account(store, "ada", "analytical engine")
    with pytest.raises(UnknownPaper):
        toggle_vote(store, ada, "2401.99999")


def test_concurrent_votes_from_many_threads_never_drift(store: Store, day_loaded: str) -> None:
    before = shown_upvotes(store, day_loaded)
    members = [accounts.create_account(store, f"member{i}", "long enough pw") for i in range(6)]
    clicks_each = 5  # odd: every member ends with a vote
    barrier = threading.Barrier(len(members) * 2)
    errors: list[BaseException] = []

    def click(member: accounts.StoredAccount) -> None:
        try:
            barrier.wait()
            for _ in range(clicks_each):
                toggle_vote(store, member, day_loaded)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def set_on(member: accounts.StoredAccount) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                toggle_vote(store, member, day_loaded, want=True)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=click, args=(m,)) for m in members]
    threads += [threading.Thread(target=set_on, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # Each member toggled 5 times while also insisting on a vote: whatever the interleaving, one row at most each.
    after = shown_upvotes(store, day_loaded)
    assert before <= after <= before + len(members)
    with store.read() as conn:
        from dailypapers.storage import votes as vote_store

        assert vote_store.vote_count_of_paper(conn, day_loaded) == after - before


def test_double_clicks_from_one_member_leave_at_most_one_vote(store: Store, day_loaded: str) -> None:
    before = shown_upvotes(store, day_loaded)
    ada = accounts.create_account(store, "ada", "analytical engine")
    barrier = threading.Barrier(8)

    def vote() -> None:
        barrier.wait()
        toggle_vote(store, ada, day_loaded, want=True)

    threads = [threading.Thread(target=vote) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert shown_upvotes(store, day_loaded) == before + 1


def test_the_upvote_button_toggles_with_one_post_and_answers_the_new_count(
    config: Config, store: Store, day_loaded: str
) -> None:
    before = shown_upvotes(store, day_loaded)
    with client_for(config) as client:
        sign_up(client, "ada")
        page = soup(client.get(f"/papers/{day_loaded}").text)
        form = page.select_one(f'form.upvote[data-paper="{day_loaded}"]')
        assert form is not None and form.select_one("button")["aria-pressed"] == "false"  # type: ignore[index]
        token = form.select_one("input[name=csrf_token]")["value"]  # type: ignore[index]
        response = client.post(str(form["action"]), data={"csrf_token": token}, headers={"Accept": "application/json"})
        assert response.status_code == 200
        assert response.json() == {"paper": day_loaded, "voted": True, "upvotes": before + 1}
        # Without JavaScript: the form posts and the page comes back with the vote shown.
        response = client.post(str(form["action"]), data={"csrf_token": token})
        assert response.status_code == 200
        button = soup(response.text).select_one(f'form.upvote[data-paper="{day_loaded}"] button')
        assert button is not None and button["aria-pressed"] == "false"
        assert button.select_one(".count").get_text() == str(before)  # type: ignore[union-attr]


def test_voting_needs_a_member_and_a_csrf_token(config: Config, store: Store, day_loaded: str) -> None:
    before = shown_upvotes(store, day_loaded)
    with client_for(config) as client:
        anonymous = client.post(f"/papers/{day_loaded}/upvote", headers={"Accept": "application/json"})
        assert anonymous.status_code == 403  # no session, so no valid CSRF token either
        sign_up(client, "ada")
        forged = client.post(
            f"/papers/{day_loaded}/upvote", data={"csrf_token": "x"}, headers={"Accept": "application/json"}
        )
        assert forged.status_code == 403 and "error" in forged.json()
    assert shown_upvotes(store, day_loaded) == before


def test_voting_is_rate_limited_per_member(config: Config, store: Store, day_loaded: str) -> None:
    limited = Config({**config.values, "DAILYPAPERS_VOTE_RATE": "3/60"})
    with client_for(limited) as client:
        sign_up(client, "ada")
        token = soup(client.get("/papers").text).select_one("form.upvote input[name=csrf_token]")["value"]  # type: ignore[index]
        codes = [
            client.post(
                f"/papers/{day_loaded}/upvote", data={"csrf_token": token}, headers={"Accept": "application/json"}
            ).status_code
            for _ in range(4)
        ]
    assert codes == [200, 200, 200, 429]


def test_upvoting_an_unknown_paper_is_a_404_with_a_message(config: Config, store: Store) -> None:
    with client_for(config) as client:
        sign_up(client, "ada")
        token = soup(client.get("/papers").text).select_one('form[action="/signout"] input[name=csrf_token]')["value"]  # type: ignore[index]
        response = client.post(
            "/papers/2401.99999/upvote", data={"csrf_token": token}, headers={"Accept": "application/json"}
        )
        assert response.status_code == 404 and "2401.99999" in response.json()["error"]
