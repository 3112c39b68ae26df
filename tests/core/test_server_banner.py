"""No `Server` banner naming the server software and version, from `microcred serve` or from gunicorn
run with the configuration we ship; both run for real in a child process on a free loopback port."""

from __future__ import annotations

import http.client

from tests.cli.test_serve import serve, stop
from tests.servers import gunicorn

# A page, a 404 and a request line too long for the server, which it answers itself.
PATHS = ["/healthz", "/no-such-page/", "/" + "a" * 70_000]


def server_headers(port: int, path: str) -> tuple[int, list[str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, [value for name, value in response.getheaders() if name.lower() == "server"]
    finally:
        connection.close()


def test_microcred_serve_sends_no_server_banner(tmp_path):
    process, port = serve(tmp_path, "test")
    try:
        answers = {path[:20]: server_headers(port, path) for path in PATHS}
    finally:
        output = stop(process)
    assert [status for status, _ in answers.values()] == [200, 404, 414], output
    assert all(banner == [] for _, banner in answers.values()), answers


def test_gunicorn_with_our_configuration_sends_no_server_banner(tmp_path):
    with gunicorn(tmp_path) as port:
        answers = {path[:20]: server_headers(port, path) for path in PATHS}
    # gunicorn refuses a request line over its limit (8190 bytes at most) itself, before the application.
    assert [status for status, _ in answers.values()] == [200, 404, 414]
    assert all(banner == [] for _, banner in answers.values()), answers
