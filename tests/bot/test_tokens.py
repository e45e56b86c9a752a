"""The API token and the action secret: never starting with "-", kept 0600, bad files replaced."""
from __future__ import annotations

import pytest

from bot import tokens


@pytest.fixture
def secrets_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_SECRETS_DIR", str(tmp_path))
    monkeypatch.delenv("FAMILY_HELP_API_TOKEN", raising=False)
    monkeypatch.delenv("FAMILY_HELP_ACTION_SECRET", raising=False)
    return tmp_path


def test_new_secret_draws_again_when_it_would_start_with_a_dash(monkeypatch):
    draws = iter(["-starts-with-dash", "--also", "fine-one"])
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: next(draws))
    assert tokens.new_secret() == "fine-one"


def test_many_new_secrets_never_start_with_a_dash():
    assert not any(tokens.new_secret().startswith("-") for _ in range(2000))


def test_made_once_kept_private_and_reused(secrets_dir):
    said: list[str] = []
    first = tokens.resolve(tokens.API_TOKEN, say=said.append)
    path = secrets_dir / "api_token"
    assert path.read_text().strip() == first and not first.startswith("-")
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(said) == 1 and first not in said[0]
    assert tokens.resolve(tokens.API_TOKEN, say=said.append) == first
    assert len(said) == 1


@pytest.mark.parametrize("content, why", [("-Xbad-token\n", 'starting with "-"'), ("", "empty"), ("\n  \n", "empty"),
                                          (b"\xff\xfe", "unreadable")])
def test_a_bad_file_is_replaced_with_a_one_line_message(secrets_dir, content, why):
    path = secrets_dir / "api_token"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    path.chmod(0o644)
    said: list[str] = []
    value = tokens.resolve(tokens.API_TOKEN, say=said.append)
    assert value and not value.startswith("-")
    assert path.read_text().strip() == value
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(said) == 1 and "\n" not in said[0] and why in said[0] and "replaced" in said[0]
    assert "-Xbad-token" not in said[0]


def test_a_good_file_made_readable_by_others_is_tightened(secrets_dir):
    path = secrets_dir / "action_secret"
    path.write_text("good-secret\n")
    path.chmod(0o644)
    assert tokens.resolve(tokens.ACTION_SECRET, say=pytest.fail) == "good-secret"
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_setting_wins_whatever_its_characters(secrets_dir, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_API_TOKEN", "-abc def=ü$")
    assert tokens.resolve(tokens.API_TOKEN, say=pytest.fail) == "-abc def=ü$"
    assert not (secrets_dir / "api_token").exists()


def test_the_secrets_dir_defaults_to_the_build_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("FAMILY_HELP_SECRETS_DIR", raising=False)
    monkeypatch.setenv("FAMILY_HELP_BUILD", str(tmp_path))
    assert tokens.secrets_dir() == tmp_path


@pytest.mark.parametrize("bad", ["has space", "dollar$sign", "tab\there", "ünïcode"])
def test_the_action_secret_must_be_header_safe(bad):
    with pytest.raises(tokens.SecretError, match="FAMILY_HELP_ACTION_SECRET"):
        tokens.check_header_safe("FAMILY_HELP_ACTION_SECRET", bad)
    tokens.check_header_safe("FAMILY_HELP_ACTION_SECRET", "-fine_~secret.123")
