"""Fetchers: SSRF address vetting, scheme refusal, size cap. No test touches the network;
the local server only listens on 127.0.0.1 and is reached with the loopback test flag."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from microcred.credentials.vc.errors import FetchRefused, MalformedCredential
from microcred.credentials.vc.fetch import (
    DisabledFetcher,
    HttpsFetcher,
    StaticFetcher,
    _PinnedHTTPConnection,
    fetch_json,
    refusal_reason,
    vet_address,
)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.8.8.8", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff0e::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not a globally routable"),
        ("192.0.2.10", "private"),
        ("::ffff:10.0.0.1", "embeds 10.0.0.1"),
        ("::ffff:127.0.0.1", "embeds 127.0.0.1"),
        ("::ffff:169.254.169.254", "embeds 169.254.169.254"),
        ("2002:a00:1::1", "embeds 10.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "embeds 169.254.169.254"),
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    with pytest.raises(FetchRefused, match=reason):
        vet_address(address)


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    parsed = vet_address(address)
    assert parsed == ipaddress.ip_address(address)
    assert refusal_reason(parsed) is None


def test_garbage_address_is_refused() -> None:
    with pytest.raises(FetchRefused, match="not an IP address"):
        vet_address("example.com")


def _resolver_to(*addresses: str) -> object:
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return list(addresses)

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://issuer.example/did.json",
        "ftp://issuer.example/did.json",
        "file:///etc/passwd",
        "gopher://issuer.example/",
        "https://user:pw@issuer.example/did.json",
        "https:///did.json",
        "https://issuer.example:99999/",
    ],
)
def test_bad_urls_are_refused_before_resolving(url: str) -> None:
    resolver = _resolver_to("93.184.215.14")
    with pytest.raises(FetchRefused):
        HttpsFetcher(resolver=resolver).fetch(url)  # type: ignore[arg-type]
    assert resolver.calls == []  # type: ignore[attr-defined]


def test_hostname_resolving_to_private_address_is_refused() -> None:
    fetcher = HttpsFetcher(resolver=_resolver_to("93.184.215.14", "10.1.2.3"))  # type: ignore[arg-type]
    with pytest.raises(FetchRefused, match=r"10\.1\.2\.3.*private"):
        fetcher.fetch("https://rebind.example/.well-known/did.json")
    metadata = HttpsFetcher(resolver=_resolver_to("169.254.169.254"))  # type: ignore[arg-type]
    with pytest.raises(FetchRefused, match="link-local"):
        metadata.fetch("https://metadata.example/latest/meta-data/")


def test_loopback_needs_the_explicit_test_flag() -> None:
    with pytest.raises(FetchRefused, match="only https"):
        HttpsFetcher().fetch("http://127.0.0.1:1/x")
    with pytest.raises(FetchRefused, match="loopback"):
        HttpsFetcher(resolver=_resolver_to("127.0.0.1")).fetch("https://localhost/x")  # type: ignore[arg-type]
    with pytest.raises(FetchRefused, match="only https"):
        HttpsFetcher(allow_loopback_http=True).fetch("http://internal.example/x")


def test_disabled_and_static_fetchers() -> None:
    with pytest.raises(FetchRefused, match="remote fetching is disabled"):
        DisabledFetcher().fetch("https://issuer.example/did.json")
    static = StaticFetcher({"https://a.example/doc": {"id": "https://a.example/doc"}, "https://a.example/t": "[]"})
    assert fetch_json(static, "https://a.example/doc") == {"id": "https://a.example/doc"}
    with pytest.raises(MalformedCredential, match="not a JSON object"):
        fetch_json(static, "https://a.example/t")
    with pytest.raises(FetchRefused, match="no local document"):
        static.fetch("https://a.example/other")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/ok": (200, b'{"id": "ok"}', {}),
            "/big": (200, b"x" * 5000, {}),
            "/big-chunked": (200, b"x" * 5000, {"omit-length": "1"}),
            "/missing": (404, b"nope", {}),
            "/to-ok": (302, b"", {"Location": "/ok"}),
            "/to-private": (302, b"", {"Location": "http://10.0.0.1/x"}),
            "/loop": (302, b"", {"Location": "/loop"}),
        }
        routes["/host"] = (200, str(self.headers.get("Host")).encode(), {})
        status, body, headers = routes.get(self.path, (500, b"", {}))
        self.send_response(status)
        for name, value in headers.items():
            if name != "omit-length":
                self.send_header(name, value)
        if "omit-length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def local_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_local_server_fetch_redirect_and_errors(local_server: str) -> None:
    fetcher = HttpsFetcher(allow_loopback_http=True, max_bytes=1000, timeout=5)
    assert fetch_json(fetcher, f"{local_server}/ok") == {"id": "ok"}
    assert fetcher.fetch(f"{local_server}/to-ok") == b'{"id": "ok"}'
    with pytest.raises(FetchRefused, match="HTTP 404"):
        fetcher.fetch(f"{local_server}/missing")
    with pytest.raises(FetchRefused, match="only https"):
        fetcher.fetch(f"{local_server}/to-private")
    with pytest.raises(FetchRefused, match="too many redirects"):
        fetcher.fetch(f"{local_server}/loop")


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_local_server_size_cap(local_server: str, path: str) -> None:
    fetcher = HttpsFetcher(allow_loopback_http=True, max_bytes=1000, timeout=5)
    with pytest.raises(FetchRefused, match="larger than 1000 bytes"):
        fetcher.fetch(local_server + path)
    assert len(HttpsFetcher(allow_loopback_http=True, max_bytes=5000).fetch(local_server + path)) == 5000


def test_connection_is_pinned_to_the_vetted_ip_with_the_original_host(local_server: str) -> None:
    # The connection goes to the IP we vetted, never to a second DNS answer, yet the
    # server still sees the name it serves (Host header; SNI for https).
    port = int(local_server.rsplit(":", 1)[1])
    connection = _PinnedHTTPConnection("issuer.test", port, ip="127.0.0.1", timeout=5)
    try:
        connection.request("GET", "/host")
        assert connection.getresponse().read() == f"issuer.test:{port}".encode()
    finally:
        connection.close()
