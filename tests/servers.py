"""Real server processes for tests: gunicorn with the configuration we ship, on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli.test_serve import free_port, stop

ROOT = Path(__file__).resolve().parents[1]


def wait_until_listening(process: subprocess.Popen[str], port: int, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited early:\n{process.stdout.read() if process.stdout else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"{what} did not start listening within 30 s")


@contextmanager
def gunicorn(tmp_path: Path, *args: str) -> Iterator[int]:
    """gunicorn as the README runs it (test settings, a SQLite file, one worker); yields its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MICROCRED_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="microcred.config.settings.test",
        MICROCRED_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    command = [sys.executable, "-m", "gunicorn", "-c", "python:microcred.config.gunicorn_conf"]
    command += [*args, "--bind", f"127.0.0.1:{port}", "--workers", "1", "microcred.config.wsgi"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_listening(process, port, "gunicorn")
        yield port
    finally:
        stop(process)
