"""The one settings object: our prefixed names, third-party names, blanks, and .env.example kept complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campaign.settings import Settings
from tests.conftest import ROOT


def test_third_party_names_and_aliases(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPLICATE_API_KEY", "r8_example")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/clapboard")
    monkeypatch.setenv("CLAPBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("POE_API_KEY", "poe-key")
    settings = Settings(_env_file=None)
    assert settings.replicate_api_token.get_secret_value() == "r8_example"
    assert settings.sqlalchemy_url == "postgresql+asyncpg://u:p@db:5432/clapboard"
    assert settings.data_dir == tmp_path
    assert settings.llm_base_url == "https://api.poe.com/v1"


def test_blank_values_from_env_example_mean_unset(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("OPENAI_API_KEY=\nDATABASE_URL=\nCLAPBOARD_SECRET_KEY=\nCLAPBOARD_DEFAULT_MODEL=\n")
    settings = Settings(_env_file=env, data_dir=tmp_path)
    assert settings.llm_key is None and settings.default_model is None
    assert settings.sqlalchemy_url.startswith("sqlite+aiosqlite:///")
    again = Settings(_env_file=env, data_dir=tmp_path)  # another process
    assert settings.signing_key("files") == again.signing_key("files") != again.signing_key("tokens")
    assert (tmp_path / ".secret_key").stat().st_mode & 0o777 == 0o600


def test_unsafe_values_are_refused(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="at least 32"):
        Settings(_env_file=None, data_dir=tmp_path, secret_key="short")
    with pytest.raises(ValidationError, match="pattern"):
        Settings(_env_file=None, data_dir=tmp_path, replicate_cancel_after="30 minutes")
    assert "pw@" not in repr(Settings(_env_file=None, data_dir=tmp_path, database_url="postgresql://u:pw@h/d"))


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    for name, field in Settings.model_fields.items():
        names = field.validation_alias.choices if field.validation_alias else [f"CLAPBOARD_{name.upper()}"]
        assert listed & set(names), f"{names[0]} is missing from .env.example"


def test_the_data_folder_is_the_checkouts_from_any_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run from a checkout, every command and the server keep their data in its ./data, whatever the current
    folder (an installed package uses the user's data folder: tests/chat/test_cli.py)."""
    monkeypatch.delenv("CLAPBOARD_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings(_env_file=None).data_dir == ROOT / "data"
