"""Tests for `ourlondon.ingest.fetching` against real HTTP servers on 127.0.0.1.

No other network: host names go through a fake resolver that answers only the
names a test gives it, and literal addresses are checked without connecting.
"""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from ourlondon.ingest.fetching import (
    USER_AGENT,
    FetchError,
    FetchFailed,
    FetchTimeout,
    ResponseTooLarge,
    TooManyRedirects,
    UnsafeURL,
    check_url,
    fetch,
)

Route = Callable[["_Handler"], None]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    # Several handlers never finish on their own (endless or silent responses):
    # their threads must not hold up shutting the server down.
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.stopping = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str, *, scheme: str = "http", host: str = "127.0.0.1") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-response is what several tests are about."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.seen.append(Seen(self.command, self.path, headers))
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.reply(404, b"not found")
        else:
            route(self)

    def reply(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def _serve(server: _Server) -> Iterator[_Server]:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    yield from _serve(_Server())


@pytest.fixture
def other_server() -> Iterator[_Server]:
    yield from _serve(_Server())


@dataclass
class FakeDNS:
    """A resolver that knows only the names a test gives it, and counts lookups."""

    real: Callable[..., Any]
    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    hanging: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in self.hanging:
            self.calls.append(name)
            self.release.wait(10)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
        if name in self.answers:
            # The n-th lookup gets the n-th answer (the last one repeats), so a
            # test can make a second lookup answer differently (DNS rebinding).
            answer = self.answers[name][
                min(self.calls.count(name), len(self.answers[name]) - 1)
            ]
            self.calls.append(name)
            return [_addrinfo(address, port) for address in answer]
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in name else socket.AF_INET, name)
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "Unknown name") from None
        return self.real(host, port, *args, **kwargs)  # a literal: no DNS involved


