"""`microcred` on a machine with no production settings: help works, everything else says in one
line what to set. Run for real, in a fresh interpreter with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

SECRETS = {"SECRET_KEY", "MICROCRED_KEY_ENCRYPTION_KEYS", "DJANGO_SETTINGS_MODULE", "MICROCRED_ENV", "DATABASE_URL"}


def microcred(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    clean.update(MICROCRED_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [sys.executable, "-m", "microcred", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", [["--help"], [], ["help"]])
def test_help_lists_every_command_without_production_settings(tmp_path, args):
    result = microcred(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    for command in ("migrate", "demo", "serve", "verify", "catalog_import", "credentials"):
        assert f"    {command}\n" in result.stdout, command
    assert "not properly configured" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_command_s_own_help_works_without_production_settings(tmp_path):
    result = microcred(tmp_path, "help", "catalog_import")
    assert result.returncode == 0, result.stderr
    assert "usage: microcred catalog_import" in result.stdout
    result = microcred(tmp_path, "verify", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: microcred verify" in result.stdout


@pytest.mark.parametrize("args", [["migrate"], ["demo"], ["verify", "credential.json"], ["serve"]])
def test_other_commands_say_in_one_line_what_to_set(tmp_path, args):
    result = microcred(tmp_path, *args)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("microcred: Set SECRET_KEY")
    assert "MICROCRED_KEY_ENCRYPTION_KEYS" in lines[0] and "MICROCRED_ENV=dev" in lines[0]
    assert not (tmp_path / "var" / "microcred.sqlite3").exists()


def test_only_what_is_still_missing_is_named(tmp_path):
    result = microcred(tmp_path, "migrate", SECRET_KEY="s" * 50)
    line = result.stderr.strip()
    assert result.returncode != 0 and "\n" not in line
    assert "MICROCRED_KEY_ENCRYPTION_KEYS" in line and "SECRET_KEY to" not in line


def test_with_the_secrets_set_commands_run(tmp_path):
    result = microcred(
        tmp_path,
        "migrate",
        "--check",
        SECRET_KEY="s" * 50,
        MICROCRED_KEY_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    # An empty database has unapplied migrations: --check says so with status 1, and no refusal.
    assert "Set SECRET_KEY" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode == 1


@pytest.mark.parametrize("args", [["version"], ["--version"]])
def test_version_names_microcred_and_django_without_production_settings(tmp_path, args):
    result = microcred(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("microcred 0.") and "(Django 5.2" in result.stdout
    assert result.stderr == ""
