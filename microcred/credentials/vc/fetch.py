"""Injectable fetching of foreign documents (did:web DID documents, HTTPS issuer profiles).

Verifying a foreign credential makes us fetch URLs an attacker chose, so the HTTPS
fetcher refuses anything that could reach our own network (SSRF):

* https only (plain http solely to loopback, and only when a test switches it on);
* every address the host resolves to must be public: private, loopback, link-local,
  multicast, reserved, unspecified, shared (CGNAT) and the IPv4 addresses embedded
  in IPv4-mapped, 6to4, Teredo and NAT64 IPv6 addresses are all refused;
* the connection goes to the vetted IP itself (DNS rebinding cannot swap it after
  the check) while Host and TLS SNI/certificate checks still use the host name;
* timeouts, a response size cap, no compression, at most three redirects, each vetted.

Tests never need the network: :class:`DisabledFetcher` refuses everything and
:class:`StaticFetcher` serves a fixed mapping (also used to resolve our own documents).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from .errors import FetchRefused, MalformedCredential
from .limits import load_json

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
DEFAULT_ACCEPT = "application/did+ld+json, application/ld+json, application/json;q=0.9"
_MAX_REDIRECTS = 3
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class Fetcher(Protocol):
    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        """Return the body of ``url`` or raise :class:`FetchRefused`."""
        ...


def fetch_json(fetcher: Fetcher, url: str) -> dict[str, Any]:
    """Fetch ``url`` and parse it as a JSON object."""
    body = fetcher.fetch(url)
    try:
        value = load_json(body, what=f"the document at {url}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedCredential(f"document at {url} is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedCredential(f"document at {url} is not a JSON object")
    return value


class DisabledFetcher:
    """The safe default: verification that needs the network fails with a clear reason."""

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        raise FetchRefused("remote fetching is disabled", url=url)


class StaticFetcher:
    """Serve documents from a mapping of URL to bytes, text or JSON value."""

    def __init__(self, documents: Mapping[str, bytes | str | Mapping[str, Any]]) -> None:
        self._documents = dict(documents)

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        try:
            document = self._documents[url]
        except KeyError:
            raise FetchRefused(f"no local document for {url}", url=url) from None
        if isinstance(document, bytes):
            return document
        if isinstance(document, str):
            return document.encode("utf-8")
        return json.dumps(document).encode("utf-8")


def refusal_reason(address: IPAddress) -> str | None:
    """Why we must not connect to ``address``, or ``None`` if it is a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or _teredo_client(address)
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = refusal_reason(embedded)
            return f"embeds {embedded}, which {reason}" if reason else None
    checks = (
        ("is_unspecified", "is the unspecified address"),
        ("is_loopback", "is a loopback address"),
        ("is_link_local", "is link-local (cloud metadata lives there)"),
        ("is_multicast", "is multicast"),
        ("is_reserved", "is reserved"),
        ("is_private", "is a private address"),
    )
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    if not address.is_global:
        return "is not a globally routable address"
    return None


def _teredo_client(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    teredo = address.teredo
    return teredo[1] if teredo else None


def vet_address(address: str | IPAddress) -> IPAddress:
    """Parse and vet an address; raise :class:`FetchRefused` if it is not public."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError as exc:
        raise FetchRefused(f"{address!r} is not an IP address") from exc
    reason = refusal_reason(parsed)
    if reason:
        raise FetchRefused(f"refusing to connect to {parsed}: it {reason}", address=str(parsed))
    return parsed


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a pre-vetted IP; certificate and SNI still checked against ``host``."""

    def __init__(self, host: str, port: int, *, ip: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._pinned_ip = ip
        self._pinned_context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._pinned_ip, self.port), self.timeout)
        self.sock = self._pinned_context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._pinned_ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._pinned_ip, self.port), self.timeout)


