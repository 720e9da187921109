"""`dailypapers search` and `dailypapers index` from the command line: JSON output, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.imports import import_items
from dailypapers.storage import Store

runner = CliRunner()


def test_search_prints_json_results_with_marked_snippets(store: Store, cli_env: Config, shared: Path) -> None:
    import_items(store, read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")))
    result = runner.invoke(app, ["search", "diphoton production", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["results"][0]["id"] == "0704.0001" and len(data["results"]) <= 3
    assert "<mark>" in data["results"][0]["snippet"] and data["semantic"] is False
    plain = runner.invoke(app, ["search", "diphoton", "--category", "hep-ph"])
    assert plain.exit_code == 0 and "0704.0001" in plain.stdout


def test_search_refuses_bad_input_with_one_line_and_exit_code_2(store: Store, cli_env: Config) -> None:
    for args in (["search", ""], ["search", "x", "--from", "2026-13-40"], ["search", "x", "--sort", "best"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1 and "error" in result.stderr


def test_index_on_a_store_with_nothing_to_embed_reports_it_without_loading_a_model(
    store: Store, cli_env: Config
) -> None:
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 0, result.stderr
    assert "checked 0, embedded 0" in result.stdout


def test_every_search_command_option_and_setting_is_documented() -> None:
    import inspect

    from dailypapers.cli import search

    doc = (Path(__file__).resolve().parents[1] / "docs" / "search.md").read_text()
    assert "dailypapers index" in doc and "dailypapers search" in doc
    for parameter in inspect.signature(search.search).parameters.values():
        option = parameter.default
        for flag in getattr(option, "param_decls", None) or []:
            if flag.startswith("--"):
                assert flag in doc, flag
    for setting in ("DAILYPAPERS_EMBEDDING_MODEL", "DAILYPAPERS_EMBEDDING_BACKEND"):
        assert setting in doc