def _addrinfo(address: str, port: Any) -> tuple[Any, ...]:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDNS]:
    fake = FakeDNS(real=socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake
    fake.release.set()


# --- Ordinary fetches -----------------------------------------------------------


def test_fetch_returns_status_headers_and_body(server: _Server) -> None:
    server.routes["/hello"] = lambda h: h.reply(
        200, b"hello", {"Content-Type": "text/plain", "X-Feed": "1"}
    )

    result = fetch(
        server.url("/hello?page=2"),
        headers={"Accept": "application/json"},
        allow_private=True,
    )

    assert result.status == 200
    assert result.ok
    assert result.body == b"hello"
    assert result.headers["content-type"] == "text/plain"
    assert result.headers["x-feed"] == "1"
    assert result.url == server.url("/hello?page=2")
    (request,) = server.seen
    assert request.method == "GET"
    assert request.path == "/hello?page=2"
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.headers["accept"] == "application/json"
    assert request.headers["host"] == f"127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress)],
)
def test_compressed_body_is_decoded(
    server: _Server, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    document = b'{"items": []}' * 1000
    server.routes["/feed"] = lambda h: h.reply(
        200, compress(document), {"Content-Encoding": encoding}
    )

    result = fetch(server.url("/feed"), allow_private=True)

    assert result.body == document


def test_corrupt_gzip_is_a_fetch_failure(server: _Server) -> None:
    server.routes["/feed"] = lambda h: h.reply(
        200, b"\x1f\x8b this is not gzip", {"Content-Encoding": "gzip"}
    )

    with pytest.raises(FetchFailed, match="corrupt"):
        fetch(server.url("/feed"), allow_private=True)


@pytest.mark.parametrize(
    ("status", "headers"),
    [(503, {"Retry-After": "120"}), (429, {"Retry-After": "30"}), (404, {}), (410, {})],
)
def test_error_statuses_are_returned_not_raised(
    server: _Server, status: int, headers: dict[str, str]
) -> None:
    server.routes["/feed"] = lambda h: h.reply(status, b"busy", headers)

    result = fetch(server.url("/feed"), allow_private=True)

    assert result.status == status
    assert not result.ok
    assert result.body == b"busy"
    if "Retry-After" in headers:
        assert result.headers["retry-after"] == headers["Retry-After"]


def test_reserved_request_headers_are_a_programming_error(server: _Server) -> None:
    with pytest.raises(ValueError, match="Host"):
        fetch(server.url("/"), headers={"Host": "elsewhere"}, allow_private=True)


# --- Private addresses -----------------------------------------------------------


def test_loopback_is_refused_without_connecting(server: _Server) -> None:
    server.routes["/hello"] = lambda h: h.reply(200, b"hello")

    with pytest.raises(UnsafeURL, match="127.0.0.1 is a loopback address"):
        fetch(server.url("/hello"))

    assert server.seen == []


def test_loopback_is_allowed_by_the_argument(server: _Server) -> None:
    server.routes["/hello"] = lambda h: h.reply(200, b"hello")

    assert fetch(server.url("/hello"), allow_private=True).body == b"hello"


def test_loopback_is_allowed_by_the_setting(server: _Server, settings: Any) -> None:
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    server.routes["/hello"] = lambda h: h.reply(200, b"hello")

    assert fetch(server.url("/hello")).body == b"hello"
    assert check_url(server.url("/hello")) == [check_url("http://127.0.0.1/")[0]]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/feed.json",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "//example.com/feed",
        "example.com/feed",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "http://@example.com/",
        "http://",
        "http://[::1/",
        "http://example.com:99999/",
        "http://exa mple.com/",
        "http://[fe80::1%25eth0]/",
    ],
)
def test_unfetchable_urls_are_refused(dns: FakeDNS, url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url, allow_private=True)
    with pytest.raises(UnsafeURL):
        fetch(url, allow_private=True)
    assert dns.calls == []


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "100.64.0.1",
        "[::1]",
        "[fc00::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        # Refused even when private addresses are allowed:
        "169.254.169.254",
        "169.254.1.1",
        "[fd00:ec2::254]",
        "[::ffff:169.254.169.254]",
        "[fe80::1]",
        "224.0.0.1",
        "[ff02::1]",
        "0.0.0.0",
        "[::]",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "[2001:db8::1]",
        "[2002:7f00:1::]",
    ],
)
def test_non_public_literal_addresses_are_refused(dns: FakeDNS, host: str) -> None:
    with pytest.raises(UnsafeURL, match="is refused"):
        check_url(f"http://{host}/latest/meta-data/")
    with pytest.raises(UnsafeURL, match="is refused"):
        check_url(f"https://{host}:8443/")
    assert dns.calls == []


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "[fd00:ec2::254]",
        "[::ffff:169.254.169.254]",
        "100.100.100.200",
        "metadata.google.internal",
        "metadata.google.internal.",
        "METADATA.google.internal",
        "[fe80::1]",
        "0.0.0.0",
        "224.0.0.1",
    ],
)
def test_metadata_and_special_addresses_are_refused_even_when_private_is_allowed(
    dns: FakeDNS, host: str, settings: Any
) -> None:
    settings.SAFE_FETCH_ALLOW_PRIVATE = True

    with pytest.raises(UnsafeURL):
        check_url(f"http://{host}/latest/meta-data/", allow_private=True)
    assert dns.calls == []


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("192.168.1.1", "192.168.1.1"),
        ("[::1]", "::1"),
        ("[fd12:3456::1]", "fd12:3456::1"),
        ("[::ffff:10.0.0.1]", "::ffff:a00:1"),
    ],
)
def test_private_literals_pass_when_allowed(host: str, expected: str) -> None:
    (address,) = check_url(f"http://{host}/", allow_private=True)

    assert str(address) == expected


@pytest.mark.parametrize("host", ["8.8.8.8", "[2001:4860:4860::8888]"])
def test_public_literals_pass(host: str) -> None:
    assert len(check_url(f"https://{host}/")) == 1


@pytest.mark.parametrize("host", ["2130706433", "0x7f.0.0.1", "127.1", "017700000001"])
def test_odd_spellings_of_loopback_are_refused(host: str) -> None:
    # These are resolved by the real getaddrinfo, which parses them as numbers
    # (no DNS query); skip where the C library does not.
    try:
        socket.getaddrinfo(host, 80, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        pytest.skip(f"this C library does not read {host} as an address")

    with pytest.raises(UnsafeURL, match="resolves to 127.0.0.1"):
        check_url(f"http://{host}/")


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    dns: FakeDNS, server: _Server
) -> None:
    dns.answers["mixed.example"] = [["93.184.216.34", "10.0.0.5"]]

    with pytest.raises(UnsafeURL, match=r"mixed\.example resolves to 10\.0\.0\.5"):
        check_url("https://mixed.example/feed")
    with pytest.raises(UnsafeURL, match="10.0.0.5"):
        fetch(server.url("/feed", host="mixed.example"))


def test_public_names_pass_check_url(dns: FakeDNS) -> None:
    dns.answers["feed.example"] = [["93.184.216.34", "2606:2800:220:1::1"]]

    addresses = check_url("https://feed.example/rpde")

    assert [str(a) for a in addresses] == ["93.184.216.34", "2606:2800:220:1::1"]


