"""`dailypapers export` and the site's downloads: BibTeX read back by bibtexparser, RIS, CSV, and the JSONL round trip
into a fresh store through `dailypapers import kaggle`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.accounts import create_account
from dailypapers.services.collections import add_item, create_collection
from dailypapers.services.imports import import_items
from dailypapers.storage import Store, open_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.papers import StoredPaper
from helpers.site import client_for, sign_in

runner = CliRunner()
SAMPLE = Path("fixtures") / "kaggle-arxiv-metadata-snapshot.sample.jsonl"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def loaded(store: Store, shared: Path, cli_env: Config) -> list[StoredPaper]:
    import_items(store, read_kaggle(LineSource(shared / SAMPLE)))
    return all_papers(store)


def all_papers(store: Store) -> list[StoredPaper]:
    with store.read() as conn:
        return paper_store.papers_after(conn, "", 1_000_000)


def versions_of(store: Store, ids: list[str]) -> dict[str, list[tuple[int, object]]]:
    with store.read() as conn:
        return {k: list(v) for k, v in paper_store.versions_by_paper(conn, ids).items()}


@pytest.fixture
def fresh_store(request: pytest.FixtureRequest, config: Config, tmp_path: Path) -> Iterator[Store]:
    """A second, empty store on the same engine as `store`."""
    name = "sqlite_factory" if config.database_url.startswith("sqlite") else "postgres_factory"
    factory = request.getfixturevalue(name)
    other = factory.config(tmp_path / "other")
    opened = open_store(other)
    yield opened
    opened.dispose()
    if name == "postgres_factory":
        factory.drop(other)


def test_jsonl_export_imported_into_a_fresh_store_gives_back_the_same_papers(
    loaded: list[StoredPaper], store: Store, fresh_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "all.jsonl"
    code, _, err = run("export", "jsonl", "-o", str(target))
    assert code == 0, err
    assert f"exported {len(loaded)} papers" in err and not (tmp_path / "all.jsonl.part").exists()
    assert fresh_store.config is not None
    for name, value in fresh_store.config.values.items():  # `dailypapers import kaggle` into the fresh store
        monkeypatch.setenv(name, value)
    code, out, err = run("import", "kaggle", str(target))
    assert code == 0 and err == "", err
    assert f"new {len(loaded)}," in out and "rejected 0" in out
    back = {p.id: p for p in all_papers(fresh_store)}
    assert sorted(back) == sorted(p.id for p in loaded)
    fields = ("title", "abstract", "authors", "categories", "primary_category", "version", "published_at")
    for paper in loaded:
        again = back[paper.id]
        assert [getattr(again, f) for f in fields] == [getattr(paper, f) for f in fields], paper.id
        assert again.updated_at == paper.updated_at, paper.id
        assert (again.doi, again.journal_ref, again.comments) == (paper.doi, paper.journal_ref, paper.comments)
    ids = [p.id for p in loaded]
    assert versions_of(fresh_store, ids) == versions_of(store, ids)


def test_bibtex_entries_parse_with_eprint_fields_and_keys_that_are_unique_and_stable(
    loaded: list[StoredPaper], tmp_path: Path
) -> None:
    code, first, err = run("export", "bibtex")
    assert code == 0, err
    library = bibtexparser.parse_string(first)
    assert library.failed_blocks == []
    assert len(library.entries) == len(loaded)
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == len(keys)
    by_id = {p.id: p for p in loaded}
    for entry in library.entries:
        paper = by_id[entry["eprint"]]
        assert entry["archivePrefix"] == "arXiv" and entry["url"] == f"https://arxiv.org/abs/{paper.id}"
        fields = entry.fields_dict
        assert fields["primaryClass"].value == paper.primary_category
        assert (fields["doi"].value if "doi" in fields else None) == paper.doi
        assert entry["author"].split(" and ") == paper.authors
    assert any("doi" in entry.fields_dict for entry in library.entries), "the sample has papers with DOIs"
    assert run("export", "bibtex")[1] == first, "the same store exports the same keys"


def test_ris_and_csv_hold_one_record_per_paper(loaded: list[StoredPaper]) -> None:
    _, ris, _ = run("export", "ris")
    assert ris.count("ER  - ") == len(loaded) and ris.count("TY  - UNPB") == len(loaded)
    _, text, _ = run("export", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == sorted(p.id for p in loaded)
    assert rows[0]["authors"].split("; ") == next(p for p in loaded if p.id == rows[0]["id"]).authors


def test_a_collection_exports_in_its_order_with_notes_and_since_filters(
    loaded: list[StoredPaper], store: Store
) -> None:
    ann = create_account(store, "ann", "correct horse battery")
    slug = create_collection(store, ann, "Picks", private=True).slug
    chosen = sorted(loaded, key=lambda p: p.published_at or p.ingested_at)[-3:]
    for paper in reversed(chosen):
        add_item(store, ann, slug, paper.id, note=f"note on {paper.id}")
    _, text, _ = run("export", "bibtex", "--collection", slug)
    entries = bibtexparser.parse_string(text).entries
    assert [e["eprint"] for e in entries] == [p.id for p in reversed(chosen)]
    assert entries[0]["annote"] == f"note on {chosen[-1].id}"
    newest = chosen[-1].published_at
    assert newest is not None
    _, since, _ = run("export", "csv", "--collection", slug, "--since", newest.date().isoformat())
    assert {r["id"] for r in csv.DictReader(io.StringIO(since))} <= {p.id for p in chosen}
    assert chosen[-1].id in since


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["export", "bibtex", "--since", "last week"], 2, "YYYY-MM-DD"),
        (["export", "bibtex", "--collection", "x", "--query", "y"], 2, "at most one"),
        (["export", "bibtex", "--collection", "nobody-here"], 1, "no collection"),
        (["export", "yaml"], 2, "yaml"),
    ],
)
def test_bad_export_arguments_fail_in_one_line(cli_env: Config, args: list[str], code: int, message: str) -> None:
    exit_code, _, err = run(*args)
    assert exit_code == code and message in err


def test_the_site_downloads_collections_and_searches_and_keeps_private_ones_private(
    loaded: list[StoredPaper], config: Config, store: Store
) -> None:
    ann = create_account(store, "ann", "correct horse battery")
    secret = create_collection(store, ann, "Secret", private=True).slug
    add_item(store, ann, secret, loaded[0].id)
    with client_for(config, store) as visitor:
        assert visitor.get(f"/export/bibtex?collection={secret}").status_code == 404
        word = loaded[0].title.split()[0]
        found = visitor.get("/export/bibtex", params={"q": word})
        assert found.status_code == 200 and "attachment" in found.headers["content-disposition"]
        assert loaded[0].id in {e["eprint"] for e in bibtexparser.parse_string(found.text).entries}
        assert visitor.get("/export/bibtex").status_code == 400
        assert visitor.get("/export/yaml?q=x").status_code == 404
        sign_in(visitor, "ann")
        mine = visitor.get(f"/export/ris?collection={secret}")
        assert mine.status_code == 200 and f"M1  - arXiv:{loaded[0].id}" in mine.text


def test_exports_read_in_keyset_pages_and_miss_nothing_at_page_boundaries(
    loaded: list[StoredPaper], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailypapers.queries import export as export_queries

    monkeypatch.setattr(export_queries, "PAGE", 7)  # many small pages instead of one
    ids = [record.paper.id for record in export_queries.store_export(store)]
    assert ids == sorted(p.id for p in loaded)
    ann = create_account(store, "ann", "correct horse battery")
    slug = create_collection(store, ann, "Many").slug
    chosen = [p.id for p in loaded[:23]][::-1]
    for paper_id in chosen:
        add_item(store, ann, slug, paper_id)
    records = export_queries.collection_export(store, slug, ann)
    assert records is not None and [r.paper.id for r in records] == chosen
