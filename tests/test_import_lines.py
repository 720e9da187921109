"""Re-running a bulk import skips, unparsed, every line this store has imported before, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from dailypapers.config import Config
from dailypapers.domain import ImportItem, ImportSummary
from dailypapers.ingest import hf_daily, kaggle
from dailypapers.ingest.files import LineSource
from dailypapers.services.import_lines import LineParser, import_lines
from dailypapers.storage import Store
from dailypapers.storage import papers as paper_store
from test_imports import hf_day, hf_item, kaggle_sample


def counting(parse: LineParser, parsed: list[int]) -> LineParser:
    """The real parser, noting which line numbers it was asked to parse."""

    def parse_and_note(number: int, line: str) -> list[ImportItem]:
        parsed.append(number)
        return parse(number, line)

    return parse_and_note


def run_kaggle(
    store: Store, path: Path, parsed: list[int], key: str = kaggle.LINE_FORMAT, reparse: bool = False
) -> ImportSummary:
    return import_lines(store, LineSource(path), counting(kaggle.items_from_line, parsed), key, reparse=reparse)


def test_a_rerun_of_an_unchanged_file_parses_no_line_and_changes_nothing(store: Store, shared: Path) -> None:
    first: list[int] = []
    assert run_kaggle(store, kaggle_sample(shared), first).new == 200 and len(first) == 200
    again: list[int] = []
    summary = run_kaggle(store, kaggle_sample(shared), again)
    assert again == []
    assert (summary.read, summary.new, summary.updated, summary.unchanged) == (200, 0, 0, 200)
    assert "nothing changed" in summary.line()


def test_only_a_changed_line_is_parsed_again_and_its_change_is_stored(
    store: Store, shared: Path, tmp_path: Path
) -> None:
    lines = kaggle_sample(shared).read_text().splitlines()
    path = tmp_path / "snapshot.jsonl"
    path.write_text("\n".join(lines) + "\n")
    run_kaggle(store, path, [])
    obj = json.loads(lines[9])
    obj["journal-ref"] = "Corrected Journal 1 (2027)"
    obj["update_date"] = "2027-01-05"  # arXiv corrected the record: same version, newer
    lines[9] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n")
    parsed: list[int] = []
    summary = run_kaggle(store, path, parsed)
    assert parsed == [10]
    assert (summary.updated, summary.unchanged) == (1, 199)
    with store.read() as conn:
        paper = paper_store.paper_by_id(conn, obj["id"])
    assert paper is not None and paper.journal_ref == "Corrected Journal 1 (2027)"


def test_rejected_lines_are_parsed_and_reported_on_every_run(store: Store, shared: Path, tmp_path: Path) -> None:
    lines = kaggle_sample(shared).read_text().splitlines()[:3]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([*lines, "{not json"]) + "\n")
    run_kaggle(store, path, [])
    parsed: list[int] = []
    summary = run_kaggle(store, path, parsed)
    assert parsed == [4]
    assert summary.rejected == 1 and summary.errors[0].startswith("line 4: invalid JSON")


def test_a_new_parser_version_or_reparse_reads_every_line_once_more(store: Store, shared: Path) -> None:
    run_kaggle(store, kaggle_sample(shared), [])
    reparsed: list[int] = []
    assert run_kaggle(store, kaggle_sample(shared), reparsed, reparse=True).unchanged == 200
    assert len(reparsed) == 200
    new_version: list[int] = []
    assert run_kaggle(store, kaggle_sample(shared), new_version, key="kaggle/999").unchanged == 200
    assert len(new_version) == 200
    assert run_kaggle(store, kaggle_sample(shared), [], key="kaggle/999").unchanged == 200


def test_a_day_cut_by_a_batch_boundary_is_read_again_and_whole_days_are_skipped(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "hf.jsonl"
    days = [
        hf_day("2026-06-02", [hf_item("2606.00001", 3), hf_item("2606.00002", 5)]),
        hf_day("2026-06-03", [hf_item("2606.00003", 1), hf_item("2606.00004", 2), hf_item("2606.00005", 8)]),
    ]
    path.write_text("\n".join(days) + "\n")

    def run(parsed: list[int]) -> ImportSummary:
        parse = counting(hf_daily.items_from_line, parsed)
        return import_lines(store, LineSource(path), parse, hf_daily.LINE_FORMAT, batch_size=4)

    first = run([])
    assert (first.new, first.listings_new) == (5, 5)
    parsed: list[int] = []
    again = run(parsed)
    assert parsed == [2]  # its papers went into two batches: not marked done, in case only one had committed
    assert (again.read, again.unchanged, again.listings_new) == (5, 5, 0) and not again.changed


def test_the_cli_skips_known_lines_and_reparse_reads_them_again(cli_env: Config, shared: Path) -> None:
    """A paper removed from the store behind the import's back: a re-run skips its line, --reparse imports it again."""
    from sqlalchemy import delete
    from typer.testing import CliRunner

    from dailypapers.cli.main import app
    from dailypapers.queries.stats import store_stats
    from dailypapers.storage import open_store
    from dailypapers.storage.schema import papers

    sample = str(kaggle_sample(shared))
    runner = CliRunner()
    assert runner.invoke(app, ["import", "kaggle", sample]).exit_code == 0
    store = open_store(cli_env)
    try:
        with store.write() as conn:
            conn.execute(delete(papers).where(papers.c.id == "0704.0001"))
        skipped = runner.invoke(app, ["import", "kaggle", sample])
        assert skipped.exit_code == 0 and skipped.stdout.strip().endswith("nothing changed")
        assert store_stats(store).papers == 199
        reparsed = runner.invoke(app, ["import", "kaggle", "--reparse", sample])
        assert reparsed.exit_code == 0 and "new 1," in reparsed.stdout and "unchanged 199" in reparsed.stdout
        with store.read() as conn:
            assert paper_store.paper_by_id(conn, "0704.0001") is not None
    finally:
        store.dispose()
