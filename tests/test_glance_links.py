"""Code and project links: found in abstracts, comments and imported data; http/https only; normalised."""

from __future__ import annotations

from datetime import date

import pytest

from dailypapers.domain import ImportItem, ListingRecord, PaperRecord
from dailypapers.ingest.hf_daily import items_for_day
from dailypapers.links import find_links, normalise_url, paper_links
from dailypapers.services.imports import import_items, import_papers
from dailypapers.storage import Store
from dailypapers.storage.papers import paper_by_id


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://GitHub.com/Org/Repo.git", "https://github.com/Org/Repo"),
        ("https://github.com/org/repo/tree/main/src#readme", "https://github.com/org/repo"),
        ("https://www.github.com/org/repo).", "https://github.com/org/repo"),
        ("github.com/org/repo,", "https://github.com/org/repo"),
        ("https://gitlab.com/group/sub/project/-/tree/main", "https://gitlab.com/group/sub/project"),
        ("https://huggingface.co/datasets/org/set/viewer/default", "https://huggingface.co/datasets/org/set"),
        ("https://huggingface.co/spaces/org/demo", "https://huggingface.co/spaces/org/demo"),
        ("https://Project.GitHub.io/page/#results", "https://project.github.io/page"),
        ("http://example.org:8080/x/?a=1", "http://example.org:8080/x?a=1"),
    ],
)
def test_urls_are_normalised(raw: str, clean: str) -> None:
    assert normalise_url(raw) == clean


@pytest.mark.parametrize(
    "raw", ["javascript:alert(1)", "ftp://github.com/a/b", "mailto:me@example.org", "data:text/html,x", "https://x"]
)
def test_only_http_and_https_urls_with_a_real_host_survive(raw: str) -> None:
    assert normalise_url(raw) is None


def test_a_repository_and_a_project_page_are_found_in_an_abstract() -> None:
    abstract = (
        "We propose Foo. Code is available at https://github.com/foo-lab/foo.git. "
        "Project page: https://foo-lab.github.io/foo/."
    )
    assert find_links(abstract) == find_links(abstract, None)
    links = find_links(abstract)
    assert links.code == "https://github.com/foo-lab/foo"
    assert links.project == "https://foo-lab.github.io/foo"


def test_a_site_introduced_as_the_website_is_a_project_page_but_a_cited_one_is_not() -> None:
    assert (
        find_links("Our website: https://www.cs.example.edu/~ann/bar").project == "https://www.cs.example.edu/~ann/bar"
    )
    assert find_links("Following [3] (https://arxiv.org/abs/2401.00001) we ...").project is None
    assert find_links("Trained on data from https://example.com/data.").project is None


def test_comments_are_searched_after_the_abstract() -> None:
    links = find_links("No links here.", "10 pages. Code: https://gitlab.com/grp/tool")
    assert links.code == "https://gitlab.com/grp/tool"


def test_what_the_source_states_wins_and_a_repository_given_as_project_page_counts_as_code() -> None:
    stated = paper_links("see https://github.com/a/b", None, "https://github.com/c/d", "https://c.github.io/d")
    assert (stated.code, stated.project) == ("https://github.com/c/d", "https://c.github.io/d")
    swapped = paper_links("", None, None, "https://github.com/e/f")
    assert (swapped.code, swapped.project) == ("https://github.com/e/f", None)
    unsafe = paper_links("", None, "javascript:alert(1)", "ftp://x.org/y")
    assert (unsafe.code, unsafe.project) == (None, None)


def test_links_from_the_abstract_comments_and_imported_data_are_stored(store: Store) -> None:
    import_papers(
        store,
        [
            PaperRecord(
                id="2501.00001",
                title="A demo paper",
                abstract="We introduce Demo. Project page: https://demo-team.github.io/demo/.",
                authors=["Ann"],
                comments="Code: https://github.com/demo-team/demo.",
            )
        ],
    )
    hf_item = {
        "paper": {
            "id": "2501.00002",
            "title": "Imported",
            "summary": "We study things.",
            "authors": [{"name": "Bob"}],
            "githubRepo": "https://github.com/bob/things.git",
            "projectPage": "https://bob.example.org/things#top",
        },
        "publishedAt": "2025-01-02T10:00:00.000Z",
        "title": "Imported",
    }
    import_items(store, items_for_day(1, [hf_item], date(2025, 1, 2)))
    with store.read() as conn:
        demo, imported = paper_by_id(conn, "2501.00001"), paper_by_id(conn, "2501.00002")
    assert demo and (demo.code_url, demo.project_url) == (
        "https://github.com/demo-team/demo",
        "https://demo-team.github.io/demo",
    )
    assert imported and (imported.code_url, imported.project_url) == (
        "https://github.com/bob/things",
        "https://bob.example.org/things",
    )


def test_reimporting_a_paper_keeps_its_imported_project_page(store: Store) -> None:
    record = PaperRecord(id="2501.00003", title="T", abstract="A.", authors=["C"], project_page="https://c.org/p")
    listing = ListingRecord(day=date(2025, 1, 3), paper_id="2501.00003")
    import_items(store, [ImportItem(1, record, listing)])
    again = import_papers(store, [PaperRecord(id="2501.00003", title="T", abstract="A.", authors=["C"])])
    assert again.unchanged == 1
    with store.read() as conn:
        paper = paper_by_id(conn, "2501.00003")
    assert paper and paper.project_url == "https://c.org/p"


def test_migration_0011_reads_the_links_of_papers_stored_before_it(store: Store) -> None:
    from dailypapers.storage.migrate import current_revision, upgrade
    from helpers.migrations import downgrade

    abstract = "We present Bar. See our project page at https://bar-lab.github.io/bar/ and github.com/bar-lab/bar.git."
    import_papers(store, [PaperRecord(id="2501.00004", title="Bar", abstract=abstract, authors=["D"])])
    downgrade(store, "0004")  # the store as it was: no project_url column
    assert current_revision(store) == "0004"
    upgrade(store)
    with store.read() as conn:
        paper = paper_by_id(conn, "2501.00004")
    assert paper and (paper.code_url, paper.project_url) == (
        "https://github.com/bar-lab/bar",
        "https://bar-lab.github.io/bar",
    )
