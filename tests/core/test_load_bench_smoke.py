"""The load bench's own parts (``bench/load.py``), fast: the generator against a tiny loopback
server, and the verdicts it prints. ``python -m bench --only load`` runs the real thing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import load


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn's gthread workers answer

    def do_GET(self) -> None:  # the name http.server calls
        status = 200 if self.path == "/ok" else 404
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield int(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


def test_generator_stops_at_its_cap_and_counts_unexpected_answers(server: int) -> None:
    answered, errors, latencies, first_error = load.drive(server, load.Endpoint("ok", "/ok"), seconds=5, cap=40)
    assert (answered, errors, first_error) == (40, 0, "")
    assert len(latencies) == 40 and all(value > 0 for value in latencies)
    answered, errors, _, first_error = load.drive(server, load.Endpoint("gone", "/gone"), seconds=5, cap=10)
    assert (answered, errors, first_error) == (0, 10, "HTTP 404")


def test_generator_stops_at_its_deadline(server: int) -> None:
    answered, errors, _, _ = load.drive(server, load.Endpoint("ok", "/ok"), seconds=0.2, cap=10**9)
    assert answered > 0 and errors == 0


def _row(name: str, rate: float) -> load.Measured:
    return load.Measured(name, requests=int(rate), errors=0, seconds=1.0, latencies=[0.01] * int(rate), server_cpu=0.5)


def test_verdicts_compare_each_target() -> None:
    figures = load.LoadFigures(
        rows=[_row("healthz", 700), _row("credential page (HTML)", 360), _row("POST /api/v1/verify", 60)],
        catalog_cpu_ms=9.0,
        big={"count": 100_000, "p95_ms": {"a": 20.0, "b": 61.0}},
    )
    # page 360/700 >= 0.5; verify 60/s < 100/s; catalog CPU 9 <= 15 ms; the worst p95 61 ms >= 50 ms
    assert [v for _, _, v in figures.verdicts()] == ["PASS", "MISS", "PASS", "MISS"]


def test_the_site_runs_production_settings_on_loopback_only(tmp_path: Path) -> None:
    env = load.site_environment(tmp_path, 8123, "sqlite:///x.sqlite3")
    assert env["DJANGO_SETTINGS_MODULE"] == "microcred.config.settings.prod"
    assert env["SITE_URL"] == "http://127.0.0.1:8123"
    assert env["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert len(env["SECRET_KEY"]) >= 32 and env["MICROCRED_KEY_ENCRYPTION_KEYS"]
