"""Bulk import: Kaggle snapshot and HF daily JSON, idempotent, streaming, tolerant of bad lines."""

from __future__ import annotations

import contextlib
import gzip
import json
from pathlib import Path

from dailypapers.domain import ImportItem
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.hf_daily import read_hf_daily
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.queries.stats import store_stats
from dailypapers.services.imports import import_items
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store


def kaggle_sample(shared: Path) -> Path:
    return shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"


def test_kaggle_sample_imports_every_field(store: Store, shared: Path) -> None:
    summary = import_items(store, read_kaggle(LineSource(kaggle_sample(shared))))
    assert (summary.read, summary.new, summary.rejected) == (200, 200, 0)
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, "0704.0001")
        versions = paper_store.paper_versions_of(conn, "0704.0001")
    assert paper is not None
    assert paper.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert paper.authors[:2] == ["C. Balázs", "E. L. Berger"] or paper.authors[0].startswith("C. Bal")
    assert paper.categories == ["hep-ph"] and paper.primary_category == "hep-ph"
    assert paper.doi == "10.1103/PhysRevD.76.013009"
    assert paper.journal_ref == "Phys.Rev.D76:013009,2007"
    assert paper.comments == "37 pages, 15 figures; published version"
    assert paper.version == 2 and [v for v, _ in versions] == [1, 2]
    assert paper.published_at is not None and paper.published_at.isoformat() == "2007-04-02T19:18:42+00:00"
    assert paper.abstract.startswith("A fully differential calculation in perturbative quantum chromodynamics is")
    assert "\n" not in paper.abstract


def test_reimporting_the_same_file_changes_nothing(store: Store, shared: Path) -> None:
    import_items(store, read_kaggle(LineSource(kaggle_sample(shared))))
    again = import_items(store, read_kaggle(LineSource(kaggle_sample(shared))))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 200)
    assert not again.changed and "nothing changed" in again.line()


def test_malformed_lines_are_reported_counted_and_skipped(store: Store, tmp_path: Path, shared: Path) -> None:
    lines = kaggle_sample(shared).read_text().splitlines()[:5]
    lines.insert(2, "{not json")
    lines.insert(4, json.dumps({"id": "not-an-id", "title": "x"}))
    lines.append(json.dumps({"id": "2501.00001", "title": ""}))
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    summary = import_items(store, read_kaggle(LineSource(path)))
    assert (summary.read, summary.rejected) == (5, 3)
    assert summary.errors[0].startswith("line 3: invalid JSON")
    assert summary.errors[1].startswith("line 5: ") and "is not an arXiv id" in summary.errors[1]
    assert "missing title" in summary.errors[2]
    assert store_stats(store).papers == 5


def test_gzipped_input_streams_the_same_as_plain(store: Store, tmp_path: Path, shared: Path) -> None:
    path = tmp_path / "sample.jsonl.gz"
    path.write_bytes(gzip.compress(kaggle_sample(shared).read_bytes()))
    summary = import_items(store, read_kaggle(LineSource(path)), batch_size=37)
    assert (summary.read, summary.new) == (200, 200)


def test_interrupted_import_keeps_whole_batches_and_rerun_finishes(store: Store, shared: Path) -> None:
    def interrupted() -> object:
        for n, item in enumerate(read_kaggle(LineSource(kaggle_sample(shared)))):
            if n == 130:
                raise KeyboardInterrupt
            yield item

    with contextlib.suppress(KeyboardInterrupt):
        import_items(store, interrupted(), batch_size=50)  # type: ignore[arg-type]
    assert store_stats(store).papers == 100  # two whole batches, the third rolled back
    summary = import_items(store, read_kaggle(LineSource(kaggle_sample(shared))), batch_size=50)
    assert (summary.new, summary.unchanged) == (100, 100)
    assert store_stats(store).papers == 200


def hf_day(day: str, items: list[dict]) -> str:
    return json.dumps({"date": day, "papers": items})