class HttpsFetcher:
    """Fetch public HTTPS documents with SSRF protection, timeouts and a size cap."""

    def __init__(
        self,
        *,
        timeout: float = 5.0,
        max_bytes: int = 512 * 1024,
        allow_loopback_http: bool = False,
        resolver: Resolver = _system_resolver,
        ssl_context: ssl.SSLContext | None = None,
        user_agent: str = "microcred-verifier/1",
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_loopback_http = allow_loopback_http
        self._resolver = resolver
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._user_agent = user_agent

    def fetch(self, url: str, *, accept: str = DEFAULT_ACCEPT) -> bytes:
        deadline = time.monotonic() + self.timeout
        for _ in range(_MAX_REDIRECTS + 1):
            status, location, body = self._fetch_once(url, accept, deadline)
            if location is None:
                if status != 200:
                    raise FetchRefused(f"{url} answered HTTP {status}", url=url, status=status)
                return body
            url = urljoin(url, location)
        raise FetchRefused(f"too many redirects (more than {_MAX_REDIRECTS})", url=url)

    def _target(self, url: str) -> tuple[str, str, int, str, str]:
        """Check the URL; return ``(scheme, host, port, path, ip_to_connect)``."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchRefused(f"invalid URL {url!r}") from exc
        host = parts.hostname or ""
        if parts.username is not None or parts.password is not None:
            raise FetchRefused("URLs with credentials are refused", url=url)
        if not host:
            raise FetchRefused(f"URL {url!r} has no host")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        loopback_test = self.allow_loopback_http and host in _LOOPBACK_NAMES
        if parts.scheme == "https":
            port = port or 443
        elif parts.scheme == "http" and loopback_test:
            port = port or 80
        else:
            raise FetchRefused(f"only https URLs are fetched, not {parts.scheme or 'no'} scheme", url=url)
        if loopback_test:
            return parts.scheme, host, port, path, "::1" if host == "::1" else "127.0.0.1"
        try:
            addresses = self._resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchRefused(f"cannot resolve {host}: {exc}", url=url) from exc
        if not addresses:
            raise FetchRefused(f"{host} has no addresses", url=url)
        # Every answer is vetted, not just the first: a mixed answer is an attack signal.
        vetted = [vet_address(address.split("%", 1)[0]) for address in addresses]
        # Prefer IPv4: many hosts resolve to AAAA records without working IPv6 routes.
        vetted.sort(key=lambda address: address.version)
        return parts.scheme, host, port, path, str(vetted[0])

    def _fetch_once(self, url: str, accept: str, deadline: float) -> tuple[int, str | None, bytes]:
        scheme, host, port, path, ip = self._target(url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchRefused(f"timed out fetching {url}", url=url)
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = _PinnedHTTPSConnection(host, port, ip=ip, timeout=remaining, context=self._ssl_context)
        else:
            connection = _PinnedHTTPConnection(host, port, ip=ip, timeout=remaining)
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "Accept": accept,
                    "Accept-Encoding": "identity",
                    "User-Agent": self._user_agent,
                },
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused(f"{url} redirected without a Location", url=url)
                return response.status, location, b""
            return response.status, None, self._read_capped(response, url, deadline)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchRefused(f"could not fetch {url}: {exc}", url=url) from exc
        finally:
            connection.close()

    def _read_capped(self, response: http.client.HTTPResponse, url: str, deadline: float) -> bytes:
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchRefused(f"{url} is larger than {self.max_bytes} bytes", url=url)
        if (response.getheader("Content-Encoding") or "identity").lower() != "identity":
            raise FetchRefused(f"{url} sent a compressed body we did not ask for", url=url)
        chunks: list[bytes] = []
        size = 0
        while True:
            # A slow server can trickle bytes inside each socket timeout; the overall
            # deadline bounds the whole read.
            if time.monotonic() > deadline:
                raise FetchRefused(f"timed out reading {url}", url=url)
            chunk = response.read(min(65536, self.max_bytes + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchRefused(f"{url} is larger than {self.max_bytes} bytes", url=url)