def test_unresolvable_names_fail_readably(dns: FakeDNS) -> None:
    with pytest.raises(FetchFailed, match=r"Could not resolve nowhere\.example"):
        fetch("https://nowhere.example/feed")


# --- DNS pinning and TLS -----------------------------------------------------------


def test_connects_to_the_checked_address_and_sends_the_original_host(
    dns: FakeDNS, server: _Server
) -> None:
    # A rebinding resolver: a second lookup would point at the metadata service.
    dns.answers["feed.example"] = [["127.0.0.1"], ["169.254.169.254"]]
    server.routes["/rpde"] = lambda h: h.reply(200, b"{}")

    result = fetch(server.url("/rpde", host="feed.example"), allow_private=True)

    assert result.body == b"{}"
    assert result.url == f"http://feed.example:{server.port}/rpde"
    assert dns.calls == ["feed.example"]
    (request,) = server.seen
    assert request.headers["host"] == f"feed.example:{server.port}"


@dataclass(frozen=True)
class Certificates:
    ca: Path
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A throwaway CA and a certificate for feed.example signed by it."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make test certificates")
    folder = tmp_path_factory.mktemp("tls")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=folder, check=True, capture_output=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=ourlondon test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    run(
        "req", *ec, "-keyout", "feed.key", "-out", "feed.csr",
        "-subj", "/CN=feed.example",
    )  # fmt: skip
    (folder / "feed.ext").write_text(
        "subjectAltName=DNS:feed.example\n"
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    run(
        "x509", "-req", "-in", "feed.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "feed.pem", "-days", "2", "-extfile", "feed.ext",
    )  # fmt: skip
    return Certificates(
        ca=folder / "ca.pem", cert=folder / "feed.pem", key=folder / "feed.key"
    )


@dataclass
class TLSServer:
    server: _Server
    server_names: list[str | None]


@pytest.fixture
def tls_server(certificates: Certificates) -> Iterator[TLSServer]:
    server = _Server()
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.cert, certificates.key)
    context.sni_callback = lambda _sock, name, _context: names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    for running in _serve(server):
        yield TLSServer(running, names)


def test_https_checks_the_certificate_against_the_original_host(
    dns: FakeDNS,
    tls_server: TLSServer,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The default context loads the system CA store, which OpenSSL lets this
    # variable replace: here, with the test CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    dns.answers["feed.example"] = [["127.0.0.1"]]
    server = tls_server.server
    server.routes["/rpde"] = lambda h: h.reply(200, b"secure")

    result = fetch(
        server.url("/rpde", scheme="https", host="feed.example"), allow_private=True
    )

    assert result.body == b"secure"
    assert tls_server.server_names == ["feed.example"]
    assert server.seen[0].headers["host"] == f"feed.example:{server.port}"
    assert dns.calls == ["feed.example"]


def test_https_refuses_a_certificate_for_another_name(
    dns: FakeDNS,
    tls_server: TLSServer,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    dns.answers["other.example"] = [["127.0.0.1"]]

    url = tls_server.server.url("/rpde", scheme="https", host="other.example")
    with pytest.raises(FetchFailed, match="certificate"):
        fetch(url, allow_private=True)
    with pytest.raises(FetchFailed, match="certificate"):
        fetch(tls_server.server.url("/rpde", scheme="https"), allow_private=True)
    assert tls_server.server.seen == []


def test_https_refuses_an_untrusted_certificate(
    dns: FakeDNS, tls_server: TLSServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    dns.answers["feed.example"] = [["127.0.0.1"]]

    url = tls_server.server.url("/rpde", scheme="https", host="feed.example")
    with pytest.raises(FetchFailed, match="certificate"):
        fetch(url, allow_private=True)
    assert tls_server.server.seen == []


def test_https_to_a_plain_http_server_fails_readably(server: _Server) -> None:
    with pytest.raises(FetchFailed, match="TLS"):
        fetch(server.url("/", scheme="https"), allow_private=True)


def test_refused_connection_fails_readably() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchFailed, match="Could not connect"):
        fetch(f"http://127.0.0.1:{port}/", allow_private=True)


# --- Redirects -------------------------------------------------------------------


def _redirect(location: str, status: int = 302) -> Route:
    return lambda h: h.reply(status, b"moved", {"Location": location})


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://169.254.1.1/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "http://user:pass@127.0.0.1/",
    ],
)
def test_redirect_to_a_refused_url_is_refused_even_when_private_is_allowed(
    dns: FakeDNS, server: _Server, location: str
) -> None:
    server.routes["/feed"] = _redirect(location)

    started = time.monotonic()
    with pytest.raises(UnsafeURL, match="redirected to a URL that is refused"):
        fetch(server.url("/feed"), allow_private=True)

    assert time.monotonic() - started < 1  # refused, not tried and timed out
    assert [request.path for request in server.seen] == ["/feed"]
    assert dns.calls == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_followed_with_get(server: _Server, status: int) -> None:
    server.routes["/old"] = _redirect(server.url("/new"), status)
    server.routes["/new"] = lambda h: h.reply(200, b"new")

    result = fetch(server.url("/old"), allow_private=True)

    assert result.body == b"new"
    assert result.url == server.url("/new")
    assert [(r.method, r.path) for r in server.seen] == [
        ("GET", "/old"),
        ("GET", "/new"),
    ]


