"""Settings: one declarative table, every entry documented, secrets never defaulted to a literal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.config import SETTINGS, Config, Rate, SettingError, settings_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_docs_configuration_lists_every_setting_as_the_code_defines_it() -> None:
    text = DOCS.read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"undocumented settings: {missing}"
    assert settings_markdown() in text, "regenerate with: dailypapers config --markdown"


def test_every_setting_has_help_text() -> None:
    assert all(s.help.strip() for s in SETTINGS)


def test_the_secret_key_is_generated_once_per_data_directory(tmp_path: Path) -> None:
    first = Config.from_env({}, DAILYPAPERS_HOME=str(tmp_path)).secret_key()
    again = Config.from_env({}, DAILYPAPERS_HOME=str(tmp_path)).secret_key()
    other = Config.from_env({}, DAILYPAPERS_HOME=str(tmp_path / "other")).secret_key()
    assert first == again != other


def test_postgres_urls_use_psycopg3() -> None:
    config = Config.from_env({"DATABASE_URL": "postgres://u:p@h/db"})
    assert config.database_url == "postgresql+psycopg://u:p@h/db"


SRC = Path(__file__).resolve().parents[1] / "src" / "dailypapers"
READERS = {"text": str, "integer": int, "number": float, "comma_list": list, "rate": Rate}


def test_a_malformed_number_setting_names_itself_and_what_it_accepts() -> None:
    with pytest.raises(SettingError, match="DAILYPAPERS_HTTP_DELAY='soon' is not valid: expected a number"):
        Config.from_env({"DAILYPAPERS_HTTP_DELAY": "soon"})


def test_settings_are_parsed_by_kind_once_at_start_up() -> None:
    config = Config.from_env(
        {"DAILYPAPERS_CATEGORIES": " cs.CL,, math ", "DAILYPAPERS_EMBEDDING_BACKEND": "Torch"},
        DAILYPAPERS_TRENDING_DAYS="3",
    )
    assert config.integer("DAILYPAPERS_TRENDING_DAYS") == 3
    assert config.comma_list("DAILYPAPERS_CATEGORIES") == ["cs.CL", "math"]
    assert config.text("DAILYPAPERS_EMBEDDING_BACKEND") == "torch"
    assert config.rate("DAILYPAPERS_LOGIN_RATE") == Rate(10, 60.0)
    with pytest.raises(TypeError, match="is a int"):
        config.text("DAILYPAPERS_TRENDING_DAYS")  # a reader of the wrong kind is a programming error
    with pytest.raises(SettingError, match="DAILYPAPERS_LOG_LEVEL='loud' is not valid: expected one of CRITICAL"):
        Config.from_env({"DAILYPAPERS_LOG_LEVEL": "loud"})
    with pytest.raises(SettingError, match="expected COUNT/SECONDS"):
        Config.from_env({"DAILYPAPERS_VOTE_RATE": "often"})


def test_every_typed_read_in_the_code_names_a_setting_of_that_kind() -> None:
    kinds = {s.name: s.kind for s in SETTINGS}
    reads = 0
    for path in SRC.rglob("*.py"):
        for reader, name in re.findall(r"\.(text|integer|number|comma_list|rate)\(\s*\"([A-Z_]+)\"", path.read_text()):
            assert kinds.get(name) is READERS[reader], f"{path.name}: {reader}({name})"
            reads += 1
    assert reads >= 25


@pytest.mark.parametrize("command", [["stats"], ["config"], ["serve"], ["search", "graphs"]])
def test_a_bad_setting_stops_every_command_with_one_line_naming_it(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailypapers.cli.main import app

    monkeypatch.setenv("DAILYPAPERS_HOME", str(tmp_path))
    monkeypatch.setenv("DAILYPAPERS_TRENDING_DAYS", "a week")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: DAILYPAPERS_TRENDING_DAYS='a week' is not valid: expected a whole number"
    ]


def test_every_setting_is_declared_once() -> None:
    names = [setting.name for setting in SETTINGS]
    assert sorted(names) == sorted(set(names)), "a setting declared twice: the later row silently wins"
