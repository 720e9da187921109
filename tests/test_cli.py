"""The command line: init, migrations, imports, stats, config; errors are one line and a non-zero exit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.storage import open_store
from dailypapers.storage.migrate import current_revision, head_revision

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_stats_on_an_unmigrated_store_names_the_command_that_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAILYPAPERS_HOME", str(tmp_path / "fresh"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    code, _, err = run("stats")
    assert code == 1
    assert "dailypapers db upgrade" in err and len(err.strip().splitlines()) == 1


def test_init_creates_the_schema_and_a_private_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "fresh"
    monkeypatch.setenv("DAILYPAPERS_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DAILYPAPERS_SECRET_KEY", raising=False)
    code, out, _ = run("init")
    assert code == 0 and "migrated" in out
    secret = home / "secret.key"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_text().strip()) >= 40
    code, out, _ = run("db", "upgrade")
    assert code == 0 and "nothing to do" in out
    store = open_store(Config.from_env())
    assert current_revision(store) == head_revision()
    store.dispose()
    code, out, _ = run("db", "status")
    assert code == 0 and "up to date" in out


def test_import_prints_one_summary_line_and_rerun_says_nothing_changed(cli_env: Config, shared: Path) -> None:
    sample = str(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl")
    code, out, _ = run("import", "kaggle", sample)
    assert code == 0
    assert out.strip() == "read 200, new 200, updated 0, unchanged 0, rejected 0"
    code, out, _ = run("import", "kaggle", sample)
    assert code == 0 and out.strip().endswith("nothing changed")


def test_import_reports_rejected_lines_with_their_numbers(cli_env: Config, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "2501.00001", "title": "Fine", "authors": "A. B."}\n[1, 2]\n{oops\n')
    code, out, err = run("import", "kaggle", str(path))
    assert code == 0
    assert "read 1, new 1" in out and "rejected 2" in out
    assert "rejected line 2: line is not a JSON object" in err
    assert "rejected line 3: invalid JSON" in err


def test_importing_a_missing_file_is_a_one_line_error(cli_env: Config, tmp_path: Path) -> None:
    code, _, err = run("import", "hf-daily", str(tmp_path / "nope.jsonl"))
    assert code == 1
    assert err.strip() == f"error: no such file: {tmp_path / 'nope.jsonl'}"


def test_stats_json_counts_what_was_imported(cli_env: Config, shared: Path) -> None:
    run("import", "kaggle", str(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"))
    code, out, _ = run("stats", "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["papers"] == 200 and stats["listings"] == 0 and stats["votes"] == 0
    assert stats["first_published"] == "2007-03-30" or stats["first_published"].startswith("2007-")


def test_demo_loads_weeks_of_real_listings(cli_env: Config) -> None:
    code, out, _ = run("demo")
    assert code == 0, out
    code, out, _ = run("stats", "--json")
    stats = json.loads(out)
    assert stats["days"] == 20 and stats["listings"] > 500 and stats["papers"] > 2000
    assert (stats["first_day"], stats["last_day"]) == ("2026-06-08", "2026-07-03")


def test_config_redacts_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://alice:hunter2@db.example:5432/papers")
    monkeypatch.setenv("DAILYPAPERS_SECRET_KEY", "s3cr3t-value")
    code, out, _ = run("config")
    assert code == 0
    assert "hunter2" not in out and "s3cr3t-value" not in out
    assert "db.example:5432/papers" in out


def test_every_command_has_help() -> None:
    code, out, _ = run("--help")
    assert code == 0
    commands = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    for name in commands:
        assert name
        code, out, _ = run(name, "--help")  # type: ignore[arg-type]
        assert code == 0 and "Usage" in out


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_help_shows_every_option_text_whole_brackets_included() -> None:
    """Rich reads `[words]` as markup and drops them, which once ate "(default: today, UTC)"-style hints."""
    for path, command in _commands(typer.main.get_command(app)):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "1000"})
        assert result.exit_code == 0, path
        shown = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stdout).split())
        texts = [getattr(param, "help", None) or "" for param in command.params]
        texts += re.findall(r"\[[^\]]*\]", command.help or "")
        for text in texts:
            assert " ".join(text.split()) in shown, (path, text)
    assert "(default: today, UTC)" in run("ingest", "hf", "--help")[1]
