"""Importing BibTeX into a collection: Zotero and Google Scholar styles, DOI and title matches, papers the store
lacks (fetched from a loopback arXiv API with --fetch), broken entries reported by line, uploads on the site."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.queries.collections import visible_collection
from dailypapers.queries.fetches import fetch_status
from dailypapers.services.accounts import account_named, create_account
from dailypapers.services.collections import create_collection
from dailypapers.services.fetches import drain_fetches
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.storage.fetches import collections_waiting_for
from dailypapers.testing.replay import ReplayServer
from helpers.ingest import QUICK, replay  # noqa: F401  (fixture)
from helpers.site import client_for, csrf_from, sign_in, soup

runner = CliRunner()

BIB = r"""% A Zotero + Google Scholar mix, with trouble in it
@article{balazs2007,
  title = {Calculation of prompt diphoton production cross sections},
  journal = {arXiv preprint arXiv:0704.0001},
  year = {2007}
}

@misc{streinu2007sparsity,
  title = {Sparsity-certifying Graph Decompositions},
  url = {http://arxiv.org/abs/0704.0002v2},
  note = {arXiv:0704.0002 [math]},
}

@article{broken1,
  title = {This entry never closes its brace,
  year = 2020

@article{bosonic,
  title = {Whatever the journal called it},
  doi = {https://doi.org/10.1103/PHYSREVA.75.043613},
}

@inproceedings{polymer,
  title = {{P}olymer {Q}uantum {M}echanics and its {C}ontinuum {L}imit},
  author = {Husain, Viqar},
}

@misc{unknown2016,
  title = {A paper this store does not hold},
  eprint = {1605.08386},
  archivePrefix = {arXiv},
}

@book{nothing,
  title = {A Book Nobody Indexed},
}

@misc{streinu2007sparsity,
  title = {Sparsity-certifying Graph Decompositions (again)},
  eprint = {0704.0002},
}
"""


@pytest.fixture
def owner(store: Store, shared: Path, cli_env: Config) -> str:
    import_items(store, read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")))
    ann = create_account(store, "ann", "correct horse battery")
    return create_collection(store, ann, "Imported").slug


@pytest.fixture
def arxiv(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> ReplayServer:  # noqa: F811
    """The CLI's arXiv API is the loopback replay of recorded replies, with no pauses."""
    for name, value in QUICK.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DAILYPAPERS_ARXIV_API_URL", replay.url + "/api/query")
    return replay


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def ids_in(store: Store, slug: str) -> list[str]:
    ann = account_named(store, "ann")
    view = visible_collection(store, slug, ann)
    assert view is not None
    return [entry.item.paper_id for entry in view.entries]


def test_the_cli_imports_every_match_and_reports_the_rest_by_line(store: Store, owner: str, tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    code, out, err = run("collections", "import", str(path), "--user", "ann", "--collection", owner)
    assert code == 0, err
    assert ids_in(store, owner) == ["0704.0001", "0704.0002", "0704.0006", "0704.0007"]
    assert "4 added" in out and "1 not in the store yet" in out and "1 unmatched" in out and "1 broken" in out
    assert "line 14: broken entry" in err
    assert "line 28: unknown2016: arXiv 1605.08386 is not in the store yet" in err
    assert "line 34: nothing: no paper matches 'A Book Nobody Indexed'" in err
    assert "--fetch" in err
    again = run("collections", "import", str(path), "--user", "ann", "--collection", owner)
    assert "0 added, 4 already there" in again[1], "importing the same file twice changes nothing"


def test_fetch_brings_in_arxiv_papers_the_store_lacks(
    store: Store,
    owner: str,
    tmp_path: Path,
    arxiv: ReplayServer,
) -> None:
    path = tmp_path / "one.bib"
    path.write_text("@misc{u, title = {X}, eprint = {1605.08386}, archivePrefix = {arXiv}}\n")
    code, out, err = run("collections", "import", str(path), "--user", "ann", "--collection", owner, "--fetch")
    assert code == 0, err
    assert "1 added" in out and "1 fetched from arXiv" in out and "0 not in the store yet" in out
    assert ids_in(store, owner) == ["1605.08386"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--collection", "x"], "no member named 'nobody'"),
        (["--user", "ann", "--collection", "ann-elsewhere"], "has no collection"),
    ],
)
def test_cli_errors_are_one_line(owner: str, tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB)
    code, _, err = run("collections", "import", str(path), *args)
    assert code == 1 and message in err
    code, _, err = run("collections", "import", str(tmp_path / "missing.bib"), "--user", "ann", "--collection", owner)
    assert code == 1 and "cannot read" in err


def test_an_upload_on_the_site_reports_what_is_not_in_the_store_yet(config: Config, store: Store, owner: str) -> None:
    with client_for(config, store) as client:
        sign_in(client, "ann")
        token = csrf_from(client, f"/collections/{owner}")
        files = {"file": ("refs.bib", BIB.encode(), "application/x-bibtex")}
        response = client.post(f"/collections/{owner}/import", data={"csrf_token": token}, files=files)
        assert response.status_code == 200
        report = soup(response.text).select_one("section.import-report")
        assert report is not None and "4 added" in report.get_text()
        assert "Not in the store yet" in report.get_text() and report.select_one('a[href="/papers/1605.08386"]')
        queued = fetch_status(store, "1605.08386")
        assert queued is not None and queued.state == "queued", "an unknown arXiv id goes onto the fetch queue"
        assert "1 queued for fetching from arXiv" in report.get_text()
        assert "line 14" in report.get_text()
        assert len(soup(response.text).select("ol.collection-items > li")) == 4
        big = {"file": ("big.bib", b"%" * (10 * 1024 * 1024 + 1), "text/plain")}
        refused = client.post(f"/collections/{owner}/import", data={"csrf_token": token}, files=big)
        assert refused.status_code == 400 and "larger than 10 MB" in refused.text


def test_a_queued_paper_joins_the_collection_when_the_fetch_worker_brings_it(
    store: Store,
    owner: str,
    tmp_path: Path,
    arxiv: ReplayServer,
) -> None:
    path = tmp_path / "two.bib"
    path.write_text(
        "@misc{a, title = {X}, eprint = {0704.0001}}\n"
        "@misc{u, title = {Y}, eprint = {1605.08386}, archivePrefix = {arXiv}}\n"
        "@misc{n, title = {Z}, eprint = {2104.99999}, archivePrefix = {arXiv}}\n"
    )
    code, out, err = run("collections", "import", str(path), "--user", "ann", "--collection", owner)
    assert code == 0, err
    assert "2 queued for fetching from arXiv (added here when they arrive)" in out
    assert ids_in(store, owner) == ["0704.0001"], "nothing is added before the paper is stored"
    live = Config.from_env()
    drain_fetches(store, live)
    assert ids_in(store, owner) == ["0704.0001", "1605.08386"], "the fetched paper is appended; one arXiv lacks is not"
    with store.read() as conn:
        assert collections_waiting_for(conn, "1605.08386") == [] and collections_waiting_for(conn, "2104.99999") == []
    code, out, _ = run("collections", "import", str(path), "--user", "ann", "--collection", owner)
    assert "0 added, 2 already there" in out, "importing the file again after the fetch changes nothing"
