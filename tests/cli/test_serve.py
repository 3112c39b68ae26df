"""`microcred serve`, run for real in a child process and asked for pages over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_CSS = "/static/admin/css/base.css"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def serve(tmp_path: Path, env_name: str, *args: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG"}}
    env.update(
        MICROCRED_ENV=env_name,
        MICROCRED_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "microcred", "serve", "--port", str(port), "--noreload", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited early:\n{process.stdout.read() if process.stdout else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.1)
    process.kill()
    pytest.fail("serve did not start listening within 30 s")


def stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_serve_without_debug_collects_static_files_and_serves_them_through_whitenoise(tmp_path):
    process, port = serve(tmp_path, "test")
    try:
        status, body = fetch(f"http://127.0.0.1:{port}{ADMIN_CSS}")
    finally:
        output = stop(process)
    assert status == 200, output
    assert b"{" in body  # CSS, not an error page
    assert (tmp_path / "var" / "static" / "admin" / "css" / "base.css").exists()
    assert f"Microcred is at http://127.0.0.1:{port}/" in output


def test_serve_with_debug_serves_static_files_without_collecting(tmp_path):
    process, port = serve(tmp_path, "dev")
    try:
        status, _ = fetch(f"http://127.0.0.1:{port}{ADMIN_CSS}")
    finally:
        output = stop(process)
    assert status == 200, output
    assert not (tmp_path / "var" / "static").exists()


def test_serve_rejects_a_port_out_of_range(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(MICROCRED_ENV="dev", MICROCRED_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        [sys.executable, "-m", "microcred", "serve", "--port", "70000"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Port 70000 is out of range" in result.stderr
