"""Production settings refuse development secrets; the checks run in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

GOOD_SECRET = "x" * 50


def load_prod(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "MICROCRED_KEY_ENCRYPTION_KEYS"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="microcred.config.settings.prod")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_prod_refuses_the_default_secret_key():
    result = load_prod(MICROCRED_KEY_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("keys", ["", "not-a-fernet-key"])
def test_prod_refuses_missing_or_bad_key_encryption_keys(keys):
    result = load_prod(SECRET_KEY=GOOD_SECRET, MICROCRED_KEY_ENCRYPTION_KEYS=keys)
    assert result.returncode != 0 and "MICROCRED_KEY_ENCRYPTION_KEYS" in result.stderr


def test_prod_starts_with_real_secrets_and_debug_off():
    result = load_prod(SECRET_KEY=GOOD_SECRET, MICROCRED_KEY_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