def test_relative_redirect_is_resolved_against_the_current_url(server: _Server) -> None:
    server.routes["/a/b/start"] = _redirect("../end?page=2")
    server.routes["/a/end"] = lambda h: h.reply(200, b"end")

    result = fetch(
        server.url("/a/b/start"),
        headers={"Authorization": "Bearer feed-key"},
        allow_private=True,
    )

    assert result.body == b"end"
    assert result.url == server.url("/a/end?page=2")
    # Same origin: the caller's credentials go along.
    assert server.seen[1].headers["authorization"] == "Bearer feed-key"


def test_cross_origin_redirect_drops_credentials(
    server: _Server, other_server: _Server
) -> None:
    server.routes["/feed"] = _redirect(other_server.url("/mirror"))
    other_server.routes["/mirror"] = lambda h: h.reply(200, b"mirror")

    result = fetch(
        server.url("/feed"),
        headers={"Authorization": "Bearer feed-key", "Accept": "application/json"},
        allow_private=True,
    )

    assert result.body == b"mirror"
    (request,) = other_server.seen
    assert "authorization" not in request.headers
    assert request.headers["accept"] == "application/json"


def test_redirect_chain_within_the_limit_is_followed(server: _Server) -> None:
    for n in range(1, 4):
        server.routes[f"/hop/{n}"] = _redirect(f"/hop/{n - 1}")
    server.routes["/hop/0"] = lambda h: h.reply(200, b"landed")

    assert fetch(server.url("/hop/3"), max_redirects=3, allow_private=True).ok


def test_redirect_chain_over_the_limit_is_refused(server: _Server) -> None:
    for n in range(1, 10):
        server.routes[f"/hop/{n}"] = _redirect(f"/hop/{n - 1}")

    with pytest.raises(TooManyRedirects, match="more than 3 times"):
        fetch(server.url("/hop/9"), max_redirects=3, allow_private=True)

    assert len(server.seen) == 4


def test_redirect_loop_is_refused(server: _Server) -> None:
    server.routes["/loop"] = _redirect("/loop")

    with pytest.raises(TooManyRedirects):
        fetch(server.url("/loop"), allow_private=True)

    assert len(server.seen) == 6


def test_redirect_without_location_is_returned(server: _Server) -> None:
    server.routes["/odd"] = lambda h: h.reply(302, b"no location")

    result = fetch(server.url("/odd"), allow_private=True)

    assert (result.status, result.body) == (302, b"no location")


# --- Size limits -------------------------------------------------------------------


