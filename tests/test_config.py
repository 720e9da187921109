"""Settings: one declarative table, every entry documented, secrets never defaulted to a literal."""

from __future__ import annotations

from pathlib import Path

import pytest

from dailypapers.config import SETTINGS, Config, settings_markdown

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


def test_a_malformed_number_setting_names_itself() -> None:
    config = Config.from_env({"DAILYPAPERS_HTTP_DELAY": "soon"})
    with pytest.raises(ValueError, match="DAILYPAPERS_HTTP_DELAY"):
        config.get("DAILYPAPERS_HTTP_DELAY")
