"""Settings from the environment: production checks, embedded secrets, security headers."""

from __future__ import annotations

import os
import secrets
import stat
import string
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from gigunion.core.envsettings import env_bool, env_int, env_list, load_embedded_secrets

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_NAMES = ("GIGUNION_SECRET_KEY", "GIGUNION_DATA_KEYS", "GIGUNION_BLIND_INDEX_KEY")


def random_text(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def production_env(var_dir: Path, **overrides: str | None) -> dict[str, str]:
    """A clean production environment: nothing of the caller's GIGUNION_*/DATABASE_URL leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIGUNION_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gigunion.settings",
            "GIGUNION_ENV": "production",
            "GIGUNION_SECRET_KEY": random_text(60),
            "GIGUNION_DATA_KEYS": Fernet.generate_key().decode("ascii"),
            "GIGUNION_BLIND_INDEX_KEY": random_text(40),
            "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x",
            "GIGUNION_ALLOWED_HOSTS": "union.example.cn",
            "GIGUNION_VAR_DIR": str(var_dir),
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # Production never writes an embedded secrets file.
    assert not (tmp_path / "secrets.env").exists()


def test_production_without_secrets_refuses_to_start(tmp_path):
    env = production_env(tmp_path, **dict.fromkeys(SECRET_NAMES))

    result = manage(env, "check")

    assert result.returncode != 0
    assert "gigunion.E001" in result.stderr
    assert "gigunion.E002" in result.stderr
    assert "gigunion.E004" in result.stderr
    assert "gigunion.E003" not in result.stderr


def test_production_with_a_malformed_data_key_fails_with_e003(tmp_path):
    result = manage(production_env(tmp_path, GIGUNION_DATA_KEYS="not-a-key"), "check")

    assert result.returncode != 0
    assert "gigunion.E003" in result.stderr
    assert "Key number 1 in GIGUNION_DATA_KEYS is not a valid Fernet key." in result.stderr
    assert "gigunion.E001" not in result.stderr
    assert "gigunion.E002" not in result.stderr
    assert "gigunion.E004" not in result.stderr


def test_production_with_a_short_secret_key_fails_with_e001(tmp_path):
    result = manage(production_env(tmp_path, GIGUNION_SECRET_KEY=random_text(20)), "check")

    assert result.returncode != 0
    assert "gigunion.E001" in result.stderr


def test_production_on_sqlite_warns_w001(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}")

    result = manage(env, "check", "--deploy")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "gigunion.W001" in result.stderr
    assert "Production is running on SQLite." in result.stderr

    strict = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert strict.returncode != 0
    assert "gigunion.W001" in strict.stderr


def test_embedded_mode_generates_its_secrets_on_first_start(tmp_path):
    env = production_env(tmp_path, GIGUNION_ENV=None, DATABASE_URL=None, **dict.fromkeys(SECRET_NAMES))

    result = manage(env, "check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    secrets_file = tmp_path / "secrets.env"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert load_embedded_secrets(secrets_file).keys() == set(SECRET_NAMES)


def test_load_embedded_secrets_creates_a_private_file_once(tmp_path):
    path = tmp_path / "secrets.env"

    first = load_embedded_secrets(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == set(SECRET_NAMES)
    text = path.read_text(encoding="utf-8")
    for name in SECRET_NAMES:
        assert f"{name}={first[name]}\n" in text
    assert len(first["GIGUNION_SECRET_KEY"]) >= 50
    assert len(first["GIGUNION_BLIND_INDEX_KEY"]) >= 32
    Fernet(first["GIGUNION_DATA_KEYS"].encode("ascii"))  # a valid Fernet key
    assert load_embedded_secrets(path) == first
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.env"]


def test_load_embedded_secrets_adds_a_missing_key_and_keeps_the_others(tmp_path):
    path = tmp_path / "secrets.env"
    path.write_text("# old file\nGIGUNION_SECRET_KEY=kept-secret\nGIGUNION_DATA_KEYS=\n", encoding="utf-8")

    values = load_embedded_secrets(path)

    assert values["GIGUNION_SECRET_KEY"] == "kept-secret"
    assert values["GIGUNION_DATA_KEYS"] != ""
    assert load_embedded_secrets(path) == values


def test_env_bool(monkeypatch):
    monkeypatch.setenv("GIGUNION_TEST_FLAG", " Yes ")
    assert env_bool("GIGUNION_TEST_FLAG", False) is True
    monkeypatch.setenv("GIGUNION_TEST_FLAG", "0")
    assert env_bool("GIGUNION_TEST_FLAG", True) is False
    monkeypatch.delenv("GIGUNION_TEST_FLAG")
    assert env_bool("GIGUNION_TEST_FLAG", True) is True


def test_env_bool_refuses_maybe(monkeypatch):
    monkeypatch.setenv("GIGUNION_TEST_FLAG", "maybe")

    with pytest.raises(ValueError, match="GIGUNION_TEST_FLAG must be a boolean"):
        env_bool("GIGUNION_TEST_FLAG", False)


def test_env_int(monkeypatch):
    monkeypatch.setenv("GIGUNION_TEST_NUMBER", "42")
    assert env_int("GIGUNION_TEST_NUMBER", 1) == 42
    monkeypatch.setenv("GIGUNION_TEST_NUMBER", " ")
    assert env_int("GIGUNION_TEST_NUMBER", 7) == 7
    monkeypatch.setenv("GIGUNION_TEST_NUMBER", "many")
    with pytest.raises(ValueError, match="GIGUNION_TEST_NUMBER must be an integer"):
        env_int("GIGUNION_TEST_NUMBER", 1)


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("GIGUNION_TEST_LIST", " union.example.cn , ,127.0.0.1,")
    assert env_list("GIGUNION_TEST_LIST", "") == ["union.example.cn", "127.0.0.1"]
    monkeypatch.delenv("GIGUNION_TEST_LIST")
    assert env_list("GIGUNION_TEST_LIST", "a, b") == ["a", "b"]
    assert env_list("GIGUNION_TEST_LIST", "") == []


@pytest.mark.django_db
def test_a_real_response_carries_the_security_headers(client):
    response = client.get("/office/login/")

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE == 7200
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