def hf_item(paper_id: str, upvotes: int, title: str = "A paper", version_text: str = "") -> dict:
    return {
        "paper": {
            "id": paper_id,
            "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
            "publishedAt": "2026-06-01T17:59:46.000Z",
            "title": title,
            "summary": "We study things. Code: https://github.com/example/repo" + version_text,
            "upvotes": upvotes,
        },
        "publishedAt": "2026-06-02T03:50:58.348Z",
        "title": title,
        "numComments": 2,
        "submittedBy": {"user": "curator1", "fullname": "Curator 1"},
    }


def test_hf_daily_import_creates_listings_with_imported_upvotes(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "hf.jsonl"
    path.write_text(
        hf_day("2026-06-02", [hf_item("2606.00001", 32), hf_item("2606.00002", 5)])
        + "\n"
        + hf_day("2026-06-03", [hf_item("2606.00001", 40)])
        + "\n"
    )
    summary = import_items(store, read_hf_daily(LineSource(path)))
    assert summary.listings_new == 3
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, "2606.00001")
    assert paper is not None
    assert paper.imported_upvotes == 40 and paper.votes == 0 and paper.upvotes == 40
    assert paper.code_url == "https://github.com/example/repo"
    assert paper.num_comments == 2
    stats = store_stats(store)
    assert (stats.days, stats.listings, stats.first_day, stats.last_day) == (2, 3, "2026-06-02", "2026-06-03")
    again = import_items(store, read_hf_daily(LineSource(path)))
    assert again.listings_new == 0 and not again.changed


def test_hf_daily_accepts_a_plain_json_array_from_the_endpoint(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "daily_papers.json"
    path.write_text(json.dumps([hf_item("2606.00003", 7), {"paper": {"id": "bogus"}}], indent=2))
    summary = import_items(store, read_hf_daily(LineSource(path)))
    assert (summary.read, summary.rejected, summary.listings_new) == (1, 1, 1)
    assert store_stats(store).first_day == "2026-06-02"


def test_hf_metadata_never_blanks_arxiv_metadata(store: Store, tmp_path: Path, shared: Path) -> None:
    import_items(store, read_kaggle(LineSource(kaggle_sample(shared))))
    item = hf_item("0704.0001", 3)
    item["paper"]["title"] = "Different title from HF"
    import_items(store, [ImportItem(line=1, paper=None, error="x")])  # a rejected-only batch writes nothing
    path = tmp_path / "hf.jsonl"
    path.write_text(hf_day("2026-06-02", [item]) + "\n")
    import_items(store, read_hf_daily(LineSource(path)))
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, "0704.0001")
    assert paper is not None
    assert paper.categories == ["hep-ph"] and paper.doi == "10.1103/PhysRevD.76.013009"
    assert paper.title.startswith("Calculation of prompt diphoton")
    assert paper.imported_upvotes == 3


def test_a_newer_version_updates_the_paper_and_keeps_its_history(store: Store, tmp_path: Path) -> None:
    base = {
        "id": "2501.00007",
        "authors": "A. Author",
        "title": "First  title",
        "abstract": "  Old  abstract with $\\alpha$ and ü.\n",
        "categories": "cs.LG stat.ML",
        "versions": [{"version": "v1", "created": "Mon, 6 Jan 2025 10:00:00 GMT"}],
        "update_date": "2025-01-06",
    }
    path = tmp_path / "v.jsonl"
    path.write_text(json.dumps(base) + "\n")
    import_items(store, read_kaggle(LineSource(path)))
    base["title"] = "Second title"
    base["versions"].append({"version": "v2", "created": "Tue, 4 Feb 2025 10:00:00 GMT"})
    base["update_date"] = "2025-02-04"
    path.write_text(json.dumps(base) + "\n")
    summary = import_items(store, read_kaggle(LineSource(path)))
    assert summary.updated == 1
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, "2501.00007")
        versions = paper_store.paper_versions_of(conn, "2501.00007")
    assert paper is not None and paper.title == "Second title" and paper.version == 2
    assert paper.abstract == "Old abstract with $\\alpha$ and ü."
    assert [v for v, _ in versions] == [1, 2]
    assert paper.published_at is not None and paper.published_at.date().isoformat() == "2025-01-06"