def _endless(compress: bool) -> Route:
    def route(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        if compress:
            h.send_header("Content-Encoding", "gzip")
        h.end_headers()
        gzipper = zlib.compressobj(wbits=31)
        block = b"\0" * 65536
        try:
            while not h.server.stopping.is_set():
                data = (
                    gzipper.compress(block) + gzipper.flush(zlib.Z_SYNC_FLUSH)
                    if compress
                    else block
                )
                h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        except OSError:
            pass  # the client hung up, as it should
        h.close_connection = True

    return route


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip-bomb"])
def test_endless_body_is_cut_off_at_the_cap(server: _Server, compress: bool) -> None:
    server.routes["/endless"] = _endless(compress)

    started = time.monotonic()
    with pytest.raises(ResponseTooLarge, match="more than 1,000,000 bytes"):
        fetch(server.url("/endless"), max_bytes=1_000_000, allow_private=True)

    assert time.monotonic() - started < 2


def test_body_at_the_cap_is_accepted(server: _Server) -> None:
    server.routes["/feed"] = lambda h: h.reply(200, b"x" * 1000)

    result = fetch(server.url("/feed"), max_bytes=1000, allow_private=True)

    assert len(result.body) == 1000


def test_chunked_body_just_over_the_cap_is_refused(server: _Server) -> None:
    def route(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.wfile.write(b"3e9\r\n" + b"x" * 1001 + b"\r\n0\r\n\r\n")

    server.routes["/feed"] = route

    with pytest.raises(ResponseTooLarge):
        fetch(server.url("/feed"), max_bytes=1000, allow_private=True)


def test_announced_length_over_the_cap_is_refused_up_front(server: _Server) -> None:
    def route(h: _Handler) -> None:
        h.reply(200, b"a lie", {"Content-Length": str(10**12)})
        h.close_connection = True

    server.routes["/feed"] = route

    with pytest.raises(ResponseTooLarge, match="announced 1,000,000,000,000 bytes"):
        fetch(server.url("/feed"), max_bytes=1000, allow_private=True)


# --- Time limits -------------------------------------------------------------------


def _silent(h: _Handler) -> None:
    h.server.stopping.wait(10)
    h.close_connection = True


def _drip_headers(h: _Handler) -> None:
    try:
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        while not h.server.stopping.wait(0.05):
            h.wfile.write(b"X-Drip: .\r\n")
    except OSError:
        pass
    h.close_connection = True


def _drip_body(h: _Handler) -> None:
    try:
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        while not h.server.stopping.wait(0.05):
            h.wfile.write(b".")
    except OSError:
        pass
    h.close_connection = True


@pytest.mark.parametrize("route", [_silent, _drip_headers, _drip_body])
def test_slow_servers_hit_the_deadline(server: _Server, route: Route) -> None:
    server.routes["/slow"] = route

    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        # Per-read timeouts alone would never fire on a drip.
        fetch(server.url("/slow"), timeout=0.5, read_timeout=5, allow_private=True)

    assert time.monotonic() - started < 1.5


def test_read_timeout_applies_per_wait(server: _Server) -> None:
    server.routes["/slow"] = _silent

    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="read timed out"):
        fetch(server.url("/slow"), timeout=10, read_timeout=0.3, allow_private=True)

    assert time.monotonic() - started < 1.5


def test_deadline_covers_redirects(server: _Server) -> None:
    def slow_redirect(h: _Handler) -> None:
        time.sleep(0.2)
        h.reply(302, b"", {"Location": "/slow-redirect"})

    server.routes["/slow-redirect"] = slow_redirect

    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(
            server.url("/slow-redirect"),
            timeout=0.5,
            max_redirects=50,
            allow_private=True,
        )

    assert time.monotonic() - started < 1.5


def test_deadline_covers_a_hanging_dns_lookup(dns: FakeDNS) -> None:
    dns.hanging.add("slow.example")

    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch("https://slow.example/feed", timeout=0.3)

    assert time.monotonic() - started < 1


# --- Properties -----------------------------------------------------------------


def _junk_resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    """Answers every name, from a fixed set of good and bad answers."""
    answers: list[list[str] | None] = [
        None,
        ["93.184.216.34"],
        ["10.1.2.3"],
        ["2606:2800:220:1::1", "93.184.216.34"],
        ["169.254.169.254"],
        ["::ffff:127.0.0.1"],
    ]
    answer = answers[zlib.crc32(str(host).encode()) % len(answers)]
    if answer is None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return [_addrinfo(address, port) for address in answer]


_url_like = st.builds(
    lambda *parts: "".join(parts),
    st.sampled_from(["http", "https", "HTTP", "ftp", "", "file", "javascript"]),
    st.sampled_from(["://", ":", ":/", ":///", "//", ""]),
    st.one_of(
        st.text(alphabet="abc.-_:[]@%01f", max_size=20),
        st.ip_addresses().map(lambda a: f"[{a}]" if a.version == 6 else str(a)),
        st.text(max_size=10),
    ),
    st.sampled_from(["", ":80", ":0", ":65536", ":-1", ":x", ":"]),
    st.text(max_size=15),
)


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(st.one_of(st.text(), _url_like))
def test_check_url_raises_only_fetch_errors(text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", _junk_resolver)
        try:
            addresses = check_url(text)
        except FetchError as exc:
            assert str(exc)
            return
    assert addresses
    assert all(address.is_global and not address.is_multicast for address in addresses)
